package loadgen

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/livemetrics"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// produceRun is one running producer test.
type produceRun struct {
	cfg      ProduceConfig
	clock    *Clock
	startNs  int64
	deadline int64 // Clock ns after which no record is sent (0: none)
	warmEnd  int64 // Clock ns the time-based warm-up ends (0: none)
	states   []*producerState
	promise  func(*kgo.Record, error)
	// noAcks: with acks=0 no response comes back, so each promise reads
	// the clock itself.
	noAcks   bool
	cancel   context.CancelCauseFunc
	errCount atomic.Int64
	gaps     runGaps
	maxRec   int
	// producerBase+i is producer i's id in the ktune.seq header.
	producerBase uint64
	// ivService, ivEnd and serviceP99s are the interval reporter's: the
	// interval's service latencies, when the last interval ended and each
	// interval's service p99.
	ivService   *hist.Histogram
	ivEnd       int64
	serviceP99s []intervalP99

	batches batchCounts
	// closed[i]: producer i's send loop closed its client (abandon).
	closed []bool
	// outageFrom is the Clock ns the outage that ended the run began (the
	// stall watch's), outageTo when the run ended; outageFrom 0: none.
	outageFrom, outageTo int64
}

// errMaxErrors ends a run that reached --max-errors.
var errMaxErrors = errors.New("reached --max-errors")

// Produce runs a producer stress test against conn and returns its result.
// The result is returned also when the run is cut short (Complete false,
// with what was measured); the error says why.
func Produce(ctx context.Context, conn *cluster.Conn, cfg ProduceConfig) (*result.Document, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	doc := newDocument(result.KindProduce, conn)
	doc.Workload = produceWorkload(&cfg)
	doc.Config.Producer = cfg.Client.Effective()
	doc.Config.ClientLine = int(cfg.Client.Line())
	doc.Config.Notes = cfg.Client.Notes()

	r := &produceRun{cfg: cfg, clock: cfg.Clock, noAcks: cfg.Client.Acks() == "0", ivService: hist.New()}
	if cfg.Acks != nil {
		r.producerBase = audit.ProducerBase()
	}
	r.promise = r.onAck
	values, keys, err := r.generators()
	if err != nil {
		return nil, err
	}
	if err := r.checkSize(values); err != nil {
		return nil, err
	}

	clients := make([]*kgo.Client, cfg.Producers)
	r.closed = make([]bool, cfg.Producers)
	defer func() {
		for i, cl := range clients {
			if cl != nil && !r.closed[i] {
				cl.Close()
			}
		}
	}()
	r.gaps.floor = r.gapFloor()
	r.states = make([]*producerState, cfg.Producers)
	for i := range r.states {
		r.states[i] = newProducerState(r.clock, cfg.Topic, extraHeaders(cfg.Headers, cfg.HeaderSize), r.gaps.floor)
		r.states[i].pool.verify = cfg.Acks != nil
	}
	for i := range clients {
		opts := cfg.Client.ProducerOpts(i, cfg.Producers)
		hooks := append(append([]kgo.Hook{&r.states[i].ack}, cfg.Hooks...), cfg.Live.ClientHooks(livemetrics.RoleProducer, cfg.Topic, i)...)
		opts = append(opts, kgo.WithHooks(hooks...), kgo.DefaultProduceTopic(cfg.Topic),
			kgo.WithCompressor(batchCounter{inner: cfg.Client.Compressor(), n: &r.batches}))
		if len(cfg.Partitions) > 0 {
			opts = append(opts, kgo.RecordPartitioner(subsetOf(cfg.Client.Partitioner(), cfg.Partitions)))
		}
		if bm := r.batchMax(values); bm > 0 {
			opts = append(opts, kgo.ProducerBatchMaxBytes(int32(bm)))
		}
		cl, err := conn.NewClient(opts...)
		if err != nil {
			return nil, err
		}
		clients[i] = cl
	}

	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	r.cancel = cancel
	// Produce calls get a context that outlives an interruption by a grace
	// period, so records already sent can still be acknowledged.
	prodCtx, prodCancel := context.WithCancel(context.Background())
	defer prodCancel()
	go func() {
		select {
		case <-runCtx.Done():
			if errors.Is(context.Cause(runCtx), errClusterUnreachable) {
				prodCancel() // nothing in flight can be acknowledged
				return
			}
			t := time.NewTimer(stopGrace)
			defer t.Stop()
			select {
			case <-t.C:
				prodCancel()
			case <-prodCtx.Done():
			}
		case <-prodCtx.Done():
		}
	}()

	r.waitLeaders(ctx, clients[0])
	if err := waitUntil(ctx, cfg.StartAt); err != nil {
		return nil, err
	}
	r.startNs = r.clock.Now()
	r.ivEnd = r.startNs
	doc.Start = r.clock.Time(r.startNs)
	if cfg.WarmupDuration > 0 {
		r.warmEnd = r.startNs + int64(cfg.WarmupDuration)
	}
	if cfg.Duration > 0 {
		r.deadline = r.startNs + int64(cfg.WarmupDuration) + int64(cfg.Duration)
	}
	watch := watchWindow(r, clients)
	if cfg.Live != nil {
		cfg.Live.Watch(livemetrics.RoleProducer, cfg.Topic, r.liveSource(clients, watch.start))
	}
	reporter := newIntervalReporter(r.clock, r.startNs, cfg.Interval, r.snapshotInterval, cfg.OnInterval)
	reporter.warmUntil = r.measuredStart
	reporter.keepHDR = cfg.IntervalHistograms
	go reporter.run()

	stall := watchStall(runCtx, r.clock, stallLimit(cfg.Client.DeliveryTimeout(), cfg.Interval), r.gaps.floor, clients, r.gaps.lastAck.Load, cancel)
	sendCtx, stopSending := r.sendContext(runCtx)
	defer stopSending()
	var wg sync.WaitGroup
	errs := make([]error, cfg.Producers)
	for i := range clients {
		wg.Add(1)
		go func(i int) {
			defer wg.Done()
			errs[i] = r.sendLoop(sendCtx, prodCtx, i, clients[i], values[i], keys[i])
		}(i)
	}
	wg.Wait()
	r.outageFrom = stall.close()
	watch.close()
	endNs := r.clock.Now()
	r.outageTo = endNs
	reporter.stop()

	cause := context.Cause(runCtx)
	if ctx.Err() != nil {
		cause = ctx.Err()
	}
	if err := errors.Join(errs...); err != nil && cause == nil {
		cause = err
	}
	doc.End = r.clock.Time(endNs)
	if err := r.finish(doc, reporter.intervals()); err != nil {
		return nil, err
	}
	watch.record(doc)
	return doc, r.verdict(doc, cause)
}

// stopGrace is how long an interrupted run waits for in-flight records to
// be acknowledged before failing what is left in the client's buffer.
const stopGrace = 1500 * time.Millisecond

func (r *produceRun) generators() ([]*payload.Values, []*payload.Keys, error) {
	n := r.cfg.Producers
	values := make([]*payload.Values, n)
	keys := make([]*payload.Keys, n)
	for i := 0; i < n; i++ {
		vc := r.cfg.Values
		vc.Seed += uint64(i) * 7919
		v, err := payload.NewValues(vc)
		if err != nil {
			return nil, nil, err
		}
		kc := r.cfg.Keys
		kc.Seed += uint64(i) * 104729
		k, err := payload.NewKeys(kc)
		if err != nil {
			return nil, nil, err
		}
		values[i], keys[i] = v, k
	}
	return values, keys, nil
}

// recordOverhead is a generous bound of a record's framing inside a batch
// (varints, attributes, header framing), beyond key, value and headers.
const recordOverhead = 64

// checkSize refuses, before any load, a record larger than
// max.request.size, as the Java client does.
func (r *produceRun) checkSize(values []*payload.Values) error {
	r.maxRec = values[0].MaxSize() + r.cfg.Keys.Size + 8 + len(HeaderTS) + r.cfg.Headers*(r.cfg.HeaderSize+8) + recordOverhead
	if mr := r.cfg.Client.MaxRequestSize(); mr > 0 && r.maxRec > mr {
		return fmt.Errorf("records of up to %d bytes are larger than max.request.size (%d): raise -X max.request.size, and the topic's max.message.bytes or the broker's message.max.bytes with it", r.maxRec, mr)
	}
	return nil
}

// batchMax returns the kgo batch cap when records are larger than
// batch.size: Java sends such a record in a batch of its own, while kgo
// would reject it, so the cap is raised to fit one record.
func (r *produceRun) batchMax(values []*payload.Values) int {
	if bs := r.cfg.Client.BatchSize(); bs > 0 && r.maxRec > bs {
		return r.maxRec + 128
	}
	return 0
}

// waitLeaders waits, within LeaderWait, until every partition the run
// produces to has a leader, so the time a fresh topic takes to get them is
// not a window of the run. A cluster that does not answer is left to the
// run's own errors.
func (r *produceRun) waitLeaders(ctx context.Context, cl *kgo.Client) {
	ctx, cancel := context.WithTimeout(ctx, r.cfg.LeaderWait)
	defer cancel()
	began := time.Now()
	_, missing, err := cluster.WaitLeaders(ctx, kadm.NewClient(cl), r.cfg.Topic, r.cfg.Partitions, true)
	if err != nil {
		r.cfg.Logger.Warn("not every partition has a leader; starting anyway", "topic", r.cfg.Topic, "without_leader", missing, "err", err)
		return
	}
	r.cfg.Logger.Debug("every partition has a leader", "topic", r.cfg.Topic, "waited", time.Since(began))
}
