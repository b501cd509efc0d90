package loadgen

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// ProduceConfig describes a producer stress test.
type ProduceConfig struct {
	// Topic receives the records; it must exist (see cluster.EnsureTopic).
	Topic string
	// Records bounds the measured window by count (0: no count bound).
	Records int64
	// Duration bounds the measured window by time (0: no time bound). At
	// least one of Records and Duration must be set.
	Duration time.Duration
	// WarmupRecords and WarmupDuration precede the measured window; their
	// records are reported apart and excluded from the statistics.
	WarmupRecords  int64
	WarmupDuration time.Duration
	// Rate is the total target rate in records/s, spread evenly over the
	// producers (0: as fast as possible). With a rate each record has an
	// intended send time, start + i/rate, and latency runs from it.
	Rate float64
	// Producers is the number of independent clients. Default 1.
	Producers int
	// Values and Keys configure the payloads.
	Values payload.ValueConfig
	Keys   payload.KeyConfig
	// Headers adds this many extra headers of HeaderSize bytes to every
	// record, besides ktune's own timestamp header.
	Headers    int
	HeaderSize int
	// Client is the resolved producer configuration.
	Client *clientcfg.Resolved
	// TransactionInterval commits a transaction this often when
	// transactional.id is set. Default 100 ms.
	TransactionInterval time.Duration
	// Interval is the reporting interval. Default 5 s.
	Interval time.Duration
	// MaxErrors ends the run after this many failed records (0: no limit).
	MaxErrors int64
	// OnInterval, if set, is called with each interval as it closes.
	OnInterval func(result.Interval)
	// Clock is the run's clock; nil makes one.
	Clock *Clock
	// Logger receives progress logs. Default: discard.
	Logger *slog.Logger
	// StartAt, if set, is the wall-clock time the run (warm-up included)
	// starts: clients connect before it and the first record is intended
	// for it. Workers of a distributed run start together this way.
	StartAt time.Time
	// Partitions, if set, confines records to these partitions of the
	// topic; the configured partitioner chooses among them as if the topic
	// had only these. Default: every partition.
	Partitions []int32
	// IntervalHistograms keeps each interval's latency histogram in the
	// result (Interval.HDR), so merged intervals have exact percentiles.
	IntervalHistograms bool
	// UnavailableAfter is the shortest unavailability window the result
	// lists (Producer.Unavailability). Default: the larger of 500 ms and
	// 10 times the run's p99 service latency.
	UnavailableAfter time.Duration
	// LeaderWait bounds the wait, before the run starts, for every
	// partition to have a leader. Default 10 s.
	LeaderWait time.Duration
	// Acks, if set, makes every record carry its producer's id and
	// sequence number (audit.Header) and receives each acknowledgement
	// (an *audit.Ledger, for --verify).
	Acks AckHook
	// Hooks are franz-go hooks added to every producer client (tests
	// watch acknowledgements with them).
	Hooks []kgo.Hook
	// Stop, if set, ends the sending when it is closed, as the end of
	// Duration would: records sent are still acknowledged and counted.
	Stop <-chan struct{}
	// onMeasuredStart, if set, is called with the intended time of the
	// first measured (not warm-up) record of each producer.
	onMeasuredStart func(ns int64)
}

func (c *ProduceConfig) defaults() error {
	if c.Producers == 0 {
		c.Producers = 1
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Interval <= 0 {
		c.Interval = 5 * time.Second
	}
	if c.TransactionInterval <= 0 {
		c.TransactionInterval = 100 * time.Millisecond
	}
	if c.UnavailableAfter < 0 {
		return fmt.Errorf("unavailability threshold %s: must not be negative", c.UnavailableAfter)
	}
	if c.LeaderWait <= 0 {
		c.LeaderWait = 10 * time.Second
	}
	if c.Clock == nil {
		c.Clock = NewClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Client == nil {
		r, err := clientcfg.Resolve(nil, clientcfg.Producer)
		if err != nil {
			return err
		}
		c.Client = r
	}
	return nil
}

// stats are the counts of one phase (warm-up or measured) of one producer.
// The record count is the service histogram's: every acknowledged record
// is in it once.
type stats struct {
	bytes             int64
	errors            errorCounts
	intended, service *hist.Histogram
	lastAck           int64
}

func (s *stats) records() int64 { return s.service.Count() }

func newStats() stats {
	return stats{errors: errorCounts{}, intended: hist.New(), service: hist.New()}
}

// producerState is one producer client's accounting. kgo runs one client's
// promises one at a time, so the promise side owns gaps (and the pool's
// return side) without a lock; what the interval reporter reads is under
// mu, which only the promise and the reporter's tick take.
type producerState struct {
	pool pendingPool
	ack  ackClock
	// The promise side's: gaps, and the acknowledgement time and partition
	// of the last record it fed gaps with.
	gaps     ackGaps
	seenAt   int64
	seenPart int32

	mu         sync.Mutex
	main, warm stats
	// ivBytes and ivErrors count since the last interval; ivMain and
	// ivWarm hold the latencies since then (their counts are the
	// interval's records). The reporter folds them into main and warm when
	// the interval closes (foldInterval), so each record is recorded once.
	ivBytes        int64
	ivErrors       int64
	ivMain, ivWarm latencies
	firstMain      int64 // Clock ns of the first measured record's intended time
}

// latencies are one phase's latencies since the last interval: intended
// and service latency, and both, the records whose two latencies are one
// (accepted at their intended time, within acceptSlack), recorded once
// instead of twice until settle adds them to the other two.
type latencies struct{ intended, service, both *hist.Histogram }

func newLatencies() latencies { return latencies{hist.New(), hist.New(), hist.New()} }

// settle moves both into intended and service; the caller holds the
// producer's lock. An empty both (as when foldInterval follows
// snapshotInterval) costs nothing.
func (l latencies) settle() {
	if l.both.Count() == 0 {
		return
	}
	l.intended.Merge(l.both)
	l.service.Merge(l.both)
	l.both.Reset()
}

func newProducerState(clock *Clock, topic string, extra []kgo.RecordHeader, gapFloor int64) *producerState {
	ps := &producerState{main: newStats(), warm: newStats(), ivMain: newLatencies(), ivWarm: newLatencies(), firstMain: -1, seenPart: -1}
	ps.pool = pendingPool{topic: topic, extra: extra, ps: ps}
	ps.ack.clock = clock
	ps.gaps.floor = gapFloor
	return ps
}

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

	batches, uncompressed, compressed atomic.Int64
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
	defer func() {
		for _, cl := range clients {
			if cl != nil {
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
		opts = append(opts, kgo.WithHooks(append([]kgo.Hook{&r.states[i].ack}, cfg.Hooks...)...), kgo.DefaultProduceTopic(cfg.Topic),
			kgo.WithCompressor(batchCounter{inner: cfg.Client.Compressor(), r: r}))
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
	reporter := newIntervalReporter(r.clock, r.startNs, cfg.Interval, r.snapshotInterval, cfg.OnInterval)
	reporter.warmUntil = r.measuredStart
	reporter.keepHDR = cfg.IntervalHistograms
	go reporter.run()

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
	watch.close()
	endNs := r.clock.Now()
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

	// Flush what is buffered: for a normal end within delivery.timeout.ms;
	// after an interruption prodCtx ends the wait after stopGrace.
	if err := cl.Flush(prodCtx); err != nil {
		_ = cl.AbortBufferedRecords(context.Background())
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

// measuredStart returns when the measured window began: the end of a
// time-based warm-up, or the first measured record's intended time
// (MaxInt64 while the warm-up goes on).
func (r *produceRun) measuredStart() int64 {
	if r.cfg.WarmupRecords == 0 && r.cfg.WarmupDuration == 0 {
		return r.startNs
	}
	start := int64(-1)
	for _, ps := range r.states {
		ps.mu.Lock()
		if ps.firstMain >= 0 && (start < 0 || ps.firstMain < start) {
			start = ps.firstMain
		}
		ps.mu.Unlock()
	}
	if r.warmEnd > start {
		start = r.warmEnd
	}
	if start < 0 {
		return math.MaxInt64
	}
	return start
}

// snapshotInterval collects and resets every producer's interval counters.
func (r *produceRun) snapshotInterval(h *hist.Histogram) (records, bytes, errs int64) {
	for _, ps := range r.states {
		ps.mu.Lock()
		ps.ivMain.settle()
		ps.ivWarm.settle()
		records += ps.ivMain.service.Count() + ps.ivWarm.service.Count()
		bytes += ps.ivBytes
		errs += ps.ivErrors
		h.Merge(ps.ivMain.intended)
		h.Merge(ps.ivWarm.intended)
		r.ivService.Merge(ps.ivMain.service)
		r.ivService.Merge(ps.ivWarm.service)
		ps.ivBytes, ps.ivErrors = 0, 0
		ps.foldInterval()
		ps.mu.Unlock()
	}
	end := r.clock.Now()
	if r.ivService.Count() > 0 {
		r.serviceP99s = append(r.serviceP99s, intervalP99{from: r.ivEnd, to: end, ms: r.ivService.QuantileMs(0.99)})
	}
	r.ivService.Reset()
	r.ivEnd = end
	return records, bytes, errs
}

// foldInterval moves the interval's latencies into the cumulative
// histograms; the caller holds ps.mu.
func (ps *producerState) foldInterval() {
	for _, f := range []struct {
		st *stats
		iv latencies
	}{{&ps.main, ps.ivMain}, {&ps.warm, ps.ivWarm}} {
		f.iv.settle()
		f.st.intended.Merge(f.iv.intended)
		f.st.service.Merge(f.iv.service)
		f.iv.intended.Reset()
		f.iv.service.Reset()
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
		Batches:           r.batches.Load(),
		UncompressedBytes: r.uncompressed.Load(),
		CompressedBytes:   r.compressed.Load(),
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

// gapFloor is the shortest gap kept while the run goes on: the threshold
// when it is set, else the smallest the default threshold can be.
func (r *produceRun) gapFloor() int64 {
	if t := r.cfg.UnavailableAfter; t > 0 {
		return int64(t)
	}
	return int64(minUnavailable)
}

// unavailability lists the run's unavailability windows at the run's
// threshold (ProduceConfig.UnavailableAfter, by default the larger of
// minUnavailable and unavailableP99s times the run's p99 service latency).
// It reads the promise sides' state and the reporter's: call it after every
// client flushed and the reporter stopped.
func (r *produceRun) unavailability(service *hist.Histogram, measuredStart int64) *result.Unavailability {
	perClient := make([][]window, len(r.states))
	var all []window
	var started int64
	for i, ps := range r.states {
		perClient[i] = ps.gaps.windows
		all = append(all, ps.gaps.windows...)
		started = max(started, ps.gaps.started)
	}
	r.gaps.mu.Lock()
	defer r.gaps.mu.Unlock()
	all = append(all, r.gaps.windows...)
	threshold := r.gapFloor()
	if r.cfg.UnavailableAfter == 0 {
		threshold = max(threshold, int64(unavailableP99s*r.usualP99(service, started, all)*1e6))
	}
	return unavailability(threshold, r.startNs, measuredStart, r.gaps.windows, perClient)
}

// intervalP99 is one interval's service p99 (ms), over [from, to] Clock ns.
type intervalP99 struct {
	from, to int64
	ms       float64
}

// usualP99 is the run's p99 service latency outside its outages and its
// start-up (ms): the lowest p99 of the intervals that begin after every
// partition's first acknowledgement (started) and overlap no candidate
// window. The records that waited through an outage, or for the client to
// get going, are the run's slowest, and they are acknowledged together and
// drain for a while after: counted in, they raise the threshold until it
// no longer lists the outage they waited through (a median of interval
// p99s still did, on a busy machine, when the backlog after a 9 s outage
// filled the few intervals left). The lowest is what the run achieves
// when nothing is in the way; minUnavailable keeps the threshold clear of
// ordinary jitter. Failing such intervals, those that only overlap no
// window; failing those, every interval; without intervals, the whole
// run's p99.
func (r *produceRun) usualP99(service *hist.Histogram, started int64, candidates []window) float64 {
	var calm, steady, all []float64
	for _, iv := range r.serviceP99s {
		all = append(all, iv.ms)
		if slices.ContainsFunc(candidates, func(w window) bool { return w.from <= iv.to && w.to >= iv.from }) {
			continue
		}
		calm = append(calm, iv.ms)
		if iv.from >= started {
			steady = append(steady, iv.ms)
		}
	}
	for _, ps := range [][]float64{steady, calm, all} {
		if len(ps) > 0 {
			return slices.Min(ps)
		}
	}
	if service.Count() > 0 {
		return service.QuantileMs(0.99)
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
	adm := kadm.NewClient(cl)
	want := map[int32]bool{}
	for _, p := range r.cfg.Partitions {
		want[p] = true
	}
	began := time.Now()
	for {
		missing, err := leaderless(ctx, adm, r.cfg.Topic, want)
		if err == nil && missing == 0 {
			r.cfg.Logger.Debug("every partition has a leader", "topic", r.cfg.Topic, "waited", time.Since(began))
			return
		}
		select {
		case <-ctx.Done():
			r.cfg.Logger.Warn("not every partition has a leader; starting anyway", "topic", r.cfg.Topic, "without_leader", missing, "err", err)
			return
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// leaderless counts the partitions of topic (those in want, if any) without
// a leader.
func leaderless(ctx context.Context, adm *kadm.Client, topic string, want map[int32]bool) (int, error) {
	md, err := adm.Metadata(ctx, topic)
	if err != nil {
		return 0, err
	}
	td, ok := md.Topics[topic]
	if !ok || td.Err != nil {
		return 0, fmt.Errorf("topic %s not in metadata: %v", topic, td.Err)
	}
	missing := 0
	for _, p := range td.Partitions {
		if len(want) > 0 && !want[p.Partition] {
			continue
		}
		if p.Leader < 0 || p.Err != nil {
			missing++
		}
	}
	if len(td.Partitions) == 0 {
		return 1, nil
	}
	return missing, nil
}

func mergeStats(dst, src *stats) {
	dst.bytes += src.bytes
	for k, v := range src.errors {
		dst.errors[k] += v
	}
	dst.intended.Merge(src.intended)
	dst.service.Merge(src.service)
	if src.lastAck > dst.lastAck {
		dst.lastAck = src.lastAck
	}
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

// batchCounter is the producer's compressor, wrapped to count the record
// batches the client writes and their bytes before and after compression.
// franz-go calls it once per batch, when it writes the batch into a produce
// request, on the goroutine that writes it. HookProduceBatchWritten reports
// the same figures, but franz-go starts a goroutine per produce response to
// call it: with the hook, scripts/bench-ceiling.sh measured ktune at 0.84
// of a bare franz-go producer with 1 KiB records at the Java defaults (16
// KiB batches, linger 0), with this counter at 0.97. A batch written again
// after a retriable error counts again.
type batchCounter struct {
	inner kgo.Compressor // nil: franz-go's "no compression"
	r     *produceRun
}

// Compress implements kgo.Compressor; franz-go sends the result only when
// it is shorter than src.
func (c batchCounter) Compress(dst *bytes.Buffer, src []byte, flags ...kgo.CompressFlag) ([]byte, kgo.CompressionCodecType) {
	out, codec := src, kgo.CodecNone
	if c.inner != nil {
		out, codec = c.inner.Compress(dst, src, flags...)
	}
	sent := len(src)
	if out != nil && len(out) < sent {
		sent = len(out)
	}
	c.r.batches.Add(1)
	c.r.uncompressed.Add(int64(len(src)))
	c.r.compressed.Add(int64(sent))
	return out, codec
}

func extraHeaders(n, size int) []kgo.RecordHeader {
	hs := make([]kgo.RecordHeader, n)
	for i := range hs {
		v := make([]byte, size)
		for j := range v {
			v[j] = byte('a' + (i+j)%26)
		}
		hs[i] = kgo.RecordHeader{Key: fmt.Sprintf("h%d", i), Value: v}
	}
	return hs
}

// Workload returns the workload c describes, as a result records it.
func (c *ProduceConfig) Workload() result.Workload { return produceWorkload(c) }

func produceWorkload(c *ProduceConfig) result.Workload {
	return result.Workload{
		Topic:           c.Topic,
		Records:         c.Records,
		DurationS:       c.Duration.Seconds(),
		WarmupRecords:   c.WarmupRecords,
		WarmupS:         c.WarmupDuration.Seconds(),
		Rate:            c.Rate,
		Producers:       c.Producers,
		RecordSize:      c.Values.Size,
		Payload:         string(c.Values.Kind),
		Compressibility: c.Values.Compressibility,
		Key:             string(c.Keys.Kind),
		KeySpace:        c.Keys.Space,
		Headers:         c.Headers,
		MaxErrors:       c.MaxErrors,
	}
}
