// Package disrupt holds the `ktune disrupt` and `ktune drain` commands:
// operations under a steady load.
package disrupt

import (
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/disrupt"
	"github.com/ktune/ktune/internal/summary"
)

// NewCmd returns the disrupt command.
func NewCmd(version string) *cobra.Command {
	var (
		f        = steadyFlags{name: "disrupt", hidden: []string{"records", "duration"}}
		cfg      disrupt.Config
		assignor string
		broker   int
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
			if assignor != "" {
				f.conn.Props = append(f.conn.Props, "partition.assignment.strategy="+assignor)
			}
			n, warm, err := cmdutil.ParseWarmup(f.workload.Warmup)
			if err != nil {
				return err
			}
			if n > 0 {
				return fmt.Errorf("--warmup %s: disrupt takes a duration such as 10s, not a record count", f.workload.Warmup)
			}
			cfg.Warmup, f.workload.Warmup = warm, ""
			cfg.Broker, cfg.Workload.Produce.Rate = int32(broker), f.workload.Rate
			if err := cfg.Validate(); err != nil {
				return err
			}
			st, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer st.close()
			cfg.Broker, cfg.Workload = int32(broker), st.workload
			cfg.Interval, cfg.Logger, cfg.OnInterval = f.out.Interval, st.s.Logger, progress(cmd)
			d, runErr := disrupt.Run(st.ctx, st.s.Conn, cfg)
			if d == nil {
				return runErr
			}
			st.stampTopic(&d.Setting)
			return f.finish(cmd, st.ctx, version, d, func(w io.Writer) { summary.WriteDisruption(w, d) }, runErr)
		},
	}
	f.register(cmd)
	fs := cmd.Flags()
	// Keyed records spread evenly over the partitions, so a partition
	// without acknowledgements is unavailable, not skipped by a sticky
	// partitioner.
	fs.Lookup("key").DefValue, f.workload.Key = "random", "random"
	fs.Lookup("warmup").Usage = "warm-up before the baseline window, a duration (default 3s)"
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
	fs.StringVar(&assignor, "assignor", "", "partition.assignment.strategy of the group: range, roundrobin, sticky or cooperative-sticky (with -X group.protocol=consumer the broker assigns)")
	_ = cmd.MarkFlagRequired("action")
	return cmd
}
