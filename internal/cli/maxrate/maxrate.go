// Package maxrate is the `ktune maxrate` command.
package maxrate

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/maxrate"
	"github.com/ktune/ktune/internal/summary"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the maxrate command.
func NewCmd(version string) *cobra.Command {
	var (
		conn     cmdutil.ConnFlags
		run      cmdutil.RunFlags
		topic    cmdutil.TopicFlags
		workload cmdutil.ProducerFlags
		out      cmdutil.OutputFlags
		search   maxrate.Config
	)
	cmd := &cobra.Command{
		Use:   "maxrate",
		Short: "Find the highest rate the cluster sustains within a p99 objective",
		Long: `Searches for the highest producer rate whose p99 latency stays within --slo
(intended-time latency, or end-to-end with --e2e) and whose achieved rate
keeps up (--min-achieved of the target), confirms it over two more windows,
and reports one number with the evidence of every step. An unpaced window
first finds the ceiling; the search takes at most --steps windows.`,
		Example: `  ktune maxrate --brokers $B --slo p99=50ms
  ktune maxrate --brokers $B --slo 20ms --e2e --window 10s -X linger.ms=5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.Validate(); err != nil {
				return err
			}
			workload.Records = 1 // the windows set their own bounds
			pcfg, err := workload.Config(topic.Topic)
			if err != nil {
				return err
			}
			spec, err := topic.Spec()
			if err != nil {
				return err
			}
			search.Produce, search.OnStep = pcfg, stepLine(cmd.ErrOrStderr())
			search.Partitions, search.ReplicationFactor = spec.Partitions, spec.ReplicationFactor
			if err := cmdutil.Check(run.Validate(), search.Validate()); err != nil {
				return err
			}
			ctx, cancel := run.Context(cmd.Context())
			defer cancel()
			s, err := conn.Open(ctx, cmd.ErrOrStderr(), clientcfg.Producer, clientcfg.Consumer)
			if err != nil {
				return err
			}
			defer s.Close()
			search.Produce.Client, search.Produce.Logger, search.Produce.Interval = s.Client, s.Logger, time.Hour
			search.Produce.Live = s.Live()
			search.Consume = loadgen.ConsumeConfig{Client: s.Consumer, Logger: s.Logger, Live: search.Produce.Live}
			doc, err := maxrate.Run(ctx, s.Conn, search)
			f := cmdutil.Finished{Version: version, Doc: cmdutil.DocOf(doc), RunErr: err, Table: func(w io.Writer, _ string) { writeSummary(w, doc, search.Window) }}
			return out.Finish(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	conn.Register(cmd)
	run.Register(cmd)
	topic.Register(cmd, "ktune-maxrate")
	workload.Register(cmd)
	out.RegisterDocument(cmd)
	for _, name := range []string{"records", "duration", "rate", "warmup"} {
		cmd.Flags().MarkHidden(name)
	}
	fs := cmd.Flags()
	cmdutil.SLOVar(fs, &search.P99, "slo", 0, "latency objective: p99=DURATION or DURATION (required)")
	fs.BoolVar(&search.E2E, "e2e", false, "use end-to-end latency (a consumer group reads along)")
	fs.DurationVar(&search.Window, "window", 10*time.Second, "measured window of each step")
	fs.DurationVar(&search.Warmup, "window-warmup", 2*time.Second, "warm-up before each window")
	fs.IntVar(&search.MaxSteps, "steps", 8, "most search windows")
	fs.Float64Var(&search.Ceiling, "ceiling", 0, "upper bound of the search in records/s (default: an unpaced window finds it)")
	fs.Float64Var(&search.MinAchieved, "min-achieved", 0.95, "share of the target rate a window must achieve")
	cmd.MarkFlagRequired("slo")
	return cmd
}

// stepLine prints each search window on w.
func stepLine(w io.Writer) func(result.MaxRateStep) {
	return func(st result.MaxRateStep) {
		fmt.Fprintf(w, "%-8s target %10.0f  achieved %10.0f records/s  p99 %8.2f ms  %s\n", st.Phase, st.Target, st.Achieved, st.P99Ms, passFail(st.Pass))
	}
}

// writeSummary prints the answer.
func writeSummary(w io.Writer, doc *result.MaxRate, window time.Duration) {
	if doc.Cluster.Embedded {
		fmt.Fprintln(w, summary.EmbeddedNote)
	}
	fmt.Fprintln(w, summary.MaxRateLine(doc, window))
}

func passFail(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}
