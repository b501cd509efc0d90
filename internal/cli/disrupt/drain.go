package disrupt

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/disrupt"
	"github.com/ktune/ktune/internal/summary"
	"github.com/ktune/ktune/internal/units"
)

// NewDrainCmd returns the drain command.
func NewDrainCmd(version string) *cobra.Command {
	var (
		f       = steadyFlags{name: "drain", hidden: []string{"records", "duration", "warmup"}}
		cfg     disrupt.DrainConfig
		backlog string
	)
	cmd := &cobra.Command{
		Use:   "drain --backlog BYTES",
		Short: "Backlog drain: how fast consumers catch up while producers keep their rate",
		Long: `Produces a backlog of --backlog bytes (keys plus values) while no consumer
reads, then starts the consumer group while the producers keep --rate, and
reports how fast the lag falls (the drain rate), the time to catch up (lag
down to one second of production, to within one --interval) and whether the
consumers caught up within --max-wait. Consumer settings (-X
max.poll.records, fetch.max.bytes, --consumers) decide the answer: run it
once per setting to compare.`,
		Example: `  ktune drain --brokers $B --backlog 256MiB --rate 5000 --consumers 3 -X max.poll.records=2000`,
		Args:    cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			n, err := units.ParseBytes(backlog)
			if err != nil {
				return fmt.Errorf("--backlog %q: %v", backlog, err)
			}
			cfg.Backlog = n
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
	return cmd
}
