package reports

import (
	"encoding/json"
	"fmt"
	"path/filepath"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/internal/compare"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// ComparisonOf groups saved results into configurations (same kind,
// client configuration and workload shape) and compares them, the first
// as the baseline, with compare's statistics. Nil unless at least two
// configurations of one kind are present.
func ComparisonOf(results []advisor.Named[*result.Document]) *result.Comparison {
	type key struct {
		Kind               result.Kind
		Producer, Consumer map[string]string
		Rate               float64
		RecordSize         int
		Partitions         int
	}
	byKind := map[result.Kind][]*compare.Entry{}
	var kinds []result.Kind
	index := map[string]*compare.Entry{}
	for _, r := range results {
		d := r.Doc
		k, _ := json.Marshal(key{d.Kind, d.Config.Producer, d.Config.Consumer, d.Workload.Rate, d.Workload.RecordSize, d.Workload.Partitions})
		e, ok := index[string(k)]
		if !ok {
			e = &compare.Entry{Name: filepath.Base(r.Path), Source: r.Path}
			index[string(k)] = e
			if len(byKind[d.Kind]) == 0 {
				kinds = append(kinds, d.Kind)
			}
			byKind[d.Kind] = append(byKind[d.Kind], e)
		}
		e.Docs = append(e.Docs, d)
	}
	for _, k := range kinds {
		if es := byKind[k]; len(es) >= 2 {
			for _, e := range es {
				if len(e.Docs) > 1 {
					e.Name += fmt.Sprintf(" (%d runs)", len(e.Docs))
				}
			}
			return compare.Analyze(es, 0)
		}
	}
	return nil
}

// CompareCharts draws a comparison side by side: throughput and p99 with
// their 95% confidence intervals (and Welch's p-value in each bar's
// tip), and the latency percentile curves of every configuration
// overlaid, each configuration's runs merged into one histogram.
func CompareCharts(c *result.Comparison) []*Chart {
	if c == nil || len(c.Entries) == 0 {
		return nil
	}
	panel := func(metric, title string) *Chart {
		s := Series{Name: title}
		for i, e := range c.Entries {
			st, ok := e.Metrics[metric]
			if !ok {
				continue
			}
			s.X, s.Y, s.Err = append(s.X, float64(len(s.X))), append(s.Y, st.Mean), append(s.Err, st.CI95)
			s.Labels = append(s.Labels, fmt.Sprintf("%c", 'A'+i))
			tip := fmt.Sprintf("%s (n=%d)\n%s: %.2f ± %.2f (95%% CI)", e.Name, st.N, title, st.Mean, st.CI95)
			if st.RelDiff != nil {
				tip += fmt.Sprintf("\nvs baseline %+.1f%%", *st.RelDiff*100)
			}
			if st.PValue != nil {
				tip += fmt.Sprintf(", Welch p = %.3f", *st.PValue)
			}
			s.Tips = append(s.Tips, tip)
		}
		if len(s.Y) == 0 {
			return nil
		}
		return &Chart{ID: "compare-" + metric, Title: title, XLabel: "configuration (see table)", Kind: "bars", Series: []Series{s}}
	}
	side := &Chart{ID: "compare-side-by-side", Title: "Configurations side by side (mean and 95% confidence interval)", Kind: "bars",
		Caption: "Bars are means over each configuration's runs and whiskers their 95% confidence intervals; overlapping whiskers warn that a difference may be noise (the p-values are in the table)."}
	for _, p := range []*Chart{panel("mib_per_sec", "throughput (MiB/s)"), panel("p99_ms", "p99 latency (ms)")} {
		if p != nil {
			side.Panels = append(side.Panels, p)
		}
	}
	out := []*Chart{side}
	// One curve per configuration: its runs' histograms merged.
	kind := result.LatencyIntended
	if len(c.Entries[0].Runs) > 0 {
		kind = result.MainLatency(c.Entries[0].Runs[0].Kind)
	}
	var runs []Run
	for i, e := range c.Entries {
		h := hist.New()
		for _, d := range e.Runs {
			if x, ok, err := d.Metrics.Histogram(kind); ok && err == nil {
				h.Merge(x)
			}
		}
		if h.Count() == 0 {
			continue
		}
		d := &result.Document{}
		if err := d.Metrics.SetLatency(kind, h); err == nil {
			runs = append(runs, Run{Name: fmt.Sprintf("%c: %s", 'A'+i, e.Name), Doc: d})
		}
	}
	if lp := LatencyPercentiles("compare-latency", kind, "each configuration's runs merged", runs); lp != nil {
		lp.Caption += " Each curve merges all runs of one configuration."
		out = append(out, lp)
	}
	return out
}

// CompareRows is compare's table of a comparison, with each entry's letter
// as the charts name it.
func CompareRows(c *result.Comparison) []compare.Row {
	rows := compare.Rows(c)
	letter := map[string]string{}
	for i, e := range c.Entries {
		letter[e.Name] = fmt.Sprintf("%c: %s", 'A'+i, e.Name)
	}
	for i := range rows {
		rows[i].Name = letter[rows[i].Name]
	}
	return rows
}
