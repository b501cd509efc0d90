package cmdutil

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/result"
)

// RunFlags bound a whole command.
type RunFlags struct {
	Timeout time.Duration
}

// Register adds the run flags to cmd.
func (r *RunFlags) Register(cmd *cobra.Command) {
	cmd.Flags().DurationVar(&r.Timeout, "timeout", 30*time.Minute, "hard bound on the whole run, connection and flush included")
}

// Validate checks the run flags before any work starts.
func (r *RunFlags) Validate() error {
	if r.Timeout < 0 {
		return fmt.Errorf("--timeout %s: must be positive (0: no bound)", r.Timeout)
	}
	return nil
}

// Context returns ctx bounded by --timeout.
func (r *RunFlags) Context(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.Timeout <= 0 {
		return context.WithCancel(ctx)
	}
	return context.WithTimeout(ctx, r.Timeout)
}

// StampTopic records the topic's layout in doc's workload.
func StampTopic(doc *result.Document, t cluster.Topic, spec cluster.TopicSpec) {
	doc.Workload.Partitions = t.Partitions
	doc.Workload.ReplicationFactor = t.ReplicationFactor
	doc.Workload.TopicCreated = t.Created
	if t.Created && len(spec.Configs) > 0 {
		doc.Workload.TopicConfig = spec.Configs
	}
}

// Load is the frame the load commands (produce, consume, e2e) share:
// bound the run by --timeout, connect for Roles, make sure Topic is there,
// let Prepare configure the run, run it alone or as one worker of a
// distributed run, and finish its document. --timeout bounds all of it:
// when it passes before the run started (connecting, creating the topic,
// joining the workers), the command fails with BeforeStart's timeout error
// and writes no document, whichever of those steps it cut; once the run
// started, its document keeps what was measured.
type Load struct {
	Version string
	Conn    *ConnFlags
	Out     *OutputFlags
	Run     *RunFlags
	Workers *WorkerFlags
	// Brokers, when set, scrapes the brokers' metrics during the run.
	Brokers *BrokerMetricsFlags
	Roles   []clientcfg.Role
	Topic   cluster.TopicSpec
	// Prepare configures the run on the session and the topic. It
	// returns the digest of the run's whole configuration (workers of one
	// run share it) and the function that runs it from a start time.
	Prepare func(s *Session, t cluster.Topic) (digest string, run func(ctx context.Context, startAt time.Time) (*result.Document, error), err error)
}

// Execute runs l for cmd.
func (l Load) Execute(cmd *cobra.Command) error {
	brokers := l.Brokers
	if brokers == nil {
		brokers = &BrokerMetricsFlags{}
	}
	if err := brokers.Validate(l.Conn.AllowRemote); err != nil {
		return err
	}
	scrapedBy := ""
	if l.Workers.Enabled() {
		// One worker scrapes, so the brokers are scraped once per run.
		if l.Workers.Spec.ID != 0 {
			brokers = &BrokerMetricsFlags{}
		}
		scrapedBy = "worker 0"
	}
	ctx, cancel := l.Run.Context(cmd.Context())
	defer cancel()
	s, err := l.Conn.Open(ctx, cmd.ErrOrStderr(), l.Roles...)
	if err != nil {
		return err
	}
	defer s.Close()
	t, err := s.Conn.EnsureTopic(ctx, l.Topic)
	if err != nil {
		return BeforeStart(ctx, err)
	}
	digest, run, err := l.Prepare(s, t)
	if err != nil {
		return err
	}
	scraped, err := brokers.around(ctx, cmd.ErrOrStderr(), s, l.Out.Interval, scrapedBy)
	if err != nil {
		return BeforeStart(ctx, err)
	}
	if ctx.Err() != nil {
		// The topic's last look-up may have beaten the deadline; a run
		// started now would end at once and write an empty document.
		return BeforeStart(ctx, nil)
	}
	doc, runErr := l.Workers.Run(ctx, cmd.ErrOrStderr(), s, l.Version, digest, func(startAt time.Time) (*result.Document, error) {
		doc, err := scraped(func() (*result.Document, error) { return run(ctx, startAt) })
		if doc != nil {
			StampTopic(doc, t, l.Topic)
		}
		return doc, err
	})
	return l.Out.Finish(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), FinishRun(l.Version, doc, runErr))
}
