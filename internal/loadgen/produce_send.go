package loadgen

import (
	"context"
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/loadgen/payload"
)

// Share splits n over k parts: part i gets its even share, the first n%k
// parts one more. Producers of a run and workers of a distributed run
// split their counts with it.
func Share(n int64, i, k int) int64 {
	s := n / int64(k)
	if int64(i) < n%int64(k) {
		s++
	}
	return s
}

// sendLoop is producer i's open-model send loop.
func (r *produceRun) sendLoop(ctx, prodCtx context.Context, i int, cl *kgo.Client, values *payload.Values, keys *payload.Keys) error {
	cfg := &r.cfg
	ps := r.states[i]
	warmN := Share(cfg.WarmupRecords, i, cfg.Producers)
	var limit int64 = math.MaxInt64
	if cfg.Records > 0 {
		limit = warmN + Share(cfg.Records, i, cfg.Producers)
	}
	n := float64(cfg.Producers)
	timer := time.NewTimer(time.Hour)
	timer.Stop()
	txn := cfg.Client.TransactionalID() != ""
	var txnStart int64
	if txn {
		if err := cl.BeginTransaction(); err != nil {
			return fmt.Errorf("beginning a transaction: %w", err)
		}
		txnStart = r.clock.Now()
	}

	// One clock reading per record: taken when Produce returns, it is the
	// record's accepted time and the next record's "now" (its intended
	// time without a rate, or what the schedule is checked against).
	now := r.clock.Now()
	for seq := int64(0); seq < limit; seq++ {
		intended := now
		if cfg.Rate > 0 {
			intended = r.startNs + int64((float64(seq)*n+float64(i))/cfg.Rate*1e9)
			if r.deadline > 0 && intended >= r.deadline {
				break
			}
			if intended-now >= int64(minSleep) {
				if err := r.clock.sleepUntil(ctx, timer, intended); err != nil {
					break
				}
			}
		} else if r.deadline > 0 && intended >= r.deadline {
			break
		}
		if ctx.Err() != nil {
			break
		}
		if txn && now-txnStart >= int64(cfg.TransactionInterval) {
			if err := r.commit(ctx, prodCtx, cl); err != nil {
				return err
			}
			txnStart = r.clock.Now()
		}
		warm := seq < warmN || intended < r.warmEnd
		if !warm && ps.firstMain < 0 {
			ps.mu.Lock()
			ps.firstMain = intended
			ps.mu.Unlock()
			if cfg.onMeasuredStart != nil {
				cfg.onMeasuredStart(intended)
			}
		}
		p := r.prepare(ps, keys, values, intended, warm)
		if cfg.Acks != nil {
			r.stampSeq(p, i, seq)
		}
		cl.Produce(prodCtx, &p.rec, r.promise)
		now = r.clock.Now()
		p.accept(now)
	}

	// Flush what is buffered. Every wait is bounded: prodCtx ends stopGrace
	// after the run's context, which --timeout, Ctrl-C/SIGTERM, a fatal
	// error or the stall watch (no acknowledgement for stallLimit) ends;
	// abandon then bounds failing what is left.
	if err := cl.Flush(prodCtx); err != nil {
		r.closed[i] = abandon(cl, errors.Is(context.Cause(ctx), errClusterUnreachable))
	}
	if txn {
		commit := kgo.TryCommit
		if ctx.Err() != nil {
			commit = kgo.TryAbort
		}
		if err := cl.EndTransaction(prodCtx, commit); err != nil && ctx.Err() == nil {
			return fmt.Errorf("ending the transaction: %w", err)
		}
	}
	return nil
}

// prepare takes a pooled pending record and fills it with the next key
// and value, intended for time intended.
func (r *produceRun) prepare(ps *producerState, keys *payload.Keys, values *payload.Values, intended int64, warm bool) *pending {
	p := ps.pool.get()
	p.fill(keys.Next(), values.Next(), intended, warm)
	return p
}

// commit flushes and commits the open transaction and begins the next.
func (r *produceRun) commit(ctx, prodCtx context.Context, cl *kgo.Client) error {
	if err := cl.Flush(prodCtx); err != nil {
		return nil // interrupted; the loop ends on ctx
	}
	if err := cl.EndTransaction(prodCtx, kgo.TryCommit); err != nil {
		if ctx.Err() != nil {
			return nil
		}
		return fmt.Errorf("committing a transaction: %w", err)
	}
	if err := cl.BeginTransaction(); err != nil {
		return fmt.Errorf("beginning a transaction: %w", err)
	}
	return nil
}

// onAck is every producer's promise: it accounts one record and returns
// its pending to the pool. The acknowledgement time is when the client read
// the produce response (ackClock), so the records of a response share one
// clock reading; the unavailability windows are fed once per partition and
// response, from its first record, the batch's oldest.
func (r *produceRun) onAck(rec *kgo.Record, err error) {
	p := pendingOf(rec)
	ps := p.ps
	if err != nil {
		r.onError(ps, p, err)
		return
	}
	var now int64
	if r.noAcks {
		now = r.clock.Now()
	} else {
		now = ps.ack.at.Load()
	}
	accepted := p.acceptedAt()
	if now != ps.seenAt || rec.Partition != ps.seenPart {
		ps.seenAt, ps.seenPart = now, rec.Partition
		ps.gaps.observe(rec.Partition, now, accepted)
		r.gaps.observe(now, accepted)
	}
	ps.mu.Lock()
	st, iv := &ps.main, &ps.ivMain
	if p.warm {
		st, iv = &ps.warm, &ps.ivWarm
	}
	if accepted == p.intended {
		iv.both.Record(time.Duration(now - accepted))
	} else {
		iv.service.Record(time.Duration(now - accepted))
		iv.intended.Record(time.Duration(now - p.intended))
	}
	st.lastAck = now
	st.bytes += int64(p.size)
	ps.ivBytes += int64(p.size)
	ps.mu.Unlock()
	if r.cfg.Acks != nil {
		r.auditAck(rec, p)
	}
	ps.pool.put(p)
}

// onError accounts a failed record and ends the run when the error is
// fatal or --max-errors is reached.
func (r *produceRun) onError(ps *producerState, p *pending, err error) {
	class, fatal := classify(err)
	size := int(p.size)
	ps.mu.Lock()
	st := &ps.main
	if p.warm {
		st = &ps.warm
	}
	st.errors.add(class)
	ps.ivErrors++
	ps.mu.Unlock()
	ps.pool.put(p)
	if fatal {
		r.cancel(explainFatal(err, r.cfg.Topic, size))
	} else if class != ClassAborted {
		if n := r.errCount.Add(1); r.cfg.MaxErrors > 0 && n >= r.cfg.MaxErrors {
			r.cancel(fmt.Errorf("%w (%d failed records; last: %s)", errMaxErrors, n, shortErr(err)))
		}
	}
}
