package disrupt

import (
	"math"
	"sync"
	"time"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// Phases of a disruption run.
const (
	phaseWarmup    = "warmup"
	phaseBaseline  = "baseline"
	phaseOperation = "operation"
	phaseRecovery  = "recovery"
	// phaseDrain follows the end of sending: the consumers read the rest.
	phaseDrain = "drain"
)

// ackTracker receives every acknowledgement: it passes it to the audit and
// notes per partition the stretches without one (unavailability windows).
type ackTracker struct {
	ledger *audit.Ledger
	start  time.Time
	minGap time.Duration

	mu      sync.Mutex
	last    map[int32]time.Duration
	windows []result.Window
	first   time.Duration // the first acknowledgement, -1 before
}

func newAckTracker(l *audit.Ledger, start time.Time, minGap time.Duration) *ackTracker {
	return &ackTracker{ledger: l, start: start, minGap: minGap, last: map[int32]time.Duration{}, first: -1}
}

func (t *ackTracker) Acked(partition int32, offset int64, producer, seq uint64) {
	t.ledger.Acked(partition, offset, producer, seq)
	now := time.Since(t.start)
	t.mu.Lock()
	if last, ok := t.last[partition]; ok && now-last >= t.minGap {
		t.windows = append(t.windows, window(partition, last, now, false))
	}
	t.last[partition] = now
	if t.first < 0 {
		t.first = now
	}
	t.mu.Unlock()
}

// started returns when the first record was acknowledged, and whether one
// was.
func (t *ackTracker) started() (time.Duration, bool) {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.first, t.first >= 0
}

// finish returns the windows, closing as open those of partitions that had
// no acknowledgement for minGap before sending stopped at end.
func (t *ackTracker) finish(end time.Duration) []result.Window {
	t.mu.Lock()
	defer t.mu.Unlock()
	ws := append([]result.Window{}, t.windows...)
	for p, last := range t.last {
		if end-last >= t.minGap {
			ws = append(ws, window(p, last, end, true))
		}
	}
	sortWindows(ws)
	return ws
}

func window(p int32, from, to time.Duration, open bool) result.Window {
	return result.Window{Partition: p, StartS: secs(from), EndS: secs(to), DurationMs: result.Round(float64(to-from) / 1e6), Open: open}
}

func sortWindows(ws []result.Window) {
	for i := 1; i < len(ws); i++ {
		for j := i; j > 0 && (ws[j].StartS < ws[j-1].StartS || ws[j].StartS == ws[j-1].StartS && ws[j].Partition < ws[j-1].Partition); j-- {
			ws[j], ws[j-1] = ws[j-1], ws[j]
		}
	}
}

func secs(d time.Duration) float64 { return result.Round(d.Seconds()) }

// histSlot collects the interval histograms a load generator reports
// until the sampler takes them.
type histSlot struct {
	mu sync.Mutex
	h  *hist.Histogram
}

func newHistSlot() *histSlot { return &histSlot{h: hist.New()} }

// add merges an interval's histogram (its HDR field).
func (s *histSlot) add(iv result.Interval) {
	if iv.HDR == "" {
		return
	}
	h, err := hist.Decode(iv.HDR)
	if err != nil {
		return
	}
	s.mu.Lock()
	s.h.Merge(h)
	s.mu.Unlock()
}

// take returns what was collected and starts afresh.
func (s *histSlot) take() *hist.Histogram {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.h
	s.h = hist.New()
	return h
}

// tolerance is how far from the baseline an interval may be and still
// count as back to it.
type tolerance struct {
	// P99Ratio: p99 within this factor of the baseline's (1.1: 10%).
	P99Ratio float64
	// P99Floor: differences below this are noise whatever the ratio.
	P99Floor float64
}

// atBaseline reports whether iv is back to base: producer and consumer
// p99 within the tolerance (an interval without consumer records counts
// as out of it while there is lag), and the lag not growing.
func atBaseline(iv, prev result.PhaseInterval, base *result.Baseline, tol tolerance) bool {
	within := func(v, b float64) bool { return v <= math.Max(b*tol.P99Ratio, b+tol.P99Floor) }
	if iv.ProducedPerSec > 0 && !within(iv.ProducerP99, base.Producer.P99) {
		return false
	}
	if iv.ConsumedPerSec == 0 && iv.Lag > base.MaxLag {
		return false
	}
	if iv.ConsumerP99 > 0 && !within(iv.ConsumerP99, base.Consumer.P99) {
		return false
	}
	// No lag growth: at most the baseline's own swing above the previous
	// sample or the baseline's largest lag.
	allowed := max(prev.Lag, base.MaxLag) + base.MaxLag/10 + 1
	return iv.Lag <= allowed
}

// settled returns the index of the first interval of the stretch of
// at-baseline intervals that ends the series, lasts at least settle and
// ends after opEnd; -1 if there is none.
func settled(ivs []result.PhaseInterval, settle time.Duration, opEnd float64) int {
	n := len(ivs)
	if n == 0 || !ivs[n-1].AtBaseline || ivs[n-1].T < opEnd {
		return -1
	}
	i := n - 1
	for i > 0 && ivs[i-1].AtBaseline {
		i--
	}
	start := 0.0
	if i > 0 {
		start = ivs[i-1].T
	}
	if ivs[n-1].T-start < settle.Seconds() {
		return -1
	}
	return i
}
