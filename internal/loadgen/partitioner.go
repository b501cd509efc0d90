package loadgen

import (
	"context"
	"slices"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// subsetOf confines inner (nil: kgo's default) to parts.
func subsetOf(inner kgo.Partitioner, parts []int32) kgo.Partitioner {
	if inner == nil {
		inner = kgo.UniformBytesPartitioner(64<<10, true, true, nil)
	}
	parts = slices.Clone(parts)
	slices.Sort(parts)
	return subsetPartitioner{inner: inner, parts: slices.Compact(parts)}
}

// waitUntil sleeps until the wall-clock time t (zero: not at all), or
// until ctx ends.
func waitUntil(ctx context.Context, t time.Time) error {
	if t.IsZero() {
		return nil
	}
	d := time.Until(t)
	if d <= 0 {
		return nil
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-timer.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// subsetPartitioner confines a partitioner to some of a topic's partitions:
// the inner partitioner chooses among len(parts) partitions as if the topic
// had only those, so key hashing, stickiness and adaptive partitioning keep
// their behaviour within the subset. Workers of a distributed e2e run use
// it to own disjoint partitions.
type subsetPartitioner struct {
	inner kgo.Partitioner
	parts []int32
}

func (p subsetPartitioner) ForTopic(topic string) kgo.TopicPartitioner {
	tp := p.inner.ForTopic(topic)
	base := subsetTopic{inner: tp, parts: p.parts}
	// kgo behaves differently when a partitioner has OnNewBatch or
	// PartitionByBackup, so the wrapper has exactly the inner's methods.
	_, newBatch := tp.(kgo.TopicPartitionerOnNewBatch)
	b, backup := tp.(kgo.TopicBackupPartitioner)
	switch {
	case backup && newBatch:
		return &subsetBackupNewBatch{subsetBackup{subsetTopic: base, backup: b}}
	case backup:
		return &subsetBackup{subsetTopic: base, backup: b}
	case newBatch:
		return &subsetNewBatch{base}
	}
	return &base
}

type subsetTopic struct {
	inner kgo.TopicPartitioner
	parts []int32
}

func (t *subsetTopic) RequiresConsistency(r *kgo.Record) bool { return t.inner.RequiresConsistency(r) }

// Partition maps the inner choice among the subset back to the topic. A
// topic smaller than the subset (it cannot shrink; only while metadata is
// loading) falls back to the inner choice over all n partitions.
func (t *subsetTopic) Partition(r *kgo.Record, n int) int {
	if int(t.parts[len(t.parts)-1]) >= n {
		return t.inner.Partition(r, n)
	}
	return int(t.parts[t.inner.Partition(r, len(t.parts))])
}

type subsetNewBatch struct{ subsetTopic }

func (t *subsetNewBatch) OnNewBatch() { t.inner.(kgo.TopicPartitionerOnNewBatch).OnNewBatch() }

type subsetBackupNewBatch struct{ subsetBackup }

func (t *subsetBackupNewBatch) OnNewBatch() { t.inner.(kgo.TopicPartitionerOnNewBatch).OnNewBatch() }

// subsetBackup forwards PartitionByBackup with an iterator over the
// subset only.
type subsetBackup struct {
	subsetTopic
	backup kgo.TopicBackupPartitioner
	buf    []int64
}

func (t *subsetBackup) PartitionByBackup(r *kgo.Record, n int, it kgo.TopicBackupIter) int {
	if int(t.parts[len(t.parts)-1]) >= n {
		return t.backup.PartitionByBackup(r, n, it)
	}
	if cap(t.buf) < n {
		t.buf = make([]int64, n)
	}
	buffered := t.buf[:n]
	for it.Rem() > 0 {
		i, b := it.Next()
		buffered[i] = b
	}
	sub := &subsetIter{parts: t.parts, buffered: buffered}
	return int(t.parts[t.backup.PartitionByBackup(r, len(t.parts), sub)])
}

type subsetIter struct {
	parts    []int32
	buffered []int64
	next     int
}

func (s *subsetIter) Next() (int, int64) {
	i := s.next
	s.next++
	return i, s.buffered[s.parts[i]]
}

func (s *subsetIter) Rem() int { return len(s.parts) - s.next }
