package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"html"
	"os"
	"path/filepath"
	"regexp"
	"strings"
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
	// The fixture's recommendation: 64 KiB batches, linger 5 ms, lz4.
	want := map[string]string{"batch.size": "65536", "linger.ms": "5", "compression.type": "lz4"}
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
