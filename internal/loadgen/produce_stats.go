package loadgen

import (
	"math"
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/result/hist"
)

// stats are the counts of one phase (warm-up or measured) of one producer.
// The record count is the service histogram's: every acknowledged record
// is in it once.
type stats struct {
	bytes             int64
	errors            errorCounts
	intended, service *hist.Histogram
	lastAck           int64
}

func (s *stats) records() int64 { return s.service.Count() }

func newStats() stats {
	return stats{errors: errorCounts{}, intended: hist.New(), service: hist.New()}
}

// producerState is one producer client's accounting. kgo runs one client's
// promises one at a time, so the promise side owns gaps (and the pool's
// return side) without a lock; what the interval reporter reads is under
// mu, which only the promise and the reporter's tick take.
type producerState struct {
	pool pendingPool
	ack  ackClock
	// The promise side's: gaps, and the acknowledgement time and partition
	// of the last record it fed gaps with.
	gaps     ackGaps
	seenAt   int64
	seenPart int32

	mu         sync.Mutex
	main, warm stats
	// ivBytes and ivErrors count since the last interval; ivMain and
	// ivWarm hold the latencies since then (their counts are the
	// interval's records). The reporter folds them into main and warm when
	// the interval closes (foldInterval), so each record is recorded once.
	ivBytes        int64
	ivErrors       int64
	ivMain, ivWarm latencies
	firstMain      int64 // Clock ns of the first measured record's intended time
}

// latencies are one phase's latencies since the last interval: intended
// and service latency, and both, the records whose two latencies are one
// (accepted at their intended time, within acceptSlack), recorded once
// instead of twice until settle adds them to the other two.
type latencies struct{ intended, service, both *hist.Histogram }

func newLatencies() latencies { return latencies{hist.New(), hist.New(), hist.New()} }

// settle moves both into intended and service; the caller holds the
// producer's lock. An empty both (as when foldInterval follows
// snapshotInterval) costs nothing.
func (l latencies) settle() {
	if l.both.Count() == 0 {
		return
	}
	l.intended.Merge(l.both)
	l.service.Merge(l.both)
	l.both.Reset()
}

func newProducerState(clock *Clock, topic string, extra []kgo.RecordHeader, gapFloor int64) *producerState {
	ps := &producerState{main: newStats(), warm: newStats(), ivMain: newLatencies(), ivWarm: newLatencies(), firstMain: -1, seenPart: -1}
	ps.pool = pendingPool{topic: topic, extra: extra, ps: ps}
	ps.ack.clock = clock
	ps.gaps.floor = gapFloor
	return ps
}

// measuredStart returns when the measured window began: the end of a
// time-based warm-up, or the first measured record's intended time
// (MaxInt64 while the warm-up goes on).
func (r *produceRun) measuredStart() int64 {
	if r.cfg.WarmupRecords == 0 && r.cfg.WarmupDuration == 0 {
		return r.startNs
	}
	start := int64(-1)
	for _, ps := range r.states {
		ps.mu.Lock()
		if ps.firstMain >= 0 && (start < 0 || ps.firstMain < start) {
			start = ps.firstMain
		}
		ps.mu.Unlock()
	}
	if r.warmEnd > start {
		start = r.warmEnd
	}
	if start < 0 {
		return math.MaxInt64
	}
	return start
}

// snapshotInterval collects and resets every producer's interval counters.
func (r *produceRun) snapshotInterval(h *hist.Histogram) (records, bytes, errs int64) {
	for _, ps := range r.states {
		ps.mu.Lock()
		ps.ivMain.settle()
		ps.ivWarm.settle()
		records += ps.ivMain.service.Count() + ps.ivWarm.service.Count()
		bytes += ps.ivBytes
		errs += ps.ivErrors
		h.Merge(ps.ivMain.intended)
		h.Merge(ps.ivWarm.intended)
		r.ivService.Merge(ps.ivMain.service)
		r.ivService.Merge(ps.ivWarm.service)
		ps.ivBytes, ps.ivErrors = 0, 0
		ps.foldInterval()
		ps.mu.Unlock()
	}
	end := r.clock.Now()
	if r.ivService.Count() > 0 {
		r.serviceP99s = append(r.serviceP99s, intervalP99{from: r.ivEnd, to: end, ms: r.ivService.QuantileMs(0.99)})
	}
	r.ivService.Reset()
	r.ivEnd = end
	return records, bytes, errs
}

// foldInterval moves the interval's latencies into the cumulative
// histograms; the caller holds ps.mu.
func (ps *producerState) foldInterval() {
	for _, f := range []struct {
		st *stats
		iv latencies
	}{{&ps.main, ps.ivMain}, {&ps.warm, ps.ivWarm}} {
		f.iv.settle()
		f.st.intended.Merge(f.iv.intended)
		f.st.service.Merge(f.iv.service)
		f.iv.intended.Reset()
		f.iv.service.Reset()
	}
}

func mergeStats(dst, src *stats) {
	dst.bytes += src.bytes
	for k, v := range src.errors {
		dst.errors[k] += v
	}
	dst.intended.Merge(src.intended)
	dst.service.Merge(src.service)
	if src.lastAck > dst.lastAck {
		dst.lastAck = src.lastAck
	}
}
