package reports

import (
	"bytes"
	"encoding/json"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/advisor"
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
				d.Metrics.Records, d.Metrics.MiBPerSec = 1000, mib
				h := hist.New()
				for i := 1; i <= 100; i++ {
					h.Record(time.Duration(float64(i)*100/mib) * time.Millisecond / 10)
				}
				if err := d.Metrics.SetLatency(result.LatencyIntended, h); err != nil {
					t.Fatal(err)
				}
				d.Metrics.Producer = &result.Producer{CompressionRatio: ratio}
				d.Config.Producer = map[string]string{"batch.size": b, "linger.ms": l, "compression.type": c, "acks": "all"}
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
	cc := Codecs(s)
	got, _ = json.Marshal(cc.Series)
	if want := `[{"name":"throughput (MiB/s)","x":[0,1],"y":[42.5,52.5],"labels":["none","lz4"]},{"name":"compressed / uncompressed x 100","x":[0,1],"y":[100,50],"labels":["none","lz4"]}]`; string(got) != want {
		t.Errorf("codecs:\n got %s\nwant %s", got, want)
	}
	lp := LatencyPercentiles(map[string]*result.Document{"a": s.Points[0].Produce})
	if len(lp.Series) != 1 || len(lp.Series[0].X) != len(percentiles) || lp.XTicks[2].Label != "99%" || lp.XTicks[2].Value != 2 {
		t.Errorf("percentile chart: %+v", lp)
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
		for _, ext := range []string{".png", ".svg"} {
			if st, err := os.Stat(filepath.Join(dir, "charts", c.ID+ext)); err != nil || st.Size() < 1000 {
				t.Errorf("chart file %s%s: %v", c.ID, ext, err)
			}
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
	if !bytes.Contains(md, []byte("![Throughput by batch.size](charts/throughput-vs-batch.png)")) {
		t.Errorf("markdown report:\n%s", md)
	}
}

// TestReportInChromium opens the report in headless Chromium: the page is
// not blank, the console shows no errors and every chart is in the DOM as
// an SVG.
func TestReportInChromium(t *testing.T) {
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install chromium); scripts/test.sh installs it")
	}
	dir := t.TempDir()
	in := fixtureInput(t)
	path, err := Write(dir, in)
	if err != nil {
		t.Fatal(err)
	}
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir=" + filepath.Join(dir, "profile"), "--enable-logging=stderr", "--v=0"}
	shot := filepath.Join(dir, "shot.png")
	cmd := exec.Command(bin, append(flags, "--window-size=1200,2000", "--screenshot="+shot, "file://"+path)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") {
			t.Errorf("console: %s", line)
		}
	}
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	img, err := png.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	colors := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bb, _ := img.At(x, y).RGBA()
			colors[r>>8<<16|g>>8<<8|bb>>8] = true
		}
	}
	if len(colors) < 20 {
		t.Errorf("the screenshot looks blank: %d colours", len(colors))
	}
	dom, err := exec.Command(bin, append(flags[:len(flags)-2], "--dump-dom", "file://"+path)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range Charts(in) {
		re := regexp.MustCompile(`id="chart-` + regexp.QuoteMeta(c.ID) + `"><svg[^>]*>`)
		if !re.Match(dom) {
			t.Errorf("chart %s did not load as an SVG", c.ID)
		}
	}
}
