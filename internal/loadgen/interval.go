package loadgen

import (
	"sync"
	"time"

	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// intervalReporter closes an interval every period: it asks snapshot for the
// counts and latencies since the last one, appends the interval to the
// series and hands it to onInterval.
type intervalReporter struct {
	clock      *Clock
	startNs    int64
	period     time.Duration
	snapshot   func(h *hist.Histogram) (records, bytes, errs int64)
	onInterval func(result.Interval)
	// warmUntil marks intervals that began before it as warm-up.
	warmUntil func() int64
	// keepHDR stores each interval's histogram in the interval.
	keepHDR bool

	mu     sync.Mutex
	series []result.Interval
	lastNs int64
	h      *hist.Histogram
	done   chan struct{}
	exited chan struct{}
}

func newIntervalReporter(c *Clock, startNs int64, period time.Duration, snapshot func(*hist.Histogram) (int64, int64, int64), on func(result.Interval)) *intervalReporter {
	return &intervalReporter{
		clock: c, startNs: startNs, period: period, snapshot: snapshot, onInterval: on,
		lastNs: startNs, h: hist.New(), done: make(chan struct{}), exited: make(chan struct{}),
	}
}

func (ir *intervalReporter) run() {
	defer close(ir.exited)
	t := time.NewTicker(ir.period)
	defer t.Stop()
	for {
		select {
		case <-ir.done:
			ir.close()
			return
		case <-t.C:
			ir.close()
		}
	}
}

// close ends the current interval.
func (ir *intervalReporter) close() {
	ir.mu.Lock()
	defer ir.mu.Unlock()
	now := ir.clock.Now()
	ir.h.Reset()
	records, bytes, errs := ir.snapshot(ir.h)
	secs := float64(now-ir.lastNs) / 1e9
	if secs <= 0 || (records == 0 && errs == 0 && now-ir.lastNs < int64(ir.period)/10) {
		return // a sliver left at the end with nothing in it
	}
	iv := result.Interval{
		T:       result.Round(float64(now-ir.startNs) / 1e9),
		Records: records, Bytes: bytes, Errors: errs,
		RecordsPerSec: result.Round(float64(records) / secs),
		MiBPerSec:     result.Round(float64(bytes) / result.MiB / secs),
	}
	if ir.h.Count() > 0 {
		iv.P50, iv.P99, iv.Max = ir.h.QuantileMs(0.5), ir.h.QuantileMs(0.99), ir.h.MaxMs()
		if ir.keepHDR {
			iv.HDR, _ = ir.h.Encode() // cannot fail: the histogram is valid
		}
	}
	if ir.warmUntil != nil && ir.lastNs < ir.warmUntil() {
		iv.Warmup = true
	}
	ir.lastNs = now
	ir.series = append(ir.series, iv)
	if ir.onInterval != nil {
		ir.onInterval(iv)
	}
}

// stop closes the last interval and ends the reporter.
func (ir *intervalReporter) stop() {
	close(ir.done)
	<-ir.exited
}

func (ir *intervalReporter) intervals() []result.Interval {
	ir.mu.Lock()
	defer ir.mu.Unlock()
	return append([]result.Interval(nil), ir.series...)
}
