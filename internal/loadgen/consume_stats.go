package loadgen

import (
	"math"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/ktune/ktune/result/hist"
)

// consumerState is one consumer client's accounting, guarded by mu because
// the interval reporter reads it concurrently.
type consumerState struct {
	mu             sync.Mutex
	records, bytes int64
	polls          int64
	e2e            *hist.Histogram
	ivRecords      int64
	ivBytes        int64
	ivHist         *hist.Histogram
	first, last    int64
	assignedAt     int64
	rebalances     int64
	// lag is each partition's records after the last one fetched, as of
	// its last fetch (live metrics).
	lag     map[int32]int64
	created int64
	fatal   error
	// fetched is when the first fetch response came, -1 before: with
	// Assign, the start of the idle time. Atomic: the fetch hook sets it
	// for every response, without taking mu.
	fetched atomic.Int64
}

// account counts the first take records of fs.
func (r *consumeRun) account(cs *consumerState, fs kgo.Fetches, take int64, now int64) {
	var warmBefore int64 = math.MinInt64
	if r.warmBefore != nil {
		warmBefore = r.warmBefore.Load()
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.polls++
	cs.noteLag(fs)
	if take > 0 && cs.first < 0 {
		cs.first = now
	}
	if take > 0 {
		cs.last = now
	}
	it := fs.RecordIter()
	for i := int64(0); i < take && !it.Done(); i++ {
		rec := it.Next()
		if r.cfg.Audit != nil {
			r.cfg.Audit.ReadRecord(rec)
		}
		size := int64(len(rec.Key) + len(rec.Value))
		ts, ok := intendedOf(rec)
		if ok && ts < warmBefore {
			continue // an e2e warm-up record
		}
		cs.records++
		cs.bytes += size
		cs.ivRecords++
		cs.ivBytes += size
		if ok {
			lat := time.Duration(now - ts)
			cs.e2e.Record(lat)
			cs.ivHist.Record(lat)
		}
	}
}

// noteLag keeps each fetched partition's lag: its high watermark less the
// offset after its last record fetched. The caller holds cs.mu.
func (cs *consumerState) noteLag(fs kgo.Fetches) {
	fs.EachPartition(func(p kgo.FetchTopicPartition) {
		if n := len(p.Records); n > 0 {
			if cs.lag == nil {
				cs.lag = map[int32]int64{}
			}
			cs.lag[p.Partition] = max(0, p.HighWatermark-p.Records[n-1].Offset-1)
		}
	})
}

func (r *consumeRun) snapshotInterval(h *hist.Histogram) (records, bytes, errs int64) {
	for _, cs := range r.states {
		cs.mu.Lock()
		records += cs.ivRecords
		bytes += cs.ivBytes
		h.Merge(cs.ivHist)
		cs.ivRecords, cs.ivBytes = 0, 0
		cs.ivHist.Reset()
		cs.mu.Unlock()
	}
	return records, bytes, 0
}

// firstFetch notes when a consumer's first fetch response was read: a
// directly assigned consumer has its partitions from then on (kgo found
// their leaders and listed their offsets before it fetched), so its idle
// time counts from there.
type firstFetch struct {
	clock *Clock
	cs    *consumerState
}

func (h firstFetch) OnBrokerRead(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if key != kmsg.Fetch.Int16() || err != nil || h.cs.fetched.Load() >= 0 {
		return
	}
	h.cs.fetched.CompareAndSwap(-1, h.clock.Now())
}

// fetchHook counts fetched batches and their sizes.
type fetchHook struct{ r *consumeRun }

func (h fetchHook) OnFetchBatchRead(_ kgo.BrokerMetadata, _ string, _ int32, m kgo.FetchBatchMetrics) {
	h.r.batches.Add(1)
	h.r.batchRecords.Add(int64(m.NumRecords))
	h.r.compressed.Add(int64(m.CompressedBytes))
	h.r.uncompressed.Add(int64(m.UncompressedBytes))
}
