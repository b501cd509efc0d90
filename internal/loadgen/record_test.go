package loadgen

import (
	"testing"
	"unsafe"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestRecordHeaders checks a pooled record's headers: ktune's timestamp
// header first, carrying each fill's intended time, then the run's extra
// headers, also when the record is reused.
func TestRecordHeaders(t *testing.T) {
	for _, extra := range [][]kgo.RecordHeader{nil, extraHeaders(2, 4)} {
		ps := newProducerState(NewClock(), "t", extra, int64(minUnavailable))
		p := ps.pool.get()
		for _, intended := range []int64{1_700_000_000_123_456_789, 1_700_000_001_000_000_000} {
			p.fill(nil, []byte("v"), intended, false)
			if got, ok := intendedOf(&p.rec); !ok || got != intended {
				t.Fatalf("ktune.ts = %d, %v; want %d", got, ok, intended)
			}
			if len(p.rec.Headers) != ownHeaders+len(extra) || p.rec.Headers[0].Key != HeaderTS {
				t.Fatalf("headers %+v, want %s then %d extra", p.rec.Headers, HeaderTS, len(extra))
			}
			for i, h := range extra {
				if got := p.rec.Headers[ownHeaders+i]; got.Key != h.Key || string(got.Value) != string(h.Value) {
					t.Errorf("extra header %d = %+v, want %+v", i, got, h)
				}
			}
			if p.rec.Timestamp.UnixNano() != intended {
				t.Errorf("record timestamp %v, want the intended time %d", p.rec.Timestamp, intended)
			}
			// Back through the promise side, with enough others for a
			// hand-over, and out again: the most recently returned first.
			for range poolChunk - 1 {
				ps.pool.put(ps.pool.newPending())
			}
			ps.pool.put(p)
			if q := ps.pool.get(); q != p {
				t.Fatal("the pool did not hand the returned record back")
			}
			ps.pool.free = ps.pool.free[:0]
		}
	}
}

// TestPendingLayout guards the layout pending's comment explains: 256
// bytes, four whole cache lines at a slab's 256-byte stride, with the
// timestamp header and its value in one line. A franz-go upgrade that
// grows kgo.Record shows here.
func TestPendingLayout(t *testing.T) {
	var p pending
	if n := unsafe.Sizeof(p); n != 256 {
		t.Errorf("a pending is %d bytes, want 256 (kgo.Record is %d)", n, unsafe.Sizeof(kgo.Record{}))
	}
	line := func(off uintptr) uintptr { return off / 64 }
	own, ts := unsafe.Offsetof(p.own), unsafe.Offsetof(p.ts)
	if first, last := line(own), line(ts+unsafe.Sizeof(p.ts)-1); first != last {
		t.Errorf("own header and its value span cache lines %d to %d (offsets %d, %d)", first, last, own, ts)
	}
	if line(unsafe.Offsetof(p.ps)) != 2 || line(unsafe.Offsetof(p.intended)) != 2 {
		t.Errorf("the promise's fields are not in the third cache line")
	}
}
