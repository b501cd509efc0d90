package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/livemetrics"
	"github.com/ktune/ktune/internal/worker"
	"github.com/ktune/ktune/result"
)

// WorkerFlags make a command one worker of a distributed run.
type WorkerFlags struct {
	Spec worker.Spec
	cmd  *cobra.Command
}

// Register adds the worker flags to cmd.
func (w *WorkerFlags) Register(cmd *cobra.Command) {
	w.cmd = cmd
	fs := cmd.Flags()
	fs.IntVar(&w.Spec.Workers, "workers", 0, "run as one of this many workers of a distributed run (0: a single process); with --worker-id and --run-id")
	fs.IntVar(&w.Spec.ID, "worker-id", 0, "this worker's id, 0 to --workers-1; it takes its even share of the records, rate, producers and consumers")
	fs.StringVar(&w.Spec.RunID, "run-id", "", "id of the distributed run, the same on every worker and new for each run")
	fs.StringVar(&w.Spec.ControlTopic, "control-topic", worker.DefaultControlTopic, "topic the workers meet on and publish their results to")
	fs.DurationVar(&w.Spec.JoinTimeout, "join-timeout", 2*time.Minute, "how long a worker waits for all workers to join")
}

// Enabled reports whether the command runs as a worker.
func (w *WorkerFlags) Enabled() bool { return w.Spec.Workers > 0 }

// Validate checks the worker flags before any work starts. perWorker
// holds the count flags (producers, consumers) that default to one per
// worker in a distributed run when they are not given.
func (w *WorkerFlags) Validate(perWorker map[string]*int) error {
	fs := w.cmd.Flags()
	if w.Spec.Workers < 0 {
		return w.Spec.Validate()
	}
	if !w.Enabled() {
		for _, name := range []string{"worker-id", "run-id", "control-topic", "join-timeout"} {
			if fs.Changed(name) {
				return fmt.Errorf("--%s needs --workers: it only applies to a distributed run", name)
			}
		}
		return nil
	}
	if err := w.Spec.Validate(); err != nil {
		return err
	}
	for name, v := range perWorker {
		if !fs.Changed(name) {
			*v = w.Spec.Workers
		}
	}
	return nil
}

// Run runs fn, the command's load, as this worker: it joins the run on the
// control topic, runs fn with the common start time, stamps the result as
// this worker's and publishes it to the control topic, also when the run
// was cut short. Without worker flags it runs fn with a zero start time.
func (w *WorkerFlags) Run(ctx context.Context, stderr io.Writer, s *Session, version, digest string, fn func(startAt time.Time) (*result.Document, error)) (*result.Document, error) {
	if !w.Enabled() {
		return fn(time.Time{})
	}
	if s.Conn.Fake != nil {
		return nil, errors.New("worker mode needs --brokers (or bootstrap.servers): the workers meet on the cluster under test, and each process's embedded cluster is its own")
	}
	sp := w.Spec
	fmt.Fprintf(stderr, "worker %d of %d: joining run %s on topic %s\n", sp.ID, sp.Workers, sp.RunID, sp.ControlTopic)
	ctl, startAt, err := worker.Join(ctx, s.Conn, sp, digest)
	if err != nil {
		return nil, err
	}
	defer ctl.Close()
	fmt.Fprintf(stderr, "all %d workers joined; the run starts at %s\n", sp.Workers, startAt.Format(time.RFC3339Nano))
	doc, runErr := fn(startAt)
	// Publish on a context of its own: an interrupted worker still hands
	// over what it measured.
	pctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	if doc == nil {
		_ = ctl.Abort(pctx, runErr)
		return nil, runErr
	}
	sp.Stamp(doc, digest, startAt)
	doc.KtuneVersion, doc.CommandLine = version, RedactedArgs(os.Args)
	if err := ctl.Publish(pctx, doc); err != nil {
		err = fmt.Errorf("publishing the result to the control topic: %w", err)
		if runErr == nil {
			return doc, err
		}
		fmt.Fprintf(stderr, "ktune: %v\n", err)
	} else {
		fmt.Fprintf(stderr, "result published to %s for ktune merge --run-id %s\n", sp.ControlTopic, sp.RunID)
	}
	return doc, runErr
}

// localRunID is the run_id label of a single process's metrics.
const localRunID = "local"

// Live returns the run's live metrics on the session's endpoint, labelled
// with the run and worker ids (a single process: see Session.Live), so
// one query sums a distributed run's workers; nil when --metrics-addr is
// off.
func (w *WorkerFlags) Live(s *Session) *livemetrics.Run {
	if s.Metrics == nil || !w.Enabled() {
		return s.Live()
	}
	return livemetrics.NewRun(s.Metrics.Registry, w.Spec.RunID, strconv.Itoa(w.Spec.ID))
}

// Live returns a single process's live metrics on the session's endpoint
// (run "local", worker 0); nil when --metrics-addr is off.
func (s *Session) Live() *livemetrics.Run {
	if s.Metrics == nil {
		return nil
	}
	return livemetrics.NewRun(s.Metrics.Registry, localRunID, "0")
}
