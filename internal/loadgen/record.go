package loadgen

import (
	"encoding/binary"
	"sync/atomic"
	"time"
	"unsafe"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/audit"
)

// HeaderTS is the header in which ktune records carry their intended send
// time: 8 bytes, big-endian Unix nanoseconds. Consumers that find it report
// end-to-end latency.
const HeaderTS = "ktune.ts"

// pending is one record in flight. rec must stay the first field: the
// promise gets *kgo.Record back and recovers its pending from that pointer,
// which saves a closure allocation per record.
type pending struct {
	rec      kgo.Record
	ts       [8]byte
	seqHdr   [audit.HeaderSize]byte // the ktune.seq header's value, with --verify
	headers  []kgo.RecordHeader
	intended int64 // Clock ns the record was meant to be sent
	accepted atomic.Int64
	warm     bool
	size     int
	ps       *producerState
}

func pendingOf(r *kgo.Record) *pending { return (*pending)(unsafe.Pointer(r)) }

// pendingPool recycles pending records of one producer, so the send loop
// allocates nothing per record in steady state. Records come back in the
// promise, which already holds the producer's lock: put must be called with
// ps.mu held; get takes it.
type pendingPool struct {
	free  []*pending
	topic string
	extra []kgo.RecordHeader
	ps    *producerState
	// verify adds the ktune.seq header (audit.Header) to every record.
	verify bool
}

func (pp *pendingPool) get() *pending {
	pp.ps.mu.Lock()
	if n := len(pp.free); n > 0 {
		p := pp.free[n-1]
		pp.free = pp.free[:n-1]
		pp.ps.mu.Unlock()
		return p
	}
	pp.ps.mu.Unlock()
	p := &pending{ps: pp.ps}
	p.headers = make([]kgo.RecordHeader, 1, 1+len(pp.extra))
	p.headers[0] = kgo.RecordHeader{Key: HeaderTS, Value: p.ts[:]}
	p.headers = append(p.headers, pp.extra...)
	if pp.verify {
		p.headers = append(p.headers, kgo.RecordHeader{Key: audit.Header, Value: p.seqHdr[:]})
	}
	p.rec.Topic, p.rec.Headers = pp.topic, p.headers
	return p
}

// put returns p to the pool; the caller holds ps.mu.
func (pp *pendingPool) put(p *pending) { pp.free = append(pp.free, p) }

// fill readies p to send key and value, intended for time intended. Topic
// and headers were set when p was made; kgo sets partition, offset and
// producer fields itself, but stamps the timestamp only when it is zero.
func (p *pending) fill(key, value []byte, intended int64, warm bool) {
	p.rec.Key, p.rec.Value, p.rec.Timestamp = key, value, time.Time{}
	binary.BigEndian.PutUint64(p.ts[:], uint64(intended))
	p.intended = intended
	p.warm = warm
	p.size = len(key) + len(value)
	p.accepted.Store(0)
}

// intendedOf returns the ktune.ts header of r, if it has one.
func intendedOf(r *kgo.Record) (int64, bool) {
	for i := range r.Headers {
		h := &r.Headers[i]
		if h.Key == HeaderTS && len(h.Value) == 8 {
			return int64(binary.BigEndian.Uint64(h.Value)), true
		}
	}
	return 0, false
}
