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

	"gonum.org/v1/plot/vg"

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
	// Err holds each bar's 95% confidence half-width, drawn as an error
	// bar.
	Err []float64 `json:"err,omitempty"`
	// Tips override what hovering each point shows.
	Tips []string `json:"-"`
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
	// Caption is one sentence on what to read from the chart.
	Caption string `json:"caption,omitempty"`
	// Panels, when set, are drawn side by side under the title, each
	// with its own unit on its axis (Series and Kind are then unused).
	Panels []*Chart `json:"panels,omitempty"`
	// YFromZero starts the Y axis at zero.
	YFromZero bool `json:"y_from_zero,omitempty"`
	// Table lists what the chart leaves out (series beyond MaxSeries) or
	// the exact figures behind it.
	Table *Table `json:"table,omitempty"`
	// Stacked draws the panels one above the other on one X axis (a
	// timeline) rather than side by side.
	Stacked bool `json:"stacked,omitempty"`
	// Spans shade or mark stretches of a line chart's X axis.
	Spans []Span `json:"spans,omitempty"`
	// width is a panel's share of the figure's width.
	width vg.Length
	// quietSpans leaves the spans out of the legend (a lower panel of a
	// stacked figure, whose upper panel names them).
	quietSpans bool
	// colorBase is the palette index of the first series (a lower panel of
	// a stacked figure goes on from the panel above).
	colorBase int
}

// Span is a stretch of a line chart's X axis: shaded over the whole height
// (an operation) or marked as a bar along the top, one lane each (a
// partition's unavailability window).
type Span struct {
	From float64 `json:"from"`
	To   float64 `json:"to"`
	// Mark draws a bar in lane Lane instead of shading.
	Mark bool `json:"mark,omitempty"`
	Lane int  `json:"lane,omitempty"`
	// Name is the legend entry (spans of one name share it); Tip what
	// hovering the span shows.
	Name string `json:"name"`
	Tip  string `json:"tip"`
}

// Table is a small table shown under a chart.
type Table struct {
	Header []string   `json:"header"`
	Rows   [][]string `json:"rows"`
}

// MaxSeries is the most series a chart draws; the rest go to its table.
const MaxSeries = 6

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
	return byBatch(s, "throughput-vs-batch", "Producer throughput by batch.size, one line per linger.ms", "throughput (MiB/s)",
		func(d *result.Document) (float64, bool) { return d.Metrics.MiBPerSec, true },
		"Higher is better: a line still rising at the largest batch.size means larger batches still pay at that linger.ms.")
}

// CPUVsBatch plots the client's CPU seconds per GiB against batch.size,
// one line per linger.ms; nil unless the sweep varies batch.size and
// measured client CPU.
func CPUVsBatch(s *result.Sweep) *Chart {
	return byBatch(s, "cpu-vs-batch", "Client CPU per GiB produced by batch.size, one line per linger.ms", "client CPU (s per GiB)",
		func(d *result.Document) (float64, bool) { return d.Metrics.ClientCPUSPerGiB, d.Metrics.ClientCPUS > 0 },
		"Lower is better: what the producer host pays in CPU for each GiB at each setting (user plus system time of ktune's process).")
}

func byBatch(s *result.Sweep, id, title, ylabel string, metric func(*result.Document) (float64, bool), caption string) *Chart {
	batches, lingers := map[string]bool{}, map[string]bool{}
	for _, p := range s.Points {
		if b, ok := param(p, "batch.size"); ok && p.Produce != nil {
			if _, ok := metric(p.Produce); ok {
				batches[b] = true
				lingers[effective(p, "linger.ms")] = true
			}
		}
	}
	if len(batches) < 2 {
		return nil
	}
	c := &Chart{ID: id, Title: title, XLabel: "batch.size (KiB, log scale)", YLabel: ylabel, Kind: "line", XLog: true, YFromZero: true, Caption: caption}
	for _, l := range numeric(keysOf(lingers)) {
		m := meanOf(s, metric, func(p result.SweepPoint) (string, bool) {
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

// meanOf averages a metric of produce points by a key.
func meanOf(s *result.Sweep, metric func(*result.Document) (float64, bool), key func(result.SweepPoint) (string, bool)) map[string]float64 {
	sum, n := map[string]float64{}, map[string]int{}
	for _, p := range s.Points {
		if p.Produce == nil {
			continue
		}
		v, ok := metric(p.Produce)
		if !ok {
			continue
		}
		if k, ok := key(p); ok {
			sum[k] += v
			n[k]++
		}
	}
	for k := range sum {
		sum[k] = result.Round(sum[k] / float64(n[k]))
	}
	return sum
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
	return &Chart{ID: "batch-linger-heat", Title: "Producer throughput (MiB/s) by batch.size and linger.ms", XLabel: "batch.size (bytes)", YLabel: "linger.ms", Kind: "heat", Heat: h,
		Caption: "Each cell is the mean producer throughput in MiB/s of the points with that batch.size and linger.ms (other settings averaged); darker is faster."}
}

// Codecs compares compression codecs in three panels, one unit each:
// throughput, the achieved compression ratio and the client's CPU per
// GiB; nil unless the sweep varies compression.type.
func Codecs(s *result.Sweep) *Chart {
	tput := meanBy(s, func(p result.SweepPoint) (string, bool) { return param(p, "compression.type") })
	if len(tput) < 2 {
		return nil
	}
	ratio, cpu := map[string][]float64{}, map[string][]float64{}
	for _, p := range s.Points {
		c, ok := param(p, "compression.type")
		if !ok || p.Produce == nil {
			continue
		}
		if pr := p.Produce.Metrics.Producer; pr != nil {
			ratio[c] = append(ratio[c], pr.CompressionRatio)
		}
		if m := p.Produce.Metrics; m.ClientCPUS > 0 {
			cpu[c] = append(cpu[c], m.ClientCPUSPerGiB)
		}
	}
	var order []string
	for _, c := range []string{"none", "gzip", "snappy", "lz4", "zstd"} {
		if _, ok := tput[c]; ok {
			order = append(order, c)
		}
	}
	panel := func(id, title string, v func(c string) (float64, bool)) *Chart {
		s := Series{Name: title}
		for _, c := range order {
			if y, ok := v(c); ok {
				s.X, s.Y, s.Labels = append(s.X, float64(len(s.X))), append(s.Y, y), append(s.Labels, c)
			}
		}
		if len(s.Y) == 0 {
			return nil
		}
		return &Chart{ID: id, Title: title, XLabel: "compression.type", Kind: "bars", Series: []Series{s}}
	}
	out := &Chart{ID: "codecs", Title: "Compression codecs", Kind: "bars",
		Caption: "Pick the codec whose throughput and compression pay for its client CPU: a ratio near 1 means the payload did not compress, and CPU per GiB is what the producer host pays."}
	for _, p := range []*Chart{
		panel("codecs-throughput", "throughput (MiB/s)", func(c string) (float64, bool) { return tput[c], true }),
		panel("codecs-ratio", "compressed / uncompressed size", func(c string) (float64, bool) {
			return result.Round(mean(ratio[c])), len(ratio[c]) > 0
		}),
		panel("codecs-cpu", "client CPU (s per GiB)", func(c string) (float64, bool) {
			return result.Round(mean(cpu[c])), len(cpu[c]) > 0
		}),
	} {
		if p != nil {
			out.Panels = append(out.Panels, p)
		}
	}
	return out
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

// PointsChart shows every point of a sweep in two panels: throughput and
// the client's CPU per GiB, for the producer (or, when the sweep has
// consumer dimensions, the consumer). The MaxSeries fastest points are
// drawn; the table lists every point.
func PointsChart(id string, s *result.Sweep) *Chart {
	role := "producer"
	pick := func(p result.SweepPoint) *result.Document { return p.Produce }
	if consumerSweep(s) {
		role, pick = "consumer", func(p result.SweepPoint) *result.Document { return p.Consume }
	}
	type row struct {
		label string
		doc   *result.Document
	}
	var rows []row
	for _, p := range s.Points {
		if d := pick(p); d != nil && d.Metrics.Records > 0 {
			rows = append(rows, row{result.ParamsLabel(p.Params), d})
		}
	}
	if len(rows) < 2 {
		return nil
	}
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].doc.Metrics.MiBPerSec > rows[j].doc.Metrics.MiBPerSec })
	t := &Table{Header: []string{"point", "MiB/s", "p99 ms", "client CPU s", "CPU s per GiB", "client cores busy"}}
	for _, r := range rows {
		m := r.doc.Metrics
		lat, ok := m.Latency[result.LatencyIntended]
		if !ok {
			lat = m.Latency[result.LatencyE2E]
		}
		t.Rows = append(t.Rows, []string{r.label, fmt.Sprintf("%.2f", m.MiBPerSec), fmt.Sprintf("%.2f", lat.P99), fmt.Sprintf("%.3f", m.ClientCPUS), fmt.Sprintf("%.2f", m.ClientCPUSPerGiB), fmt.Sprintf("%.2f", m.ClientCores())})
	}
	top := rows[:min(len(rows), MaxSeries)]
	tp := Series{Name: role + " throughput (MiB/s)"}
	cpu := Series{Name: "client CPU (s per GiB)"}
	for i, r := range top {
		name := fmt.Sprintf("#%d", i+1)
		tp.X, tp.Y, tp.Labels = append(tp.X, float64(i)), append(tp.Y, r.doc.Metrics.MiBPerSec), append(tp.Labels, name)
		tp.Tips = append(tp.Tips, fmt.Sprintf("#%d %s\n%.2f MiB/s", i+1, r.label, r.doc.Metrics.MiBPerSec))
		cpu.X, cpu.Y, cpu.Labels = append(cpu.X, float64(i)), append(cpu.Y, r.doc.Metrics.ClientCPUSPerGiB), append(cpu.Labels, name)
		cpu.Tips = append(cpu.Tips, fmt.Sprintf("#%d %s\n%.2f client CPU s per GiB (%.3f s)", i+1, r.label, r.doc.Metrics.ClientCPUSPerGiB, r.doc.Metrics.ClientCPUS))
	}
	cap := fmt.Sprintf("The %d fastest %s points (numbered as in the table below) against what each GiB cost the client in CPU; the table lists all %d.", len(top), role, len(rows))
	return &Chart{ID: id, Title: "Sweep points: " + role + " throughput and client CPU", Kind: "bars", Caption: cap, Table: t,
		Panels: []*Chart{
			{ID: id + "-throughput", Title: tp.Name, XLabel: "point (see table)", Kind: "bars", Series: []Series{tp}},
			{ID: id + "-cpu", Title: cpu.Name, XLabel: "point (see table)", Kind: "bars", Series: []Series{cpu}},
		}}
}

// percentiles drawn on the latency chart.
var percentiles = []float64{0.5, 0.75, 0.9, 0.95, 0.99, 0.995, 0.999, 0.9999}

// LatencyKinds describes each latency kind in the words a chart uses.
var LatencyKinds = map[string]struct{ Short, Long string }{
	result.LatencyIntended: {"intended-time", "from each record's intended send time to its acknowledgement"},
	result.LatencyService:  {"service", "from the client accepting a record to its acknowledgement"},
	result.LatencyE2E:      {"end-to-end", "from each record's intended send time to its receipt by a consumer"},
}

// Run is a named result.
type Run struct {
	Name string
	Doc  *result.Document
}

// mainLatency is the latency kind a run's figures are about: end-to-end
// when it has it (consume, e2e), else intended-time.

// LatencyPercentiles overlays the latency distributions of one kind on
// HdrHistogram's percentile axis: x = log10(1 / (1 - p)). The MaxSeries
// runs with the lowest p99 are drawn; the table lists every run. Nil when
// no run has that kind.
func LatencyPercentiles(id, kind, of string, runs []Run) *Chart {
	words := LatencyKinds[kind]
	title := "Latency by percentile: " + words.Short
	if of != "" {
		title += ", " + of
	}
	c := &Chart{ID: id, Title: title, XLabel: "percentile", YLabel: words.Short + " latency (ms)", Kind: "line", YFromZero: true,
		Caption: "Lower is better; " + words.Short + " latency runs " + words.Long + ", and a curve that bends up at the right shows rare stalls."}
	for _, p := range []float64{0.5, 0.9, 0.99, 0.999, 0.9999} {
		c.XTicks = append(c.XTicks, Tick{Value: pctX(p), Label: strconv.FormatFloat(p*100, 'f', -1, 64) + "%"})
	}
	type drawn struct {
		s   Series
		p99 float64
		row []string
	}
	var all []drawn
	for _, r := range runs {
		h, ok, err := r.Doc.Metrics.Histogram(kind)
		if !ok || err != nil || h.Count() == 0 {
			continue
		}
		s := Series{Name: r.Name}
		for _, p := range percentiles {
			v := h.QuantileMs(p)
			s.X, s.Y = append(s.X, pctX(p)), append(s.Y, v)
			s.Tips = append(s.Tips, fmt.Sprintf("%s\np%s: %s ms %s", r.Name, strconv.FormatFloat(p*100, 'f', -1, 64), num(v), words.Short))
		}
		all = append(all, drawn{s, h.QuantileMs(0.99), []string{r.Name, num(h.QuantileMs(0.5)), num(h.QuantileMs(0.99)), num(h.QuantileMs(0.999)), num(h.MaxMs())}})
	}
	if len(all) == 0 {
		return nil
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].p99 < all[j].p99 })
	for i, d := range all {
		if i < MaxSeries {
			c.Series = append(c.Series, d.s)
		}
	}
	if len(all) > MaxSeries {
		c.Caption += fmt.Sprintf(" The %d runs with the lowest p99 are drawn; the table lists all %d.", MaxSeries, len(all))
		c.Table = &Table{Header: []string{"run", "p50 ms", "p99 ms", "p99.9 ms", "max ms"}}
		for _, d := range all {
			c.Table.Rows = append(c.Table.Rows, d.row)
		}
	}
	return c
}

func pctX(p float64) float64 { return result.Round(math.Log10(1 / (1 - p))) }

// Timeline plots one run's throughput and p99 per interval, as two charts.
func Timeline(name string, d *result.Document) []*Chart {
	if len(d.Metrics.Intervals) < 2 {
		return nil
	}
	words := LatencyKinds[d.Metrics.IntervalLatency]
	if words.Short == "" {
		words.Short = d.Metrics.IntervalLatency
	}
	t := Series{Name: "records/s"}
	p := Series{Name: "p99 " + words.Short}
	for _, iv := range d.Metrics.Intervals {
		t.X, t.Y = append(t.X, iv.T), append(t.Y, iv.RecordsPerSec)
		if iv.Records > 0 {
			p.X, p.Y = append(p.X, iv.T), append(p.Y, iv.P99)
		}
	}
	id := slug(name)
	return []*Chart{
		{ID: "timeline-rate-" + id, Title: "Throughput over time: " + name, XLabel: "time since start (s)", YLabel: "records/s", Kind: "line", Series: []Series{t}, YFromZero: true,
			Caption: "A flat line is a steady run; dips are stalls (the first seconds may be the warm-up, which the run's figures exclude)."},
		{ID: "timeline-p99-" + id, Title: "p99 " + words.Short + " latency over time: " + name, XLabel: "time since start (s)", YLabel: "p99 " + words.Short + " (ms)", Kind: "line", Series: []Series{p}, YFromZero: true,
			Caption: "Each point is the p99 " + words.Short + " latency of one interval; spikes line up with the throughput dips above when the broker stalled."},
	}
}

func slug(name string) string {
	return strings.Map(func(r rune) rune {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' {
			return r
		}
		return '-'
	}, strings.ToLower(name))
}

// ParetoChart plots every swept point, the front, and the recommendation.
func ParetoChart(a *advisor.Advice) *Chart {
	if a == nil || a.Config == nil || len(a.Config.Pareto) == 0 {
		return nil
	}
	front := Series{Name: "Pareto front"}
	for _, p := range a.Config.Pareto {
		front.X, front.Y = append(front.X, p.P99Ms), append(front.Y, p.MBps)
		front.Tips = append(front.Tips, paretoTip(p))
	}
	c := &Chart{ID: "pareto", Title: "Producer throughput against p99 intended-time latency", XLabel: "p99 intended-time latency (ms)", YLabel: "throughput (MB/s)", Kind: "scatter", Series: []Series{front}, YFromZero: true,
		Caption: "Up and to the left is better; points on the dashed front are not beaten on both throughput and p99 by any other, and the triangle is the recommendation."}
	if all := a.Config.Points; len(all) > len(a.Config.Pareto) {
		pts := Series{Name: "every swept point"}
		for _, p := range all {
			pts.X, pts.Y = append(pts.X, p.P99Ms), append(pts.Y, p.MBps)
			pts.Tips = append(pts.Tips, paretoTip(p))
		}
		c.Series = append(c.Series, pts)
	}
	if b := a.Config.Best; b != nil {
		c.Mark = &Series{Name: "recommended", X: []float64{b.P99Ms}, Y: []float64{b.MBps}, Tips: []string{"recommended: " + paretoTip(*b)}}
	}
	return c
}

func paretoTip(p advisor.ParetoPoint) string {
	return fmt.Sprintf("%s\n%.2f MB/s, p99 %.2f ms", result.ParamsLabel(p.Params), p.MBps, p.P99Ms)
}

// SizingChart shows how many brokers each resource needs, against the
// recommendation.
func SizingChart(a *advisor.Advice) *Chart {
	if a == nil || a.Sizing.Brokers == 0 || len(a.Sizing.Constraints) == 0 {
		return nil
	}
	s := Series{Name: "share of the recommended brokers (%)"}
	for i, c := range a.Sizing.Constraints {
		s.X = append(s.X, float64(i))
		s.Y = append(s.Y, result.Round(float64(c.Brokers)/float64(a.Sizing.Brokers)*100))
		s.Labels = append(s.Labels, c.Resource)
		s.Tips = append(s.Tips, fmt.Sprintf("%s: %d of %d brokers\n%s", c.Resource, c.Brokers, a.Sizing.Brokers, c.Detail))
	}
	return &Chart{ID: "sizing", Title: fmt.Sprintf("What each resource needs of the %d brokers", a.Sizing.Brokers), XLabel: "resource", YLabel: "brokers needed (% of recommended)", Kind: "bars", Series: []Series{s},
		Caption: "The bar at 100% is the binding constraint (" + a.Sizing.Binding + "); the lower a bar, the more headroom that resource has."}
}
