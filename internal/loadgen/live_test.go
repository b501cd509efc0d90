package loadgen

import (
	"context"
	"maps"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/livemetrics"
	"github.com/ktune/ktune/internal/testkit"
)

// A produce run with live metrics serves, once it ended, the counts its
// document has: acknowledged records and bytes, and a service latency
// histogram of as many records, each series labelled with the run.
func TestProduceLiveMetricsMatchDocument(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	makeTopic(t, conn, "live", 3)
	const n = 3000
	reg := prometheus.NewRegistry()
	cfg := produceCfg("live", n)
	cfg.Producers = 2
	cfg.Client = testkit.Resolve(t, clientcfg.Producer, "linger.ms=2")
	cfg.Live = livemetrics.NewRun(reg, "r1", "3")
	doc, err := Produce(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	fams, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*dto.MetricFamily{}
	for _, f := range fams {
		byName[f.GetName()] = f
	}
	one := func(name string) *dto.Metric {
		t.Helper()
		f := byName[name]
		if f == nil || len(f.Metric) == 0 {
			t.Fatalf("no %s", name)
		}
		return f.Metric[0]
	}
	if got := one("ktune_records_acknowledged_total").GetCounter().GetValue(); int64(got) != doc.Metrics.Records {
		t.Errorf("records acknowledged %v, document %d", got, doc.Metrics.Records)
	}
	if got := one("ktune_bytes_acknowledged_total").GetCounter().GetValue(); int64(got) != doc.Metrics.Bytes {
		t.Errorf("bytes acknowledged %v, document %d", got, doc.Metrics.Bytes)
	}
	labels := map[string]string{}
	for _, l := range one("ktune_records_acknowledged_total").Label {
		labels[l.GetName()] = l.GetValue()
	}
	if want := (map[string]string{"run_id": "r1", "worker": "3", "role": "producer", "topic": "live"}); !maps.Equal(labels, want) {
		t.Errorf("labels %v, want %v", labels, want)
	}
	for _, m := range byName["ktune_latency_seconds"].GetMetric() {
		h := m.GetHistogram()
		if int64(h.GetSampleCount()) != n {
			t.Errorf("latency %v: %d records, want %d", m.Label, h.GetSampleCount(), n)
		}
		if len(h.Bucket) == 0 || h.GetSchema() != livemetrics.NativeSchema || len(h.PositiveDelta) == 0 {
			t.Errorf("latency %v: not both classic buckets and a native histogram", m.Label)
		}
	}
	if len(byName["ktune_latency_seconds"].GetMetric()) != 2 {
		t.Errorf("latency kinds: %d, want intended and service", len(byName["ktune_latency_seconds"].GetMetric()))
	}
}
