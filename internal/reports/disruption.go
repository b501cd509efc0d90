package reports

import (
	"bytes"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/ktune/ktune/internal/summary"
	"github.com/ktune/ktune/result"
)

// opSection is one disruption or drain in the report: its summary table
// and its timeline chart.
type opSection struct {
	ID, Title string
	Rows      []labelled
	Chart     *chartView
	// Table, when set, lists figures per point (a drain sweep).
	Table *Table
	Notes []string
}

// DisruptionTimeline draws a disruption's whole run on one time axis: the
// producer's and the consumer's records/s above, their p99 per interval
// below, the operation shaded and each partition's unavailability windows
// marked as bars along the top, one lane per partition. Nil without a
// time series.
func DisruptionTimeline(name string, d *result.Disruption) *Chart {
	if len(d.Intervals) < 2 {
		return nil
	}
	var spans []Span
	if op := d.Operation; op.EndS > op.StartS || op.StartS > 0 {
		spans = append(spans, Span{From: op.StartS, To: max(op.EndS, op.StartS), Name: "operation: " + d.Action,
			Tip: fmt.Sprintf("%s: %.1f-%.1f s (%.1f s)", d.Action, op.StartS, op.EndS, op.DurationS)})
	}
	var parts []int32
	for _, w := range d.Windows {
		if !slices.Contains(parts, w.Partition) {
			parts = append(parts, w.Partition)
		}
	}
	slices.Sort(parts)
	for _, w := range d.Windows {
		open := ""
		if w.Open {
			open = ", still open at the end"
		}
		spans = append(spans, Span{From: w.StartS, To: w.EndS, Mark: true, Lane: slices.Index(parts, w.Partition),
			Name: "unavailability window (a lane per partition)",
			Tip:  fmt.Sprintf("partition %d: no acknowledgement for %.0f ms, %.1f-%.1f s%s", w.Partition, w.DurationMs, w.StartS, w.EndS, open)})
	}
	rate := &Chart{ID: "rate", Title: "records/s", YLabel: "records/s", Kind: "line", YFromZero: true, Spans: spans}
	lat := &Chart{ID: "p99", Title: "p99 latency", XLabel: "time since the workload started (s)", YLabel: "p99 (ms)", Kind: "line", YFromZero: true, Spans: spans}
	series := func(c *Chart, label string, v func(result.PhaseInterval) float64) {
		c.Series = append(c.Series, phaseSeries(d.Intervals, label, v))
	}
	series(rate, "produced records/s", func(iv result.PhaseInterval) float64 { return iv.ProducedPerSec })
	series(rate, "consumed records/s", func(iv result.PhaseInterval) float64 { return iv.ConsumedPerSec })
	series(lat, "producer p99 intended-time (ms)", func(iv result.PhaseInterval) float64 { return iv.ProducerP99 })
	series(lat, "consumer p99 end-to-end (ms)", func(iv result.PhaseInterval) float64 { return iv.ConsumerP99 })
	return &Chart{ID: "disruption-" + slug(name), Title: "Timeline of " + d.Action + ": " + name, Kind: "line", Stacked: true, Panels: []*Chart{rate, lat},
		Caption: "The shaded stretch is the operation; red bars along the top are stretches in which a partition got no acknowledgement while records waited for one (a lane per partition, the lowest partition at the bottom; hover for its number). Throughput dips and p99 spikes beside them are what the operation cost the clients."}
}

// DrainTimeline draws a backlog drain: the lag over time above, the
// producers' and consumers' records/s below, with the catch-up shaded.
// Nil without a time series.
func DrainTimeline(name string, d *result.Drain) *Chart {
	if len(d.Intervals) < 2 {
		return nil
	}
	var spans []Span
	end := d.Intervals[len(d.Intervals)-1].T
	if d.TimeToCatchUpS != nil {
		end = d.ResumeS + *d.TimeToCatchUpS
	}
	spans = append(spans, Span{From: d.ResumeS, To: max(end, d.ResumeS), Name: "draining: from the first record read to the catch-up",
		Tip: fmt.Sprintf("draining from %.1f s to %.1f s", d.ResumeS, end)})
	lag := &Chart{ID: "lag", Title: "lag (records)", YLabel: "records behind", Kind: "line", YFromZero: true, Spans: spans}
	rate := &Chart{ID: "rate", Title: "records/s", XLabel: "time since the backlog was complete (s)", YLabel: "records/s", Kind: "line", YFromZero: true, Spans: spans}
	add := func(c *Chart, label string, v func(result.PhaseInterval) float64) {
		c.Series = append(c.Series, phaseSeries(d.Intervals, label, v))
	}
	add(lag, "lag (records)", func(iv result.PhaseInterval) float64 { return float64(iv.Lag) })
	add(rate, "produced records/s", func(iv result.PhaseInterval) float64 { return iv.ProducedPerSec })
	add(rate, "consumed records/s", func(iv result.PhaseInterval) float64 { return iv.ConsumedPerSec })
	return &Chart{ID: "drain-" + slug(name), Title: "Backlog drain: " + name, Kind: "line", Stacked: true, Panels: []*Chart{lag, rate},
		Caption: "The lag falls while the consumers read faster than the producers write; the shaded stretch runs from the consumers' first record to the catch-up (lag down to one second of production)."}
}

// phaseSeries is one figure of a time series of phases, over time.
func phaseSeries(ivs []result.PhaseInterval, label string, v func(result.PhaseInterval) float64) Series {
	s := Series{Name: label}
	for _, iv := range ivs {
		y := v(iv)
		at := fmt.Sprintf("%.1f s", iv.T)
		if iv.Phase != "" {
			at += " (" + iv.Phase + ")"
		}
		s.X, s.Y = append(s.X, iv.T), append(s.Y, y)
		s.Tips = append(s.Tips, fmt.Sprintf("%s at %s: %s", label, at, num(y)))
	}
	return s
}

// DisruptionRows are a disruption's figures for its summary table.
func DisruptionRows(d *result.Disruption) []labelled {
	var rows []labelled
	row := func(k, format string, a ...any) { rows = append(rows, labelled{k, fmt.Sprintf(format, a...)}) }
	act := d.Action
	if d.Broker != nil {
		act += fmt.Sprintf(" of broker %d", *d.Broker)
	}
	row("action", "%s", act)
	row("workload", "%s (%d partitions), %.0f records/s of %d bytes, %d consumer(s)", d.Workload.Topic, d.Workload.Partitions, d.Workload.Rate, d.Workload.RecordSize, d.Workload.Consumers)
	b := d.Baseline
	row("baseline", "%.1f-%.1f s: produced %.1f records/s, consumed %.1f records/s; producer p99 %.2f ms, end-to-end p99 %.2f ms", b.StartS, b.EndS, b.ProducedPerSec, b.ConsumedPerSec, b.Producer.P99, b.Consumer.P99)
	op := fmt.Sprintf("started at %.1f s, took %.1f s", d.Operation.StartS, d.Operation.DurationS)
	if d.Operation.Error != "" {
		op += "; failed: " + d.Operation.Error
	}
	row("operation", "%s", op)
	pp, cp := d.PeakP99()
	row("peak p99 after the start", "producer %.2f ms (%+.2f ms over the baseline), end-to-end %.2f ms (%+.2f ms)", pp, pp-b.Producer.P99, cp, cp-b.Consumer.P99)
	if d.TimeToRecoverS != nil {
		row("recovered", "yes, %.1f s after the operation started", *d.TimeToRecoverS)
	} else {
		row("recovered", "no, not within max-wait (%s)", orDefault(d.Settings["max_wait"], "unknown"))
	}
	if w, ok := d.LongestWindow(); ok {
		row("unavailability windows", "%d; the longest %.0f ms on partition %d from %.1f s", len(d.Windows), w.DurationMs, w.Partition, w.StartS)
	} else {
		row("unavailability windows", "none")
	}
	if r := d.Reassignment; r != nil {
		throttle := "no throttle"
		if r.ThrottleBytesPerSec > 0 {
			throttle = fmt.Sprintf("throttle %s/s, removed after", bytesIEC(float64(r.ThrottleBytesPerSec)))
		}
		row("reassignment", "%d partitions, %d replicas added and %d removed, %s moved in %.1f s (%s; complete: %v)",
			r.Partitions, r.ReplicasAdded, r.ReplicasRemoved, bytesIEC(float64(r.BytesMoved)), r.DurationS, throttle, r.Complete)
	}
	if r := d.Rebalance; r != nil {
		row("rebalance", "%s, %s protocol, %d -> %d members: deliveries stopped for %.0f ms (baseline's longest gap %.0f ms); %d records re-delivered",
			r.Assignor, r.GroupProtocol, r.MembersBefore, r.MembersAfter, r.StopMs, b.LongestDeliveryGapMs, r.Redelivered)
	}
	if a := d.Audit; a != nil {
		row("delivery audit", "%s", summary.AuditLine(a))
	}
	return rows
}

// DrainRows are a drain's figures for its summary table.
func DrainRows(d *result.Drain) []labelled {
	var rows []labelled
	row := func(k, format string, a ...any) { rows = append(rows, labelled{k, fmt.Sprintf(format, a...)}) }
	row("workload", "%s (%d partitions), producers at %.0f records/s, %d consumer(s)", d.Workload.Topic, d.Workload.Partitions, d.Workload.Rate, d.Workload.Consumers)
	row("backlog", "%d records, %s, built in %.1f s", d.BacklogRecords, bytesIEC(float64(d.BacklogBytes)), d.BacklogS)
	row("drain rate", "%s/s (%.1f records/s) of lag falling; the consumers read %.1f records/s", bytesIEC(d.DrainBytesPerSec), d.DrainRecordsPerSec, d.ConsumedPerSec)
	if d.TimeToCatchUpS != nil {
		row("caught up", "yes, %.1f s after the consumers' first record at %.1f s (lag at most %d records)", *d.TimeToCatchUpS, d.ResumeS, d.CaughtUpLag)
	} else {
		row("caught up", "no, not within max-wait; %d records behind at the end", d.FinalLag)
	}
	if a := d.Audit; a != nil {
		row("delivery audit", "%s", summary.AuditLine(a))
	}
	return rows
}

// bytesIEC writes a byte count with a binary unit.
func bytesIEC(b float64) string {
	for _, u := range []struct {
		unit string
		size float64
	}{{"GiB", 1 << 30}, {"MiB", 1 << 20}, {"KiB", 1 << 10}} {
		if b >= u.size {
			return fmt.Sprintf("%.2f %s", b/u.size, u.unit)
		}
	}
	return fmt.Sprintf("%.0f B", b)
}

// opSections builds the report's disruption and drain sections, their
// charts drawn as views.
func opSections(in Input, view func(*Chart) (*chartView, error)) ([]opSection, error) {
	var out []opSection
	add := func(id, title string, rows []labelled, c *Chart, notes []string) error {
		s := opSection{ID: id, Title: title, Rows: rows, Notes: notes}
		if c != nil {
			v, err := view(c)
			if err != nil {
				return err
			}
			s.Chart = v
		}
		out = append(out, s)
		return nil
	}
	for i, d := range in.Disruptions {
		name := filepath.Base(d.Path)
		title := d.Doc.Action
		if d.Doc.Broker != nil {
			title += fmt.Sprintf(" of broker %d", *d.Doc.Broker)
		}
		if err := add(fmt.Sprintf("disruption-%d", i+1), "Disruption: "+title+" ("+name+")", DisruptionRows(d.Doc), DisruptionTimeline(name, d.Doc), d.Doc.Notes); err != nil {
			return nil, err
		}
	}
	for i, d := range in.Drains {
		name := filepath.Base(d.Path)
		if err := add(fmt.Sprintf("drain-%d", i+1), "Backlog drain ("+name+")", DrainRows(d.Doc), DrainTimeline(name, d.Doc), d.Doc.Notes); err != nil {
			return nil, err
		}
	}
	for i, d := range in.DrainSweeps {
		name := filepath.Base(d.Path)
		if err := add(fmt.Sprintf("drain-sweep-%d", i+1), "Drain sweep ("+name+")", DrainSweepRows(d.Doc), DrainSweepChart(name, d.Doc), d.Doc.Notes); err != nil {
			return nil, err
		}
		header, rows := summary.DrainSweepTable(d.Doc)
		for j := range rows {
			rows[j] = append([]string{fmt.Sprintf("#%d", j+1)}, rows[j]...)
		}
		out[len(out)-1].Table = &Table{Header: append([]string{"#"}, header...), Rows: rows}
	}
	return out, nil
}

// DrainSweepRows are a drain sweep's figures for its summary table: what
// was varied, the workload, and the fastest and slowest points.
func DrainSweepRows(s *result.DrainSweep) []labelled {
	var rows []labelled
	row := func(k, format string, a ...any) { rows = append(rows, labelled{k, fmt.Sprintf(format, a...)}) }
	var dims []string
	for _, d := range s.Dimensions {
		dims = append(dims, d.Name+" = "+strings.Join(d.Values, ", "))
	}
	row("varied", "%s (%d points, one after another, each on its own topic)", strings.Join(dims, "; "), len(s.Points))
	row("workload", "a %s backlog per point, producers at %.0f records/s, %d partitions", bytesIEC(float64(s.BacklogBytes)), s.Workload.Rate, s.Workload.Partitions)
	if f, sl, ok := s.Fastest(); ok {
		fast, slow := s.Points[f], s.Points[sl]
		row("fastest", "#%d %s: %s/s of lag falling", f+1, fast.Label, bytesIEC(fast.Drain.DrainBytesPerSec))
		if len(s.Points) > 1 {
			row("slowest", "#%d %s: %s/s", sl+1, slow.Label, bytesIEC(slow.Drain.DrainBytesPerSec))
		}
	}
	return rows
}

// DrainSweepChart draws each point's drain rate as a bar, in the order
// the points ran (numbered as in the table). Nil without a point.
func DrainSweepChart(name string, s *result.DrainSweep) *Chart {
	if len(s.Points) == 0 {
		return nil
	}
	bars := Series{Name: "drain rate (MiB/s of lag falling)"}
	for i, p := range s.Points {
		d := p.Drain
		caught := "not caught up"
		if d.TimeToCatchUpS != nil {
			caught = fmt.Sprintf("caught up in %.1f s", *d.TimeToCatchUpS)
		}
		y := result.Round(d.DrainBytesPerSec / result.MiB)
		bars.X, bars.Y, bars.Labels = append(bars.X, float64(i)), append(bars.Y, y), append(bars.Labels, fmt.Sprintf("#%d", i+1))
		bars.Tips = append(bars.Tips, fmt.Sprintf("#%d %s\n%.2f MiB/s, %s", i+1, p.Label, y, caught))
	}
	caption := "Each bar is one point's drain rate: how fast the lag fell while the producers kept their rate."
	if f, _, ok := s.Fastest(); ok {
		caption += fmt.Sprintf(" The fastest is #%d, %s.", f+1, s.Points[f].Label)
	}
	return &Chart{ID: "drain-sweep-" + slug(name), Title: "Drain rate per point: " + name, XLabel: "point (see table)", YLabel: "MiB/s",
		Kind: "bars", YFromZero: true, Series: []Series{bars}, Caption: caption}
}

// writeOpSections writes the sections as Markdown, the charts as PNGs.
func writeOpSections(w *bytes.Buffer, secs []opSection) {
	for _, s := range secs {
		fmt.Fprintf(w, "\n## %s\n\n| | |\n|---|---|\n", s.Title)
		for _, r := range s.Rows {
			fmt.Fprintf(w, "| %s | %s |\n", r.Label, mdCell(r.Value))
		}
		if c := s.Chart; c != nil {
			fmt.Fprintf(w, "\n![%s](%s)\n\n%s\n", c.Title, c.PNG, c.Caption)
		}
		if t := s.Table; t != nil {
			fmt.Fprintf(w, "\n| %s |\n|%s\n", strings.Join(t.Header, " | "), strings.Repeat("---|", len(t.Header)))
			for _, r := range t.Rows {
				fmt.Fprintf(w, "| %s |\n", strings.Join(mapCells(r), " | "))
			}
		}
		for _, n := range s.Notes {
			fmt.Fprintf(w, "\n- note: %s", mdCell(n))
		}
		if len(s.Notes) > 0 {
			fmt.Fprintln(w)
		}
	}
}

// mapCells escapes each cell for a Markdown table.
func mapCells(r []string) []string {
	out := make([]string, len(r))
	for i, c := range r {
		out[i] = mdCell(c)
	}
	return out
}
