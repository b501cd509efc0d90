package loadgen

import (
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/ktune/ktune/internal/livemetrics"
	"github.com/ktune/ktune/internal/loadgen/payload"
)

// BenchmarkHotPath is ktune's per-record cost without the Kafka client, as
// the send loop and the promise run it: value and key generation, the
// pooled pending record with its timestamp header, the clock reading when
// the client accepts the record (which is also the next record's "now"),
// and the acknowledgement's accounting (the response's clock reading, the
// latency histograms, counters, the interval series, the unavailability
// windows, under the producer's lock). Records are acknowledged in
// responses of one batch of hotBatch records, one partition each, as the
// client calls promises: the smallest batches a run at the client's
// ceiling sees, and a response holds one batch when one partition
// is written at a time (sticky partitioning).
//
// "with-clock" reads the system clock, as a run does. "accounting"
// replaces it by a counter that advances 1 µs per reading, to show ktune's
// own work apart from the clock; as each record then seems to wait 1 µs in
// Produce, it also pays for keeping the accepted time (acceptSlack) and
// for its second histogram. Besides wall time per record the benchmark
// reports cpu-ns/op, the benchmark thread's own CPU time per record, which
// a busy machine disturbs less.
//
// "with-scraper" is "with-clock" while a Prometheus registry with the
// run's live metrics (ProduceConfig.Live) is gathered every
// benchScrapeEvery, ten times as often as a 1 s scrape interval: the
// record path must cost the same.
func BenchmarkHotPath(b *testing.B) {
	for _, bc := range []struct {
		name   string
		step   int64
		scrape bool
	}{{"accounting", 1000, false}, {"with-clock", 0, false}, {"with-scraper", 0, true}} {
		b.Run(bc.name, func(b *testing.B) {
			h := newHotPath(b, bc.step)
			if bc.scrape {
				stop := h.scrape(b)
				defer stop()
			}
			b.ReportAllocs()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0, cpuOK := threadCPU()
			for b.Loop() {
				h.record()
			}
			if cpu1, ok := threadCPU(); ok && cpuOK {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
}

// TestHotPathAllocatesNothing checks what BenchmarkHotPath reports as
// allocs/op without timing anything: once the pool holds the records in
// flight, a record costs no allocation.
func TestHotPathAllocatesNothing(t *testing.T) {
	h := newHotPath(t, 0)
	for range 10 * pendingSlab {
		h.record()
	}
	if a := testing.AllocsPerRun(100, func() {
		for range pendingSlab {
			h.record()
		}
	}); a != 0 {
		t.Errorf("%v allocations per %d records", a, pendingSlab)
	}
}

// hotBatch is how many records of one partition a produce response of
// hotPath acknowledges: 16 records is a 16 KiB batch (the Java default)
// of 1 KiB records.
const hotBatch = 16

// hotPath is one producer's send loop and promise without the client.
type hotPath struct {
	r        *produceRun
	ps       *producerState
	keys     *payload.Keys
	values   *payload.Values
	inflight [hotBatch]*pending
	n        int
	offset   int64
	part     int32
	now      int64
}

// newHotPath makes a hotPath whose clock advances step ns per reading (0:
// the system clock).
func newHotPath(tb testing.TB, step int64) *hotPath {
	clock := NewClock()
	clock.step = step
	r := &produceRun{clock: clock, cfg: ProduceConfig{Topic: "t"}}
	r.gaps.floor = int64(minUnavailable)
	ps := newProducerState(clock, "t", nil, r.gaps.floor)
	r.states = []*producerState{ps}
	r.startNs = r.clock.Now()
	values, err := payload.NewValues(payload.ValueConfig{Size: 1024})
	if err != nil {
		tb.Fatal(err)
	}
	keys, err := payload.NewKeys(payload.KeyConfig{Kind: payload.RandomKey})
	if err != nil {
		tb.Fatal(err)
	}
	return &hotPath{r: r, ps: ps, keys: keys, values: values, now: r.clock.Now()}
}

// record sends one record as the send loop does; every hotBatch records a
// response acknowledges them as the client's promises do.
func (h *hotPath) record() {
	p := h.r.prepare(h.ps, h.keys, h.values, h.now, false)
	p.rec.Partition, p.rec.Offset = h.part, h.offset+int64(h.n) // what the client sets
	h.now = h.r.clock.Now()
	p.accept(h.now)
	h.inflight[h.n] = p
	if h.n++; h.n == hotBatch {
		h.ps.ack.OnBrokerRead(kgo.BrokerMetadata{}, int16(kmsg.Produce), 0, 0, 0, nil)
		for _, p := range h.inflight {
			h.r.onAck(&p.rec, nil)
		}
		h.n, h.offset, h.part = 0, h.offset+hotBatch, (h.part+1)%6
	}
}

// benchScrapeEvery is how often BenchmarkHotPath's scraper gathers.
const benchScrapeEvery = 100 * time.Millisecond

// scrape gathers the live metrics of h's run every benchScrapeEvery until
// the returned function is called.
func (h *hotPath) scrape(tb testing.TB) (stop func()) {
	reg := prometheus.NewRegistry()
	livemetrics.NewRun(reg, "bench", "0").Watch(livemetrics.RoleProducer, "t", h.r.liveSource(nil, markCPU()))
	done, exited := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(exited)
		t := time.NewTicker(benchScrapeEvery)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				if _, err := reg.Gather(); err != nil {
					tb.Error(err)
					return
				}
			}
		}
	}()
	return func() { close(done); <-exited }
}

// threadCPU is the calling thread's CPU time (user and system), where the
// system reports it (Linux's RUSAGE_THREAD).
func threadCPU() (time.Duration, bool) {
	const rusageThread = 1
	var ru syscall.Rusage
	if runtime.GOOS != "linux" || syscall.Getrusage(rusageThread, &ru) != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
