package result

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/result/hist"
)

func sample() *Document {
	h := hist.New()
	for i := 1; i <= 1000; i++ {
		h.Record(time.Duration(i) * time.Millisecond)
	}
	doc := &Document{Header: NewHeader(KindProduce)}
	doc.Complete = true
	doc.Metrics.Records, doc.Metrics.Bytes, doc.Metrics.ElapsedS = 1000, 1000*MiB/1000, 2
	doc.Metrics.SetRates()
	if err := doc.Metrics.SetLatency(LatencyIntended, h); err != nil {
		panic(err)
	}
	return doc
}

func TestRoundTripAndExactHistograms(t *testing.T) {
	doc := sample()
	if doc.Metrics.RecordsPerSec != 500 || doc.Metrics.MiBPerSec != 0.5 {
		t.Fatalf("rates %v %v", doc.Metrics.RecordsPerSec, doc.Metrics.MiBPerSec)
	}
	l := doc.Metrics.Latency[LatencyIntended]
	if l.Count != 1000 || l.P50 < 499 || l.P50 > 501 || l.P99 < 989 || l.P99 > 991 || l.Max < 999 {
		t.Fatalf("summary %+v", l)
	}
	path := filepath.Join(t.TempDir(), "sub", "r.json")
	if err := WriteFile(path, doc); err != nil {
		t.Fatal(err)
	}
	back, err := ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	h, ok, err := back.Metrics.Histogram(LatencyIntended)
	if !ok || err != nil || h.Count() != 1000 {
		t.Fatalf("histogram: %v %v", ok, err)
	}
	// Merging two decoded copies doubles every count: exact merges.
	h2, _, _ := back.Metrics.Histogram(LatencyIntended)
	h.Merge(h2)
	if h.Count() != 2000 || h.QuantileMs(0.5) != l.P50 {
		t.Fatalf("merged: count %d p50 %v", h.Count(), h.QuantileMs(0.5))
	}
	entries, _ := os.ReadDir(filepath.Dir(path))
	if len(entries) != 1 {
		t.Errorf("temporary files left behind: %v", entries)
	}
}

func TestDecodeRejects(t *testing.T) {
	tests := []struct{ in, want string }{
		{`{"schema_version": 2, "kind": "produce"}`, "unsupported result schema version 2"},
		{`{"kind": "produce"}`, "no schema_version"},
		{`{"schema_version": 1}`, "no kind"},
		{`not json`, "invalid JSON"},
	}
	for _, tt := range tests {
		_, err := Decode(strings.NewReader(tt.in))
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%s: err %v, want %q", tt.in, err, tt.want)
		}
	}
	_, err := Decode(strings.NewReader(`{"schema_version": 9, "kind": "e2e"}`))
	if !errors.Is(err, ErrVersion) {
		t.Errorf("not ErrVersion: %v", err)
	}
}

func TestWriteKeepsOldFileOnFailure(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "r.json")
	if err := WriteFile(path, sample()); err != nil {
		t.Fatal(err)
	}
	before, _ := os.ReadFile(path)
	// A folder in the way of the rename makes the write fail late.
	bad := filepath.Join(dir, "d")
	os.Mkdir(bad, 0o755)
	os.WriteFile(filepath.Join(bad, "x"), nil, 0o644)
	if err := WriteFile(bad, sample()); err == nil {
		t.Fatal("rename over a folder succeeded")
	}
	after, _ := os.ReadFile(path)
	if string(before) != string(after) {
		t.Error("existing result changed")
	}
	entries, _ := os.ReadDir(dir)
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp-") {
			t.Errorf("temporary file left: %s", e.Name())
		}
	}
}

func TestHistogramOverflowAndFloor(t *testing.T) {
	h := hist.New()
	h.Record(-time.Second)
	h.Record(time.Hour)
	if h.Overflow() != 1 || h.Count() != 2 || h.MinMs() != 0.001 {
		t.Fatalf("overflow %d count %d min %v", h.Overflow(), h.Count(), h.MinMs())
	}
	if s := Summarize(h); s.Overflow != 1 || s.Max < 599000 {
		t.Fatalf("summary %+v", s)
	}
}

func TestBrokerMetricsShifted(t *testing.T) {
	idle := 0.5
	b := &BrokerMetrics{Version: BrokerMetricsVersion, Brokers: []BrokerSeries{{
		Window:    &BrokerFigures{StartS: -0.5, EndS: 10, RequestHandlerIdle: &idle},
		Intervals: []BrokerInterval{{T: 5, BrokerFigures: BrokerFigures{StartS: 0, EndS: 5}}},
		Gaps:      []ScrapeGap{{T: 7, Error: "x"}},
	}}}
	got := b.Shifted(2)
	w, iv, g := got.Brokers[0].Window, got.Brokers[0].Intervals[0], got.Brokers[0].Gaps[0]
	if w.StartS != 1.5 || w.EndS != 12 || iv.T != 7 || iv.StartS != 2 || g.T != 9 {
		t.Errorf("shifted: window %v..%v interval %v (%v) gap %v", w.StartS, w.EndS, iv.T, iv.StartS, g.T)
	}
	if b.Brokers[0].Window.StartS != -0.5 || b.Brokers[0].Intervals[0].T != 5 || b.Brokers[0].Gaps[0].T != 7 {
		t.Error("Shifted changed the original")
	}
}

func TestProbePeerFigures(t *testing.T) {
	for _, tc := range []struct {
		name string
		tp   []ProbeThroughput
		want float64
	}{
		{"none", nil, 0},
		{"one way only", []ProbeThroughput{{Direction: DirectionToPeer, Streams: 1, Bytes: 25e6, Seconds: 2}}, 100},
		{"the slower way's best", []ProbeThroughput{
			{Direction: DirectionToPeer, Streams: 1, Bytes: 25e6, Seconds: 1},   // 200
			{Direction: DirectionFromPeer, Streams: 1, Bytes: 10e6, Seconds: 1}, // 80
			{Direction: DirectionFromPeer, Streams: 4, Bytes: 15e6, Seconds: 1}, // 120
			{Direction: DirectionToPeer, Streams: 4, Bytes: 5e6, Seconds: 0},    // untimed: 0
		}, 120},
	} {
		if got := (&ProbePeer{Throughput: tc.tp}).Mbps(); got != tc.want {
			t.Errorf("%s: %v Mbit/s, want %v", tc.name, got, tc.want)
		}
	}
}

// TestProbeVersions: a version-1 probe (no probe_version, no peer) still
// loads; a version-2 one keeps its peer figures.
func TestProbeVersions(t *testing.T) {
	v1, err := DecodeProbe(strings.NewReader(`{"schema_version":1,"kind":"probe","network":{"interfaces":[{"name":"eth0","mtu":1500,"up":true,"speed_mbps":10000}]}}`))
	if err != nil || v1.Version != 0 || v1.Network.Peer != nil || *v1.Network.Interfaces[0].SpeedMbps != 10000 {
		t.Fatalf("version 1: %+v, %v", v1, err)
	}
	v2, err := DecodeProbe(strings.NewReader(`{"schema_version":1,"kind":"probe","probe_version":2,"network":{"interfaces":[],"peer":{"address":"b:7099","source":"measured: peer b:7099","throughput":[{"direction":"to_peer","streams":1,"bytes":1250000,"seconds":0.1}],"rtt_ms":{"count":3,"p50":0.5}}}}`))
	if err != nil || v2.Version != ProbeVersion || v2.Network.Peer.Mbps() != 100 || v2.Network.Peer.RTT.P50 != 0.5 {
		t.Fatalf("version 2: %+v, %v", v2, err)
	}
}
