// Package disrupt is the `ktune disrupt` command.
package disrupt

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/disrupt"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/summary"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the disrupt command.
func NewCmd(version string) *cobra.Command {
	var (
		conn      cmdutil.ConnFlags
		out       cmdutil.OutputFlags
		topic     cmdutil.TopicFlags
		workload  cmdutil.ProducerFlags
		run       cmdutil.RunFlags
		cfg       disrupt.Config
		consumers int
		group     string
		assignor  string
		broker    int
	)
	cmd := &cobra.Command{
		Use:   "disrupt --action ACTION",
		Short: "What an operation costs the clients: a broker restart, a reassignment, a rebalance",
		Long: `Runs a steady workload (a producer at --rate and a consumer group on one topic,
as e2e), measures a baseline window, performs the operation, and keeps
measuring until the clients are back to the baseline (p99 within 10% and no
lag growth for --settle) or --max-wait passes. Every record is audited:
lost, duplicated and reordered records are counted.

Actions: ` + strings.Join(disrupt.Actions, ", ") + `.
Broker actions run --exec (and --exec-start) with {broker} replaced by the
broker id, so systemd, ssh or kubectl work alike; the others use the admin
API.`,
		Example: `  ktune disrupt --brokers $B --action broker-restart --rate 2000 \
    --exec 'scripts/kafka.sh stop-broker {broker}' --exec-start 'scripts/kafka.sh start-broker {broker}'
  ktune disrupt --brokers $B --action reassign --throttle 1048576 --replication-factor 2
  ktune disrupt --brokers $B --action consumer-join --assignor cooperative-sticky`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.Validate(); err != nil {
				return err
			}
			if !cmd.Flags().Changed("topic") {
				topic.Topic = fmt.Sprintf("ktune-disrupt-%d", time.Now().UnixNano())
			}
			if assignor != "" {
				conn.Props = append(conn.Props, "partition.assignment.strategy="+assignor)
			}
			_, warm, err := cmdutil.ParseWarmup(workload.Warmup)
			if err != nil {
				return err
			}
			cfg.Warmup, workload.Warmup = warm, ""
			workload.Duration = time.Hour // a placeholder: disrupt sets the bound
			pcfg, err := workload.Config(topic.Topic)
			if err != nil {
				return err
			}
			spec, err := topic.Spec()
			if err != nil {
				return err
			}
			ctx, cancel := run.Context(cmd.Context())
			defer cancel()
			s, err := conn.Open(ctx, cmd.ErrOrStderr(), clientcfg.Producer, clientcfg.Consumer)
			if err != nil {
				return err
			}
			defer s.Close()
			t, err := s.Conn.EnsureTopic(ctx, spec)
			if err != nil {
				return err
			}
			pcfg.Client, pcfg.Logger = s.Client, s.Logger
			cfg.Broker = int32(broker)
			cfg.Interval, cfg.Logger = out.Interval, s.Logger
			cfg.Workload = loadgen.E2EConfig{Produce: pcfg, Consume: loadgen.ConsumeConfig{
				Topic: t.Name, Partitions: t.Partitions, Group: group, Consumers: consumers,
				Client: s.Consumer, Logger: s.Logger,
			}}
			stderr := cmd.ErrOrStderr()
			cfg.OnInterval = func(iv result.PhaseInterval) { fmt.Fprintln(stderr, summary.PhaseLine(iv)) }
			d, runErr := disrupt.Run(ctx, s.Conn, cfg)
			if d == nil {
				return runErr
			}
			d.Workload.Partitions, d.Workload.ReplicationFactor, d.Workload.TopicCreated = t.Partitions, t.ReplicationFactor, t.Created
			return finish(cmd, &out, version, d, runErr)
		},
	}
	conn.Register(cmd)
	out.Register(cmd)
	topic.Register(cmd, "")
	workload.Register(cmd)
	run.Register(cmd)
	fs := cmd.Flags()
	for _, name := range []string{"records", "duration"} {
		_ = fs.MarkHidden(name) // disrupt decides how long the workload runs
	}
	fs.Lookup("topic").Usage = "topic to use (default: a fresh ktune-disrupt-<time> topic)"
	fs.Lookup("rate").DefValue, workload.Rate = "1000", 1000
	// Keyed records spread evenly over the partitions, so a partition
	// without acknowledgements is unavailable, not skipped by a sticky
	// partitioner.
	fs.Lookup("key").DefValue, workload.Key = "random", "random"
	fs.Lookup("warmup").Usage = "warm-up before the baseline window, a duration (default 3s)"
	fs.Lookup("interval").DefValue, out.Interval = "1s", time.Second
	fs.Lookup("interval").Usage = "sampling interval of the time series (and progress lines)"
	fs.StringVar(&cfg.Action, "action", "", "the operation: "+strings.Join(disrupt.Actions, ", "))
	fs.IntVar(&broker, "broker", -1, "broker id the action targets (default for stop/restart: the leader of partition 0)")
	fs.StringVar(&cfg.Exec, "exec", "", "command that stops a broker, {broker} replaced by its id (run with sh -c)")
	fs.StringVar(&cfg.ExecStart, "exec-start", "", "command that starts a broker again, {broker} replaced by its id")
	fs.DurationVar(&cfg.Down, "down", 5*time.Second, "how long a restarted broker stays down")
	fs.DurationVar(&cfg.Baseline, "baseline", 30*time.Second, "baseline window before the operation")
	fs.DurationVar(&cfg.Settle, "settle", 30*time.Second, "how long the clients must stay at the baseline to count as recovered")
	fs.DurationVar(&cfg.MaxWait, "max-wait", 2*time.Minute, "bound on the measuring after the operation")
	fs.DurationVar(&cfg.OpTimeout, "op-timeout", 10*time.Minute, "bound on the operation itself")
	fs.Float64Var(&cfg.P99Tolerance, "p99-tolerance", 0.1, "p99 within this fraction above the baseline counts as recovered")
	fs.DurationVar(&cfg.WindowMin, "window-min", 500*time.Millisecond, "shortest stretch without acknowledgements on a partition reported as an unavailability window")
	fs.Int64Var(&cfg.Throttle, "throttle", 0, "replication throttle in bytes/s during a reassignment (removed after)")
	fs.IntVar(&cfg.AddPartitions, "add-partitions", 3, "partitions add-partitions adds")
	fs.IntVar(&cfg.Members, "members", 1, "group members that join (consumer-join) or leave (consumer-leave)")
	fs.IntVar(&consumers, "consumers", 1, "consumer clients of the workload's group")
	fs.StringVar(&group, "group", "", "consumer group (default: a fresh one)")
	fs.StringVar(&assignor, "assignor", "", "partition.assignment.strategy of the group: range, roundrobin, sticky or cooperative-sticky (with -X group.protocol=consumer the broker assigns)")
	_ = cmd.MarkFlagRequired("action")
	return cmd
}

// finish stamps, writes and prints the disruption document.
func finish(cmd *cobra.Command, out *cmdutil.OutputFlags, version string, d *result.Disruption, runErr error) error {
	d.KtuneVersion = version
	d.CommandLine = cmdutil.RedactedArgs(os.Args)
	path := out.Out
	if path == "" {
		path = filepath.Join("ktune-results", d.Start.UTC().Format("20060102T150405Z")+"-disruption.json")
	}
	var werr error
	if path != "-" {
		werr = result.WriteDisruption(path, d)
	}
	if out.Format == "json" {
		if err := result.Encode2(cmd.OutOrStdout(), d); err != nil {
			return err
		}
	} else {
		summary.WriteDisruption(cmd.OutOrStdout(), d)
	}
	switch {
	case werr != nil:
		fmt.Fprintf(cmd.ErrOrStderr(), "ktune: could not write the result: %v\n", werr)
	case path != "-":
		fmt.Fprintf(cmd.ErrOrStderr(), "result written to %s\n", path)
	}
	if runErr != nil {
		return runErr
	}
	if werr != nil {
		return werr
	}
	if d.StopReason == "interrupted" {
		return cmdutil.ErrInterrupted
	}
	return nil
}
