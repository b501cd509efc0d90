package loadgen

import (
	"testing"

	"github.com/ktune/ktune/internal/hist"
	"github.com/ktune/ktune/loadgen/payload"
)

// BenchmarkHotPath is ktune's per-record cost without the Kafka client:
// value and key generation, the pooled pending record with its timestamp
// header, and the acknowledgement's accounting (two histograms, counters,
// interval series, ack-gap tracking).
func BenchmarkHotPath(b *testing.B) {
	r := &produceRun{clock: NewClock(), cfg: ProduceConfig{Topic: "t"}}
	ps := &producerState{main: newStats(), warm: newStats(), ivHist: hist.New(), firstMain: -1}
	ps.pool = pendingPool{topic: "t", ps: ps}
	r.states = []*producerState{ps}
	r.startNs = r.clock.Now()
	values, _ := payload.NewValues(payload.ValueConfig{Size: 1024})
	keys, _ := payload.NewKeys(payload.KeyConfig{Kind: payload.RandomKey})
	b.ReportAllocs()
	for b.Loop() {
		// As sendLoop without a rate: one clock read for the intended
		// time, one when the client accepted the record, one in the ack.
		p := r.prepare(ps, keys, values, r.clock.Now(), false)
		p.accepted.Store(r.clock.Now())
		r.onAck(&p.rec, nil)
	}
}
