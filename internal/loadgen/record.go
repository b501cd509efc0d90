package loadgen

import (
	"encoding/binary"
	"fmt"
	"sync"
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
//
// A record's headers are laid out once, when its pending is made
// (newPending): ktune's own headers first (own), each over a value array
// of the pending, then the run's static extra headers. fill writes the
// per-record header values in place, so a further per-record header is one
// more array here, ownHeaders one more, one more entry in newPending and
// one more write in fill. Without extra headers the record's headers are
// own itself, in the same allocation as the record.
//
// The fields are ordered by cache line (a pending is 256 bytes at a
// 256-byte stride in a page-aligned slab: TestPendingLayout). A run at the
// client's ceiling has tens of thousands of records buffered, so a record
// has left the caches by the time the client writes it into a request,
// and every line the client reads then is a miss: it reads rec's first
// two lines (key, value, headers, timestamp) and the line that holds own
// and ts, and nothing else. The third line holds what ktune's promise
// reads, beside the fields the client sets when it acknowledges.
type pending struct {
	rec kgo.Record
	// intended is the Clock ns the record was meant to be sent.
	intended int64
	// accepted is the Clock ns the client accepted the record (Produce
	// returned); 0 until then. The send loop stores it while the promise
	// may already read it: access it only with accept/acceptedAt
	// once the record is handed to the client.
	accepted int64
	// size is the record's key and value bytes, an int32 (records are at
	// most max.request.size) so that a pending stays 256 bytes.
	size int32
	warm bool
	ps   *producerState
	own  [ownHeaders]kgo.RecordHeader
	ts   [8]byte // the HeaderTS value
	// seq is the audit.Header value (producer id and sequence), with
	// --verify.
	seq [audit.HeaderSize]byte
}

// ownHeaders is the number of ktune's own headers on every record.
const ownHeaders = 1

func pendingOf(r *kgo.Record) *pending { return (*pending)(unsafe.Pointer(r)) }

// acceptSlack is how long after its intended time a record may be
// accepted without its accepted time being kept: within it the intended
// time stands in (acceptedAt), off by less than the latency histograms'
// unit (1 µs), and the send loop saves an atomic store per record, which
// on amd64 is a full barrier. A record the client held longer (its buffer
// was full, or the send loop is behind its schedule) keeps its accepted
// time.
const acceptSlack = time.Microsecond

// accept records that the client accepted p at ns (Produce returned).
func (p *pending) accept(ns int64) {
	if ns-p.intended >= int64(acceptSlack) {
		atomic.StoreInt64(&p.accepted, ns)
	}
}

// acceptedAt is when the client accepted the record; for a record accepted
// within acceptSlack of its intended time, or acknowledged before Produce
// returned, its intended time stands in.
func (p *pending) acceptedAt() int64 {
	if a := atomic.LoadInt64(&p.accepted); a != 0 {
		return a
	}
	return p.intended
}

// fill readies p to send key and value, intended for time intended. The
// record is stamped with its intended time, so the client does not read the
// clock for it; kgo sets partition, offset and producer fields itself.
func (p *pending) fill(key, value []byte, intended int64, warm bool) {
	p.rec.Key, p.rec.Value, p.rec.Timestamp = key, value, time.Unix(0, intended)
	binary.BigEndian.PutUint64(p.ts[:], uint64(intended))
	p.intended = intended
	p.warm = warm
	p.size = int32(len(key) + len(value))
	p.accepted = 0 // p is the send loop's alone until Produce
}

// poolChunk is how many returned records the promise side gathers before
// handing them to the send loop, so neither side locks per record.
const poolChunk = 128

// pendingPool recycles the pending records of one producer, so the send
// loop allocates nothing per record in steady state. The send loop takes
// from free, the promise (kgo runs one client's promises one at a time)
// returns into back; every poolChunk records back moves to spare, the
// one place both sides lock.
type pendingPool struct {
	// The send loop's.
	free  []*pending
	slab  []pending // not yet used
	topic string
	extra []kgo.RecordHeader
	ps    *producerState
	// verify adds the audit.Header header (producer id and sequence) to
	// every record.
	verify bool
	// The two sides run on different cores and each writes its slice
	// header per record: apart, they do not fight over one cache line.
	_ cacheLinePad
	// The promise side's.
	back []*pending
	// Handed over, touched once per chunk.
	mu    sync.Mutex
	spare []*pending // guarded by mu
}

// cacheLinePad keeps the fields before it off the cache line of those
// after it.
type cacheLinePad [64]byte

// get returns a pending record for the send loop.
func (pp *pendingPool) get() *pending {
	if len(pp.free) == 0 {
		pp.mu.Lock()
		pp.free, pp.spare = pp.spare, pp.free
		pp.mu.Unlock()
	}
	if n := len(pp.free); n > 0 {
		p := pp.free[n-1]
		pp.free = pp.free[:n-1]
		return p
	}
	return pp.newPending()
}

// pendingSlab is how many new pending records the pool allocates at once:
// a run's pool grows to as many records as the client buffers (some
// hundred thousand small ones), and one allocation of 64 KiB costs far less
// than 256 of 256 bytes.
const pendingSlab = 256

// newPending makes a new pending record, from the pool's current slab.
func (pp *pendingPool) newPending() *pending {
	if len(pp.slab) == 0 {
		pp.slab = make([]pending, pendingSlab)
	}
	p := &pp.slab[0]
	pp.slab = pp.slab[1:]
	p.ps = pp.ps
	p.own = [ownHeaders]kgo.RecordHeader{{Key: HeaderTS, Value: p.ts[:]}}
	p.rec.Topic, p.rec.Headers = pp.topic, p.own[:]
	if len(pp.extra) > 0 || pp.verify {
		p.rec.Headers = append(append(make([]kgo.RecordHeader, 0, ownHeaders+len(pp.extra)+1), p.own[:]...), pp.extra...)
	}
	if pp.verify {
		p.rec.Headers = append(p.rec.Headers, kgo.RecordHeader{Key: audit.Header, Value: p.seq[:]})
	}
	return p
}

// put returns p from the promise side.
func (pp *pendingPool) put(p *pending) {
	pp.back = append(pp.back, p)
	if len(pp.back) >= poolChunk {
		pp.mu.Lock()
		pp.spare = append(pp.spare, pp.back...)
		pp.mu.Unlock()
		clear(pp.back)
		pp.back = pp.back[:0]
	}
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

func extraHeaders(n, size int) []kgo.RecordHeader {
	hs := make([]kgo.RecordHeader, n)
	for i := range hs {
		v := make([]byte, size)
		for j := range v {
			v[j] = byte('a' + (i+j)%26)
		}
		hs[i] = kgo.RecordHeader{Key: fmt.Sprintf("h%d", i), Value: v}
	}
	return hs
}
