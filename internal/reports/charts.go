// Package reports draws ktune's documents as charts (gonum/plot, PNG and
// SVG) and bundles them with the advice into a self-contained HTML report
// and a Markdown one. Chart data is computed apart from drawing, so tests
// check series and labels, not pixels.
package reports

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/result"
)

// Series is one line, set of bars or points.
type Series struct {
	Name string    `json:"name"`
	X    []float64 `json:"x"`
	Y    []float64 `json:"y"`
	// Labels name the X positions of a bar chart.
	Labels []string `json:"labels,omitempty"`
}

// Tick is a labelled axis position.
type Tick struct {
	Value float64 `json:"value"`
	Label string  `json:"label"`
}

// Chart is what one picture shows.
type Chart struct {
	ID     string   `json:"id"`
	Title  string   `json:"title"`
	XLabel string   `json:"x_label"`
	YLabel string   `json:"y_label"`
	Kind   string   `json:"kind"` // line, bars, scatter, heat
	XLog   bool     `json:"x_log,omitempty"`
	XTicks []Tick   `json:"x_ticks,omitempty"`
	Series []Series `json:"series"`
	// Heat holds a heat map's grid: Z[row][col] over Cols x Rows.
	Heat *Heat `json:"heat,omitempty"`
	// Mark is a highlighted point (the recommended configuration).
	Mark *Series `json:"mark,omitempty"`
	Note string  `json:"note,omitempty"`
}

// Heat is a heat map grid.
type Heat struct {
	Cols, Rows []string
	Z          [][]float64
}

func param(p result.SweepPoint, name string) (string, bool) {
	for k, v := range p.Params {
		if strings.HasSuffix(k, ":"+name) {
			return v, true
		}
	}
	return "", false
}

func effective(p result.SweepPoint, name string) string {
	if v, ok := param(p, name); ok {
		return v
	}
	if p.Produce != nil {
		return p.Produce.Config.Producer[name]
	}
	return ""
}

// meanBy averages MiB/s of produce points by a key.
func meanBy(s *result.Sweep, key func(result.SweepPoint) (string, bool)) map[string]float64 {
	sum, n := map[string]float64{}, map[string]int{}
	for _, p := range s.Points {
		if p.Produce == nil {
			continue
		}
		if k, ok := key(p); ok {
			sum[k] += p.Produce.Metrics.MiBPerSec
			n[k]++
		}
	}
	for k := range sum {
		sum[k] = result.Round(sum[k] / float64(n[k]))
	}
	return sum
}

func numeric(keys []string) []string {
	sort.Slice(keys, func(i, j int) bool {
		a, _ := strconv.ParseFloat(keys[i], 64)
		b, _ := strconv.ParseFloat(keys[j], 64)
		return a < b
	})
	return keys
}

func keysOf(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

// ThroughputVsBatch plots MiB/s against batch.size, one line per linger.ms;
// nil unless the sweep varies batch.size.
func ThroughputVsBatch(s *result.Sweep) *Chart {
	batches, lingers := map[string]bool{}, map[string]bool{}
	for _, p := range s.Points {
		if b, ok := param(p, "batch.size"); ok {
			batches[b] = true
			lingers[effective(p, "linger.ms")] = true
		}
	}
	if len(batches) < 2 {
		return nil
	}
	c := &Chart{ID: "throughput-vs-batch", Title: "Throughput by batch.size", XLabel: "batch.size (KiB, log scale)", YLabel: "throughput (MiB/s)", Kind: "line", XLog: true}
	for _, l := range numeric(keysOf(lingers)) {
		m := meanBy(s, func(p result.SweepPoint) (string, bool) {
			b, ok := param(p, "batch.size")
			return b, ok && effective(p, "linger.ms") == l
		})
		ser := Series{Name: "linger.ms=" + l}
		for _, b := range numeric(keysOf(batches)) {
			if v, ok := m[b]; ok {
				x, _ := strconv.ParseFloat(b, 64)
				ser.X, ser.Y = append(ser.X, x/1024), append(ser.Y, v)
			}
		}
		c.Series = append(c.Series, ser)
	}
	for _, b := range numeric(keysOf(batches)) {
		x, _ := strconv.ParseFloat(b, 64)
		c.XTicks = append(c.XTicks, Tick{Value: x / 1024, Label: strconv.FormatFloat(x/1024, 'f', -1, 64)})
	}
	return c
}

// BatchLingerHeat maps batch.size x linger.ms to MiB/s; nil unless the
// sweep varies both.
func BatchLingerHeat(s *result.Sweep) *Chart {
	batches, lingers := map[string]bool{}, map[string]bool{}
	for _, p := range s.Points {
		b, ok1 := param(p, "batch.size")
		l, ok2 := param(p, "linger.ms")
		if ok1 && ok2 {
			batches[b], lingers[l] = true, true
		}
	}
	if len(batches) < 2 || len(lingers) < 2 {
		return nil
	}
	m := meanBy(s, func(p result.SweepPoint) (string, bool) {
		b, ok1 := param(p, "batch.size")
		l, ok2 := param(p, "linger.ms")
		return b + "|" + l, ok1 && ok2
	})
	h := &Heat{Cols: numeric(keysOf(batches)), Rows: numeric(keysOf(lingers))}
	for _, l := range h.Rows {
		row := make([]float64, len(h.Cols))
		for i, b := range h.Cols {
			v, ok := m[b+"|"+l]
			if !ok {
				v = math.NaN()
			}
			row[i] = v
		}
		h.Z = append(h.Z, row)
	}
	return &Chart{ID: "batch-linger-heat", Title: "Throughput (MiB/s) by batch.size and linger.ms", XLabel: "batch.size (bytes)", YLabel: "linger.ms", Kind: "heat", Heat: h}
}

// Codecs compares compression codecs: throughput and achieved ratio; nil
// unless the sweep varies compression.type.
func Codecs(s *result.Sweep) *Chart {
	tput := meanBy(s, func(p result.SweepPoint) (string, bool) { return param(p, "compression.type") })
	if len(tput) < 2 {
		return nil
	}
	ratio := map[string][]float64{}
	for _, p := range s.Points {
		if c, ok := param(p, "compression.type"); ok && p.Produce != nil && p.Produce.Metrics.Producer != nil {
			ratio[c] = append(ratio[c], p.Produce.Metrics.Producer.CompressionRatio)
		}
	}
	order := []string{}
	for _, c := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
		if _, ok := tput[c]; ok {
			order = append(order, c)
		}
	}
	t := Series{Name: "throughput (MiB/s)"}
	r := Series{Name: "compressed / uncompressed x 100"}
	for i, c := range order {
		t.X, t.Y, t.Labels = append(t.X, float64(i)), append(t.Y, tput[c]), append(t.Labels, c)
		r.X, r.Y, r.Labels = append(r.X, float64(i)), append(r.Y, result.Round(mean(ratio[c])*100)), append(r.Labels, c)
	}
	return &Chart{ID: "codecs", Title: "Compression codecs", XLabel: "compression.type", YLabel: "MiB/s  |  size ratio (%)", Kind: "bars", Series: []Series{t, r},
		Note: "client CPU per codec is not measured yet"}
}

func mean(x []float64) float64 {
	if len(x) == 0 {
		return 0
	}
	var s float64
	for _, v := range x {
		s += v
	}
	return s / float64(len(x))
}

// percentiles drawn on the latency chart.
var percentiles = []float64{0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999}

// LatencyPercentiles overlays latency distributions on HdrHistogram's
// percentile axis: x = log10(1 / (1 - p)).
func LatencyPercentiles(named map[string]*result.Document) *Chart {
	c := &Chart{ID: "latency-percentiles", Title: "Latency by percentile", XLabel: "percentile", YLabel: "latency (ms)", Kind: "line"}
	for _, p := range []float64{0.5, 0.9, 0.99, 0.999, 0.9999} {
		c.XTicks = append(c.XTicks, Tick{Value: pctX(p), Label: strconv.FormatFloat(p*100, 'f', -1, 64) + "%"})
	}
	names := make([]string, 0, len(named))
	for n := range named {
		names = append(names, n)
	}
	sort.Strings(names)
	for _, n := range names {
		d := named[n]
		kind := result.LatencyE2E
		h, ok, err := d.Metrics.Histogram(kind)
		if !ok {
			kind = result.LatencyIntended
			h, ok, err = d.Metrics.Histogram(kind)
		}
		if !ok || err != nil || h.Count() == 0 {
			continue
		}
		s := Series{Name: n + " (" + kind + ")"}
		for _, p := range percentiles {
			s.X, s.Y = append(s.X, pctX(p)), append(s.Y, h.QuantileMs(p))
		}
		c.Series = append(c.Series, s)
	}
	if len(c.Series) == 0 {
		return nil
	}
	return c
}

func pctX(p float64) float64 { return result.Round(math.Log10(1 / (1 - p))) }

// Timeline plots one run's throughput and p99 per interval, as two charts.
func Timeline(name string, d *result.Document) []*Chart {
	if len(d.Metrics.Intervals) < 2 {
		return nil
	}
	t := Series{Name: "records/s"}
	p := Series{Name: "p99 " + d.Metrics.IntervalLatency}
	for _, iv := range d.Metrics.Intervals {
		t.X, t.Y = append(t.X, iv.T), append(t.Y, iv.RecordsPerSec)
		if iv.Records > 0 {
			p.X, p.Y = append(p.X, iv.T), append(p.Y, iv.P99)
		}
	}
	id := strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(name))
	return []*Chart{
		{ID: "timeline-rate-" + id, Title: "Throughput over time: " + name, XLabel: "time (s)", YLabel: "records/s", Kind: "line", Series: []Series{t}},
		{ID: "timeline-p99-" + id, Title: "p99 latency over time: " + name, XLabel: "time (s)", YLabel: "p99 (ms)", Kind: "line", Series: []Series{p}},
	}
}

// ParetoChart plots every swept point, the front, and the recommendation.
func ParetoChart(a *advisor.Advice) *Chart {
	if a == nil || a.Config == nil || len(a.Config.Pareto) == 0 {
		return nil
	}
	front := Series{Name: "Pareto front"}
	for _, p := range a.Config.Pareto {
		front.X, front.Y = append(front.X, p.P99Ms), append(front.Y, p.MBps)
	}
	c := &Chart{ID: "pareto", Title: "Throughput against p99 latency", XLabel: "p99 latency (ms)", YLabel: "throughput (MB/s)", Kind: "scatter", Series: []Series{front}}
	if all := a.Config.Points; len(all) > len(a.Config.Pareto) {
		pts := Series{Name: "every swept point"}
		for _, p := range all {
			pts.X, pts.Y = append(pts.X, p.P99Ms), append(pts.Y, p.MBps)
		}
		c.Series = append(c.Series, pts)
	}
	if b := a.Config.Best; b != nil {
		c.Mark = &Series{Name: "recommended", X: []float64{b.P99Ms}, Y: []float64{b.MBps}}
	}
	return c
}

// SizingChart shows how many brokers each resource needs, against the
// recommendation.
func SizingChart(a *advisor.Advice) *Chart {
	if a == nil {
		return nil
	}
	s := Series{Name: "share of the recommended brokers (%)"}
	for i, c := range a.Sizing.Constraints {
		s.X = append(s.X, float64(i))
		s.Y = append(s.Y, result.Round(float64(c.Brokers)/float64(a.Sizing.Brokers)*100))
		s.Labels = append(s.Labels, c.Resource)
	}
	return &Chart{ID: "sizing", Title: fmt.Sprintf("What each resource needs of the %d brokers", a.Sizing.Brokers), XLabel: "resource", YLabel: "brokers needed (% of recommended)", Kind: "bars", Series: []Series{s},
		Note: "100% is the binding constraint: " + a.Sizing.Binding}
}
