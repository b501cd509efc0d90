// Package tune is the `ktune tune` command: ktune's main job.
package tune

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/summary"
	"github.com/ktune/ktune/internal/tune"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the tune command.
func NewCmd(version string) *cobra.Command {
	var (
		conn cmdutil.ConnFlags
		cfg  tune.Config
		out  string
		avg  float64
		peak float64
		goal string
	)
	cmd := &cobra.Command{
		Use:   "tune",
		Short: "The whole tuning run: probe, sweeps, max rate, advice and a report",
		Long: `Probes this host, measures single-partition producer and consumer throughput,
sweeps producer settings (batch.size, linger.ms, compression) and consumer
settings (max.poll.records, fetch.max.bytes), finds the max sustainable rate
within --slo, and writes the advice and an HTML report, every artefact in one
folder. --preset quick (the default) takes a couple of minutes; full runs
bigger grids and longer windows. Without --brokers it runs on the embedded
cluster: a demonstration, never a sizing.`,
		Example: `  ktune tune
  ktune tune --brokers 127.0.0.1:9092 --preset full --slo 50ms --avg-mbps 40 --peak-factor 3 --budget 30m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if out == "" {
				out = filepath.Join("ktune-results", "tune-"+time.Now().UTC().Format("20060102T150405Z"))
			}
			cfg.Dir = out
			cfg.Workload = advisor.Workload{AvgMBps: avg, PeakFactor: peak, Goal: goal}
			base, err := conn.ClientProps(nil)
			if err != nil {
				return err
			}
			cfg.Base, cfg.Line = base, conn.Line
			if err := cmdutil.Check(conn.Validate(clientcfg.Producer, clientcfg.Consumer), cfg.Validate()); err != nil {
				return err
			}
			if err := os.MkdirAll(out, 0o755); err != nil {
				return err
			}
			s, err := conn.Open(cmd.Context(), cmd.ErrOrStderr(), clientcfg.Producer)
			if err != nil {
				return err
			}
			defer s.Close()
			cfg.Logger = s.Logger
			cfg.Version, cfg.CommandLine = version, cmdutil.RedactedArgs(os.Args)
			pr := cmdutil.NewProgress(cmd.Context(), cmd.ErrOrStderr(), "tune", 7)
			began := time.Now()
			cfg.Stage = func(i, n int, name string) { pr.Step(i, n, 0, name) }
			sum, err := tune.Run(cmd.Context(), s.Conn, cfg)
			pr.Done()
			writeSummary(cmd, sum, s.Conn.Info.Embedded, time.Since(began), out)
			if err != nil && cmd.Context().Err() != nil {
				return cmdutil.Interrupted(err)
			}
			return err
		},
	}
	conn.Register(cmd)
	fs := cmd.Flags()
	fs.StringVar(&cfg.Preset, "preset", "quick", "quick or full")
	fs.DurationVar(&cfg.Budget, "budget", 0, "bound on the whole run (sweeps are trimmed to fit)")
	cmdutil.SLOVar(fs, &cfg.SLO, "slo", 100*time.Millisecond, "p99 objective of the max-rate search: p99=DURATION or DURATION")
	fs.StringVar(&out, "out", "", "folder for every artefact (default ktune-results/tune-<time>)")
	fs.Float64Var(&avg, "avg-mbps", 0, "the workload's average produce MB/s for the sizing (default 10, an assumption)")
	fs.Float64Var(&peak, "peak-factor", 0, "the workload's peak over average")
	fs.StringVar(&goal, "goal", "throughput", "throughput, latency, durability or balanced")
	fs.StringArrayVar(&cfg.BrokerProbes, "broker-probe", nil, "probe document of a broker host (ktune probe run there; repeatable): size the brokers from it")
	fs.BoolVar(&cfg.ProbeIsBroker, "probe-is-broker", false, "this host is a broker host: size the brokers from its own probe")
	return cmd
}

// writeSummary prints what the tuning run concluded: the sizing with its
// assumptions, the configuration, the max rate and where the report is.
func writeSummary(cmd *cobra.Command, sum *tune.Summary, embedded bool, took time.Duration, dir string) {
	w := cmd.OutOrStdout()
	if embedded {
		fmt.Fprintln(w, summary.EmbeddedNote)
	}
	if sum == nil {
		return
	}
	if a := sum.Advice; a != nil {
		if a.Sizing.Mode == advisor.ModeTextbook {
			fmt.Fprint(w, "textbook sizing (no broker hardware: pass --broker-probe FILE, or --probe-is-broker on a broker host): ")
		} else {
			fmt.Fprintf(w, "sizing with %d broker(s) lost: ", a.Sizing.Failures)
		}
		if u := a.Sizing.Unsatisfiable; u != "" {
			fmt.Fprintf(w, "no broker count meets the %s check: the broker hardware is too small for the load", u)
		} else {
			fmt.Fprintf(w, "%d brokers (%s), %.0f GB disk, %g GB memory per broker, %g Gbit/s NIC", a.Sizing.Brokers, a.Sizing.Binding, a.Sizing.DiskTotalGB, a.Sizing.MemoryPerBrokerGB, a.Sizing.NICGbps)
			if a.Sizing.Partitions > 0 {
				fmt.Fprintf(w, ", %d partitions per topic", a.Sizing.Partitions)
			}
		}
		fmt.Fprintln(w)
		other := 0
		for _, x := range a.Assumed {
			if cmd.Flags().Lookup(strings.TrimPrefix(x.Flag, "--")) != nil {
				fmt.Fprintln(w, x)
			} else {
				other++
			}
		}
		if other > 0 {
			fmt.Fprintf(w, "%d more assumptions in advice.json (ktune advise states them)\n", other)
		}
		if c := a.Config; c != nil && c.Best != nil {
			fmt.Fprintf(w, "config: %s (%s)\n", c.Why, result.ParamsLabel(c.Best.Params))
		}
	}
	if sum.MaxRate != nil {
		fmt.Fprintln(w, summary.MaxRateLine(sum.MaxRate, sum.Window))
	}
	if sum.Report != "" {
		fmt.Fprintf(w, "report: %s (%s, all artefacts in %s)\n", sum.Report, took.Round(time.Second), dir)
	}
}
