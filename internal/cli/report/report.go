// Package report is the `ktune report` command.
package report

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/reports"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the report command.
func NewCmd() *cobra.Command {
	var out string
	cmd := &cobra.Command{
		Use:   "report RESULT...",
		Short: "Draw results as charts and one self-contained HTML report",
		Long: `Reads ktune documents (produce, consume, e2e, sweep, maxrate, probe, advice,
comparison, disruption, drain, drain-sweep) and writes report.html into --out: a verdict first, the advice
as tables, charts inline as SVG (no network fetches), and report.md beside
it with the charts as PNGs. Saved results of two or more configurations are
compared side by side, with compare's statistics.`,
		Example: "  ktune report ktune-results/*-sweep.json ktune-results/*-advice.json --out report/",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if out == "" {
				return fmt.Errorf("--out must not be empty: it names the report's folder")
			}
			if err := cmdutil.CheckWritable("--out", out); err != nil {
				return err
			}
			in, err := Load(args)
			if err != nil {
				return err
			}
			path, err := reports.Write(out, in)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.OutOrStdout(), "report: %s\n", path)
			return nil
		},
	}
	cmd.Flags().StringVar(&out, "out", "ktune-report", "folder for the report and its charts")
	return cmd
}

// Load reads documents of any kind into a report input.
func Load(paths []string) (reports.Input, error) {
	set, err := result.Load(paths...)
	if err != nil {
		return reports.Input{}, err
	}
	in := reports.Input{Results: set.Results, Sweeps: set.Sweeps, MaxRate: set.MaxRates, Probes: set.Probes, Disruptions: set.Disruptions, Drains: set.Drains, DrainSweeps: set.DrainSweeps}
	if len(set.Comparisons) > 1 {
		return in, fmt.Errorf("%s: one comparison document at a time", set.Comparisons[1].Path)
	}
	if len(set.Comparisons) == 1 {
		in.Comparison = set.Comparisons[0].Doc
	}
	if len(set.Advice) > 1 {
		return in, fmt.Errorf("%s: one advice document at a time", set.Advice[1].Path)
	}
	if len(set.Advice) == 1 {
		in.Advice = set.Advice[0].Doc
	}
	if len(set.Other) > 0 {
		return in, fmt.Errorf("%s: a %q document; ktune report draws produce, consume, e2e, sweep, maxrate, probe, comparison, advice, disruption, drain and drain-sweep documents", set.Other[0].Path, set.Other[0].Kind)
	}
	return in, nil
}
