package loadgen

import (
	"context"
	"errors"

	"github.com/ktune/ktune/result"
)

// verdict fills the stop reason and completeness from the cause.
func (r *produceRun) verdict(doc *result.Document, cause error) error {
	switch {
	case cause == nil:
		doc.Complete = true
		if r.cfg.Records > 0 && doc.Metrics.Records+doc.Metrics.ErrorsTotal >= r.cfg.Records {
			doc.StopReason = result.StopRecords
		} else {
			doc.StopReason = result.StopDuration
		}
		return nil
	case errors.Is(cause, context.Canceled) && !errors.Is(cause, errMaxErrors):
		doc.StopReason = result.StopInterrupted
		return nil
	case errors.Is(cause, context.DeadlineExceeded):
		doc.StopReason = result.StopTimeout
		doc.Error = "the run hit its --timeout"
		return errors.New("the run hit its --timeout before finishing")
	case errors.Is(cause, errClusterUnreachable):
		doc.StopReason = result.StopClusterUnreachable
		doc.Error = cause.Error()
		return cause
	case errors.Is(cause, errMaxErrors):
		doc.StopReason = result.StopMaxErrors
		doc.Error = cause.Error()
		return cause
	default:
		doc.StopReason = result.StopError
		doc.Error = shortErr(cause)
		return cause
	}
}

// finish merges the producers' accounting into doc.
func (r *produceRun) finish(doc *result.Document, intervals []result.Interval) error {
	main, warm := newStats(), newStats()
	measuredStart := int64(-1)
	for _, ps := range r.states {
		ps.mu.Lock()
		ps.foldInterval()
		mergeStats(&main, &ps.main)
		mergeStats(&warm, &ps.warm)
		if ps.firstMain >= 0 && (measuredStart < 0 || ps.firstMain < measuredStart) {
			measuredStart = ps.firstMain
		}
		ps.mu.Unlock()
	}
	if r.warmEnd > 0 && measuredStart < r.warmEnd {
		measuredStart = r.warmEnd
	}
	if measuredStart < 0 {
		measuredStart = r.startNs
	}
	m, err := statsMetrics(&main, measuredStart, main.lastAck)
	if err != nil {
		return err
	}
	m.IntervalLatency = result.LatencyIntended
	m.Intervals = intervals
	m.Producer = r.producerStats(main.records() + warm.records())
	m.Producer.Unavailability = r.unavailability(main.service, measuredStart)
	doc.Metrics = m
	if warm.records()+total(warm.errors) > 0 {
		w, err := statsMetrics(&warm, r.startNs, warm.lastAck)
		if err != nil {
			return err
		}
		doc.Warmup = &w
	}
	return nil
}

func (r *produceRun) producerStats(records int64) *result.Producer {
	p := &result.Producer{
		Batches:           r.batches.batches.Load(),
		UncompressedBytes: r.batches.uncompressed.Load(),
		CompressedBytes:   r.batches.compressed.Load(),
	}
	p.Derive(float64(records))
	for _, ps := range r.states {
		if l := ps.gaps.longest; l.len() > 0 && result.Round(float64(l.len())/1e6) > p.LongestPartitionAckGapMs {
			p.LongestPartitionAckGapMs = result.Round(float64(l.len()) / 1e6)
			p.PartitionAckGapStartS = result.Round(float64(l.from-r.startNs) / 1e9)
			p.PartitionAckGapPartition = l.part
		}
	}
	if l := r.gaps.longestW; l.len() > 0 {
		p.LongestAckGapMs = result.Round(float64(l.len()) / 1e6)
		p.AckGapStartS = result.Round(float64(l.from-r.startNs) / 1e9)
	}
	return p
}

// statsMetrics turns merged stats into result metrics over [from, to].
func statsMetrics(s *stats, from, to int64) (result.Metrics, error) {
	m := result.Metrics{Records: s.records(), Bytes: s.bytes}
	m.Errors = s.errors.mergeInto(nil)
	m.ErrorsTotal = total(m.Errors)
	if to > from {
		m.ElapsedS = result.Round(float64(to-from) / 1e9)
	}
	m.SetRates()
	if m.Records > 0 {
		if err := m.SetLatency(result.LatencyIntended, s.intended); err != nil {
			return m, err
		}
		if err := m.SetLatency(result.LatencyService, s.service); err != nil {
			return m, err
		}
	}
	return m, nil
}
