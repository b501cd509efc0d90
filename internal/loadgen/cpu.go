package loadgen

import (
	"math"
	"runtime/metrics"
	"sync"
	"time"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/result"
)

// cpuMark is the process's and the host's CPU counters at one moment.
type cpuMark struct {
	proc      time.Duration
	procOK    bool
	busy, all float64 // host CPU seconds, every core
	hostOK    bool
	// waits is the process's goroutine scheduling latencies so far.
	waits *metrics.Float64Histogram
}

// schedLatencies is the runtime metric of how long goroutines waited,
// runnable, before they ran.
const schedLatencies = "/sched/latencies:seconds"

func markCPU() cpuMark {
	var m cpuMark
	m.proc, m.procOK = processCPU()
	s := []metrics.Sample{{Name: schedLatencies}}
	if metrics.Read(s); s[0].Value.Kind() == metrics.KindFloat64Histogram {
		m.waits = s[0].Value.Float64Histogram()
	}
	if t, err := cpu.Times(false); err == nil && len(t) == 1 {
		idle := t[0].Idle + t[0].Iowait
		m.all = t[0].User + t[0].System + t[0].Nice + t[0].Irq + t[0].Softirq + t[0].Steal + idle
		m.busy = m.all - idle
		m.hostOK = true
	}
	return m
}

// setClientCPU records in m the CPU used between two marks: the process's
// own (client_cpu_s, per GiB), how long its goroutines waited for a CPU
// and the host's busy share.
func setClientCPU(m *result.Metrics, from, to cpuMark) {
	if from.procOK && to.procOK {
		m.SetClientCPU((to.proc - from.proc).Seconds())
	}
	if p99, ok := waitQuantile(from.waits, to.waits, 0.99); ok {
		m.ClientCPUWaitP99Ms = result.Round(p99 * 1e3)
	}
	if from.hostOK && to.hostOK && to.all > from.all {
		m.HostCPUBusy = result.Round(math.Min(1, math.Max(0, (to.busy-from.busy)/(to.all-from.all))))
	}
}

// waitQuantile is the q quantile, in seconds, of the scheduling latencies
// recorded between two reads of the runtime's histogram: the lower bound
// of the bucket it falls in. False when nothing was recorded.
func waitQuantile(from, to *metrics.Float64Histogram, q float64) (float64, bool) {
	if from == nil || to == nil || len(from.Counts) != len(to.Counts) {
		return 0, false
	}
	var n uint64
	for i, c := range to.Counts {
		n += c - from.Counts[i]
	}
	if n == 0 {
		return 0, false
	}
	rank := uint64(math.Ceil(q * float64(n)))
	var seen uint64
	for i, c := range to.Counts {
		if seen += c - from.Counts[i]; seen >= rank {
			return math.Max(0, to.Buckets[i]), true
		}
	}
	return 0, false
}

// windowWatch follows a produce run from outside the per-record path: it
// marks the CPU counters when the measured window begins (the end of the
// warm-up) and samples how full the producers' buffers are.
type windowWatch struct {
	start, measured, end cpuMark
	stop                 chan struct{}
	done                 sync.WaitGroup

	samples, full int64
}

// watchInterval is how often the watch looks; it never touches records.
const watchInterval = 10 * time.Millisecond

// watchWindow starts watching r's clients from now.
func watchWindow(r *produceRun, clients []*kgo.Client) *windowWatch {
	w := &windowWatch{start: markCPU(), stop: make(chan struct{})}
	w.measured = w.start
	limit := int64(r.cfg.Client.BufferMemory())
	// Full: no room left for another record of the largest size.
	fullAt := limit - int64(max(r.maxRec, 1))
	if limit > 0 {
		fullAt = max(fullAt, limit*9/10)
	}
	started := r.measuredStart() != math.MaxInt64
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		t := time.NewTicker(watchInterval)
		defer t.Stop()
		for {
			select {
			case <-w.stop:
				return
			case <-t.C:
			}
			if !started {
				if r.measuredStart() == math.MaxInt64 {
					continue
				}
				started, w.measured = true, markCPU()
			}
			if limit <= 0 {
				continue
			}
			for _, cl := range clients {
				w.samples++
				if cl.BufferedProduceBytes() >= fullAt {
					w.full++
				}
			}
		}
	}()
	return w
}

// close ends the watch, marking the end of the run.
func (w *windowWatch) close() {
	close(w.stop)
	w.done.Wait()
	w.end = markCPU()
}

// record writes what the watch saw into doc.
func (w *windowWatch) record(doc *result.Document) {
	setClientCPU(&doc.Metrics, w.measured, w.end)
	if doc.Warmup != nil {
		setClientCPU(doc.Warmup, w.start, w.measured)
	}
	if doc.Metrics.Producer != nil && w.samples > 0 {
		doc.Metrics.Producer.BufferFullFraction = result.Round(float64(w.full) / float64(w.samples))
	}
}
