package disrupt

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/disrupt"
	"github.com/ktune/ktune/internal/summary"
	"github.com/ktune/ktune/internal/units"
	"github.com/ktune/ktune/result"
)

// NewDrainCmd returns the drain command.
func NewDrainCmd(version string) *cobra.Command {
	var (
		f       = steadyFlags{name: "drain", hidden: []string{"records", "duration", "warmup"}}
		cfg     disrupt.DrainConfig
		backlog string
		vary    []string
	)
	cmd := &cobra.Command{
		Use:   "drain --backlog BYTES",
		Short: "Backlog drain: how fast consumers catch up while producers keep their rate",
		Long: `Produces a backlog of --backlog bytes (keys plus values) while no consumer
reads, then starts the consumer group while the producers keep --rate, and
reports how fast the lag falls (the drain rate), the time to catch up (lag
down to one second of production, to within one --interval) and whether the
consumers caught up within --max-wait. Consumer settings (-X
max.poll.records, fetch.max.bytes, --consumers) decide the answer.

--vary NAME=v1,v2 (repeatable; NAME a consumer property or "consumers" for
consumers per group) runs one drain per combination, one after another,
each on its own fresh topic (<topic>-<n>, deleted after its point) with the
same backlog and rate, and writes one drain-sweep document naming the
fastest point. At most ` + fmt.Sprint(disrupt.MaxDrainPoints) + ` combinations; every one is checked before
the cluster is contacted.`,
		Example: `  ktune drain --brokers $B --backlog 256MiB --rate 5000 --consumers 3 -X max.poll.records=2000
  ktune drain --brokers $B --backlog 256MiB --rate 5000 --vary max.poll.records=500,2000 --vary consumers=1,3`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := units.ParseBytes(backlog)
			if err != nil {
				return fmt.Errorf("--backlog %q: %v", backlog, err)
			}
			if n < 1 {
				return fmt.Errorf("--backlog %s: must be at least 1 byte, e.g. 256MiB", backlog)
			}
			cfg.Backlog = n
			if len(vary) > 0 {
				return runDrainSweep(cmd, version, &f, cfg, vary)
			}
			st, err := f.open(cmd)
			if err != nil {
				return err
			}
			defer st.close()
			cfg.Workload = st.workload
			cfg.Interval, cfg.Logger, cfg.OnInterval = f.out.Interval, st.s.Logger, progress(cmd)
			d, runErr := disrupt.Drain(st.ctx, st.s.Conn, cfg)
			if d == nil {
				return runErr
			}
			st.stampTopic(&d.Setting)
			return f.finish(cmd, st.ctx, version, d, func(w io.Writer) { summary.WriteDrain(w, d) }, runErr)
		},
	}
	f.register(cmd)
	fs := cmd.Flags()
	fs.StringVar(&backlog, "backlog", "64MiB", "backlog to build before the consumers start (key plus value bytes), e.g. 256MiB")
	fs.DurationVar(&cfg.MaxWait, "max-wait", 2*time.Minute, "bound on the drain after the consumers start")
	fs.DurationVar(&cfg.After, "after", 3*time.Second, "how long to keep measuring once caught up")
	fs.StringArrayVar(&vary, "vary", nil, "NAME=v1,v2,...: one drain per value (repeatable: every combination); NAME a consumer property (max.poll.records, fetch.max.bytes, ...) or consumers")
	return cmd
}

// runDrainSweep runs the drain once per combination of the --vary values:
// every point is checked before the cluster is contacted.
func runDrainSweep(cmd *cobra.Command, version string, f *steadyFlags, drain disrupt.DrainConfig, vary []string) error {
	dims, err := disrupt.ParseVary(vary)
	if err != nil {
		return err
	}
	sw := disrupt.DrainSweepConfig{Dimensions: dims}
	if sw.Consumer, err = f.conn.ClientProps(nil); err != nil {
		return err
	}
	st, spec, err := f.connect(cmd, func(spec cluster.TopicSpec) error {
		sw.Topic = spec
		sw.Drain.Workload.Consume.Consumers = f.consumers
		return sw.Validate()
	})
	if err != nil {
		return err
	}
	defer st.close()
	drain.Workload = st.workload
	drain.Interval, drain.Logger, drain.OnInterval = f.out.Interval, st.s.Logger, progress(cmd)
	sw.Drain, sw.Topic = drain, spec
	stderr := cmd.ErrOrStderr()
	sw.OnPoint = func(i, n int, label string) { fmt.Fprintf(stderr, "drain %d/%d: %s\n", i+1, n, label) }
	sw.Save = func(d *result.DrainSweep) error { return f.out.Save(version, d) }
	d, runErr := disrupt.DrainSweep(st.ctx, st.s.Conn, sw)
	return f.finish(cmd, st.ctx, version, cmdutil.DocOf(d), func(w io.Writer) { summary.WriteDrainSweep(w, d) }, runErr)
}
