package loadgen

import (
	"context"
	"errors"
	"fmt"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/cluster"
)

// AckHook receives every acknowledged record of a verifying producer: its
// partition and offset, and the producer id and sequence number its
// ktune.seq header carries. It is called from the producers' promises, so
// it must be safe for concurrent use and quick.
type AckHook interface {
	Acked(partition int32, offset int64, producer, seq uint64)
}

// stampSeq writes producer i's id and the record's sequence number into
// p's ktune.seq header.
func (r *produceRun) stampSeq(p *pending, i int, seq int64) {
	audit.Encode(p.seq[:], r.producerBase+uint64(i), uint64(seq))
}

// auditAck hands an acknowledged record to the audit.
func (r *produceRun) auditAck(rec *kgo.Record, p *pending) {
	prod, seq, _ := audit.Decode(p.seq[:])
	r.cfg.Acks.Acked(rec.Partition, rec.Offset, prod, seq)
}

// sendContext returns the context the send loops run on: ctx, ended early
// when cfg.Stop closes.
func (r *produceRun) sendContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if r.cfg.Stop == nil {
		return ctx, func() {}
	}
	sctx, cancel := context.WithCancel(ctx)
	go func() {
		select {
		case <-r.cfg.Stop:
			cancel()
		case <-sctx.Done():
		}
	}()
	return sctx, cancel
}

// auditDone reports whether the audit has read every partition to the end
// offsets set in auditEnds.
func (r *consumeRun) auditDone() bool {
	ends := r.auditEnds.Load()
	return ends != nil && r.cfg.Audit.Reached(*ends)
}

// endOffsets returns the next offset to be written of every partition of
// topic.
func endOffsets(ctx context.Context, conn *cluster.Conn, topic string) (map[int32]int64, error) {
	cl, err := conn.NewClient()
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	lo, err := kadm.NewClient(cl).ListEndOffsets(ctx, topic)
	if err != nil {
		return nil, fmt.Errorf("listing the end offsets of %q: %w", topic, err)
	}
	ends := map[int32]int64{}
	var errs []error
	lo.Each(func(o kadm.ListedOffset) {
		if o.Err != nil {
			errs = append(errs, fmt.Errorf("partition %d: %w", o.Partition, o.Err))
			return
		}
		ends[o.Partition] = o.Offset
	})
	if len(errs) > 0 {
		return nil, fmt.Errorf("listing the end offsets of %q: %w", topic, errors.Join(errs...))
	}
	return ends, nil
}
