package brokermetrics

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// The fixtures are one broker's JMX exporter (scripts/kafka/jmx-exporter.yaml,
// Kafka 3.9.2, combined broker and controller) just before and just after
// ktune produced 5,000 records of 512 B to a one-partition topic it leads
// (acks=all, replication 3): the client sent 173 batches, 2,705,553 bytes
// with their headers.
func fixture(t *testing.T, name string) string {
	t.Helper()
	b, err := os.ReadFile("testdata/" + name)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func serve(t *testing.T, body string) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4")
		_, _ = w.Write([]byte(body))
	}))
	t.Cleanup(srv.Close)
	return srv.URL + "/metrics"
}

func scrape(t *testing.T, body string) Sample {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	s, missing, err := Scrape(ctx, http.DefaultClient, serve(t, body))
	if err != nil {
		t.Fatal(err)
	}
	if len(missing) > 0 {
		t.Errorf("missing %v", missing)
	}
	return s
}

func TestScrapeReadsEveryFigure(t *testing.T) {
	s := scrape(t, fixture(t, "kafka-3.9.2-before.txt"))
	for _, src := range Table {
		if _, ok := s.Values[src.Figure]; !ok && !src.Optional {
			t.Errorf("%s (%s) not read", src.Figure, src.Metric)
		}
	}
	tests := []struct {
		f    Figure
		want float64
	}{
		{BytesIn, 26549115},
		{ProduceRequests, 1699},
		{ProduceTime("Total"), 1699 * 25.749852854620364},
	}
	for _, tt := range tests {
		if got := s.Values[tt.f]; got < tt.want*0.999999 || got > tt.want*1.000001 {
			t.Errorf("%s = %v, want %v", tt.f, got, tt.want)
		}
	}
}

func TestFiguresOfALoad(t *testing.T) {
	start := time.Unix(1000, 0)
	before := scrape(t, fixture(t, "kafka-3.9.2-before.txt"))
	after := scrape(t, fixture(t, "kafka-3.9.2-after.txt"))
	before.At, after.At = start, start.Add(2*time.Second)
	f := Figures(start, []Sample{before, after})
	if f.BytesIn != 2705553 || f.Produce.Requests != 173 || f.StartS != 0 || f.EndS != 2 {
		t.Errorf("bytes in %d, produce requests %d, span %v..%v", f.BytesIn, f.Produce.Requests, f.StartS, f.EndS)
	}
	if f.ReplicationBytesOut == 0 || f.Produce.TotalMs <= 0 || f.Produce.RemoteMs <= 0 || f.ProcessCPUS <= 0 {
		t.Errorf("figures %+v", f)
	}
	// 3.1 s of idle per thread in 2 s: the meter adds two pools.
	if f.RequestHandlerIdle != nil {
		t.Errorf("idle %v from a meter that adds two pools", *f.RequestHandlerIdle)
	}
}

func TestHandlerIdle(t *testing.T) {
	at := time.Unix(1000, 0)
	tests := []struct {
		name        string
		first, last map[Figure]float64
		want        float64 // -1: unknown
	}{
		{"broker pool", map[Figure]float64{HandlerIdleNs: 0, AllHandlersIdleNs: 0}, map[Figure]float64{HandlerIdleNs: 0.5e9, AllHandlersIdleNs: 1.5e9}, 0.5},
		{"one pool, aggregate", map[Figure]float64{AllHandlersIdleNs: 1e9}, map[Figure]float64{AllHandlersIdleNs: 1.2e9}, 0.2},
		{"slack above 1 is 1", map[Figure]float64{AllHandlersIdleNs: 0}, map[Figure]float64{AllHandlersIdleNs: 1.03e9}, 1},
		{"two pools added", map[Figure]float64{AllHandlersIdleNs: 0}, map[Figure]float64{AllHandlersIdleNs: 1.6e9}, -1},
		{"no meter", map[Figure]float64{}, map[Figure]float64{}, -1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := Figures(at, []Sample{{At: at, Values: tt.first}, {At: at.Add(time.Second), Values: tt.last}})
			switch {
			case tt.want < 0 && f.RequestHandlerIdle != nil:
				t.Errorf("idle %v, want unknown", *f.RequestHandlerIdle)
			case tt.want >= 0 && (f.RequestHandlerIdle == nil || *f.RequestHandlerIdle != tt.want):
				t.Errorf("idle %v, want %v", f.RequestHandlerIdle, tt.want)
			}
		})
	}
}

// TestFailingEndpoints scrapes a good endpoint beside one that is down,
// one that never answers, one that serves garbage and one that errs: the
// recording ends, each failure is a gap, and each failing endpoint gets
// one warning line.
func TestFailingEndpoints(t *testing.T) {
	down := httptest.NewServer(http.NotFoundHandler())
	downURL := down.URL + "/metrics"
	down.Close()
	hang := make(chan struct{})
	slow := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	}))
	t.Cleanup(slow.Close)
	t.Cleanup(func() { close(hang) })
	erring := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		http.Error(w, "boom", http.StatusInternalServerError)
	}))
	t.Cleanup(erring.Close)
	tests := []struct{ name, url string }{
		{"down", downURL},
		{"slow", slow.URL + "/metrics"},
		{"garbage", serve(t, "this is {not prometheus text\n")},
		{"http error", erring.URL + "/metrics"},
	}
	good := serve(t, fixture(t, "kafka-3.9.2-before.txt"))
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var mu sync.Mutex
			var warnings []string
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			rec := Start(ctx, Config{
				Endpoints: []string{good, tt.url}, Interval: 2 * time.Second,
				Warn: func(s string) { mu.Lock(); warnings = append(warnings, s); mu.Unlock() },
			})
			bm := rec.Stop(ctx, time.Now())
			if len(bm.Brokers) != 2 {
				t.Fatalf("%d brokers", len(bm.Brokers))
			}
			ok, bad := bm.Brokers[0], bm.Brokers[1]
			if ok.Window == nil || len(ok.Gaps) != 0 {
				t.Errorf("good endpoint: window %v gaps %v", ok.Window, ok.Gaps)
			}
			if bad.Window != nil || len(bad.Gaps) < 2 || len(bad.Gaps) != bad.Scrapes {
				t.Errorf("failing endpoint: window %v, %d scrapes, gaps %v", bad.Window, bad.Scrapes, bad.Gaps)
			}
			if len(warnings) != 1 || !strings.Contains(warnings[0], tt.url) {
				t.Errorf("warnings %q", warnings)
			}
		})
	}
}

// TestMissingMetricNamedOnce serves an endpoint without the log flush
// metrics to two brokers: one warning names them once, the figures stay 0.
func TestMissingMetricNamedOnce(t *testing.T) {
	var kept []string
	for _, line := range strings.Split(fixture(t, "kafka-3.9.2-before.txt"), "\n") {
		if !strings.Contains(line, "kafka_log_flush") {
			kept = append(kept, line)
		}
	}
	u := serve(t, strings.Join(kept, "\n"))
	var warnings []string
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	bm := Start(ctx, Config{Endpoints: []string{u, u}, Interval: time.Second, Warn: func(s string) { warnings = append(warnings, s) }}).Stop(ctx, time.Now())
	want := []string{"kafka_log_flush_time_ms_count", "kafka_log_flush_time_ms"}
	if strings.Join(bm.Missing, ",") != strings.Join(want, ",") {
		t.Errorf("missing %v, want %v", bm.Missing, want)
	}
	if len(warnings) != 1 || !strings.Contains(warnings[0], "kafka_log_flush_time_ms_count") {
		t.Errorf("warnings %q", warnings)
	}
	for _, b := range bm.Brokers {
		if b.Window == nil || b.Window.LogFlushes != 0 || b.Window.BytesIn != 0 {
			t.Errorf("%+v", b.Window)
		}
	}
}
