// Package compare is the `ktune compare` command.
package compare

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/compare"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/reports"
	"github.com/ktune/ktune/internal/summary"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the compare command.
func NewCmd(version string) *cobra.Command {
	var (
		conn       cmdutil.ConnFlags
		run        cmdutil.RunFlags
		workload   cmdutil.ProducerFlags
		repeat     int
		profileDir string
		out        cmdutil.OutputFlags
		noReport   bool
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
			if err := out.Validate(); err != nil {
				return err
			}
			if repeat < 1 {
				return fmt.Errorf("--repeat %d: must be at least 1", repeat)
			}
			entries, pcfg, err := plan(args, profileDir, &conn, &run, &workload)
			if err != nil {
				return err
			}
			start := time.Now()
			ctx, cancel := run.Context(cmd.Context())
			defer cancel()
			runErr := runProfiles(ctx, cmd.ErrOrStderr(), &conn, pcfg, entries, repeat)
			doc := compare.Analyze(entries, repeat)
			doc.Start = start
			if doc.Done(result.StopDone); runErr != nil {
				doc.Complete, doc.StopReason, doc.Error = false, result.StopError, runErr.Error()
			}
			if !noReport && out.Path(doc) != "-" {
				if err := writeReport(cmd.ErrOrStderr(), strings.TrimSuffix(out.Path(doc), ".json")+"-report", doc); err != nil {
					return err
				}
			}
			return out.Finish(ctx, cmd.OutOrStdout(), cmd.ErrOrStderr(), cmdutil.Finished{
				Version: version, Doc: doc, RunErr: runErr, Table: func(w io.Writer, _ string) { WriteTable(w, doc) },
			})
		},
	}
	conn.Register(cmd)
	run.Register(cmd)
	workload.Register(cmd)
	fs := cmd.Flags()
	fs.IntVar(&repeat, "repeat", 3, "runs of every profile, interleaved")
	fs.StringVar(&profileDir, "profile-dir", "", "folder of your own profiles")
	out.RegisterDocument(cmd)
	fs.BoolVar(&noReport, "no-report", false, "do not write the HTML report beside the comparison")
	return cmd
}

// plan reads the arguments and checks the run before any work: the
// entries, with --command-config, the connection flags and -X over every
// profile, and the producer template of the runs.
func plan(args []string, profileDir string, conn *cmdutil.ConnFlags, run *cmdutil.RunFlags, workload *cmdutil.ProducerFlags) ([]*compare.Entry, loadgen.ProduceConfig, error) {
	var dirs []string
	if profileDir != "" {
		dirs = append(dirs, profileDir)
	}
	entries, err := compare.Entries(args, dirs...)
	if err != nil {
		return nil, loadgen.ProduceConfig{}, err
	}
	if workload.Records == 0 && workload.Duration == 0 {
		workload.Records = 20000
	}
	pcfg, err := workload.Config("ktune-compare")
	if err != nil {
		return nil, pcfg, err
	}
	for _, e := range entries {
		if e.Profile != nil {
			if e.Profile.Producer, err = conn.ClientProps(e.Profile.Producer); err != nil {
				return nil, pcfg, err
			}
		}
	}
	return entries, pcfg, cmdutil.Check(run.Validate(), conn.Validate(clientcfg.Producer), compare.Validate(entries))
}

// runProfiles runs the profile entries, interleaved, on one connection.
func runProfiles(ctx context.Context, stderr io.Writer, conn *cmdutil.ConnFlags, pcfg loadgen.ProduceConfig, entries []*compare.Entry, repeat int) error {
	total := compare.Runs(entries, repeat)
	if total == 0 {
		return nil
	}
	s, err := conn.Open(ctx, stderr, clientcfg.Producer)
	if err != nil {
		return err
	}
	defer s.Close()
	pcfg.Logger, pcfg.Interval, pcfg.Client = s.Logger, time.Hour, s.Client
	if pcfg.WarmupRecords == 0 && pcfg.WarmupDuration == 0 && pcfg.Records > 0 {
		pcfg.WarmupRecords = pcfg.Records / 10
	}
	pr := cmdutil.NewProgress(ctx, stderr, "compare", total)
	defer pr.Done()
	n := 0
	return compare.Run(ctx, s.Conn, entries, repeat, pcfg, func(name string, r int) {
		pr.Step(n, total, 0, fmt.Sprintf("%s run %d", name, r+1))
		n++
	})
}

// writeReport draws the comparison into dir: the profiles side by side
// with compare's statistics.
func writeReport(stderr io.Writer, dir string, doc *result.Comparison) error {
	rp, err := reports.Write(dir, reports.Input{Title: "ktune comparison report", Comparison: doc})
	if err != nil {
		return err
	}
	fmt.Fprintf(stderr, "report: %s\n", rp)
	return nil
}

// WriteTable prints a comparison: a row per entry and metric.
func WriteTable(w io.Writer, c *result.Comparison) {
	for _, e := range c.Entries {
		for _, r := range e.Runs {
			if r.Cluster.Embedded {
				fmt.Fprintln(w, summary.EmbeddedNote)
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
