// Package produce is the `ktune produce` command.
package produce

import (
	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cmd/cmdutil"
	"github.com/ktune/ktune/loadgen"
)

// NewCmd returns the produce command.
func NewCmd(version string) *cobra.Command {
	var (
		conn     cmdutil.ConnFlags
		out      cmdutil.OutputFlags
		topic    cmdutil.TopicFlags
		workload cmdutil.ProducerFlags
		run      cmdutil.RunFlags
	)
	cmd := &cobra.Command{
		Use:   "produce",
		Short: "Producer stress test: throughput and open-model latency",
		Long: `Sends records to a topic and measures throughput and latency.

With --rate, every record has an intended send time (start + i/rate) and its
latency runs from that time, so broker stalls are not hidden (coordinated
omission); the service latency (client accepted -> acknowledged) is recorded
beside it. Client properties use Kafka's Java names (-X, --command-config);
defaults are the Kafka 3.x Java client's.`,
		Example: `  ktune produce --records 100000
  ktune produce --brokers 127.0.0.1:9092 --duration 60s --rate 20000 -X linger.ms=5 -X compression.type=lz4`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.Validate(); err != nil {
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
			ctx, cancel := run.Context(cmd.Context())
			defer cancel()
			s, err := conn.Open(ctx, cmd.ErrOrStderr(), clientcfg.Producer)
			if err != nil {
				return err
			}
			defer s.Close()
			t, err := s.Conn.EnsureTopic(ctx, spec)
			if err != nil {
				return err
			}
			cfg.Client, cfg.Logger, cfg.Interval = s.Client, s.Logger, out.Interval
			cfg.OnInterval = cmdutil.ProgressLine(cmd.ErrOrStderr())
			doc, runErr := loadgen.Produce(ctx, s.Conn, cfg)
			if doc != nil {
				cmdutil.StampTopic(doc, t, spec)
			}
			return out.Finish(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), version, doc, runErr)
		},
	}
	conn.Register(cmd)
	out.Register(cmd)
	topic.Register(cmd, "ktune-produce")
	workload.Register(cmd)
	run.Register(cmd)
	return cmd
}
