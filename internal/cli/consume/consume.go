// Package consume is the `ktune consume` command.
package consume

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/worker"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the consume command.
func NewCmd(version string) *cobra.Command {
	var (
		conn    cmdutil.ConnFlags
		out     cmdutil.OutputFlags
		run     cmdutil.RunFlags
		workers cmdutil.WorkerFlags
		brokers cmdutil.BrokerMetricsFlags
		cfg     loadgen.ConsumeConfig
		verify  bool
	)
	cmd := &cobra.Command{
		Use:   "consume",
		Short: "Consumer stress test: throughput, group join and end-to-end latency",
		Long: `Reads a topic and measures throughput, time to the first record, group join
time and fetch statistics. Records written by ktune carry their send time, so
reading them also gives end-to-end latency (same host: same clock).

The run ends after --records, after --duration, or when nothing arrived for
--idle-timeout.

With --workers N, --worker-id I and --run-id, this process is one of N
workers of a distributed run: its share of the consumers joins the run's
group (default ktune-<run id>; with --assign it reads its own partitions),
it reads its share of --records and publishes its result for 'ktune merge'.`,
		Example: `  ktune consume --brokers 127.0.0.1:9092 --topic ktune-produce --records 100000
  ktune consume --brokers 127.0.0.1:9092 --topic t --consumers 3 -X max.poll.records=2000`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmdutil.Check(out.Validate(), run.Validate(), cfg.Validate()); err != nil {
				return err
			}
			if cfg.Records <= 0 && cfg.Duration <= 0 && cfg.IdleTimeout <= 0 {
				return fmt.Errorf("the run needs a bound: pass --records, --duration or a positive --idle-timeout")
			}
			if err := workers.Validate(map[string]*int{"consumers": &cfg.Consumers}); err != nil {
				return err
			}
			if workers.Enabled() && !cfg.Assign && cfg.Group == "" {
				cfg.Group = worker.GroupName(workers.Spec.RunID)
			}
			return cmdutil.Load{
				Version: version, Conn: &conn, Out: &out, Run: &run, Workers: &workers, Brokers: &brokers, Roles: []clientcfg.Role{clientcfg.Consumer},
				Topic: cluster.TopicSpec{Name: cfg.Topic, NoCreate: true},
				Prepare: func(s *cmdutil.Session, t cluster.Topic) (string, func(context.Context, time.Time) (*result.Document, error), error) {
					cfg.Partitions = t.Partitions
					cfg.Client, cfg.Logger, cfg.Interval = s.Client, s.Logger, out.Interval
					cfg.OnInterval = cmdutil.ProgressLine(cmd.ErrOrStderr())
					cfg.Live = workers.Live(s)
					if verify {
						cfg.Audit = audit.New()
					}
					digest := worker.Digest(result.KindConsume, cfg.Workload(), result.ClientConfig{Consumer: s.Client.Effective()})
					var err error
					if workers.Enabled() {
						if cfg, err = workers.Spec.Consume(cfg, t.Partitions); err != nil {
							return "", nil, err
						}
					}
					return digest, func(ctx context.Context, startAt time.Time) (*result.Document, error) {
						cfg.StartAt = startAt
						return loadgen.Consume(ctx, s.Conn, cfg)
					}, nil
				},
			}.Execute(cmd)
		},
	}
	conn.Register(cmd)
	out.Register(cmd)
	run.Register(cmd)
	workers.Register(cmd)
	brokers.Register(cmd)
	fs := cmd.Flags()
	fs.StringVar(&cfg.Topic, "topic", "ktune-produce", "topic to read (must exist)")
	fs.StringVar(&cfg.Group, "group", "", "consumer group (default: group.id, else a fresh ktune-<time> group)")
	fs.BoolVar(&cfg.Assign, "assign", false, "read every partition directly, without a consumer group")
	fs.StringVar(&cfg.From, "from", "earliest", "where to start without a committed offset: earliest or latest")
	fs.Int64Var(&cfg.Records, "records", 0, "stop after this many records")
	fs.DurationVar(&cfg.Duration, "duration", 0, "stop after this long")
	fs.DurationVar(&cfg.IdleTimeout, "idle-timeout", 10*time.Second, "stop when no record arrived for this long")
	fs.IntVar(&cfg.Consumers, "consumers", 1, "consumer clients in the group")
	fs.BoolVar(&verify, "verify", false, "audit delivery of records written with --verify: duplicates, reordering and gaps in each producer's sequence")
	return cmd
}
