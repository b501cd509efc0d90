package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"sync/atomic"
	"time"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/result"
)

// E2EConfig describes an end-to-end latency test: a producer at a set rate
// and a consumer group reading the same topic in the same process, so send
// and receipt times come from one clock and no skew enters the latency.
type E2EConfig struct {
	Produce ProduceConfig
	Consume ConsumeConfig
	// JoinTimeout bounds the wait for the group to own every partition
	// before producing starts. Default 60 s.
	JoinTimeout time.Duration
	// DrainTimeout bounds the wait for the last records after producing
	// ends. Default 30 s.
	DrainTimeout time.Duration
	// Audit, if set, audits delivery (--verify): the producers stamp and
	// report every record (to Produce.Acks, which defaults to Audit), the
	// consumers read every partition to its end and the document gets
	// the audit.
	Audit *audit.Ledger
}

// E2E runs an end-to-end test. The document's metrics are the producer's,
// with LatencyE2E added and the consumer's statistics in Metrics.Consumer.
func E2E(ctx context.Context, conn *cluster.Conn, cfg E2EConfig) (*result.Document, error) {
	if cfg.Produce.Producers == 0 {
		cfg.Produce.Producers = 1
	}
	if cfg.Consume.Consumers == 0 {
		cfg.Consume.Consumers = 1
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.JoinTimeout <= 0 {
		cfg.JoinTimeout = 60 * time.Second
	}
	if cfg.DrainTimeout <= 0 {
		cfg.DrainTimeout = 30 * time.Second
	}
	clock := NewClock()
	cfg.Produce.Clock, cfg.Consume.Clock = clock, clock
	cfg.Consume.Topic = cfg.Produce.Topic
	if cfg.Audit != nil {
		cfg.Consume.Audit = cfg.Audit
		if cfg.Produce.Acks == nil {
			cfg.Produce.Acks = cfg.Audit
		}
	}
	cfg.Consume.From = "earliest"
	if cfg.Consume.IdleTimeout <= 0 {
		cfg.Consume.IdleTimeout = cfg.DrainTimeout
	}
	// The producers run on the caller's context; the consumers on their
	// own, ended once they have everything that was acknowledged.
	cr, err := newConsumeRun(cfg.Consume)
	if err != nil {
		return nil, err
	}
	var warmBefore atomic.Int64
	if cfg.Produce.WarmupRecords > 0 || cfg.Produce.WarmupDuration > 0 {
		warmBefore.Store(math.MaxInt64)
	}
	cr.warmBefore = &warmBefore
	cr.target.Store(0)

	cctx, ccancel := context.WithCancel(ctx)
	defer ccancel()
	consumed := make(chan error, 1)
	go func() { consumed <- cr.run(cctx, conn) }()

	select {
	case <-cr.ready:
	case err := <-consumed:
		return nil, fmt.Errorf("the consumer stopped before it joined: %v", err)
	case <-time.After(cfg.JoinTimeout):
		return nil, fmt.Errorf("the consumer group did not own all %d partitions within %s", cfg.Consume.Partitions, cfg.JoinTimeout)
	case <-ctx.Done():
		return nil, ctx.Err()
	}

	cfg.Produce.onMeasuredStart = func(ns int64) {
		for {
			cur := warmBefore.Load()
			if ns >= cur || warmBefore.CompareAndSwap(cur, ns) {
				return
			}
		}
	}
	doc, perr := Produce(ctx, conn, cfg.Produce)
	if doc == nil {
		return nil, perr
	}
	doc.Kind = result.KindE2E
	cr.fillDocument(doc)
	doc.Workload.Records, doc.Workload.DurationS = cfg.Produce.Records, cfg.Produce.Duration.Seconds()

	// Every acknowledged record, warm-up included, must arrive.
	acked := doc.Metrics.Records
	if doc.Warmup != nil {
		acked += doc.Warmup.Records
	}
	if cfg.Audit != nil {
		// Duplicates and re-deliveries make counts misleading: read every
		// partition to the end instead.
		ends, err := endOffsets(ctx, conn, cfg.Produce.Topic)
		if err != nil {
			ccancel()
			<-consumed
			return doc, err
		}
		cr.auditEnds.Store(&ends)
	} else {
		cr.target.Store(acked)
	}
	if acked == 0 || cr.done() || errors.Is(perr, errClusterUnreachable) {
		ccancel()
	}
	var cerr error
	select {
	case cerr = <-consumed:
	case <-time.After(cfg.DrainTimeout):
		ccancel()
		cerr = <-consumed
	}
	if err := cr.finish(doc, true); err != nil {
		return nil, err
	}
	got := cr.consumed.Load()
	short := got < acked
	if cfg.Audit != nil {
		doc.Audit = cfg.Audit.Report()
		short = !cr.auditDone()
	}
	if perr == nil && short && ctx.Err() == nil {
		doc.Complete = false
		doc.StopReason = result.StopError
		doc.Error = fmt.Sprintf("the consumer received %d of %d acknowledged records (%v)", got, acked, cerr)
		return doc, errors.New(doc.Error)
	}
	return doc, perr
}
