package loadgen

import (
	"sync"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/livemetrics"
	"github.com/ktune/ktune/result/hist"
)

// liveSource returns the producer run's live metrics (ProduceConfig.Live),
// read from its own accounting when Prometheus scrapes: under each
// producer's lock, as the interval reporter reads it, so the record path
// counts nothing more.
func (r *produceRun) liveSource(clients []*kgo.Client, began cpuMark) livemetrics.Source {
	var mu sync.Mutex // scrapes may overlap; they share the scratch histograms
	intended, service := hist.New(), hist.New()
	return func() livemetrics.Snapshot {
		mu.Lock()
		defer mu.Unlock()
		intended.Reset()
		service.Reset()
		// ktune's own error classes are served from zero, so a query of
		// failures has a series before the first one.
		s := livemetrics.Snapshot{Failed: map[string]int64{ClassTimeout: 0, ClassRetries: 0, ClassAborted: 0, ClassOther: 0}, Lag: -1}
		for _, ps := range r.states {
			ps.mu.Lock()
			for _, st := range []*stats{&ps.main, &ps.warm} {
				s.AckedBytes += st.bytes
				st.errors.mergeInto(s.Failed)
				intended.Merge(st.intended)
				service.Merge(st.service)
			}
			for _, iv := range []latencies{ps.ivMain, ps.ivWarm} {
				iv.settle()
				intended.Merge(iv.intended)
				service.Merge(iv.service)
			}
			ps.mu.Unlock()
		}
		s.Acked = service.Count()
		for _, cl := range clients {
			s.Buffered += cl.BufferedProduceRecords()
			s.BufferedBytes += cl.BufferedProduceBytes()
		}
		s.UnavailableOpen, s.UnavailableTotal = r.gaps.live(r.clock.Now(), s.Buffered > 0)
		s.Latency = map[string]*hist.Histogram{livemetrics.LatencyService: service, livemetrics.LatencyIntended: intended}
		liveCPU(began, &s)
		return s
	}
}

// liveSource returns the consumer run's live metrics (ConsumeConfig.Live),
// read under each consumer's lock when Prometheus scrapes.
func (r *consumeRun) liveSource(began cpuMark) livemetrics.Source {
	var mu sync.Mutex
	e2e := hist.New()
	return func() livemetrics.Snapshot {
		mu.Lock()
		defer mu.Unlock()
		e2e.Reset()
		var s livemetrics.Snapshot
		for _, cs := range r.states {
			cs.mu.Lock()
			s.Consumed += cs.records
			s.ConsumedBytes += cs.bytes
			e2e.Merge(cs.e2e)
			for _, l := range cs.lag {
				s.Lag += l
			}
			cs.mu.Unlock()
		}
		if e2e.Count() > 0 {
			s.Latency = map[string]*hist.Histogram{livemetrics.LatencyE2E: e2e}
		}
		if a := r.cfg.Audit; a != nil {
			acked, reads := a.Counts()
			s.Audit = map[string]int64{"acknowledged": acked, "read": reads}
		}
		liveCPU(began, &s)
		return s
	}
}

// live returns whether a window without acknowledgements is open at now
// (records are waiting and none was acknowledged for the floor) and how
// many have opened: those that closed at least the floor long, and the
// open one.
func (g *runGaps) live(now int64, waiting bool) (open, total int64) {
	if last := g.lastAck.Load(); waiting && last != noAckYet && now-last >= g.floor {
		open = 1
	}
	g.mu.Lock()
	total = int64(len(g.windows)) + open
	g.mu.Unlock()
	return open, total
}

// liveCPU sets the process's CPU figures since began in s.
func liveCPU(began cpuMark, s *livemetrics.Snapshot) {
	now := markCPU()
	if began.procOK && now.procOK {
		s.CPUSeconds = (now.proc - began.proc).Seconds()
	}
	s.CPUWaitP99Seconds = -1
	if p99, ok := waitQuantile(began.waits, now.waits, 0.99); ok {
		s.CPUWaitP99Seconds = p99
	}
}
