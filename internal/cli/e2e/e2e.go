// Package e2e is the `ktune e2e` command.
package e2e

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

// NewCmd returns the e2e command.
func NewCmd(version string) *cobra.Command {
	var (
		conn      cmdutil.ConnFlags
		out       cmdutil.OutputFlags
		topic     cmdutil.TopicFlags
		workload  cmdutil.ProducerFlags
		run       cmdutil.RunFlags
		workers   cmdutil.WorkerFlags
		brokers   cmdutil.BrokerMetricsFlags
		consumers int
		group     string
		verify    bool
	)
	cmd := &cobra.Command{
		Use:   "e2e",
		Short: "End-to-end latency: producer at a set rate and a consumer group, one clock",
		Long: `Produces at a set rate to a fresh topic while a consumer group reads it in the
same process, and reports the distribution of end-to-end latency (intended
send time to consumer receipt, one clock, no skew) with both sides'
throughput. Kafka's own end-to-end tool keeps one record in flight; this
keeps the rate.

With --workers N, --worker-id I and --run-id, this process is one of N
workers of a distributed run on one topic (default ktune-e2e-<run id>): it
produces its share of the rate to its own partitions and reads exactly
those, so send and receipt stay on one clock, then publishes its result for
'ktune merge'.`,
		Example: `  ktune e2e --duration 30s --rate 5000
  ktune e2e --brokers 127.0.0.1:9092 --records 100000 --rate 20000 -X acks=all`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.Validate(); err != nil {
				return err
			}
			if err := workers.Validate(map[string]*int{"producers": &workload.Producers}); err != nil {
				return err
			}
			if !cmd.Flags().Changed("topic") {
				topic.Topic = fmt.Sprintf("ktune-e2e-%d", time.Now().UnixNano())
				if workers.Enabled() {
					topic.Topic = "ktune-e2e-" + workers.Spec.RunID
				}
			}
			pcfg, err := workload.Config(topic.Topic)
			if err != nil {
				return err
			}
			spec, err := topic.Spec()
			if err != nil {
				return err
			}
			e2eCheck := loadgen.E2EConfig{Produce: pcfg, Consume: loadgen.ConsumeConfig{Consumers: consumers, Group: group}}
			if err := cmdutil.Check(run.Validate(), e2eCheck.Validate()); err != nil {
				return err
			}
			return cmdutil.Load{
				Version: version, Conn: &conn, Out: &out, Run: &run, Workers: &workers, Brokers: &brokers, Roles: []clientcfg.Role{clientcfg.Producer, clientcfg.Consumer}, Topic: spec,
				Prepare: func(s *cmdutil.Session, t cluster.Topic) (string, func(context.Context, time.Time) (*result.Document, error), error) {
					ecfg := e2eConfig(cmd, pcfg, s, t, out.Interval, consumers, group, verify)
					ecfg.Produce.Live = workers.Live(s)
					ecfg.Consume.Live = ecfg.Produce.Live
					w := pcfg.Workload()
					w.Consumers, w.Group = consumers, group
					digest := worker.Digest(result.KindE2E, w, result.ClientConfig{Producer: s.Client.Effective(), Consumer: s.Consumer.Effective()})
					if workers.Enabled() {
						if ecfg, err = workers.Spec.E2E(ecfg, t.Partitions); err != nil {
							return "", nil, err
						}
					}
					return digest, func(ctx context.Context, startAt time.Time) (*result.Document, error) {
						ecfg.Produce.StartAt = startAt
						return loadgen.E2E(ctx, s.Conn, ecfg)
					}, nil
				},
			}.Execute(cmd)
		},
	}
	conn.Register(cmd)
	out.Register(cmd)
	topic.Register(cmd, "")
	workload.Register(cmd)
	run.Register(cmd)
	workers.Register(cmd)
	brokers.Register(cmd)
	cmd.Flags().Lookup("topic").Usage = "topic to use (default: a fresh ktune-e2e-<time> topic)"
	cmd.Flags().Lookup("rate").DefValue = "1000"
	workload.Rate = 1000
	cmd.Flags().IntVar(&consumers, "consumers", 1, "consumer clients in the group")
	cmd.Flags().StringVar(&group, "group", "", "consumer group (default: a fresh one)")
	cmd.Flags().BoolVar(&verify, "verify", false, "audit delivery: every record carries its producer id and sequence number; report lost, duplicated and reordered records")
	return cmd
}

// e2eConfig is the run's configuration on the session and topic.
func e2eConfig(cmd *cobra.Command, pcfg loadgen.ProduceConfig, s *cmdutil.Session, t cluster.Topic, interval time.Duration, consumers int, group string, verify bool) loadgen.E2EConfig {
	pcfg.Client, pcfg.Logger, pcfg.Interval = s.Client, s.Logger, interval
	pcfg.OnInterval = cmdutil.ProgressLine(cmd.ErrOrStderr())
	ecfg := loadgen.E2EConfig{Produce: pcfg, Consume: loadgen.ConsumeConfig{
		Topic: t.Name, Partitions: t.Partitions, Group: group, Consumers: consumers,
		Client: s.Consumer, Logger: s.Logger, Interval: interval,
	}}
	if verify {
		ecfg.Audit = audit.New()
	}
	return ecfg
}
