package disrupt

import (
	"sync"
	"time"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// deliveryTick is how often the sampler looks for records read: the
// resolution of delivery gaps (rebalance stop times).
const deliveryTick = 10 * time.Millisecond

// sampler turns the run into a time series: every interval it takes the
// records acknowledged and read (from the audit ledger) and the latency
// histograms the load generators reported, and every deliveryTick it
// notes how long no consumer has received a record.
type sampler struct {
	start    time.Time
	interval time.Duration
	ledger   *audit.Ledger
	prod     *histSlot
	cons     *histSlot
	tol      tolerance
	settle   time.Duration

	mu        sync.Mutex
	phase     string
	ivs       []result.PhaseInterval
	base      *result.Baseline
	baseProd  *hist.Histogram
	baseCons  *hist.Histogram
	opEnd     float64 // -1 until the operation ended
	longest   map[string]time.Duration
	lastReads int64
	readAt    time.Duration
	lastIvAt  time.Duration
	lastAcked int64
	lastIvRd  int64
	firstRead time.Duration // when the first record was read, -1 before
	// baseAcked and baseReads are the records acknowledged and read in
	// the baseline's intervals, baseTime the time those intervals span.
	baseAcked, baseReads int64
	baseTime             time.Duration

	onInterval func(result.PhaseInterval)

	ticks chan struct{}
	done  chan struct{}
	ended chan struct{}
}

func newSampler(start time.Time, interval time.Duration, l *audit.Ledger, prod, cons *histSlot, tol tolerance, settle time.Duration) *sampler {
	acked, reads := l.Counts()
	return &sampler{
		lastAcked: acked, lastIvRd: reads,
		start: start, interval: interval, ledger: l, prod: prod, cons: cons, tol: tol, settle: settle,
		phase: phaseWarmup, firstRead: -1, baseProd: hist.New(), baseCons: hist.New(), opEnd: -1,
		longest: map[string]time.Duration{},
		ticks:   make(chan struct{}, 1), done: make(chan struct{}), ended: make(chan struct{}),
	}
}

func (s *sampler) run() {
	defer close(s.ended)
	t := time.NewTicker(deliveryTick)
	defer t.Stop()
	for {
		select {
		case <-s.done:
			return
		case <-t.C:
			s.sample(time.Since(s.start))
		}
	}
}

func (s *sampler) stop() {
	close(s.done)
	<-s.ended
}

func (s *sampler) sample(now time.Duration) {
	acked, reads := s.ledger.Counts()
	s.mu.Lock()
	if reads > 0 && s.firstRead < 0 {
		s.firstRead = now
	}
	if reads != s.lastReads || s.readAt == 0 {
		s.lastReads, s.readAt = reads, now
	} else if gap := now - s.readAt; gap > s.longest[s.phase] {
		s.longest[s.phase] = gap
	}
	closed := now-s.lastIvAt >= s.interval
	var iv result.PhaseInterval
	if closed {
		s.closeInterval(now, acked, reads)
		iv = s.ivs[len(s.ivs)-1]
	}
	s.mu.Unlock()
	if closed {
		if s.onInterval != nil {
			s.onInterval(iv)
		}
		select {
		case s.ticks <- struct{}{}:
		default:
		}
	}
}

// closeInterval appends the interval ending now; the caller holds mu.
func (s *sampler) closeInterval(now time.Duration, acked, reads int64) {
	dt := (now - s.lastIvAt).Seconds()
	ph, ch := s.prod.take(), s.cons.take()
	iv := result.PhaseInterval{
		T: secs(now), Phase: s.phase,
		ProducedPerSec: result.Round(float64(acked-s.lastAcked) / dt),
		ConsumedPerSec: result.Round(float64(reads-s.lastIvRd) / dt),
		Lag:            max(0, acked-reads),
	}
	if ph.Count() > 0 {
		iv.ProducerP50, iv.ProducerP99, iv.ProducerP999 = ph.QuantileMs(0.5), ph.QuantileMs(0.99), ph.QuantileMs(0.999)
	}
	if ch.Count() > 0 {
		iv.ConsumerP50, iv.ConsumerP99, iv.ConsumerP999 = ch.QuantileMs(0.5), ch.QuantileMs(0.99), ch.QuantileMs(0.999)
	}
	switch {
	case s.phase == phaseBaseline:
		s.baseProd.Merge(ph)
		s.baseCons.Merge(ch)
		s.baseAcked += acked - s.lastAcked
		s.baseReads += reads - s.lastIvRd
		s.baseTime += now - s.lastIvAt
		iv.AtBaseline = true
	case s.base != nil:
		prev := result.PhaseInterval{Lag: s.base.MaxLag}
		if n := len(s.ivs); n > 0 {
			prev = s.ivs[n-1]
		}
		iv.AtBaseline = atBaseline(iv, prev, s.base, s.tol)
	}
	s.ivs = append(s.ivs, iv)
	s.lastIvAt, s.lastAcked, s.lastIvRd = now, acked, reads
}

// setPhase starts a phase and returns its start, in seconds.
func (s *sampler) setPhase(p string) float64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.phase = p
	return secs(time.Since(s.start))
}

// fixBaseline ends the baseline phase: the baseline is what the
// intervals of the phase measured. Its rates are the records acknowledged
// and read in those intervals over the time they span, not the mean of
// their rates: an interval a stall stretched counts for its length, and a
// catch-up burst after it for the records it holds.
func (s *sampler) fixBaseline(from, to float64) result.Baseline {
	s.mu.Lock()
	defer s.mu.Unlock()
	b := result.Baseline{StartS: from, EndS: to}
	for _, iv := range s.ivs {
		if iv.Phase == phaseBaseline {
			b.MaxLag = max(b.MaxLag, iv.Lag)
		}
	}
	if dt := s.baseTime.Seconds(); dt > 0 {
		b.ProducedPerSec = result.Round(float64(s.baseAcked) / dt)
		b.ConsumedPerSec = result.Round(float64(s.baseReads) / dt)
	}
	b.Producer, b.Consumer = result.Summarize(s.baseProd), result.Summarize(s.baseCons)
	b.LongestDeliveryGapMs = result.Round(float64(s.longest[phaseBaseline]) / 1e6)
	s.base = &b
	return b
}

// operationEnded notes the end of the operation, in seconds.
func (s *sampler) operationEnded(at float64) {
	s.mu.Lock()
	s.opEnd = at
	s.mu.Unlock()
}

// recovered returns the start of the settled stretch, if the series ends
// in one.
func (s *sampler) recovered() (float64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.opEnd < 0 {
		return 0, false
	}
	i := settled(s.ivs, s.settle, s.opEnd)
	if i < 0 {
		return 0, false
	}
	if i == 0 {
		return 0, true
	}
	return s.ivs[i-1].T, true
}

// deliveryGapAfterBaseline is the longest time no record was read during
// the operation and the recovery.
func (s *sampler) deliveryGapAfterBaseline() time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(s.longest[phaseOperation], s.longest[phaseRecovery])
}

func (s *sampler) intervals() []result.PhaseInterval {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]result.PhaseInterval{}, s.ivs...)
}

// lag returns the records acknowledged but not read, and when the first
// record was read (-1: none yet).
func (s *sampler) lag() (lag int64, firstRead time.Duration) {
	acked, reads := s.ledger.Counts()
	s.mu.Lock()
	defer s.mu.Unlock()
	return max(0, acked-reads), s.firstRead
}
