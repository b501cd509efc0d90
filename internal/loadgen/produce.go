package loadgen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

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
type stats struct {
	records, bytes    int64
	errors            errorCounts
	intended, service *hist.Histogram
	lastAck           int64
}

func newStats() stats {
	return stats{errors: errorCounts{}, intended: hist.New(), service: hist.New()}
}

// producerState is one producer client's accounting. Promises of one client
// run serially, but the interval reporter reads concurrently: mu guards it.
type producerState struct {
	mu         sync.Mutex
	main, warm stats
	ivRecords  int64
	ivBytes    int64
	ivErrors   int64
	// ivMain and ivWarm hold the intended-time latencies since the last
	// interval; they are folded into main.intended and warm.intended when
	// the interval closes (foldInterval), so each record is recorded once.
	ivMain, ivWarm *hist.Histogram
	pool           pendingPool
	firstMain      int64 // Clock ns of the first measured record's intended time
	// partLast is each partition's last acknowledgement; partGap the
	// longest time one partition went without one, from partGapAt.
	partLast  []int64
	partGap   int64
	partGapAt int64
	partGapP  int32
}

func newProducerState(topic string, extra []kgo.RecordHeader) *producerState {
	ps := &producerState{main: newStats(), warm: newStats(), ivMain: hist.New(), ivWarm: hist.New(), firstMain: -1}
	ps.pool = pendingPool{topic: topic, extra: extra, ps: ps}
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
	cancel   context.CancelCauseFunc
	errCount atomic.Int64
	lastAck  atomic.Int64
	gapMax   atomic.Int64
	gapAt    atomic.Int64
	maxRec   int
	// producerBase+i is producer i's id in the ktune.seq header.
	producerBase uint64

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
	doc.Config.Notes = cfg.Client.Notes()

	r := &produceRun{cfg: cfg, clock: cfg.Clock}
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
	for i := range clients {
		opts := cfg.Client.ProducerOpts(i, cfg.Producers)
		opts = append(opts, kgo.WithHooks(append([]kgo.Hook{batchHook{r}}, cfg.Hooks...)...), kgo.DefaultProduceTopic(cfg.Topic))
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

	if err := waitUntil(ctx, cfg.StartAt); err != nil {
		return nil, err
	}
	r.startNs = r.clock.Now()
	doc.Start = r.clock.Time(r.startNs)
	if cfg.WarmupDuration > 0 {
		r.warmEnd = r.startNs + int64(cfg.WarmupDuration)
	}
	if cfg.Duration > 0 {
		r.deadline = r.startNs + int64(cfg.WarmupDuration) + int64(cfg.Duration)
	}
	r.states = make([]*producerState, cfg.Producers)
	for i := range r.states {
		ps := newProducerState(cfg.Topic, extraHeaders(cfg.Headers, cfg.HeaderSize))
		ps.pool.verify = cfg.Acks != nil
		r.states[i] = ps
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

	for seq := int64(0); seq < limit; seq++ {
		var intended int64
		if cfg.Rate > 0 {
			intended = r.startNs + int64((float64(seq)*n+float64(i))/cfg.Rate*1e9)
			if r.deadline > 0 && intended >= r.deadline {
				break
			}
			if err := r.clock.sleepUntil(ctx, timer, intended); err != nil {
				break
			}
		} else {
			intended = r.clock.Now()
			if r.deadline > 0 && intended >= r.deadline {
				break
			}
		}
		if ctx.Err() != nil {
			break
		}
		if txn && r.clock.Now()-txnStart >= int64(cfg.TransactionInterval) {
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
		p.accepted.Store(r.clock.Now())
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
// its pending to the pool.
func (r *produceRun) onAck(rec *kgo.Record, err error) {
	p := pendingOf(rec)
	ps := p.ps
	now := r.clock.Now()
	ps.mu.Lock()
	st := &ps.main
	if p.warm {
		st = &ps.warm
	}
	if err != nil {
		class, fatal := classify(err)
		st.errors.add(class)
		ps.ivErrors++
		size := p.size
		ps.pool.put(p)
		ps.mu.Unlock()
		if fatal {
			r.cancel(explainFatal(err, r.cfg.Topic, size))
		} else if class != ClassAborted {
			if n := r.errCount.Add(1); r.cfg.MaxErrors > 0 && n >= r.cfg.MaxErrors {
				r.cancel(fmt.Errorf("%w (%d failed records; last: %s)", errMaxErrors, n, shortErr(err)))
			}
		}
		return
	}
	accepted := p.accepted.Load()
	if accepted == 0 {
		// Acknowledged before Produce returned: the record never waited,
		// so its intended time is the best start we have.
		accepted = p.intended
	}
	intended := time.Duration(now - p.intended)
	st.records++
	st.bytes += int64(p.size)
	st.service.Record(time.Duration(now - accepted))
	st.lastAck = now
	ps.ivRecords++
	ps.ivBytes += int64(p.size)
	if p.warm {
		ps.ivWarm.Record(intended)
	} else {
		ps.ivMain.Record(intended)
	}
	if r.cfg.Acks != nil {
		r.auditAck(rec, p)
	}
	if part := int(rec.Partition); part >= 0 {
		if part >= len(ps.partLast) {
			ps.partLast = append(ps.partLast, make([]int64, part+1-len(ps.partLast))...)
		}
		if last := ps.partLast[part]; last > 0 && now-last > ps.partGap {
			ps.partGap, ps.partGapAt, ps.partGapP = now-last, last, rec.Partition
		}
		ps.partLast[part] = now
	}
	ps.pool.put(p)
	ps.mu.Unlock()

	if prev := r.lastAck.Swap(now); prev != 0 && now-prev > r.gapMax.Load() {
		r.gapMax.Store(now - prev)
		r.gapAt.Store(prev)
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
		records += ps.ivRecords
		bytes += ps.ivBytes
		errs += ps.ivErrors
		h.Merge(ps.ivMain)
		h.Merge(ps.ivWarm)
		ps.ivRecords, ps.ivBytes, ps.ivErrors = 0, 0, 0
		ps.foldInterval()
		ps.mu.Unlock()
	}
	return records, bytes, errs
}

// foldInterval moves the interval's latencies into the cumulative
// histograms; the caller holds ps.mu.
func (ps *producerState) foldInterval() {
	ps.main.intended.Merge(ps.ivMain)
	ps.warm.intended.Merge(ps.ivWarm)
	ps.ivMain.Reset()
	ps.ivWarm.Reset()
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
	m.Producer = r.producerStats()
	doc.Metrics = m
	if warm.records+total(warm.errors) > 0 {
		w, err := statsMetrics(&warm, r.startNs, warm.lastAck)
		if err != nil {
			return err
		}
		doc.Warmup = &w
	}
	return nil
}

func (r *produceRun) producerStats() *result.Producer {
	p := &result.Producer{
		Batches:           r.batches.Load(),
		UncompressedBytes: r.uncompressed.Load(),
		CompressedBytes:   r.compressed.Load(),
	}
	if p.Batches > 0 {
		var recs int64
		for _, ps := range r.states {
			ps.mu.Lock()
			recs += ps.main.records + ps.warm.records
			ps.mu.Unlock()
		}
		p.Derive(float64(recs))
	}
	for _, ps := range r.states {
		ps.mu.Lock()
		if ms := result.Round(float64(ps.partGap) / 1e6); ms > p.LongestPartitionAckGapMs {
			p.LongestPartitionAckGapMs = ms
			p.PartitionAckGapStartS = result.Round(float64(ps.partGapAt-r.startNs) / 1e9)
			p.PartitionAckGapPartition = ps.partGapP
		}
		ps.mu.Unlock()
	}
	p.LongestAckGapMs = result.Round(float64(r.gapMax.Load()) / 1e6)
	if at := r.gapAt.Load(); at > 0 {
		p.AckGapStartS = result.Round(float64(at-r.startNs) / 1e9)
	}
	return p
}

func mergeStats(dst, src *stats) {
	dst.records += src.records
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
	m := result.Metrics{Records: s.records, Bytes: s.bytes}
	m.Errors = s.errors.mergeInto(nil)
	m.ErrorsTotal = total(m.Errors)
	if to > from {
		m.ElapsedS = result.Round(float64(to-from) / 1e9)
	}
	m.SetRates()
	if s.records > 0 {
		if err := m.SetLatency(result.LatencyIntended, s.intended); err != nil {
			return m, err
		}
		if err := m.SetLatency(result.LatencyService, s.service); err != nil {
			return m, err
		}
	}
	return m, nil
}

// batchHook counts produced batches and their compressed sizes.
type batchHook struct{ r *produceRun }

func (h batchHook) OnProduceBatchWritten(_ kgo.BrokerMetadata, _ string, _ int32, m kgo.ProduceBatchMetrics) {
	h.r.batches.Add(1)
	h.r.uncompressed.Add(int64(m.UncompressedBytes))
	h.r.compressed.Add(int64(m.CompressedBytes))
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
