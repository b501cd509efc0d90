package reports

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/internal/compare"
	"github.com/ktune/ktune/internal/reports/reportcheck"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// fixtureSweep is a 2x2x2 sweep with known throughputs: MiB/s =
// batch KiB + linger ms + (10 for lz4), p99 = 100 / MiB/s.
func fixtureSweep(t *testing.T) *result.Sweep {
	t.Helper()
	s := &result.Sweep{Header: result.NewHeader(result.KindSweep)}
	for _, b := range []string{"16384", "65536"} {
		for _, l := range []string{"0", "5"} {
			for _, c := range []string{"none", "lz4"} {
				mib := map[string]float64{"16384": 16, "65536": 64}[b] + map[string]float64{"0": 0, "5": 5}[l]
				ratio := 1.0
				if c == "lz4" {
					mib += 10
					ratio = 0.5
				}
				d := &result.Document{Header: result.NewHeader(result.KindProduce)}
				d.Complete = true
				d.Metrics.Records, d.Metrics.MiBPerSec, d.Metrics.Bytes, d.Metrics.ElapsedS = 1000, mib, 1<<30, 1024/mib
				// CPU: 2 s per GiB, plus 1 s for lz4.
				d.Metrics.SetClientCPU(map[string]float64{"none": 2, "lz4": 3}[c])
				h := hist.New()
				for i := 1; i <= 100; i++ {
					h.Record(time.Duration(float64(i)*100/mib) * time.Millisecond / 10)
				}
				if err := d.Metrics.SetLatency(result.LatencyIntended, h); err != nil {
					t.Fatal(err)
				}
				d.Metrics.Producer = &result.Producer{CompressionRatio: ratio}
				// A payload lz4 halves: the advisor ranks codecs on it.
				d.Workload.Payload, d.Workload.Compressibility = "random", 0.5
				d.Config.Producer = map[string]string{"batch.size": b, "linger.ms": l, "compression.type": c, "acks": "all", "enable.idempotence": "true"}
				s.Points = append(s.Points, result.SweepPoint{Key: b + l + c, Params: map[string]string{"producer:batch.size": b, "producer:linger.ms": l, "producer:compression.type": c}, Produce: d})
			}
		}
	}
	return s
}

func TestChartDataGolden(t *testing.T) {
	s := fixtureSweep(t)
	tb := ThroughputVsBatch(s)
	got, _ := json.Marshal(tb.Series)
	want := `[{"name":"linger.ms=0","x":[16,64],"y":[21,69]},{"name":"linger.ms=5","x":[16,64],"y":[26,74]}]`
	if string(got) != want {
		t.Errorf("throughput vs batch:\n got %s\nwant %s", got, want)
	}
	if tb.XLabel != "batch.size (KiB, log scale)" || tb.YLabel != "throughput (MiB/s)" || !tb.XLog || len(tb.XTicks) != 2 || tb.XTicks[1].Label != "64" {
		t.Errorf("labels: %+v", tb)
	}
	hm := BatchLingerHeat(s)
	got, _ = json.Marshal(hm.Heat)
	if want := `{"Cols":["16384","65536"],"Rows":["0","5"],"Z":[[21,69],[26,74]]}`; string(got) != want {
		t.Errorf("heat:\n got %s\nwant %s", got, want)
	}
	// Codecs: three panels, one unit each.
	cc := Codecs(s)
	var panels []string
	for _, p := range cc.Panels {
		got, _ := json.Marshal(p.Series)
		panels = append(panels, string(got))
	}
	if want := []string{
		`[{"name":"throughput (MiB/s)","x":[0,1],"y":[42.5,52.5],"labels":["none","lz4"]}]`,
		`[{"name":"compressed / uncompressed size","x":[0,1],"y":[1,0.5],"labels":["none","lz4"]}]`,
		`[{"name":"client CPU (s per GiB)","x":[0,1],"y":[2,3],"labels":["none","lz4"]}]`,
	}; strings.Join(panels, "\n") != strings.Join(want, "\n") {
		t.Errorf("codec panels:\n got %s\nwant %s", strings.Join(panels, "\n"), strings.Join(want, "\n"))
	}
	cpu := CPUVsBatch(s)
	got, _ = json.Marshal(cpu.Series)
	if want := `[{"name":"linger.ms=0","x":[16,64],"y":[2.5,2.5]},{"name":"linger.ms=5","x":[16,64],"y":[2.5,2.5]}]`; string(got) != want {
		t.Errorf("cpu vs batch:\n got %s\nwant %s", got, want)
	}
	lp := LatencyPercentiles("lp", result.LatencyIntended, "", []Run{{"a", s.Points[0].Produce}})
	if len(lp.Series) != 1 || len(lp.Series[0].X) != len(percentiles) || lp.XTicks[2].Label != "99%" || lp.XTicks[2].Value != 2 {
		t.Errorf("percentile chart: %+v", lp)
	}
	if !strings.Contains(lp.Title, "intended-time") || LatencyPercentiles("lp", result.LatencyE2E, "", []Run{{"a", s.Points[0].Produce}}) != nil {
		t.Errorf("percentile chart of the wrong latency kind: %q", lp.Title)
	}
	// Top-N: eight runs, six drawn (the lowest p99), all eight in the table.
	var runs []Run
	for _, p := range s.Points {
		runs = append(runs, Run{result.ParamsLabel(p.Params), p.Produce})
	}
	lp = LatencyPercentiles("lp", result.LatencyIntended, "", runs)
	if len(lp.Series) != MaxSeries || lp.Table == nil || len(lp.Table.Rows) != len(runs) || lp.Series[0].Name != "batch.size=65536 compression.type=lz4 linger.ms=5" {
		t.Errorf("top-N: %d series (first %q), table %+v", len(lp.Series), lp.Series[0].Name, lp.Table)
	}
	if ThroughputVsBatch(&result.Sweep{}) != nil || Codecs(&result.Sweep{}) != nil {
		t.Error("charts drawn without data")
	}
}

func fixtureInput(t *testing.T) Input {
	s := fixtureSweep(t)
	a, err := advisor.Advise(advisor.Input{Workload: advisor.Workload{AvgMBps: 20, Goal: "throughput"}, Sweeps: []advisor.Named[*result.Sweep]{{Path: "sweep.json", Doc: s}}})
	if err != nil {
		t.Fatal(err)
	}
	run := s.Points[0].Produce
	run.Metrics.IntervalLatency = result.LatencyIntended
	for i := 1; i <= 5; i++ {
		run.Metrics.Intervals = append(run.Metrics.Intervals, result.Interval{T: float64(i), Records: 100, RecordsPerSec: 100, P99: float64(i)})
	}
	return Input{Title: "fixture report", Sweeps: []advisor.Named[*result.Sweep]{{Path: "sweep.json", Doc: s}}, Results: []advisor.Named[*result.Document]{{Path: "run.json", Doc: run}}, Advice: a}
}

func TestReportFromFixtures(t *testing.T) {
	dir := t.TempDir()
	in := fixtureInput(t)
	path, err := Write(dir, in)
	if err != nil {
		t.Fatal(err)
	}
	html, _ := os.ReadFile(path)
	charts := Charts(in)
	if len(charts) < 8 {
		t.Fatalf("only %d charts", len(charts))
	}
	for _, c := range charts {
		if !bytes.Contains(html, []byte(`id="chart-`+c.ID+`"`)) {
			t.Errorf("chart %s missing from the HTML", c.ID)
		}
		// The PNG is report.md's copy; the HTML holds only the SVG.
		if st, err := os.Stat(filepath.Join(dir, "charts", c.ID+".png")); err != nil || st.Size() < 1000 {
			t.Errorf("chart file %s.png: %v", c.ID, err)
		}
	}
	if regexp.MustCompile(`(src|href)="https?:`).Match(html) {
		t.Error("the report fetches from the network")
	}
	for _, want := range []string{"Pareto", "batch.size=65536", "linger.ms=5"} {
		if !bytes.Contains(html, []byte(want)) {
			t.Errorf("report lacks %q", want)
		}
	}
	md, _ := os.ReadFile(filepath.Join(dir, "report.md"))
	if !bytes.Contains(md, []byte("![Producer throughput by batch.size, one line per linger.ms](charts/throughput-vs-batch.png)")) {
		t.Errorf("markdown report:\n%s", md)
	}
}

// TestReportInChromium opens the report in headless Chromium: the page is
// not blank, the console shows no errors, it stays under 1.5 MB with one
// embedded font, no <pre> holds a Markdown table, the summary lists only
// the properties that differ from the defaults, and every chart loaded as
// an SVG with hover values and its legend (when it has series to tell
// apart) outside its data area.
func TestReportInChromium(t *testing.T) {
	dir := t.TempDir()
	in := fixtureInput(t)
	path, err := Write(dir, in)
	if err != nil {
		t.Fatal(err)
	}
	page := reportcheck.Check(t, path, 1200, 2000)
	measured := map[string]reportcheck.Chart{}
	for _, c := range page.Charts {
		measured[c.ID] = c
	}
	for _, c := range Charts(in) {
		m, ok := measured["chart-"+c.ID]
		if !ok {
			t.Errorf("chart %s did not load", c.ID)
			continue
		}
		if countEntries(c) > 1 && !m.Legend {
			t.Errorf("chart %s has %d series and no legend", c.ID, countEntries(c))
		}
		if len(c.Series) > MaxSeries {
			t.Errorf("chart %s draws %d series", c.ID, len(c.Series))
		}
	}
	// The fixture's recommendation: 64 KiB batches, linger 5 ms, lz4, for
	// the current (4.x) Java client line, whose linger.ms default is
	// already 5 (KIP-1030); an at-least-once consumer commits after
	// processing, so enable.auto.commit=false differs from the defaults.
	want := map[string]string{"batch.size": "65536", "compression.type": "lz4", "enable.auto.commit": "false"}
	if fmt.Sprint(page.Changed) != fmt.Sprint(want) {
		t.Errorf("summary lists %v, want only the changed %v", page.Changed, want)
	}
}

// TestComparisonReport compares saved results of two configurations, two
// runs each: the report's table is compare's, and the side-by-side bars
// and error bars are its means and confidence intervals.
func TestComparisonReport(t *testing.T) {
	s := fixtureSweep(t)
	var results []advisor.Named[*result.Document]
	for i, p := range []int{0, 2, 0, 2} { // two configurations, alternating
		d := *s.Points[p].Produce
		d.Metrics.MiBPerSec += float64(i) // runs differ
		d.Kind = result.KindProduce
		results = append(results, advisor.Named[*result.Document]{Path: fmt.Sprintf("run%d.json", i), Doc: &d})
	}
	in := Input{Title: "comparison", Results: results}
	cmp := ComparisonOf(in.Results)
	if cmp == nil || len(cmp.Entries) != 2 || cmp.Entries[0].Metrics["mib_per_sec"].N != 2 {
		t.Fatalf("comparison of saved results: %+v", cmp)
	}
	dir := t.TempDir()
	path, err := Write(dir, in)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.ReadFile(path)
	page := []byte(html.UnescapeString(string(raw)))
	for _, r := range compare.Rows(cmp) {
		if r.Baseline {
			continue
		}
		cells := fmt.Sprintf(`<td>%s</td><td>B: %s</td><td class="num">%d</td><td class="num">%s</td><td class="num">%s</td><td class="num">%s</td><td>%s</td>`, r.Metric, r.Name, r.N, r.Mean, r.CI, r.Diff, r.P)
		if !bytes.Contains(page, []byte(cells)) {
			t.Errorf("the report's table lacks compare's row %s", cells)
		}
	}
	side := CompareCharts(cmp)[0]
	for i, e := range cmp.Entries {
		m := e.Metrics["mib_per_sec"]
		if p := side.Panels[0].Series[0]; p.Y[i] != m.Mean || p.Err[i] != m.CI95 {
			t.Errorf("bar %d: %v ± %v, want %v ± %v", i, p.Y[i], p.Err[i], m.Mean, m.CI95)
		}
	}
	if !bytes.Contains(page, []byte("Welch p = ")) {
		t.Error("no p-value beside the difference in the chart")
	}
	if lp := CompareCharts(cmp)[1]; len(lp.Series) != 2 {
		t.Errorf("percentile curves: %d, want one per configuration", len(lp.Series))
	}
}

// TestVerdictEffectWithRepeats: when the sweep repeated its points, the
// verdict states the effect with 95% confidence intervals and Welch's
// p-value, from the repetitions of the recommended and defaults points.
func TestVerdictEffectWithRepeats(t *testing.T) {
	s := fixtureSweep(t)
	var pts []result.SweepPoint
	for r := 0; r < 3; r++ {
		for _, p := range s.Points {
			d := *p.Produce
			d.Metrics.MiBPerSec += float64(r) // 0, 1, 2 MiB/s more per repetition
			pts = append(pts, result.SweepPoint{Key: fmt.Sprintf("%s#%d", p.Key, r), Params: p.Params, Repeat: r, Produce: &d})
		}
	}
	s.Points = pts
	a, err := advisor.Advise(advisor.Input{Workload: advisor.Workload{AvgMBps: 20, Goal: "throughput"}, Sweeps: []advisor.Named[*result.Sweep]{{Path: "sweep.json", Doc: s}}})
	if err != nil {
		t.Fatal(err)
	}
	v := buildVerdict(Input{Sweeps: []advisor.Named[*result.Sweep]{{Path: "sweep.json", Doc: s}}, Advice: a})
	// Recommended 79, 80, 81 MiB/s against the defaults point's 16, 17, 18:
	// mean ± 2.48 (t(0.975, 2) = 4.303 x 1 / sqrt(3)).
	want := "throughput +371%: 80.00 ± 2.48 MiB/s recommended vs 17.00 ± 2.48 defaults (95% CI, 3 and 3 runs; Welch p = 0.000)"
	if len(v.Effects) == 0 || v.Effects[0] != want {
		t.Errorf("effect:\n got %q\nwant %q", v.Effects, want)
	}
	if len(v.Changes) != 3 {
		t.Errorf("changes: %+v", v.Changes)
	}
}

// TestVerdictCautionWhenClientBound: a run that kept ktune's only core
// busy puts a caution in the verdict, also without an advice document.
func TestVerdictCautionWhenClientBound(t *testing.T) {
	d := &result.Document{Header: result.NewHeader(result.KindProduce), Host: result.Host{Cores: 1, GoMaxProcs: 1}}
	d.Metrics.ClientCPUS, d.Metrics.ElapsedS = 0.95, 1
	v := buildVerdict(Input{Results: []advisor.Named[*result.Document]{{Path: "busy.json", Doc: d}}})
	if !strings.Contains(v.Caution, "in 1 of 1 runs") {
		t.Errorf("caution: %q", v.Caution)
	}
	d.Metrics.ClientCPUS = 0.2
	if v := buildVerdict(Input{Results: []advisor.Named[*result.Document]{{Path: "idle.json", Doc: d}}}); v.Caution != "" {
		t.Errorf("caution on an idle client: %q", v.Caution)
	}
}

// fixtureDisruption is a broker restart of broker 2: a baseline at 200
// records/s and 5 ms p99 until 10 s, the operation from 10 s to 14 s, a
// 1,800 ms window on partition 1 and one of 600 ms on partition 0, p99
// peaking at 245 ms, recovered 11 s after the start.
func fixtureDisruption() *result.Disruption {
	broker := int32(2)
	ttr := 11.0
	d := &result.Disruption{Header: result.NewHeader(result.KindDisruption), Action: "broker-restart", Broker: &broker, Recovered: true, TimeToRecoverS: &ttr}
	d.Cluster = result.Cluster{Brokers: 3, KafkaVersion: "v3.9", Bootstrap: []string{"127.0.0.1:9092"}}
	d.Workload = result.Workload{Topic: "bench", Partitions: 3, Rate: 200, RecordSize: 512, Consumers: 1}
	d.Baseline = result.Baseline{StartS: 4, EndS: 10, ProducedPerSec: 200, ConsumedPerSec: 199.5, Producer: result.Latency{P99: 5}, Consumer: result.Latency{P99: 7}, LongestDeliveryGapMs: 20}
	d.Operation = result.Operation{StartS: 10, EndS: 14, DurationS: 4, AffectedPartitions: []int32{1}}
	d.Windows = []result.Window{{Partition: 1, StartS: 10.5, EndS: 12.3, DurationMs: 1800}, {Partition: 0, StartS: 11, EndS: 11.6, DurationMs: 600}}
	for i := 1; i <= 30; i++ {
		t := float64(i)
		iv := result.PhaseInterval{T: t, Phase: "baseline", ProducedPerSec: 200, ConsumedPerSec: 200, ProducerP99: 5, ConsumerP99: 7, AtBaseline: true}
		switch {
		case t > 14:
			iv.Phase = "recovery"
		case t > 10:
			iv.Phase, iv.ProducedPerSec, iv.ConsumedPerSec, iv.ProducerP99, iv.ConsumerP99, iv.AtBaseline = "operation", 120, 110, 245, 260, false
		}
		d.Intervals = append(d.Intervals, iv)
	}
	d.Audit = &result.Audit{Acknowledged: 6000, Read: 6000, Basis: "acknowledged"}
	d.Complete = true
	return d
}

func TestDisruptionTimeline(t *testing.T) {
	d := fixtureDisruption()
	c := DisruptionTimeline("restart.json", d)
	if c == nil || !c.Stacked || len(c.Panels) != 2 {
		t.Fatalf("timeline: %+v", c)
	}
	for _, p := range c.Panels {
		if len(p.Series) != 2 || len(p.Series[0].X) != 30 {
			t.Errorf("panel %s: %d series", p.ID, len(p.Series))
		}
		var shaded, marked []string
		for _, s := range p.Spans {
			if s.Mark {
				marked = append(marked, fmt.Sprintf("p%d lane %d %v-%v", lanePartition(s.Tip), s.Lane, s.From, s.To))
			} else {
				shaded = append(shaded, fmt.Sprintf("%v-%v", s.From, s.To))
			}
		}
		// The operation shaded; the windows in a lane per partition, by
		// partition number.
		if fmt.Sprint(shaded) != "[10-14]" || fmt.Sprint(marked) != "[p1 lane 1 10.5-12.3 p0 lane 0 11-11.6]" {
			t.Errorf("panel %s: shaded %v, marked %v", p.ID, shaded, marked)
		}
	}
	if got := c.Panels[1].Series[0].Y[12]; got != 245 {
		t.Errorf("producer p99 at 13 s: %v", got)
	}
	if n := countEntries(c); n != 6 {
		t.Errorf("%d legend entries, want 4 series, the operation and the windows once", n)
	}
	if DisruptionTimeline("x", &result.Disruption{}) != nil {
		t.Error("a timeline without intervals")
	}
}

// lanePartition reads the partition a window's tip names.
func lanePartition(tip string) int {
	var p int
	fmt.Sscanf(tip, "partition %d", &p)
	return p
}

func TestDisruptionRows(t *testing.T) {
	rows := map[string]string{}
	d := fixtureDisruption()
	d.Reassignment = &result.Reassignment{Partitions: 3, ReplicasAdded: 3, ReplicasRemoved: 3, BytesMoved: 504191, ThrottleBytesPerSec: 1 << 20, DurationS: 2.4, Complete: true}
	d.Rebalance = &result.Rebalance{Assignor: "range,cooperative-sticky", GroupProtocol: "classic", MembersBefore: 1, MembersAfter: 2, StopMs: 74, Redelivered: 237}
	for _, r := range DisruptionRows(d) {
		rows[r.Label] = r.Value
	}
	for label, want := range map[string]string{
		"action":                   "broker-restart of broker 2",
		"baseline":                 "4.0-10.0 s: produced 200.0 records/s, consumed 199.5 records/s; producer p99 5.00 ms, end-to-end p99 7.00 ms",
		"operation":                "started at 10.0 s, took 4.0 s",
		"peak p99 after the start": "producer 245.00 ms (+240.00 ms over the baseline), end-to-end 260.00 ms (+253.00 ms)",
		"recovered":                "yes, 11.0 s after the operation started",
		"unavailability windows":   "2; the longest 1800 ms on partition 1 from 10.5 s",
		"delivery audit":           "0 lost, 0 duplicated, 0 reordered of 6000 read (6000 acknowledged)",
		"reassignment":             "3 partitions, 3 replicas added and 3 removed, 492.37 KiB moved in 2.4 s (throttle 1.00 MiB/s, removed after; complete: true)",
		"rebalance":                "range,cooperative-sticky, classic protocol, 1 -> 2 members: deliveries stopped for 74 ms (baseline's longest gap 20 ms); 237 records re-delivered",
	} {
		if rows[label] != want {
			t.Errorf("%s:\n got %q\nwant %q", label, rows[label], want)
		}
	}
}

func fixtureDrain() *result.Drain {
	ttc := 3.0
	d := &result.Drain{Header: result.NewHeader(result.KindDrain), BacklogBytes: 4 << 20, BacklogRecords: 4096, BacklogS: 2, ResumeS: 0.5,
		CaughtUp: true, CaughtUpLag: 200, TimeToCatchUpS: &ttc, DrainBytesPerSec: 1.5 * (1 << 20), DrainRecordsPerSec: 1500, ConsumedPerSec: 1700}
	d.Workload = result.Workload{Topic: "bench", Partitions: 3, Rate: 200, Consumers: 1}
	for i := 1; i <= 8; i++ {
		d.Intervals = append(d.Intervals, result.PhaseInterval{T: float64(i) * 0.5, ProducedPerSec: 200, ConsumedPerSec: 1700, Lag: int64(max(0, 4096-1500*i/2))})
	}
	d.Audit = &result.Audit{Acknowledged: 5000, Read: 5000, Basis: "acknowledged"}
	return d
}

// TestDisruptionReport renders a disruption and a drain: each has its
// section with the summary figures and its timeline, in HTML (checked in
// Chromium) and in Markdown.
// writtenReport writes in's report into a fresh directory and returns
// the HTML page (entities unescaped), report.md and the page's path.
func writtenReport(t *testing.T, in Input) (page string, md []byte, path string) {
	t.Helper()
	dir := t.TempDir()
	path, err := Write(dir, in)
	if err != nil {
		t.Fatal(err)
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if md, err = os.ReadFile(filepath.Join(dir, "report.md")); err != nil {
		t.Fatal(err)
	}
	return html.UnescapeString(string(raw)), md, path
}

func TestDisruptionReport(t *testing.T) {
	in := Input{Title: "operations", Disruptions: []advisor.Named[*result.Disruption]{{Path: "restart.json", Doc: fixtureDisruption()}},
		Drains: []advisor.Named[*result.Drain]{{Path: "drain.json", Doc: fixtureDrain()}}}
	page, md, path := writtenReport(t, in)
	for _, want := range []string{
		`<h2 id="disruption-1">Disruption: broker-restart of broker 2 (restart.json)</h2>`,
		`<tr><th>peak p99 after the start</th><td>producer 245.00 ms (+240.00 ms over the baseline)`,
		`<tr><th>unavailability windows</th><td>2; the longest 1800 ms on partition 1 from 10.5 s</td></tr>`,
		`id="chart-disruption-restart-json"`,
		`<h2 id="drain-1">Backlog drain (drain.json)</h2>`,
		`<tr><th>caught up</th><td>yes, 3.0 s after the consumers' first record at 0.5 s (lag at most 200 records)</td></tr>`,
		`<tr><th>drain rate</th><td>1.50 MiB/s (1500.0 records/s) of lag falling`,
		`id="chart-drain-drain-json"`,
		`partition 1: no acknowledgement for 1800 ms, 10.5-12.3 s`,
		`<a href="#disruption-1">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	if !bytes.Contains(md, []byte("](charts/disruption-restart-json.png)")) || !bytes.Contains(md, []byte("| recovered | yes, 11.0 s after the operation started |")) {
		t.Errorf("markdown report:\n%s", md)
	}
	measured := reportcheck.Check(t, path, 1200, 2000)
	got := map[string]reportcheck.Chart{}
	for _, c := range measured.Charts {
		got[c.ID] = c
	}
	for _, id := range []string{"chart-disruption-restart-json", "chart-drain-drain-json"} {
		c, ok := got[id]
		if !ok {
			t.Errorf("%s did not load", id)
			continue
		}
		if !c.Legend || c.DataAreas != 2 {
			t.Errorf("%s: legend %v, %d data areas; want a legend and two stacked panels", id, c.Legend, c.DataAreas)
		}
	}
}

// fixtureDrainSweep is a drain sweep over max.poll.records: 50 drained at
// 2 MiB/s and caught up in 4 s, 2000 at 6 MiB/s in 1.5 s.
func fixtureDrainSweep() *result.DrainSweep {
	s := &result.DrainSweep{Header: result.NewHeader(result.KindDrainSweep), BacklogBytes: 8 << 20,
		Dimensions: []result.Dimension{{Role: "consumer", Name: "max.poll.records", Values: []string{"50", "2000"}}}}
	s.Workload = result.Workload{Topic: "ktune-drain-1", Partitions: 6, Rate: 200}
	for _, c := range []struct {
		v         string
		mibps, tc float64
	}{{"50", 2, 4}, {"2000", 6, 1.5}} {
		tc := c.tc
		d := &result.Drain{DrainBytesPerSec: c.mibps * result.MiB, DrainRecordsPerSec: c.mibps * 1024, ConsumedPerSec: c.mibps*1024 + 200,
			CaughtUp: true, TimeToCatchUpS: &tc, Audit: &result.Audit{Basis: "acknowledged"}}
		s.Points = append(s.Points, result.DrainPoint{Params: map[string]string{"consumer:max.poll.records": c.v}, Label: "max.poll.records=" + c.v, Drain: d})
	}
	return s
}

// TestDrainSweepReport renders a drain sweep: its section names the
// fastest point, draws a bar per point and lists every point's figures,
// in HTML (checked in Chromium) and in Markdown.
func TestDrainSweepReport(t *testing.T) {
	page, md, path := writtenReport(t, Input{Title: "drain sweep", DrainSweeps: []advisor.Named[*result.DrainSweep]{{Path: "ds.json", Doc: fixtureDrainSweep()}}})
	for _, want := range []string{
		`<h2 id="drain-sweep-1">Drain sweep (ds.json)</h2>`,
		`<tr><th>varied</th><td>max.poll.records = 50, 2000 (2 points, one after another, each on its own topic)</td></tr>`,
		`<tr><th>fastest</th><td>#2 max.poll.records=2000: 6.00 MiB/s of lag falling</td></tr>`,
		`<tr><th>slowest</th><td>#1 max.poll.records=50: 2.00 MiB/s</td></tr>`,
		`<tr><td>#1</td><td>max.poll.records=50</td><td>2.00</td><td>2048</td><td>2248</td><td>4.0 s</td><td>0</td><td>0</td><td>0</td></tr>`,
		`<tr><td>#2</td><td>max.poll.records=2000</td><td>6.00</td><td>6144</td><td>6344</td><td>1.5 s</td><td>0</td><td>0</td><td>0</td></tr>`,
		`id="chart-drain-sweep-ds-json"`,
		`The fastest is #2, max.poll.records=2000.`,
		`<a href="#drain-sweep-1">`,
	} {
		if !strings.Contains(page, want) {
			t.Errorf("report lacks %s", want)
		}
	}
	if !bytes.Contains(md, []byte("](charts/drain-sweep-ds-json.png)")) || !bytes.Contains(md, []byte("| #2 | max.poll.records=2000 | 6.00 | 6144 | 6344 | 1.5 s | 0 | 0 | 0 |")) {
		t.Errorf("markdown report:\n%s", md)
	}
	measured := reportcheck.Check(t, path, 1200, 2000)
	for _, c := range measured.Charts {
		if c.ID == "chart-drain-sweep-ds-json" {
			if c.DataAreas != 1 || c.Tips < 2 {
				t.Errorf("%s: %d data areas, %d tips; want one bar panel with a tip per bar", c.ID, c.DataAreas, c.Tips)
			}
			return
		}
	}
	t.Error("the drain sweep chart did not load")
}

// TestReportFullDiskLeavesNothingHalfWritten writes a report whose disk
// fills up at each file in turn: a new folder never appears, an existing
// one keeps its previous report, and no temporary folder stays behind.
func TestReportFullDiskLeavesNothingHalfWritten(t *testing.T) {
	in := fixtureInput(t)
	for failAt := 1; failAt <= 3; failAt++ {
		calls := 0
		full := func(path string, data []byte, perm os.FileMode) error {
			if calls++; calls == failAt {
				return &os.PathError{Op: "write", Path: path, Err: syscall.ENOSPC}
			}
			return os.WriteFile(path, data, perm)
		}
		parent := t.TempDir()
		fresh := filepath.Join(parent, "report")
		if _, err := write(fresh, in, full); !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("fail at file %d: error %v, want no space left", failAt, err)
		}
		if entries, _ := os.ReadDir(parent); len(entries) != 0 {
			t.Errorf("fail at file %d: left %s beside the report", failAt, entries[0].Name())
		}

		calls = 0
		kept := t.TempDir()
		os.WriteFile(filepath.Join(kept, "report.html"), []byte("previous"), 0o644)
		if _, err := write(kept, in, full); !errors.Is(err, syscall.ENOSPC) {
			t.Fatalf("fail at file %d: error %v, want no space left", failAt, err)
		}
		if b, _ := os.ReadFile(filepath.Join(kept, "report.html")); string(b) != "previous" {
			t.Errorf("fail at file %d: the previous report.html was replaced", failAt)
		}
		if entries, _ := os.ReadDir(kept); len(entries) != 1 {
			t.Errorf("fail at file %d: %d entries in the folder, want the previous report only", failAt, len(entries))
		}
	}
	// Without a failure both kinds of folder get the whole report.
	for _, dir := range []string{filepath.Join(t.TempDir(), "new", "report"), t.TempDir()} {
		path, err := Write(dir, in)
		if err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{path, filepath.Join(dir, "report.md"), filepath.Join(dir, "charts")} {
			if _, err := os.Stat(name); err != nil {
				t.Error(err)
			}
		}
		if entries, _ := os.ReadDir(dir); len(entries) != 3 {
			t.Errorf("%s: %d entries, want report.html, report.md and charts", dir, len(entries))
		}
	}
}
