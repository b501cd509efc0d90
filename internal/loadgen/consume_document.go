package loadgen

import (
	"context"
	"errors"
	"fmt"

	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

func (r *consumeRun) fillDocument(doc *result.Document) {
	doc.Workload = r.cfg.Workload()
	doc.Config.Consumer = r.cfg.Client.Effective()
	doc.Config.ClientLine = int(r.cfg.Client.Line())
	doc.Config.Notes = append(doc.Config.Notes, r.cfg.Client.Notes()...)
}

// consumerMetrics merges the consumers' accounting.
func (r *consumeRun) consumerMetrics() (result.Metrics, *result.Consumer, error) {
	var m result.Metrics
	c := &result.Consumer{}
	e2e := hist.New()
	first, last, joined := int64(-1), int64(-1), int64(-1)
	for _, cs := range r.states {
		cs.mu.Lock()
		m.Records += cs.records
		m.Bytes += cs.bytes
		c.Polls += cs.polls
		c.Rebalances += cs.rebalances
		e2e.Merge(cs.e2e)
		if cs.first >= 0 && (first < 0 || cs.first < first) {
			first = cs.first
		}
		if cs.last > last {
			last = cs.last
		}
		if cs.assignedAt >= 0 && cs.assignedAt-cs.created > joined {
			joined = cs.assignedAt - cs.created
		}
		cs.mu.Unlock()
	}
	if first >= 0 && last > first {
		m.ElapsedS = result.Round(float64(last-first) / 1e9)
	}
	m.SetRates()
	if e2e.Count() > 0 {
		if err := m.SetLatency(result.LatencyE2E, e2e); err != nil {
			return m, nil, err
		}
	}
	c.Records, c.Bytes, c.RecordsPerSec, c.MiBPerSec = m.Records, m.Bytes, m.RecordsPerSec, m.MiBPerSec
	if first >= 0 {
		c.TimeToFirstRecordMs = result.Round(float64(first-r.startNs) / 1e6)
	}
	if joined >= 0 {
		c.GroupJoinMs = result.Round(float64(joined) / 1e6)
	}
	if c.Polls > 0 {
		c.AvgRecordsPerPoll = result.Round(float64(m.Records) / float64(c.Polls))
	}
	c.Batches = r.batches.Load()
	if c.Batches > 0 {
		c.AvgBatchRecords = result.Round(float64(r.batchRecords.Load()) / float64(c.Batches))
	}
	c.CompressedBytes = r.compressed.Load()
	c.UncompressedBytes = r.uncompressed.Load()
	return m, c, nil
}

// finish fills doc's metrics (consume) or its consumer section (e2e).
func (r *consumeRun) finish(doc *result.Document, e2e bool) error {
	m, c, err := r.consumerMetrics()
	if err != nil {
		return err
	}
	if r.reach != nil {
		r.reach.report(c, r.startNs, r.clock.Now())
	}
	if e2e {
		doc.Metrics.Consumer = c
		if s, ok := m.Latency[result.LatencyE2E]; ok {
			if doc.Metrics.Latency == nil {
				doc.Metrics.Latency, doc.Metrics.HDR = map[string]result.Latency{}, map[string]string{}
			}
			doc.Metrics.Latency[result.LatencyE2E] = s
			doc.Metrics.HDR[result.LatencyE2E] = m.HDR[result.LatencyE2E]
		}
		return nil
	}
	m.Consumer = c
	m.Errors, m.ErrorsTotal = c.Errors, total(c.Errors)
	m.IntervalLatency = result.LatencyE2E
	doc.Metrics = m
	return nil
}

func (r *consumeRun) verdict(doc *result.Document, ctx context.Context, cause error) error {
	switch {
	case errors.Is(cause, errClusterUnreachable):
		doc.StopReason, doc.Error = result.StopClusterUnreachable, cause.Error()
		return cause
	case errors.Is(cause, errTarget):
		doc.Complete, doc.StopReason = true, result.StopRecords
	case errors.Is(cause, errDuration):
		doc.Complete, doc.StopReason = true, result.StopDuration
	case errors.Is(cause, errIdle):
		// Idle ends a run normally unless a record count was asked for and
		// not reached.
		doc.StopReason = result.StopIdle
		doc.Complete = r.cfg.Records == 0
		if !doc.Complete {
			doc.Error = fmt.Sprintf("no record arrived for %s; got %d of %d", r.cfg.IdleTimeout, doc.Metrics.Records, r.cfg.Records)
			return errors.New(doc.Error)
		}
	case ctx.Err() != nil && errors.Is(ctx.Err(), context.DeadlineExceeded):
		doc.StopReason, doc.Error = result.StopTimeout, "the run hit its --timeout"
		return errors.New("the run hit its --timeout before finishing")
	case ctx.Err() != nil:
		doc.StopReason = result.StopInterrupted
	case cause == nil:
		doc.Complete, doc.StopReason = true, result.StopRecords
	default:
		doc.StopReason, doc.Error = result.StopError, shortErr(cause)
		return cause
	}
	return nil
}
