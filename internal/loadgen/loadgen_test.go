package loadgen

import (
	"context"
	"errors"
	"math"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
)

func makeTopic(t *testing.T, conn *cluster.Conn, name string, partitions int) {
	t.Helper()
	if _, err := conn.EnsureTopic(context.Background(), cluster.TopicSpec{Name: name, Partitions: partitions}); err != nil {
		t.Fatal(err)
	}
}

func produceCfg(topic string, records int64) ProduceConfig {
	return ProduceConfig{
		Topic: topic, Records: records, Interval: 200 * time.Millisecond,
		Values: payload.ValueConfig{Kind: payload.Random, Size: 100},
	}
}

// roundTrip checks that a document survives encoding and decoding.
func roundTrip(t *testing.T, doc *result.Document) *result.Document {
	t.Helper()
	var b strings.Builder
	if err := result.Encode(&b, doc); err != nil {
		t.Fatal(err)
	}
	back, err := result.Decode(strings.NewReader(b.String()))
	if err != nil {
		t.Fatal(err)
	}
	return back
}

func TestProduceThenConsumeCountsExactly(t *testing.T) {
	conn := testkit.Embedded(t, 3)
	makeTopic(t, conn, "exact", 4)
	const n = 5000
	cfg := produceCfg("exact", n)
	cfg.Producers = 2
	cfg.Keys = payload.KeyConfig{Kind: payload.SequentialKey, Space: 100, Size: 8}
	cfg.Client = testkit.Resolve(t, clientcfg.Producer, "linger.ms=5")
	doc, err := Produce(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	doc = roundTrip(t, doc)
	if !doc.Complete || doc.StopReason != "records" || doc.Metrics.Records != n || doc.Metrics.ErrorsTotal != 0 {
		t.Fatalf("produce: complete=%v reason=%s records=%d errors=%v", doc.Complete, doc.StopReason, doc.Metrics.Records, doc.Metrics.Errors)
	}
	if !doc.Cluster.Embedded {
		t.Error("embedded cluster not labelled")
	}
	if doc.Metrics.Bytes != n*(100+8) {
		t.Errorf("bytes = %d, want %d", doc.Metrics.Bytes, n*108)
	}
	if doc.Config.Producer["linger.ms"] != "5" || doc.Config.Producer["acks"] != "all" || doc.Config.ClientLine != 4 {
		t.Errorf("effective config not recorded: %v", doc.Config.Producer)
	}
	if l := doc.Metrics.Latency[result.LatencyIntended]; l.Count != n {
		t.Errorf("intended latency count = %d, want %d", l.Count, n)
	}
	if h, ok, err := doc.Metrics.Histogram(result.LatencyService); !ok || err != nil || h.Count() != n {
		t.Errorf("service histogram does not decode to %d values: ok=%v err=%v", n, ok, err)
	}
	if len(doc.Metrics.Intervals) == 0 {
		t.Error("no interval series")
	}
	checkClientCPU(t, "produce", doc)

	cdoc, err := Consume(context.Background(), conn, ConsumeConfig{
		Topic: "exact", Records: n, Consumers: 2, IdleTimeout: 5 * time.Second, Interval: 200 * time.Millisecond,
	})
	if err != nil {
		t.Fatal(err)
	}
	cdoc = roundTrip(t, cdoc)
	if cdoc.Metrics.Records != n || !cdoc.Complete || cdoc.StopReason != "records" {
		t.Fatalf("consume: records=%d complete=%v reason=%s", cdoc.Metrics.Records, cdoc.Complete, cdoc.StopReason)
	}
	if cdoc.Metrics.Bytes != doc.Metrics.Bytes {
		t.Errorf("consumed bytes %d != produced %d", cdoc.Metrics.Bytes, doc.Metrics.Bytes)
	}
	if l := cdoc.Metrics.Latency[result.LatencyE2E]; l.Count != n {
		t.Errorf("e2e latency from ktune.ts headers: count %d, want %d", l.Count, n)
	}
	if c := cdoc.Metrics.Consumer; c == nil || c.GroupJoinMs <= 0 || c.Polls == 0 {
		t.Errorf("consumer stats missing: %+v", c)
	}
	checkClientCPU(t, "consume", cdoc)
}

// TestConsumeIdleEndsShortRun: a directly assigned consumer asked for 20
// records of a topic that has 10 reads the 10 and stops when none came
// for the idle timeout. Its idle time counts from its first fetch, not
// from its creation: the broker holds the consumer's first offset look-up
// for twice the idle timeout, as a busy host can delay it, and the 10
// records are still read.
func TestConsumeIdleEndsShortRun(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	makeTopic(t, conn, "short", 1)
	if _, err := Produce(context.Background(), conn, produceCfg("short", 10)); err != nil {
		t.Fatal(err)
	}
	const idle = time.Second
	var held atomic.Bool
	conn.Fake.ControlKey(int16(kmsg.ListOffsets), func(kmsg.Request) (kmsg.Response, error, bool) {
		if held.CompareAndSwap(false, true) {
			conn.Fake.SleepControl(func() { time.Sleep(2 * idle) })
		}
		return nil, nil, false
	})
	doc, err := Consume(context.Background(), conn, ConsumeConfig{Topic: "short", Records: 20, Assign: true, IdleTimeout: idle})
	if !held.Load() {
		t.Fatal("the consumer listed no offsets: the slow look-up was not simulated")
	}
	if err == nil || !strings.Contains(err.Error(), "got 10 of 20") {
		t.Fatalf("want an idle error naming the shortfall, got %v", err)
	}
	if doc.Complete || doc.StopReason != "idle" || doc.Metrics.Records != 10 {
		t.Fatalf("complete=%v reason=%s records=%d", doc.Complete, doc.StopReason, doc.Metrics.Records)
	}
}

func TestE2ECountsAndLatency(t *testing.T) {
	conn := testkit.Embedded(t, 3)
	makeTopic(t, conn, "e2e", 3)
	cfg := produceCfg("e2e", 3000)
	cfg.Rate = 3000
	cfg.WarmupRecords = 500
	doc, err := E2E(context.Background(), conn, E2EConfig{Produce: cfg, Consume: ConsumeConfig{Partitions: 3, Interval: time.Second}})
	if err != nil {
		t.Fatal(err)
	}
	doc = roundTrip(t, doc)
	if doc.Kind != result.KindE2E || !doc.Complete {
		t.Fatalf("kind=%s complete=%v err=%s", doc.Kind, doc.Complete, doc.Error)
	}
	if doc.Metrics.Records != 3000 || doc.Warmup == nil || doc.Warmup.Records != 500 {
		t.Fatalf("produced %d measured records (warm-up %+v)", doc.Metrics.Records, doc.Warmup)
	}
	c := doc.Metrics.Consumer
	if c == nil || c.Records != 3000 {
		t.Fatalf("consumer measured records = %+v, want 3000 (warm-up excluded)", c)
	}
	if l := doc.Metrics.Latency[result.LatencyE2E]; l.Count != 3000 || l.P50 <= 0 {
		t.Fatalf("e2e latency %+v", l)
	}
	checkClientCPU(t, "e2e", doc)
}

// TestStallShowsInIntendedNotServiceLatency stalls the broker for a second
// in the middle of a fixed-rate run. The open model's intended-time latency
// must show the stall; the service latency, which only starts once the
// client accepts a record, must not: that is coordinated omission.
func TestStallShowsInIntendedNotServiceLatency(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	makeTopic(t, conn, "stall", 1)
	var start atomic.Int64
	var stalled atomic.Bool
	const stall = time.Second
	conn.Fake.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		conn.Fake.KeepControl()
		if s := start.Load(); s > 0 && time.Since(time.Unix(0, s)) > time.Second && stalled.CompareAndSwap(false, true) {
			conn.Fake.SleepControl(func() { time.Sleep(stall) })
		}
		return nil, nil, false
	})
	cfg := produceCfg("stall", 0)
	cfg.Duration, cfg.Rate = 3*time.Second, 2000
	// A small client buffer, so the send loop blocks during the stall, as a
	// closed-loop tool would.
	cfg.Client = testkit.Resolve(t, clientcfg.Producer, "buffer.memory=20000")
	start.Store(time.Now().UnixNano())
	doc, err := Produce(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !stalled.Load() {
		t.Fatal("the broker was never stalled")
	}
	in, svc := doc.Metrics.Latency[result.LatencyIntended], doc.Metrics.Latency[result.LatencyService]
	t.Logf("intended p50 %.1f p90 %.1f p99 %.1f max %.1f; service p50 %.1f p90 %.1f p99 %.1f max %.1f", in.P50, in.P90, in.P99, in.Max, svc.P50, svc.P90, svc.P99, svc.Max)
	if in.P90 < 0.4*float64(stall.Milliseconds()) || in.Max < 0.9*float64(stall.Milliseconds()) {
		t.Errorf("intended-time latency hides the %s stall: p90 %.1f ms, max %.1f ms", stall, in.P90, in.Max)
	}
	if svc.P90 > 0.1*float64(stall.Milliseconds()) {
		t.Errorf("service latency p90 %.1f ms should not show the stall", svc.P90)
	}
	if doc.Metrics.Producer.LongestAckGapMs < 0.8*float64(stall.Milliseconds()) {
		t.Errorf("longest ack gap %.1f ms should show the stall", doc.Metrics.Producer.LongestAckGapMs)
	}
}

// TestInterruptKeepsWhatWasMeasured interrupts a minute-long run once it
// has acknowledged 1000 records: the run stops soon after (within its
// grace for records in flight, far from its minute) and keeps them.
func TestInterruptKeepsWhatWasMeasured(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	makeTopic(t, conn, "intr", 1)
	cfg := produceCfg("intr", 0)
	cfg.Duration, cfg.Rate = time.Minute, 2000
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var acked int64
	var interrupted atomic.Int64 // Unix ns of the interrupt
	cfg.OnInterval = func(iv result.Interval) {
		if acked += iv.Records; acked >= 1000 && interrupted.Load() == 0 {
			interrupted.Store(time.Now().UnixNano())
			cancel()
		}
	}
	doc, err := Produce(ctx, conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	at := interrupted.Load()
	if at == 0 {
		t.Fatalf("never interrupted: %d records acknowledged", acked)
	}
	// The stop waits up to stopGrace for records in flight; a bound far
	// above it and far below the minute shows the interrupt ended the run
	// on any host.
	if took := time.Since(time.Unix(0, at)); took > 10*stopGrace {
		t.Errorf("stopping took %s after the interrupt; want about %s at most", took, stopGrace)
	}
	if doc.Complete || doc.StopReason != "interrupted" || doc.Metrics.Records < acked {
		t.Fatalf("complete=%v reason=%s records=%d, want at least the %d acknowledged before the interrupt", doc.Complete, doc.StopReason, doc.Metrics.Records, acked)
	}
}

func TestProduceErrors(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	makeTopic(t, conn, "errs", 1)
	tests := []struct {
		name  string
		cfg   func() ProduceConfig
		want  string
		docOK bool
	}{
		{
			name: "record over max.request.size refused before load",
			cfg: func() ProduceConfig {
				c := produceCfg("errs", 10)
				c.Values.Size = 2 << 20
				return c
			},
			want: "larger than max.request.size",
		},
		{
			name: "record over the broker's limit is one clear error",
			cfg: func() ProduceConfig {
				c := produceCfg("errs", 10)
				c.Values.Size = 1_500_000
				c.Client = testkit.Resolve(t, clientcfg.Producer, "max.request.size=4000000")
				return c
			},
			want:  "rejected as too large",
			docOK: true,
		},
		{
			name: "no bound",
			cfg:  func() ProduceConfig { return produceCfg("errs", 0) },
			want: "needs a bound",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			doc, err := Produce(context.Background(), conn, tt.cfg())
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to mention %q", err, tt.want)
			}
			if tt.docOK && (doc == nil || doc.Complete || doc.StopReason != "error") {
				t.Fatalf("want an incomplete result kept, got %+v", doc)
			}
		})
	}
}

func TestConnectErrors(t *testing.T) {
	ctx := context.Background()
	_, err := cluster.Open(ctx, cluster.Config{Brokers: []string{"127.0.0.1:1"}, ConnectTimeout: 2 * time.Second})
	if err == nil || !strings.Contains(err.Error(), "cannot reach Kafka at 127.0.0.1:1") {
		t.Fatalf("unreachable: %v", err)
	}
	_, err = cluster.Open(ctx, cluster.Config{Brokers: []string{"192.0.2.1:9092"}})
	if !errors.Is(err, cluster.ErrRemoteTarget) {
		t.Fatalf("remote target not refused: %v", err)
	}
	conn := testkit.Embedded(t, 1)
	_, err = conn.EnsureTopic(ctx, cluster.TopicSpec{Name: "missing", NoCreate: true})
	if !errors.Is(err, cluster.ErrNoTopic) {
		t.Fatalf("missing topic: %v", err)
	}
}

// checkClientCPU asserts a run recorded the client's CPU time over its
// window: positive, per GiB consistent with the bytes, and no more than
// every core of the host for the whole run.
func checkClientCPU(t *testing.T, name string, doc *result.Document) {
	t.Helper()
	m := doc.Metrics
	limit := doc.End.Sub(doc.Start).Seconds()*float64(doc.Host.Cores) + 0.05
	if m.ClientCPUS <= 0 || m.ClientCPUS > limit {
		t.Errorf("%s: client_cpu_s = %v, want in (0, %.3f]", name, m.ClientCPUS, limit)
	}
	// client_cpu_s is rounded to 1 ms; the per-GiB figure is not.
	gib := float64(m.Bytes) / result.GiB
	if want := m.ClientCPUS / gib; m.ClientCPUSPerGiB <= 0 || math.Abs(m.ClientCPUSPerGiB-want) > 0.0005/gib+0.002 {
		t.Errorf("%s: client_cpu_s_per_gib = %v, want %.3f", name, m.ClientCPUSPerGiB, want)
	}
	if doc.Host.GoMaxProcs < 1 {
		t.Errorf("%s: gomaxprocs not recorded", name)
	}
	if run := doc.End.Sub(doc.Start).Seconds() * 1e3; m.ClientCPUWaitP99Ms < 0 || m.ClientCPUWaitP99Ms > run {
		t.Errorf("%s: client_cpu_wait_p99_ms = %v, want in [0, %.0f]", name, m.ClientCPUWaitP99Ms, run)
	}
}

// batchTotals sums what franz-go's HookProduceBatchWritten reports.
type batchTotals struct{ batches, uncompressed, compressed atomic.Int64 }

func (b *batchTotals) OnProduceBatchWritten(_ kgo.BrokerMetadata, _ string, _ int32, m kgo.ProduceBatchMetrics) {
	b.batches.Add(1)
	b.uncompressed.Add(int64(m.UncompressedBytes))
	b.compressed.Add(int64(m.CompressedBytes))
}

// TestBatchCountsMatchFranzGo checks the batch figures ktune counts in the
// compressor against franz-go's own per-batch hook, with and without
// compression. franz-go calls the hook on goroutines of its own after each
// response, so the test waits for it to reach ktune's count.
func TestBatchCountsMatchFranzGo(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	for _, codec := range []string{"none", "lz4"} {
		t.Run(codec, func(t *testing.T) {
			topic := "batches-" + codec
			makeTopic(t, conn, topic, 3)
			cfg := produceCfg(topic, 20000)
			cfg.Values.Compressibility = 0.5
			cfg.Client = testkit.Resolve(t, clientcfg.Producer, "compression.type="+codec, "linger.ms=2")
			hook := &batchTotals{}
			cfg.Hooks = []kgo.Hook{hook}
			doc, err := Produce(context.Background(), conn, cfg)
			if err != nil {
				t.Fatal(err)
			}
			p := doc.Metrics.Producer
			for deadline := time.Now().Add(10 * time.Second); hook.batches.Load() < p.Batches && time.Now().Before(deadline); {
				time.Sleep(10 * time.Millisecond)
			}
			if p.Batches == 0 || p.Batches != hook.batches.Load() || p.UncompressedBytes != hook.uncompressed.Load() || p.CompressedBytes != hook.compressed.Load() {
				t.Fatalf("ktune counted %d batches, %d bytes, %d compressed; franz-go's hook %d, %d, %d",
					p.Batches, p.UncompressedBytes, p.CompressedBytes, hook.batches.Load(), hook.uncompressed.Load(), hook.compressed.Load())
			}
			if compressed := p.CompressionRatio < 0.9; compressed != (codec != "none") {
				t.Errorf("compression ratio %v with compression.type=%s", p.CompressionRatio, codec)
			}
		})
	}
}
