package loadgen

import (
	"testing"

	"github.com/ktune/ktune/internal/loadgen/payload"
)

// BenchmarkHotPath is ktune's per-record cost without the Kafka client:
// value and key generation, the pooled pending record with its timestamp
// header, and the acknowledgement's accounting (two histograms, counters,
// the interval series, ack-gap tracking). "accounting" replaces the system
// clock by a counter; "with-clock" reads it three times per record, as the
// send loop does (intended time, accepted, acknowledged).
func BenchmarkHotPath(b *testing.B) {
	for _, bc := range []struct {
		name string
		step int64
	}{{"accounting", 1000}, {"with-clock", 0}} {
		b.Run(bc.name, func(b *testing.B) {
			clock := NewClock()
			clock.step = bc.step
			r := &produceRun{clock: clock, cfg: ProduceConfig{Topic: "t"}}
			ps := newProducerState("t", nil)
			r.states = []*producerState{ps}
			r.startNs = r.clock.Now()
			values, _ := payload.NewValues(payload.ValueConfig{Size: 1024})
			keys, _ := payload.NewKeys(payload.KeyConfig{Kind: payload.RandomKey})
			b.ReportAllocs()
			for b.Loop() {
				p := r.prepare(ps, keys, values, r.clock.Now(), false)
				p.accepted.Store(r.clock.Now())
				r.onAck(&p.rec, nil)
			}
		})
	}
}
