package loadgen

import (
	"runtime"
	"syscall"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/ktune/ktune/internal/loadgen/payload"
)

// BenchmarkHotPath is ktune's per-record cost without the Kafka client, as
// the send loop and the promise run it: value and key generation, the
// pooled pending record with its timestamp header, the clock reading when
// the client accepts the record (which is also the next record's "now"),
// and the acknowledgement's accounting (the response's clock reading, two
// histograms, counters, the interval series, the unavailability windows).
// Records are acknowledged in responses of one batch of batchRecords, one
// partition each, as the client calls promises: 16 records is a 16 KiB
// batch (the Java default) of 1 KiB records, the smallest batches a run at
// the client's ceiling sees, and a response holds one batch when one
// partition is written at a time (sticky partitioning). "accounting" replaces the system clock by a counter;
// "with-clock" reads it. Besides wall time per record it reports cpu-ns/op,
// the benchmark thread's own CPU time per record, which a busy machine
// disturbs far less.
func BenchmarkHotPath(b *testing.B) {
	const batchRecords = 16
	for _, bc := range []struct {
		name string
		step int64
	}{{"accounting", 1000}, {"with-clock", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			clock := NewClock()
			clock.step = bc.step
			r := &produceRun{clock: clock, cfg: ProduceConfig{Topic: "t"}}
			r.gaps.floor = int64(minUnavailable)
			ps := newProducerState(clock, "t", nil, r.gaps.floor)
			r.states = []*producerState{ps}
			r.startNs = r.clock.Now()
			values, _ := payload.NewValues(payload.ValueConfig{Size: 1024})
			keys, _ := payload.NewKeys(payload.KeyConfig{Kind: payload.RandomKey})
			var (
				inflight [batchRecords]*pending
				n        int
				offset   int64
				part     int32
			)
			now := r.clock.Now()
			b.ReportAllocs()
			runtime.LockOSThread()
			defer runtime.UnlockOSThread()
			cpu0, cpuOK := threadCPU()
			for b.Loop() {
				p := r.prepare(ps, keys, values, now, false)
				p.rec.Partition, p.rec.Offset = part, offset+int64(n) // what the client sets
				now = r.clock.Now()
				p.accept(now)
				inflight[n] = p
				if n++; n == batchRecords {
					ps.ack.OnBrokerRead(kgo.BrokerMetadata{}, int16(kmsg.Produce), 0, 0, 0, nil)
					for _, p := range inflight {
						r.onAck(&p.rec, nil)
					}
					n, offset, part = 0, offset+batchRecords, (part+1)%6
				}
			}
			if cpu1, ok := threadCPU(); ok && cpuOK {
				b.ReportMetric(float64(cpu1-cpu0)/float64(b.N), "cpu-ns/op")
			}
		})
	}
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
