package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

// brokerBytesTolerance bounds how far the bytes the brokers counted in
// (BytesInPerSec over the run) may stray from the record batches the
// client sent: the client's compressed bytes plus each batch's 61-byte
// header (Kafka's record batch v2 overhead, DefaultRecordBatch
// RECORD_BATCH_OVERHEAD). Retried batches, counted twice by a broker, are
// the only expected difference on an idle cluster.
const (
	brokerBytesTolerance = 0.01
	recordBatchOverhead  = 61
)

// TestBrokerMetricsOnProduce runs `ktune produce --broker-metrics` against
// every broker's JMX exporter (scripts/kafka.sh starts one per broker):
// each broker's figures are recorded, no metric is missing, and the bytes
// the brokers took in match what the client sent.
func TestBrokerMetricsOnProduce(t *testing.T) {
	endpoints := os.Getenv("KTUNE_KAFKA_METRICS")
	if endpoints == "" {
		t.Skip("KTUNE_KAFKA_METRICS not set: the cluster runs no JMX exporter")
	}
	if brokers() < 3 {
		t.Skip("needs 3 brokers")
	}
	out := filepath.Join(t.TempDir(), "produce.json")
	log, err := runKtune(t, nil, "produce", "--brokers", strings.Join(bootstrap(t), ","),
		"--broker-metrics", endpoints, "--topic", topicName(t), "--partitions", "3",
		"--records", "30000", "--record-size", "512", "--rate", "5000", "--interval", "2s",
		"-X", "acks=all", "--timeout", "2m", "--out", out)
	if err != nil {
		t.Fatalf("produce: %v\n%s", err, log)
	}
	// A scrape may time out on a loaded machine (a gap, warned about);
	// a metric the exporter lacks may not.
	if strings.Contains(log, "endpoints lack") {
		t.Errorf("missing metrics on a cluster with ktune's exporter configuration:\n%s", log)
	}
	f, err := os.Open(out)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := result.Decode(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	bm := doc.Brokers
	if bm == nil || len(bm.Brokers) != 3 {
		t.Fatalf("broker metrics: %+v", bm)
	}
	if len(bm.Missing) > 0 {
		t.Errorf("missing metrics: %v", bm.Missing)
	}
	major4 := strings.HasPrefix(os.Getenv("KTUNE_KAFKA_VERSION"), "4.")
	var in int64
	for _, b := range bm.Brokers {
		w := b.Window
		if w == nil || len(b.Intervals) == 0 {
			t.Fatalf("%s: window %+v, gaps %v, %d intervals", b.Endpoint, w, b.Gaps, len(b.Intervals))
		}
		t.Logf("%s: %d scrapes (%d gaps), idle handlers %v network %.3f, produce %d requests (mean ms %v), in %d B, replication in %d out %d, cpu %.2f s, gc %.3f s, flushes %d",
			b.Endpoint, b.Scrapes, len(b.Gaps), fmtIdle(w.RequestHandlerIdle), w.NetworkProcessorIdle, w.Produce.Requests, w.Produce.Mean(), w.BytesIn, w.ReplicationBytesIn, w.ReplicationBytesOut, w.ProcessCPUS, w.GCS, w.LogFlushes)
		// In Kafka 3.x a combined broker-controller node has one idle meter
		// for both its pools: the broker's share is unknown there.
		if major4 && w.RequestHandlerIdle == nil {
			t.Errorf("%s: no request handler idle share", b.Endpoint)
		}
		if w.Produce.Requests == 0 || w.Produce.TotalMs <= 0 || w.ReplicationBytesIn == 0 || w.ReplicationBytesOut == 0 ||
			w.ProcessCPUS <= 0 || w.NetworkProcessorIdle <= 0 || w.Fetch.Requests != 0 {
			t.Errorf("%s: figures %+v", b.Endpoint, *w)
		}
		in += w.BytesIn
	}
	p := doc.Metrics.Producer
	sent := p.CompressedBytes + p.Batches*recordBatchOverhead
	if diff := float64(in-sent) / float64(sent); diff < -brokerBytesTolerance || diff > brokerBytesTolerance {
		t.Errorf("the brokers took in %d bytes, the client sent %d in %d batches (%+.2f%%)", in, sent, p.Batches, diff*100)
	} else {
		t.Logf("the brokers took in %d bytes, the client sent %d in %d batches (%+.3f%%)", in, sent, p.Batches, diff*100)
	}
}

func fmtIdle(v *float64) string {
	if v == nil {
		return "unknown"
	}
	return fmt.Sprintf("%.3f", *v)
}
