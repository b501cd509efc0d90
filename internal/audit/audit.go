// Package audit checks delivery: every record a verifying producer sends
// carries its producer's id and a per-producer sequence number (the
// ktune.seq header); a Ledger collects what the brokers acknowledged and
// what the consumers read, and reports the records lost (acknowledged but
// never read), duplicated (one producer's sequence number at two offsets)
// and reordered (after a later record of the same producer in the same
// partition).
package audit

import (
	"crypto/rand"
	"encoding/binary"
	"slices"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/result"
)

// Header is the record header a verifying producer adds: 16 bytes, the
// producer id and the sequence number, both big-endian uint64.
const Header = "ktune.seq"

// HeaderSize is the length of the header's value.
const HeaderSize = 16

// Samples is how many records of each defect a report names.
const Samples = 10

// ProducerBase returns a random base for the producer ids of one run: the
// low 16 bits are zero, so producer i of the run is base+i and runs on one
// topic do not collide.
func ProducerBase() uint64 {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return binary.BigEndian.Uint64(b[:]) &^ 0xffff
}

// Encode writes producer and seq into dst, which holds HeaderSize bytes.
func Encode(dst []byte, producer, seq uint64) {
	binary.BigEndian.PutUint64(dst[:8], producer)
	binary.BigEndian.PutUint64(dst[8:16], seq)
}

// Decode reads a header value written by Encode.
func Decode(v []byte) (producer, seq uint64, ok bool) {
	if len(v) != HeaderSize {
		return 0, 0, false
	}
	return binary.BigEndian.Uint64(v[:8]), binary.BigEndian.Uint64(v[8:]), true
}

// Of returns the producer id and sequence number r carries, if any.
func Of(r *kgo.Record) (producer, seq uint64, ok bool) {
	for i := range r.Headers {
		if r.Headers[i].Key == Header {
			return Decode(r.Headers[i].Value)
		}
	}
	return 0, 0, false
}

// Discard takes acknowledgements and keeps nothing: a producer whose
// records are audited later, by another process's consumer, stamps them
// with it.
type Discard struct{}

// Acked does nothing.
func (Discard) Acked(int32, int64, uint64, uint64) {}

// ackAt is where the broker acknowledged one record; partition -1: not
// acknowledged.
type ackAt struct {
	offset    int64
	partition int32
}

// read is one record a consumer received.
type read struct {
	offset   int64
	producer uint64
	seq      uint64
}

type key struct{ producer, seq uint64 }

// Ledger collects acknowledgements and reads; it is safe for concurrent
// use. Memory grows with the records of the run (about 40 bytes each), so
// use it on bounded runs.
type Ledger struct {
	mu sync.Mutex
	// acked holds, per producer, the acknowledgement of each sequence
	// number (sequence numbers of a producer are dense from 0).
	acked     map[uint64][]ackAt
	ackedN    int64
	reads     map[int32][]read
	readN     int64
	unmarked  int64
	maxOffset map[int32]int64
}

// New returns an empty ledger.
func New() *Ledger {
	return &Ledger{acked: map[uint64][]ackAt{}, reads: map[int32][]read{}, maxOffset: map[int32]int64{}}
}

// Acked records that the broker acknowledged producer's record seq at
// partition and offset.
func (l *Ledger) Acked(partition int32, offset int64, producer, seq uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	s := l.acked[producer]
	if n := int(seq) + 1; n > len(s) {
		if n > cap(s) {
			s = slices.Grow(s, max(n-len(s), len(s)))
		}
		for len(s) < n {
			s = append(s, ackAt{partition: -1})
		}
		l.acked[producer] = s
	}
	if s[seq].partition < 0 {
		l.ackedN++
	}
	s[seq] = ackAt{offset: offset, partition: partition}
}

// Read records that a consumer received producer's record seq at
// partition and offset.
func (l *Ledger) Read(partition int32, offset int64, producer, seq uint64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.reads[partition] = append(l.reads[partition], read{offset: offset, producer: producer, seq: seq})
	l.readN++
	if m, ok := l.maxOffset[partition]; !ok || offset > m {
		l.maxOffset[partition] = offset
	}
}

// ReadRecord records r if it carries the header and reports whether it
// did; a record without it is counted apart.
func (l *Ledger) ReadRecord(r *kgo.Record) bool {
	p, s, ok := Of(r)
	if !ok {
		l.mu.Lock()
		l.unmarked++
		if m, ok := l.maxOffset[r.Partition]; !ok || r.Offset > m {
			l.maxOffset[r.Partition] = r.Offset
		}
		l.mu.Unlock()
		return false
	}
	l.Read(r.Partition, r.Offset, p, s)
	return true
}

// Reached reports whether every partition of ends (the next offset to be
// written, as ListEndOffsets reports it) was read up to its last record.
// A partition with an end of 0 is empty.
func (l *Ledger) Reached(ends map[int32]int64) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	for p, end := range ends {
		if end <= 0 {
			continue
		}
		m, ok := l.maxOffset[p]
		if !ok || m+1 < end {
			return false
		}
	}
	return true
}

// Counts returns how many records were acknowledged and how many reads
// (re-deliveries included) were recorded so far.
func (l *Ledger) Counts() (acked, reads int64) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.ackedN, l.readN
}

// Report checks what was read against what was acknowledged. With no
// acknowledgement recorded (a consumer reading another run's records) lost
// records are the gaps in each producer's sequence numbers between the
// smallest and largest read.
func (l *Ledger) Report() *result.Audit {
	l.mu.Lock()
	defer l.mu.Unlock()
	a := &result.Audit{Acknowledged: l.ackedN, Basis: "acknowledged"}
	if l.ackedN == 0 {
		a.Basis = "sequence"
	}
	first := map[key]int64{} // first offset of each record read
	var dups, reord []result.RecordRef
	parts := make([]int32, 0, len(l.reads))
	for p := range l.reads {
		parts = append(parts, p)
	}
	slices.Sort(parts)
	for _, p := range parts {
		rs := l.reads[p]
		slices.SortStableFunc(rs, func(x, y read) int {
			switch {
			case x.offset < y.offset:
				return -1
			case x.offset > y.offset:
				return 1
			}
			return 0
		})
		maxSeq := map[uint64]uint64{}
		for i, r := range rs {
			if i > 0 && rs[i-1].offset == r.offset {
				a.Redelivered++
				continue
			}
			a.Read++
			k := key{r.producer, r.seq}
			if at, seen := first[k]; seen {
				a.Duplicated++
				dups = append(dups, result.RecordRef{Partition: p, Offset: r.offset, Producer: r.producer, Seq: r.seq, FirstOffset: &at})
				continue
			}
			first[k] = r.offset
			if m, ok := maxSeq[r.producer]; ok && r.seq < m {
				a.Reordered++
				reord = append(reord, result.RecordRef{Partition: p, Offset: r.offset, Producer: r.producer, Seq: r.seq})
				continue
			}
			maxSeq[r.producer] = r.seq
		}
	}
	var lost []result.RecordRef
	if l.ackedN > 0 {
		for prod, acks := range l.acked {
			for seq, at := range acks {
				if at.partition < 0 {
					continue
				}
				if _, ok := first[key{prod, uint64(seq)}]; !ok {
					a.Lost++
					lost = append(lost, result.RecordRef{Partition: at.partition, Offset: at.offset, Producer: prod, Seq: uint64(seq)})
				}
			}
		}
	} else {
		lost = sequenceGaps(first, a)
	}
	a.LostAt, a.DuplicatedAt, a.ReorderedAt = firstFew(lost), firstFew(dups), firstFew(reord)
	return a
}

// sequenceGaps counts, per producer, the sequence numbers missing between
// the smallest and largest read.
func sequenceGaps(first map[key]int64, a *result.Audit) []result.RecordRef {
	seqs := map[uint64][]uint64{}
	for k := range first {
		seqs[k.producer] = append(seqs[k.producer], k.seq)
	}
	var lost []result.RecordRef
	for prod, s := range seqs {
		slices.Sort(s)
		for i := 1; i < len(s); i++ {
			for missing := s[i-1] + 1; missing < s[i]; missing++ {
				a.Lost++
				if len(lost) < Samples*4 {
					lost = append(lost, result.RecordRef{Partition: -1, Offset: -1, Producer: prod, Seq: missing})
				}
			}
		}
	}
	return lost
}

// firstFew sorts refs by partition, offset and sequence and keeps Samples.
func firstFew(refs []result.RecordRef) []result.RecordRef {
	slices.SortFunc(refs, func(x, y result.RecordRef) int {
		switch {
		case x.Partition != y.Partition:
			return int(x.Partition) - int(y.Partition)
		case x.Offset != y.Offset:
			if x.Offset < y.Offset {
				return -1
			}
			return 1
		case x.Producer != y.Producer:
			if x.Producer < y.Producer {
				return -1
			}
			return 1
		case x.Seq < y.Seq:
			return -1
		case x.Seq > y.Seq:
			return 1
		}
		return 0
	})
	if len(refs) > Samples {
		refs = refs[:Samples]
	}
	return refs
}
