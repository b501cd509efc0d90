package loadgen

import (
	"cmp"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// minUnavailable is the shortest default threshold of an unavailability
// window: max(minUnavailable, unavailableP99s x the run's p99 service
// latency).
const (
	minUnavailable  = 500 * time.Millisecond
	unavailableP99s = 10
	allPartitions   = result.AllPartitions
	noAckYet        = 0 // ackGaps.last of a partition before its first ack
)

// window is a time in which a partition (or the whole producer, part
// allPartitions) had a record waiting and no acknowledgement: Clock ns.
type window struct {
	part     int32
	from, to int64
}

func (w window) len() int64 { return w.to - w.from }

// ackGaps finds one producer client's unavailability windows per
// partition. It is fed at the first record of each acknowledged run
// (ackRun), so its cost is per batch, not per record; the promise side owns
// it and finish reads it after the client flushed.
//
// A partition's gap ends at an acknowledgement and starts at the later of
// the partition's previous acknowledgement and the moment the acknowledged
// record was accepted: the record waited all that time and the partition
// acknowledged nothing, so a partition that merely got no records (the
// sticky partitioner at a low rate) has no gap. A partition's first
// acknowledgement of the run opens no gap: getting leaders, a producer id
// and connections is start-up, not unavailability.
type ackGaps struct {
	floor   int64   // candidates at least this long are kept (ns)
	last    []int64 // per partition: last acknowledgement, noAckYet before the first
	windows []window
	longest window
	// started is the latest first acknowledgement of a partition: the end
	// of the client's start-up.
	started int64
}

// observe accounts an acknowledgement at now of a record of partition part
// accepted at accepted.
func (g *ackGaps) observe(part int32, now, accepted int64) {
	if part < 0 {
		return
	}
	if int(part) >= len(g.last) {
		g.last = append(g.last, make([]int64, int(part)+1-len(g.last))...)
	}
	last := g.last[part]
	g.last[part] = now
	if last == noAckYet {
		g.started = max(g.started, now)
		return
	}
	w := window{part: part, from: max(last, accepted), to: now}
	if w.len() > g.longest.len() {
		g.longest = w
	}
	if w.len() >= g.floor {
		g.windows = append(g.windows, w)
	}
}

// runGaps finds the whole producer's windows, in which no client got any
// acknowledgement; every client's promise side feeds it once per
// acknowledged run.
type runGaps struct {
	floor   int64
	lastAck atomic.Int64
	longest atomic.Int64 // length of mu's longest, read without the lock

	mu       sync.Mutex
	windows  []window
	longestW window
}

func (g *runGaps) observe(now, accepted int64) {
	prev := g.lastAck.Swap(now)
	if prev == noAckYet {
		return
	}
	w := window{part: allPartitions, from: max(prev, accepted), to: now}
	if w.len() <= g.longest.Load() && w.len() < g.floor {
		return
	}
	g.mu.Lock()
	if w.len() > g.longestW.len() {
		g.longestW = w
		g.longest.Store(w.len())
	}
	if w.len() >= g.floor {
		g.windows = append(g.windows, w)
	}
	g.mu.Unlock()
}

// unavailability lists the windows of at least threshold ns: the whole
// producer's and each partition's (the union over clients), in order of
// start, relative to startNs, with measuredStart marking warm-up windows.
func unavailability(threshold, startNs, measuredStart int64, whole []window, perClient [][]window) *result.Unavailability {
	var parts []window
	for _, ws := range perClient {
		parts = append(parts, ws...)
	}
	all := append(unionByPartition(parts), whole...)
	u := &result.Unavailability{ThresholdMs: result.Round(float64(threshold) / 1e6), Windows: []result.UnavailableWindow{}}
	for _, w := range all {
		if w.len() < threshold {
			continue
		}
		uw := result.UnavailableWindow{
			Partition: w.part,
			StartS:    result.Round(float64(w.from-startNs) / 1e9),
			LengthMs:  result.Round(float64(w.len()) / 1e6),
			Warmup:    w.from < measuredStart,
		}
		u.Windows = append(u.Windows, uw)
		if u.Longest == nil || uw.LengthMs > u.Longest.LengthMs {
			l := uw
			u.Longest = &l
		}
	}
	slices.SortStableFunc(u.Windows, func(a, b result.UnavailableWindow) int {
		return cmp.Or(cmp.Compare(a.StartS, b.StartS), cmp.Compare(a.Partition, b.Partition))
	})
	return u
}

// unionByPartition merges the overlapping windows of each partition that
// several clients producing to it saw: a partition's window is a time in
// which some client waited on it and got nothing back from it.
func unionByPartition(ws []window) []window {
	slices.SortFunc(ws, func(a, b window) int {
		return cmp.Or(cmp.Compare(a.part, b.part), cmp.Compare(a.from, b.from))
	})
	var out []window
	for _, w := range ws {
		if n := len(out); n > 0 && out[n-1].part == w.part && w.from <= out[n-1].to {
			out[n-1].to = max(out[n-1].to, w.to)
			continue
		}
		out = append(out, w)
	}
	return out
}

// gapFloor is the shortest gap kept while the run goes on: the threshold
// when it is set, else the smallest the default threshold can be.
func (r *produceRun) gapFloor() int64 {
	if t := r.cfg.UnavailableAfter; t > 0 {
		return int64(t)
	}
	return int64(minUnavailable)
}

// unavailability lists the run's unavailability windows at the run's
// threshold (ProduceConfig.UnavailableAfter, by default the larger of
// minUnavailable and unavailableP99s times the run's p99 service latency).
// It reads the promise sides' state and the reporter's: call it after every
// client flushed and the reporter stopped.
func (r *produceRun) unavailability(service *hist.Histogram, measuredStart int64) *result.Unavailability {
	perClient := make([][]window, len(r.states))
	var all []window
	var started int64
	for i, ps := range r.states {
		perClient[i] = ps.gaps.windows
		all = append(all, ps.gaps.windows...)
		started = max(started, ps.gaps.started)
	}
	r.gaps.mu.Lock()
	defer r.gaps.mu.Unlock()
	all = append(all, r.gaps.windows...)
	threshold := r.gapFloor()
	if r.cfg.UnavailableAfter == 0 {
		threshold = max(threshold, int64(unavailableP99s*r.usualP99(service, started, all)*1e6))
	}
	u := unavailability(threshold, r.startNs, measuredStart, r.gaps.windows, perClient)
	if r.outageFrom > 0 {
		u.AddOpen(result.UnavailableWindow{
			Partition: allPartitions,
			StartS:    result.Round(float64(r.outageFrom-r.startNs) / 1e9),
			LengthMs:  result.Round(float64(r.outageTo-r.outageFrom) / 1e6),
			Warmup:    r.outageFrom < measuredStart,
		})
	}
	return u
}

// intervalP99 is one interval's service p99 (ms), over [from, to] Clock ns.
type intervalP99 struct {
	from, to int64
	ms       float64
}

// usualP99 is the run's p99 service latency outside its outages and its
// start-up (ms): the lowest p99 of the intervals that begin after every
// partition's first acknowledgement (started) and overlap no candidate
// window. The records that waited through an outage, or for the client to
// get going, are the run's slowest, and they are acknowledged together and
// drain for a while after: counted in, they raise the threshold until it
// no longer lists the outage they waited through (a median of interval
// p99s still did, on a busy machine, when the backlog after a 9 s outage
// filled the few intervals left). The lowest is what the run achieves
// when nothing is in the way; minUnavailable keeps the threshold clear of
// ordinary jitter. Failing such intervals, those that only overlap no
// window; failing those, every interval; without intervals, the whole
// run's p99.
func (r *produceRun) usualP99(service *hist.Histogram, started int64, candidates []window) float64 {
	var calm, steady, all []float64
	for _, iv := range r.serviceP99s {
		all = append(all, iv.ms)
		if slices.ContainsFunc(candidates, func(w window) bool { return w.from <= iv.to && w.to >= iv.from }) {
			continue
		}
		calm = append(calm, iv.ms)
		if iv.from >= started {
			steady = append(steady, iv.ms)
		}
	}
	for _, ps := range [][]float64{steady, calm, all} {
		if len(ps) > 0 {
			return slices.Min(ps)
		}
	}
	if service.Count() > 0 {
		return service.QuantileMs(0.99)
	}
	return 0
}
