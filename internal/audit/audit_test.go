package audit

import (
	"context"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// ev is one acknowledgement or read of a test.
type ev struct {
	ack       bool
	partition int32
	offset    int64
	producer  uint64
	seq       uint64
}

func TestReport(t *testing.T) {
	tests := []struct {
		name                      string
		evs                       []ev
		lost, dup, reord, redeliv int64
		lostAt, dupAt, reordAt    []int64 // offsets of the samples
	}{
		{
			name: "clean",
			evs: []ev{
				{true, 0, 0, 1, 0}, {true, 0, 1, 1, 1}, {true, 1, 0, 2, 0},
				{false, 0, 0, 1, 0}, {false, 0, 1, 1, 1}, {false, 1, 0, 2, 0},
			},
		},
		{
			name: "acknowledged record never read",
			evs: []ev{
				{true, 0, 0, 1, 0}, {true, 0, 1, 1, 1}, {true, 0, 2, 1, 2},
				{false, 0, 0, 1, 0}, {false, 0, 2, 1, 2},
			},
			lost: 1, lostAt: []int64{1},
		},
		{
			name: "retry written twice",
			evs: []ev{
				{true, 0, 0, 1, 0}, {true, 0, 2, 1, 1}, {true, 0, 3, 1, 2},
				{false, 0, 0, 1, 0}, {false, 0, 1, 1, 1}, {false, 0, 2, 1, 1}, {false, 0, 3, 1, 2},
			},
			dup: 1, dupAt: []int64{2},
		},
		{
			name: "a batch overtaken by the next",
			evs: []ev{
				{false, 0, 0, 1, 0}, {false, 0, 1, 1, 3}, {false, 0, 2, 1, 4}, {false, 0, 3, 1, 1}, {false, 0, 4, 1, 2},
				// another producer interleaved in order is not a reordering
				{false, 0, 5, 2, 0}, {false, 0, 6, 2, 1},
			},
			reord: 2, reordAt: []int64{3, 4},
		},
		{
			name: "redelivery after a rebalance is not a duplicate",
			evs: []ev{
				{true, 0, 0, 1, 0}, {true, 0, 1, 1, 1},
				{false, 0, 0, 1, 0}, {false, 0, 1, 1, 1}, {false, 0, 1, 1, 1}, {false, 0, 0, 1, 0},
			},
			redeliv: 2,
		},
		{
			name: "without acknowledgements gaps count as lost",
			evs: []ev{
				{false, 0, 0, 1, 5}, {false, 0, 1, 1, 6}, {false, 1, 0, 1, 9},
			},
			lost: 2, lostAt: []int64{-1, -1},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			l := New()
			for _, e := range tt.evs {
				if e.ack {
					l.Acked(e.partition, e.offset, e.producer, e.seq)
				} else {
					l.Read(e.partition, e.offset, e.producer, e.seq)
				}
			}
			a := l.Report()
			if a.Lost != tt.lost || a.Duplicated != tt.dup || a.Reordered != tt.reord || a.Redelivered != tt.redeliv {
				t.Fatalf("lost %d dup %d reord %d redelivered %d, want %d %d %d %d", a.Lost, a.Duplicated, a.Reordered, a.Redelivered, tt.lost, tt.dup, tt.reord, tt.redeliv)
			}
			check := func(what string, got []int64, want []int64) {
				t.Helper()
				if len(got) != len(want) {
					t.Fatalf("%s at %v, want %v", what, got, want)
				}
				for i := range got {
					if got[i] != want[i] {
						t.Fatalf("%s at %v, want %v", what, got, want)
					}
				}
			}
			var lo, du, re []int64
			for _, r := range a.LostAt {
				lo = append(lo, r.Offset)
			}
			for _, r := range a.DuplicatedAt {
				du = append(du, r.Offset)
			}
			for _, r := range a.ReorderedAt {
				re = append(re, r.Offset)
			}
			check("lost", lo, tt.lostAt)
			check("duplicated", du, tt.dupAt)
			check("reordered", re, tt.reordAt)
			if a.Clean() != (tt.lost+tt.dup+tt.reord == 0) {
				t.Errorf("Clean() = %v", a.Clean())
			}
		})
	}
}

func TestSamplesAreBounded(t *testing.T) {
	l := New()
	for i := range uint64(100) {
		l.Acked(0, int64(i), 7, i)
	}
	a := l.Report()
	if a.Lost != 100 || len(a.LostAt) != Samples || a.LostAt[0].Offset != 0 || a.LostAt[Samples-1].Offset != Samples-1 {
		t.Fatalf("lost %d, samples %+v", a.Lost, a.LostAt)
	}
}

// TestCraftedRecordsOnEmbeddedBroker writes records with each defect to
// an embedded broker, the way a faulty producer would leave them in the
// log, and audits what a consumer reads back.
func TestCraftedRecordsOnEmbeddedBroker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	c, err := kfake.NewCluster(kfake.NumBrokers(1), kfake.SeedTopics(2, "audit"))
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	cl, err := kgo.NewClient(kgo.SeedBrokers(c.ListenAddrs()...), kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ConsumeTopics("audit"), kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()

	l := New()
	const prodA, prodB = 1 << 16, 2 << 16
	// Partition 0, producer A: seq 0, 1, 1 again (a duplicate), 3, 2 (a
	// reordering); seq 4 is acknowledged but never written (lost).
	// Partition 1, producer B: 0..2 in order.
	writes := []struct {
		partition int32
		producer  uint64
		seq       uint64
	}{{0, prodA, 0}, {0, prodA, 1}, {0, prodA, 1}, {0, prodA, 3}, {0, prodA, 2}, {1, prodB, 0}, {1, prodB, 1}, {1, prodB, 2}}
	for _, w := range writes {
		v := make([]byte, HeaderSize)
		Encode(v, w.producer, w.seq)
		r := &kgo.Record{Topic: "audit", Partition: w.partition, Value: []byte("x"), Headers: []kgo.RecordHeader{{Key: Header, Value: v}}}
		if err := cl.ProduceSync(ctx, r).FirstErr(); err != nil {
			t.Fatal(err)
		}
		// The first copy is the one acknowledged.
		if !(w.producer == prodA && w.seq == 1 && r.Offset == 2) {
			l.Acked(r.Partition, r.Offset, w.producer, w.seq)
		}
	}
	l.Acked(0, 5, prodA, 4)

	ends := map[int32]int64{0: 5, 1: 3}
	for !l.Reached(ends) {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("reading back: %v", err)
		}
		fs.EachRecord(func(r *kgo.Record) { l.ReadRecord(r) })
	}
	a := l.Report()
	if a.Acknowledged != 8 || a.Read != 8 || a.Lost != 1 || a.Duplicated != 1 || a.Reordered != 1 {
		t.Fatalf("audit %+v", a)
	}
	if r := a.LostAt[0]; r.Partition != 0 || r.Seq != 4 || r.Producer != prodA {
		t.Errorf("lost %+v", r)
	}
	if r := a.DuplicatedAt[0]; r.Offset != 2 || *r.FirstOffset != 1 {
		t.Errorf("duplicate %+v", r)
	}
	if r := a.ReorderedAt[0]; r.Offset != 4 || r.Seq != 2 {
		t.Errorf("reordered %+v", r)
	}
}

func TestEncodeDecode(t *testing.T) {
	b := ProducerBase()
	if b&0xffff != 0 {
		t.Fatalf("base %x has low bits set", b)
	}
	v := make([]byte, HeaderSize)
	Encode(v, b+3, 1<<40)
	p, s, ok := Decode(v)
	if !ok || p != b+3 || s != 1<<40 {
		t.Fatalf("decoded %x %d %v", p, s, ok)
	}
	if _, _, ok := Decode(v[:8]); ok {
		t.Fatal("a short value decoded")
	}
}
