package disrupt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/result"
)

// Phases of a drain: the consumers catch up, then they have.
const (
	phaseCatchUp  = "catch-up"
	phaseCaughtUp = "caught-up"
)

// DrainConfig describes a backlog drain.
type DrainConfig struct {
	// Backlog is the backlog to build before the consumers start, in key
	// plus value bytes.
	Backlog int64
	// MaxWait bounds the drain after the consumers start. Default 2 min.
	MaxWait time.Duration
	// After is how long to keep measuring once caught up. Default 3 s.
	After time.Duration
	// Interval is the sampling interval. Default 1 s.
	Interval time.Duration
	// Workload is the producer (its Rate is kept while draining) and the
	// consumer group that drains.
	Workload   loadgen.E2EConfig
	OnInterval func(result.PhaseInterval)
	Logger     *slog.Logger
}

// defaults fills in what the configuration leaves unset.
func (cfg *DrainConfig) defaults() {
	if cfg.MaxWait <= 0 {
		cfg.MaxWait = 2 * time.Minute
	}
	if cfg.After <= 0 {
		cfg.After = 3 * time.Second
	}
	if cfg.Interval <= 0 {
		cfg.Interval = time.Second
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
}

// Drain builds a backlog of cfg.Backlog bytes with no consumer reading,
// then starts the consumers while the producers keep their rate, and
// measures how fast the lag falls and whether and when the consumers catch
// up.
func Drain(ctx context.Context, conn *cluster.Conn, cfg DrainConfig) (*result.Drain, error) {
	w := cfg.Workload
	if w.Produce.Rate <= 0 {
		return nil, errors.New("drain needs a set rate (--rate) for the producers that keep writing while the consumers drain")
	}
	if err := checkWorkload(w); err != nil {
		return nil, err
	}
	size := int64(w.Produce.Values.Size + w.Produce.Keys.Size)
	if cfg.Backlog < size {
		return nil, fmt.Errorf("--backlog %d: must be at least one record (%d bytes)", cfg.Backlog, size)
	}
	cfg.defaults()
	d := &result.Drain{Header: result.NewHeader(result.KindDrain)}
	ledger := audit.New()

	// The backlog: as fast as the producers go, nobody reading.
	bp := w.Produce
	bp.Rate, bp.Duration, bp.Records = 0, 0, (cfg.Backlog+size-1)/size
	bp.WarmupRecords, bp.WarmupDuration = 0, 0
	bp.Acks, bp.OnInterval = ledger, nil
	bstart := time.Now()
	bdoc, err := loadgen.Produce(ctx, conn, bp)
	if err != nil {
		return nil, fmt.Errorf("building the backlog: %w", err)
	}
	d.BacklogRecords, d.BacklogBytes = bdoc.Metrics.Records, bdoc.Metrics.Bytes
	d.BacklogS = result.Round(time.Since(bstart).Seconds())
	cfg.Logger.Info("backlog built", "records", d.BacklogRecords, "bytes", d.BacklogBytes, "s", d.BacklogS)

	start := time.Now()
	prod, cons := newHistSlot(), newHistSlot()
	stop := make(chan struct{})
	w.Audit = ledger
	w.Produce.Acks, w.Produce.Stop = ledger, stop
	w.Produce.Records, w.Produce.Duration = 0, cfg.MaxWait+cfg.After+time.Minute
	w.Produce.WarmupRecords, w.Produce.WarmupDuration = 0, 0
	w.Produce.IntervalHistograms, w.Consume.IntervalHistograms = true, true
	w.Produce.Interval, w.Consume.Interval = cfg.Interval, cfg.Interval
	w.Produce.OnInterval, w.Consume.OnInterval = prod.add, cons.add
	smp := newSampler(start, cfg.Interval, ledger, prod, cons, tolerance{}, 0)
	smp.phase = phaseCatchUp
	smp.onInterval = cfg.OnInterval
	finished := make(chan e2eResult, 1)
	go func() {
		doc, err := loadgen.E2E(ctx, conn, w)
		finished <- e2eResult{doc, err}
	}()
	go smp.run()

	d.CaughtUpLag = max(1, int64(w.Produce.Rate))
	var res *e2eResult
	runErr := func() error {
		var resume, caught time.Duration = -1, -1
		var deadline <-chan time.Time
		for {
			select {
			case r := <-finished:
				res = &r
				return errors.New("the workload ended before the drain did")
			case <-ctx.Done():
				return ctx.Err()
			case <-deadline:
				if !d.CaughtUp {
					d.StopReason = result.StopMaxWait
				}
				return nil
			case <-smp.ticks:
			}
			lag, first := smp.lag()
			now := time.Since(start)
			if resume < 0 && first >= 0 {
				resume = first
				deadline = time.After(cfg.MaxWait - (now - resume))
				d.ResumeS = secs(resume)
			}
			if resume >= 0 && caught < 0 && lag <= d.CaughtUpLag {
				caught = now
				smp.setPhase(phaseCaughtUp)
				d.CaughtUp = true
				t := secs(caught - resume)
				d.TimeToCatchUpS = &t
				deadline = time.After(cfg.After)
				d.StopReason = result.StopCaughtUp
			}
		}
	}()
	smp.setPhase(phaseDrain)
	close(stop)
	if res == nil {
		r := <-finished
		res = &r
	}
	smp.stop()
	d.Intervals = smp.intervals()
	drainFigures(d, size)
	d.End = time.Now()
	if doc := res.doc; doc != nil {
		fromRun(&d.Setting, doc)
		d.Metrics, d.Audit = doc.Metrics, doc.Audit
		d.Notes = append(d.Notes, doc.Notes...)
	}
	d.Workload = workload(w)
	err = runErr
	if err == nil {
		err = res.err
	}
	switch {
	case err == nil:
		d.Complete = true
	case errors.Is(err, context.Canceled):
		d.StopReason = result.StopInterrupted
		return d, nil
	default:
		d.StopReason, d.Error = result.StopError, err.Error()
	}
	return d, err
}

// drainFigures fills the drain rate from the series: how fast the lag
// fell from the backlog at the resume to the catch-up (or to the end of
// producing when the consumers never caught up).
func drainFigures(d *result.Drain, size int64) {
	var measured []result.PhaseInterval
	for _, iv := range d.Intervals {
		if iv.Phase != phaseDrain {
			measured = append(measured, iv)
		}
	}
	if len(measured) == 0 {
		return
	}
	d.FinalLag = measured[len(measured)-1].Lag
	end := measured[len(measured)-1].T
	if d.TimeToCatchUpS != nil {
		end = d.ResumeS + *d.TimeToCatchUpS
	}
	lagEnd := d.BacklogRecords
	// The consumed rate is the records read over the time the draining
	// intervals span (each interval's rate weighted by its length), not
	// the mean of their rates: an interval a stall stretched counts for
	// its length.
	var consumed, span, prev float64
	for _, iv := range d.Intervals { // back to back, each ending at T
		if draining(d, iv) {
			lagEnd = iv.Lag
			consumed += iv.ConsumedPerSec * (iv.T - prev)
			span += iv.T - prev
		}
		prev = iv.T
	}
	dt := end - d.ResumeS
	if dt <= 0 || span <= 0 {
		return
	}
	fell := d.BacklogRecords - lagEnd
	d.DrainRecordsPerSec = result.Round(float64(fell) / dt)
	d.DrainBytesPerSec = result.Round(float64(fell*size) / dt)
	d.ConsumedPerSec = result.Round(consumed / span)
}

// draining reports whether iv is one of the intervals the drain rate is
// measured over: after the consumers' first record, up to and including
// the one in which the lag fell to CaughtUpLag (the catch-up phase ends
// with it; comparing times instead would lose it to the rounding of
// ResumeS, TimeToCatchUpS and T).
func draining(d *result.Drain, iv result.PhaseInterval) bool {
	return iv.T > d.ResumeS && iv.Phase == phaseCatchUp
}
