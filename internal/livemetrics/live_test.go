package livemetrics_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/livemetrics"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
)

// dashboard is docs/grafana/ktune.json.
const dashboard = "../../docs/grafana/ktune.json"

// grafanaDashboard is the part of Grafana's dashboard format the test
// reads.
type grafanaDashboard struct {
	SchemaVersion int `json:"schemaVersion"`
	Panels        []struct {
		Title   string `json:"title"`
		Targets []struct {
			Expr string `json:"expr"`
		} `json:"targets"`
	} `json:"panels"`
	Templating struct {
		List []struct {
			Name  string `json:"name"`
			Query any    `json:"query"`
		} `json:"list"`
	} `json:"templating"`
}

var metricName = regexp.MustCompile(`\bktune_[a-z0-9_]+`)

// The dashboard is in Grafana's format, and every metric any panel (or
// the run variable) queries is on the /metrics of a live ktune that ran a
// produce and an e2e with --verify.
func TestDashboardQueriesExistingMetrics(t *testing.T) {
	data, err := os.ReadFile(dashboard)
	if err != nil {
		t.Fatal(err)
	}
	var d grafanaDashboard
	if err := json.Unmarshal(data, &d); err != nil {
		t.Fatalf("%s: %v", dashboard, err)
	}
	if d.SchemaVersion == 0 || len(d.Panels) == 0 {
		t.Fatalf("%s: schemaVersion %d, %d panels: not a Grafana dashboard", dashboard, d.SchemaVersion, len(d.Panels))
	}
	queried := map[string]string{} // metric: where
	for _, p := range d.Panels {
		if len(p.Targets) == 0 {
			t.Errorf("panel %q has no targets", p.Title)
		}
		for _, tg := range p.Targets {
			if strings.TrimSpace(tg.Expr) == "" {
				t.Errorf("panel %q: a target without expr", p.Title)
			}
			for _, m := range metricName.FindAllString(tg.Expr, -1) {
				queried[m] = "panel " + p.Title
			}
		}
	}
	for _, v := range d.Templating.List {
		q, _ := json.Marshal(v.Query)
		for _, m := range metricName.FindAllString(string(q), -1) {
			queried[m] = "variable " + v.Name
		}
	}

	srv := listen(t)
	conn := testkit.Embedded(t, 1)
	live := livemetrics.NewRun(srv.Registry, "dash", "0")
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	pc := produceConfig(t, conn, "dash-produce", live)
	pc.Records = 500
	if _, err := loadgen.Produce(ctx, conn, pc); err != nil {
		t.Fatal(err)
	}
	ec := produceConfig(t, conn, "dash-e2e", live)
	ec.Records, ec.Rate = 500, 2000
	if _, err := loadgen.E2E(ctx, conn, loadgen.E2EConfig{
		Produce: ec, Consume: loadgen.ConsumeConfig{Partitions: 3, Interval: time.Second, Live: live}, Audit: audit.New(),
	}); err != nil {
		t.Fatal(err)
	}
	families := scrapeFamilies(t, srv.URL())
	for m, where := range queried {
		base := m
		for _, suffix := range []string{"_bucket", "_sum", "_count"} {
			if b, ok := strings.CutSuffix(m, suffix); ok && families[b] == "histogram" {
				base = b
			}
		}
		if _, ok := families[base]; !ok {
			t.Errorf("%s queries %s, which a live ktune does not serve", where, m)
		}
	}
}

// listen starts a /metrics endpoint on a free loopback port.
func listen(t *testing.T) *livemetrics.Server {
	t.Helper()
	srv, err := livemetrics.Listen("127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Close(ctx)
	})
	return srv
}

// produceConfig is a small producer run on a new topic of conn.
func produceConfig(t *testing.T, conn *cluster.Conn, topic string, live *livemetrics.Run) loadgen.ProduceConfig {
	t.Helper()
	if _, err := conn.EnsureTopic(context.Background(), cluster.TopicSpec{Name: topic, Partitions: 3}); err != nil {
		t.Fatal(err)
	}
	return loadgen.ProduceConfig{
		Topic: topic, Interval: time.Second, Live: live,
		Values: payload.ValueConfig{Kind: payload.Random, Size: 100},
	}
}

// scrapeFamilies reads the metric families' names and types from the
// text exposition at u.
func scrapeFamilies(t *testing.T, u string) map[string]string {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	families := map[string]string{}
	sc := bufio.NewScanner(resp.Body)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	for sc.Scan() {
		if f := strings.Fields(sc.Text()); len(f) == 4 && f[0] == "#" && f[1] == "TYPE" {
			families[f[2]] = f[3]
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return families
}

// TestRealPrometheus has Debian's prometheus scrape a produce run every
// second and checks what it stored against the run's document: the
// counters' final values are the document's record and byte counts, and
// the p99 Prometheus computes from the native histogram is the
// document's within livemetrics.NativeRelativeError (one native bucket,
// 2^(1/8)-1 = 9.05%) plus the HDR histogram's own 0.1%.
func TestRealPrometheus(t *testing.T) {
	bin, err := exec.LookPath("prometheus")
	if err != nil {
		if os.Getenv("CI") != "" || os.Getenv("KTUNE_REQUIRE_TOOLS") != "" {
			t.Fatal("prometheus not installed, and this is CI (scripts/test.sh installs it)")
		}
		t.Skip("prometheus not installed (apt-get install prometheus); scripts/test.sh installs it")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	srv := listen(t)
	dir := t.TempDir()
	config := fmt.Sprintf("global:\n  scrape_interval: 1s\n  scrape_timeout: 900ms\nscrape_configs:\n  - job_name: ktune\n    static_configs:\n      - targets: ['%s']\n", srv.Addr)
	if err := os.WriteFile(filepath.Join(dir, "prometheus.yml"), []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	web := freePort(t)
	var logs strings.Builder
	cmd := exec.CommandContext(ctx, bin, "--config.file="+filepath.Join(dir, "prometheus.yml"),
		"--storage.tsdb.path="+filepath.Join(dir, "data"), "--web.listen-address="+web,
		"--enable-feature=native-histograms")
	cmd.Stdout, cmd.Stderr = &logs, &logs
	cmd.WaitDelay = 5 * time.Second
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	defer func() {
		_ = cmd.Process.Signal(os.Interrupt)
		_ = cmd.Wait()
		if t.Failed() {
			t.Logf("prometheus:\n%s", logs.String())
		}
	}()
	api := "http://" + web
	waitFor(ctx, t, "prometheus ready", func() (bool, error) {
		resp, err := http.Get(api + "/-/ready")
		if err != nil {
			return false, nil
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK, nil
	})

	// Prometheus applies its targets some seconds after it is ready: the
	// run starts once it scraped the endpoint.
	waitFor(ctx, t, "prometheus scraping ktune", func() (bool, error) {
		v, err := query(ctx, api, `up{job="ktune"}`)
		return err == nil && v == 1, nil
	})
	conn := testkit.Embedded(t, 1)
	cfg := produceConfig(t, conn, "prom", livemetrics.NewRun(srv.Registry, "prom", "0"))
	// Four seconds at 2000 records/s: several scrapes while it runs.
	cfg.Duration, cfg.Rate, cfg.Producers = 4*time.Second, 2000, 2
	doc, err := loadgen.Produce(ctx, conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	service, ok, err := doc.Metrics.Histogram(result.LatencyService)
	if !ok || err != nil || doc.Metrics.Records == 0 {
		t.Fatalf("document: %d records, service histogram %v %v", doc.Metrics.Records, ok, err)
	}

	// The run is over: once a scrape read the final counts, Prometheus
	// has them.
	sel := `{job="ktune",run_id="prom",role="producer",topic="prom"}`
	waitFor(ctx, t, "the final count in prometheus", func() (bool, error) {
		v, err := query(ctx, api, "ktune_records_acknowledged_total"+sel)
		return err == nil && v == float64(doc.Metrics.Records), nil
	})
	if v, err := query(ctx, api, "ktune_bytes_acknowledged_total"+sel); err != nil || v != float64(doc.Metrics.Bytes) {
		t.Errorf("bytes acknowledged: prometheus %v (%v), document %d", v, err, doc.Metrics.Bytes)
	}
	if v, err := query(ctx, api, `sum(ktune_records_failed_total`+sel+`)`); err != nil || v != float64(doc.Metrics.ErrorsTotal) {
		t.Errorf("failed: prometheus %v (%v), document %d", v, err, doc.Metrics.ErrorsTotal)
	}
	n, err := query(ctx, api, `count_over_time(ktune_records_acknowledged_total`+sel+`[1m])`)
	if err != nil || n < 3 {
		t.Errorf("prometheus holds %v scrapes of the run (%v), want several", n, err)
	}
	t.Logf("%d records, %d bytes, %v scrapes", doc.Metrics.Records, doc.Metrics.Bytes, n)
	p99, err := query(ctx, api, `histogram_quantile(0.99, ktune_latency_seconds{job="ktune",run_id="prom",kind="service"})`)
	if err != nil {
		t.Fatal(err)
	}
	want := service.QuantileMs(0.99) / 1e3
	bound := livemetrics.NativeRelativeError + 0.001
	t.Logf("p99 service latency: document %.6f s, prometheus %.6f s (relative error %.2f%%, bound %.2f%%)", want, p99, 100*math.Abs(p99-want)/want, 100*bound)
	if math.Abs(p99-want) > bound*want {
		t.Errorf("p99 from prometheus %v s, document %v s: beyond %.2f%%", p99, want, 100*bound)
	}
}

// query runs an instant PromQL query and returns its one sample's value.
func query(ctx context.Context, api, q string) (float64, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, api+"/api/v1/query?query="+url.QueryEscape(q), nil)
	if err != nil {
		return 0, err
	}
	resp, err := (&http.Client{Timeout: 10 * time.Second}).Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	var r struct {
		Status string `json:"status"`
		Error  string `json:"error"`
		Data   struct {
			Result []struct {
				Value [2]any `json:"value"`
			} `json:"result"`
		} `json:"data"`
	}
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, fmt.Errorf("%s: %v: %s", q, err, body)
	}
	if r.Status != "success" || len(r.Data.Result) != 1 {
		return 0, fmt.Errorf("%s: status %s %s, %d samples", q, r.Status, r.Error, len(r.Data.Result))
	}
	s, _ := r.Data.Result[0].Value[1].(string)
	return strconv.ParseFloat(s, 64)
}

// waitFor polls ok every 200 ms until it holds, failing the test when ctx
// ends first.
func waitFor(ctx context.Context, t *testing.T, what string, ok func() (bool, error)) {
	t.Helper()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for {
		done, err := ok()
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		if done {
			return
		}
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-tick.C:
		}
	}
}

// freePort returns a loopback address with a port free now.
func freePort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}
