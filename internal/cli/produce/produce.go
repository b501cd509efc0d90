// Package produce is the `ktune produce` command.
package produce

import (
	"context"
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

// NewCmd returns the produce command.
func NewCmd(version string) *cobra.Command {
	var (
		conn     cmdutil.ConnFlags
		out      cmdutil.OutputFlags
		topic    cmdutil.TopicFlags
		workload cmdutil.ProducerFlags
		run      cmdutil.RunFlags
		workers  cmdutil.WorkerFlags
		brokers  cmdutil.BrokerMetricsFlags
		verify   bool
	)
	cmd := &cobra.Command{
		Use:   "produce",
		Short: "Producer stress test: throughput and open-model latency",
		Long: `Sends records to a topic and measures throughput and latency.

With --rate, every record has an intended send time (start + i/rate) and its
latency runs from that time, so broker stalls are not hidden (coordinated
omission); the service latency (client accepted -> acknowledged) is recorded
beside it. Client properties use Kafka's Java names (-X, --command-config);
defaults are the Java client's of --client-line (4.x unless told 3).

With --workers N, --worker-id I and --run-id, this process is one of N
workers of a distributed run (see 'ktune k8s render'): it runs its even
share of the records, rate and producers, starts with the others and
publishes its result for 'ktune merge'.`,
		Example: `  ktune produce --records 100000
  ktune produce --brokers 127.0.0.1:9092 --duration 60s --rate 20000 -X linger.ms=5 -X compression.type=lz4
  ktune produce --brokers 127.0.0.1:9092 --duration 60s --rate 90000 --workers 3 --worker-id 0 --run-id r1`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := cmdutil.Check(out.Validate(), run.Validate()); err != nil {
				return err
			}
			if err := workers.Validate(map[string]*int{"producers": &workload.Producers}); err != nil {
				return err
			}
			cfg, err := workload.Config(topic.Topic)
			if err != nil {
				return err
			}
			spec, err := topic.Spec()
			if err != nil {
				return err
			}
			return cmdutil.Load{
				Version: version, Conn: &conn, Out: &out, Run: &run, Workers: &workers, Brokers: &brokers, Roles: []clientcfg.Role{clientcfg.Producer}, Topic: spec,
				Prepare: func(s *cmdutil.Session, _ cluster.Topic) (string, func(context.Context, time.Time) (*result.Document, error), error) {
					cfg.Client, cfg.Logger, cfg.Interval = s.Client, s.Logger, out.Interval
					cfg.OnInterval = cmdutil.ProgressLine(cmd.ErrOrStderr())
					cfg.Live = workers.Live(s)
					if verify {
						cfg.Acks = audit.Discard{}
					}
					digest := worker.Digest(result.KindProduce, cfg.Workload(), result.ClientConfig{Producer: s.Client.Effective()})
					if workers.Enabled() {
						if cfg, err = workers.Spec.Produce(cfg); err != nil {
							return "", nil, err
						}
					}
					return digest, func(ctx context.Context, startAt time.Time) (*result.Document, error) {
						cfg.StartAt = startAt
						return loadgen.Produce(ctx, s.Conn, cfg)
					}, nil
				},
			}.Execute(cmd)
		},
	}
	conn.Register(cmd)
	out.Register(cmd)
	topic.Register(cmd, "ktune-produce")
	workload.Register(cmd)
	run.Register(cmd)
	workers.Register(cmd)
	brokers.Register(cmd)
	cmd.Flags().BoolVar(&verify, "verify", false, "stamp every record with its producer id and sequence number, for 'ktune consume --verify'")
	return cmd
}
