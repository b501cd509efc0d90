// Package report is the `ktune report` command.
package report

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/advisor"
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
comparison) and writes report.html into --out: a verdict first, the advice
as tables, charts inline as SVG (no network fetches), and report.md beside
it with the charts as PNGs. Saved results of two or more configurations are
compared side by side, with compare's statistics.`,
		Example: "  ktune report ktune-results/*-sweep.json ktune-results/*-advice.json --out report/",
		Args:    cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
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
	var in reports.Input
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			return in, err
		}
		var head struct {
			Kind string `json:"kind"`
		}
		if err := json.Unmarshal(data, &head); err != nil {
			return in, fmt.Errorf("%s: not a ktune document: %v", p, err)
		}
		r := bytes.NewReader(data)
		switch head.Kind {
		case string(result.KindSweep):
			d, err := result.DecodeSweep(r)
			if err != nil {
				return in, fmt.Errorf("%s: %w", p, err)
			}
			in.Sweeps = append(in.Sweeps, advisor.Named[*result.Sweep]{Path: p, Doc: d})
		case string(result.KindProbe):
			d, err := result.DecodeProbe(r)
			if err != nil {
				return in, fmt.Errorf("%s: %w", p, err)
			}
			in.Probes = append(in.Probes, advisor.Named[*result.Probe]{Path: p, Doc: d})
		case string(result.KindMaxRate):
			d, err := result.DecodeMaxRate(r)
			if err != nil {
				return in, fmt.Errorf("%s: %w", p, err)
			}
			in.MaxRate = append(in.MaxRate, advisor.Named[*result.MaxRate]{Path: p, Doc: d})
		case string(result.KindComparison):
			c, err := result.DecodeComparison(r)
			if err != nil {
				return in, fmt.Errorf("%s: %w", p, err)
			}
			in.Comparison = c
		case advisor.KindAdvice:
			var a advisor.Advice
			if err := json.Unmarshal(data, &a); err != nil {
				return in, fmt.Errorf("%s: %w", p, err)
			}
			in.Advice = &a
		default:
			d, err := result.Decode(r)
			if err != nil {
				return in, fmt.Errorf("%s: %w", p, err)
			}
			in.Results = append(in.Results, advisor.Named[*result.Document]{Path: p, Doc: d})
		}
	}
	return in, nil
}
