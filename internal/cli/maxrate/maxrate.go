// Package maxrate is the `ktune maxrate` command.
package maxrate

import (
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/sweep"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the maxrate command.
func NewCmd(version string) *cobra.Command {
	var (
		conn                 cmdutil.ConnFlags
		run                  cmdutil.RunFlags
		topic                cmdutil.TopicFlags
		workload             cmdutil.ProducerFlags
		slo, output, out     string
		e2e                  bool
		window, warmup       time.Duration
		steps                int
		ceiling, minAchieved float64
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
  ktune maxrate --brokers $B --slo p99=20ms --e2e --window 10s -X linger.ms=5`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			p99, err := sweep.ParseSLO(slo)
			if err != nil {
				return err
			}
			if output != "table" && output != "json" {
				return fmt.Errorf("--output %q: must be table or json", output)
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
			w := cmd.ErrOrStderr()
			mcfg := sweep.MaxRateConfig{
				Produce: pcfg, E2E: e2e, P99: p99, Window: window, Warmup: warmup, MaxSteps: steps,
				Ceiling: ceiling, MinAchieved: minAchieved,
				Partitions: spec.Partitions, ReplicationFactor: spec.ReplicationFactor,
				OnStep: func(st result.MaxRateStep) {
					fmt.Fprintf(w, "%-8s target %10.0f  achieved %10.0f records/s  p99 %8.2f ms  %s\n", st.Phase, st.Target, st.Achieved, st.P99Ms, passFail(st.Pass))
				},
			}
			if err := cmdutil.Check(run.Validate(), mcfg.Validate()); err != nil {
				return err
			}
			ctx, cancel := run.Context(cmd.Context())
			defer cancel()
			s, err := conn.Open(ctx, cmd.ErrOrStderr(), clientcfg.Producer, clientcfg.Consumer)
			if err != nil {
				return err
			}
			defer s.Close()
			mcfg.Produce.Client, mcfg.Produce.Logger, mcfg.Produce.Interval = s.Client, s.Logger, time.Hour
			mcfg.Consume = loadgen.ConsumeConfig{Client: s.Consumer, Logger: s.Logger}
			doc, err := sweep.MaxRate(ctx, s.Conn, mcfg)
			if doc == nil {
				return err
			}
			doc.KtuneVersion, doc.CommandLine = version, cmdutil.RedactedArgs(os.Args)
			path := out
			if path == "" {
				path = filepath.Join("ktune-results", doc.Start.UTC().Format("20060102T150405Z")+"-maxrate.json")
			}
			if werr := result.WriteJSON(path, doc); werr != nil {
				return werr
			}
			fmt.Fprintf(w, "maxrate written to %s\n", path)
			if output == "json" {
				result.Encode2(cmd.OutOrStdout(), doc)
			} else {
				if doc.Cluster.Embedded {
					fmt.Fprintln(cmd.OutOrStdout(), "NOTE: embedded kfake cluster (in memory, no disk): not a measurement of a real broker.")
				}
				fmt.Fprintf(cmd.OutOrStdout(), "max sustainable rate: %.0f records/s (%.2f MiB/s) with %s p99 <= %.1f ms, confirmed over 2 windows of %s\n",
					doc.RecordsPerSec, doc.MiBPerSec, doc.LatencyKind, doc.P99Ms, window)
			}
			if err != nil && ctx.Err() != nil {
				return cmdutil.ErrInterrupted
			}
			return err
		},
	}
	conn.Register(cmd)
	run.Register(cmd)
	topic.Register(cmd, "ktune-maxrate")
	workload.Register(cmd)
	for _, name := range []string{"records", "duration", "rate", "warmup"} {
		cmd.Flags().MarkHidden(name)
	}
	fs := cmd.Flags()
	fs.StringVar(&slo, "slo", "", "latency objective, p99=DURATION (required)")
	fs.BoolVar(&e2e, "e2e", false, "use end-to-end latency (a consumer group reads along)")
	fs.DurationVar(&window, "window", 10*time.Second, "measured window of each step")
	fs.DurationVar(&warmup, "window-warmup", 2*time.Second, "warm-up before each window")
	fs.IntVar(&steps, "steps", 8, "most search windows")
	fs.Float64Var(&ceiling, "ceiling", 0, "upper bound of the search in records/s (default: an unpaced window finds it)")
	fs.Float64Var(&minAchieved, "min-achieved", 0.95, "share of the target rate a window must achieve")
	fs.StringVarP(&output, "output", "o", "table", "stdout format: table or json")
	fs.StringVar(&out, "out", "", "result file (default ktune-results/<time>-maxrate.json)")
	cmd.MarkFlagRequired("slo")
	return cmd
}

func passFail(ok bool) string {
	if ok {
		return "pass"
	}
	return "FAIL"
}
