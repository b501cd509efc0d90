// Package compare is the `ktune compare` command.
package compare

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/compare"
	"github.com/ktune/ktune/internal/profiles"
	"github.com/ktune/ktune/internal/reports"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the compare command.
func NewCmd(version string) *cobra.Command {
	var (
		conn                    cmdutil.ConnFlags
		run                     cmdutil.RunFlags
		workload                cmdutil.ProducerFlags
		repeat                  int
		profileDir, output, out string
		noReport                bool
	)
	cmd := &cobra.Command{
		Use:   "compare A B [C ...]",
		Short: "Compare profiles (run now, interleaved) or saved results, with statistics",
		Long: `Each argument is a profile (run now --repeat times, interleaved A B A B so
drift hits all alike) or a saved result file (one sample). Prints throughput
and latency percentiles with their mean and 95% confidence interval, the
relative difference to the first argument (the baseline), and marks
differences that are not statistically significant (Welch's t-test, p >= 0.05).`,
		Example: `  ktune compare kafka-defaults throughput --records 50000
  ktune compare --brokers $B kafka-defaults balanced durability --repeat 5
  ktune compare ktune-results/a.json ktune-results/b.json`,
		Args: cobra.MinimumNArgs(2),
		RunE: func(cmd *cobra.Command, args []string) error {
			if output != "table" && output != "json" {
				return fmt.Errorf("--output %q: must be table or json", output)
			}
			if repeat < 1 {
				return fmt.Errorf("--repeat %d: must be at least 1", repeat)
			}
			var dirs []string
			if profileDir != "" {
				dirs = append(dirs, profileDir)
			}
			var entries []*compare.Entry
			needRun := false
			for _, a := range args {
				if st, err := os.Stat(a); err == nil && !st.IsDir() && strings.HasSuffix(a, ".json") {
					doc, err := result.ReadFile(a)
					if err != nil {
						return err
					}
					entries = append(entries, &compare.Entry{Name: filepath.Base(a), Source: a, Docs: []*result.Document{doc}})
					continue
				}
				p, err := profiles.Load(a, dirs...)
				if err != nil {
					return err
				}
				entries = append(entries, &compare.Entry{Name: p.Name, Source: "profile " + p.Source, Profile: p})
				needRun = true
			}
			start := time.Now()
			ctx, cancel := run.Context(cmd.Context())
			defer cancel()
			var runErr error
			if needRun {
				if workload.Records == 0 && workload.Duration == 0 {
					workload.Records = 20000
				}
				pcfg, err := workload.Config("ktune-compare")
				if err != nil {
					return err
				}
				s, err := conn.Open(ctx, cmd.ErrOrStderr(), clientcfg.Producer)
				if err != nil {
					return err
				}
				defer s.Close()
				pcfg.Logger, pcfg.Interval = s.Logger, time.Hour
				if pcfg.WarmupRecords == 0 && pcfg.WarmupDuration == 0 && pcfg.Records > 0 {
					pcfg.WarmupRecords = pcfg.Records / 10
				}
				// Connection properties (-X, --command-config) come first in
				// every profile's configuration.
				base, _ := clientcfg.ParseAssignments(conn.Props)
				for _, e := range entries {
					if e.Profile != nil {
						e.Profile.Producer = append(append([]clientcfg.Property{}, base...), e.Profile.Producer...)
					}
				}
				total := 0
				for _, e := range entries {
					if e.Profile != nil {
						total += repeat
					}
				}
				pr := cmdutil.NewProgress(ctx, cmd.ErrOrStderr(), "compare", total)
				n := 0
				runErr = compare.Run(ctx, s.Conn, entries, repeat, pcfg, func(name string, r int) {
					pr.Step(n, total, 0, fmt.Sprintf("%s run %d", name, r+1))
					n++
				})
				pr.Done()
			}
			doc := compare.Analyze(entries, repeat)
			doc.KtuneVersion, doc.CommandLine, doc.Start, doc.End = version, cmdutil.RedactedArgs(os.Args), start, time.Now()
			doc.Complete = runErr == nil
			path := out
			if path == "" {
				path = filepath.Join("ktune-results", start.UTC().Format("20060102T150405Z")+"-comparison.json")
			}
			if err := result.WriteJSON(path, doc); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "comparison written to %s\n", path)
			if !noReport {
				in := reports.Input{Title: "ktune comparison report", Comparison: doc}
				rp, rerr := reports.Write(strings.TrimSuffix(path, ".json")+"-report", in)
				if rerr != nil {
					return rerr
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "report: %s\n", rp)
			}
			if output == "json" {
				result.Encode2(cmd.OutOrStdout(), doc)
			} else {
				WriteTable(cmd.OutOrStdout(), doc)
			}
			if runErr != nil && ctx.Err() != nil {
				return cmdutil.ErrInterrupted
			}
			return runErr
		},
	}
	conn.Register(cmd)
	run.Register(cmd)
	workload.Register(cmd)
	fs := cmd.Flags()
	fs.IntVar(&repeat, "repeat", 3, "runs of every profile, interleaved")
	fs.StringVar(&profileDir, "profile-dir", "", "folder of your own profiles")
	fs.StringVarP(&output, "output", "o", "table", "stdout format: table or json")
	fs.StringVar(&out, "out", "", "comparison file (default ktune-results/<time>-comparison.json)")
	fs.BoolVar(&noReport, "no-report", false, "do not write the HTML report beside the comparison")
	return cmd
}

// WriteTable prints a comparison: a row per entry and metric.
func WriteTable(w io.Writer, c *result.Comparison) {
	for _, e := range c.Entries {
		for _, r := range e.Runs {
			if r.Cluster.Embedded {
				fmt.Fprintln(w, "NOTE: embedded kfake cluster (in memory, no disk): not a measurement of a real broker.")
				goto table
			}
		}
	}
table:
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "metric\tconfiguration\tn\tmean\t± 95% CI\tvs baseline\tp\t")
	for _, r := range compare.Rows(c) {
		fmt.Fprintf(tw, "%s\t%s\t%d\t%s\t%s\t%s\t%s\t\n", r.Metric, r.Name, r.N, r.Mean, r.CI, r.Diff, r.P)
	}
	tw.Flush()
}
