package loadgen

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// ConsumeConfig describes a consumer stress test.
type ConsumeConfig struct {
	// Topic is read; it must exist.
	Topic string
	// Partitions is the topic's partition count (e2e waits until the group
	// owns all of them before producing). 0: unknown.
	Partitions int
	// Group is the consumer group; empty makes a fresh one. Ignored with
	// Assign.
	Group string
	// Assign reads every partition directly, without a group.
	Assign bool
	// AssignPartitions, with Assign, reads only these partitions.
	// Default: every partition.
	AssignPartitions []int32
	// StartAt, if set, is the wall-clock time the run starts: the clients
	// are created then. Workers of a distributed run start together this
	// way.
	StartAt time.Time
	// IntervalHistograms keeps each interval's latency histogram in the
	// result (Interval.HDR), so merged intervals have exact percentiles.
	IntervalHistograms bool
	// From is where a partition without a committed offset starts:
	// "earliest" (the default, as kafka-consumer-perf-test) or "latest".
	From string
	// Records ends the run after this many records (0: no count bound).
	Records int64
	// Duration ends the run after this long (0: no time bound).
	Duration time.Duration
	// IdleTimeout ends the run when no record arrived for this long once
	// the consumers were assigned their partitions: by the group, or with
	// Assign when a consumer's first fetch is answered (its partitions'
	// leaders and offsets found), not when it was created. Until then a
	// consumer gets IdleTimeout plus 30 s. Default 10 s.
	IdleTimeout time.Duration
	// Consumers is the number of clients in the group. Default 1.
	Consumers int
	// Client is the resolved consumer configuration.
	Client *clientcfg.Resolved
	// Interval is the reporting interval. Default 5 s.
	Interval time.Duration
	// OnInterval, if set, is called with each interval as it closes.
	OnInterval func(result.Interval)
	// Clock is the run's clock; nil makes one.
	Clock *Clock
	// Logger receives progress logs. Default: discard.
	Logger *slog.Logger
	// Audit, if set, receives every record read (--verify).
	Audit *audit.Ledger
}

func (c *ConsumeConfig) defaults() error {
	if c.From == "" {
		c.From = "earliest"
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 10 * time.Second
	}
	if c.Consumers == 0 {
		c.Consumers = 1
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Interval <= 0 {
		c.Interval = 5 * time.Second
	}
	if c.Clock == nil {
		c.Clock = NewClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Client == nil {
		r, err := clientcfg.Resolve(nil, clientcfg.Consumer)
		if err != nil {
			return err
		}
		c.Client = r
	}
	if !c.Assign && c.Group == "" {
		c.Group = c.Client.Effective()["group.id"]
	}
	if !c.Assign && c.Group == "" {
		c.Group = fmt.Sprintf("ktune-%d", time.Now().UnixNano())
	}
	return nil
}

// consumerState is one consumer client's accounting, guarded by mu because
// the interval reporter reads it concurrently.
type consumerState struct {
	mu             sync.Mutex
	records, bytes int64
	polls          int64
	e2e            *hist.Histogram
	ivRecords      int64
	ivBytes        int64
	ivHist         *hist.Histogram
	first, last    int64
	assignedAt     int64
	rebalances     int64
	created        int64
	fatal          error
	// fetched is when the first fetch response came, -1 before: with
	// Assign, the start of the idle time. Atomic: the fetch hook sets it
	// for every response, without taking mu.
	fetched atomic.Int64
}

// consumeRun is one running consumer test.
type consumeRun struct {
	cfg        ConsumeConfig
	clock      *Clock
	startNs    int64
	states     []*consumerState
	consumed   atomic.Int64
	target     atomic.Int64 // record bound; 0: none (e2e sets it late)
	assigned   atomic.Int64 // partitions currently assigned over all consumers
	ready      chan struct{}
	readyOnce  sync.Once
	warmBefore *atomic.Int64 // records intended before this are warm-up (e2e)
	// auditEnds, once set, ends the run when the audit has read every
	// partition up to these end offsets (e2e with --verify).
	auditEnds atomic.Pointer[map[int32]int64]

	batches, batchRecords, compressed, uncompressed atomic.Int64
}

// Consume runs a consumer stress test against conn and returns its result.
// The result is returned also when the run is cut short (Complete false).
func Consume(ctx context.Context, conn *cluster.Conn, cfg ConsumeConfig) (*result.Document, error) {
	r, err := newConsumeRun(cfg)
	if err != nil {
		return nil, err
	}
	doc := newDocument(result.KindConsume, conn)
	r.fillDocument(doc)
	doc.Start = time.Now()
	from := markCPU()
	cause := r.run(ctx, conn)
	to := markCPU()
	doc.End = time.Now()
	if r.startNs != 0 {
		// After a wait for StartAt, the run began when the clients did.
		doc.Start = r.clock.Time(r.startNs)
	}
	if err := r.finish(doc, false); err != nil {
		return nil, err
	}
	if cfg.Audit != nil {
		doc.Audit = cfg.Audit.Report()
	}
	setClientCPU(&doc.Metrics, from, to)
	return doc, r.verdict(doc, ctx, cause)
}

func newConsumeRun(cfg ConsumeConfig) (*consumeRun, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	r := &consumeRun{cfg: cfg, clock: cfg.Clock, ready: make(chan struct{})}
	r.target.Store(cfg.Records)
	return r, nil
}

// Workload returns the workload c describes, as a result records it.
func (c *ConsumeConfig) Workload() result.Workload {
	w := result.Workload{
		Topic: c.Topic, Partitions: c.Partitions, Records: c.Records,
		DurationS: c.Duration.Seconds(), Consumers: c.Consumers, From: c.From,
	}
	if !c.Assign {
		w.Group = c.Group
	}
	return w
}

func (r *consumeRun) fillDocument(doc *result.Document) {
	doc.Workload = r.cfg.Workload()
	doc.Config.Consumer = r.cfg.Client.Effective()
	doc.Config.ClientLine = int(r.cfg.Client.Line())
	doc.Config.Notes = append(doc.Config.Notes, r.cfg.Client.Notes()...)
}

// errIdle and errTarget end a consume run normally.
var (
	errIdle     = errors.New("idle")
	errTarget   = errors.New("records")
	errDuration = errors.New("duration")
)

// run consumes until a bound is reached and returns the cause.
func (r *consumeRun) run(ctx context.Context, conn *cluster.Conn) error {
	cfg := &r.cfg
	runCtx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if cfg.Duration > 0 {
		var stop context.CancelFunc
		runCtx, stop = context.WithTimeoutCause(runCtx, cfg.Duration, errDuration)
		defer stop()
	}
	if err := waitUntil(ctx, cfg.StartAt); err != nil {
		return err
	}
	r.startNs = r.clock.Now()
	r.states = make([]*consumerState, cfg.Consumers)
	clients := make([]*kgo.Client, cfg.Consumers)
	defer func() {
		for _, cl := range clients {
			if cl != nil {
				cl.Close()
			}
		}
	}()
	for i := range clients {
		cs := &consumerState{e2e: hist.New(), ivHist: hist.New(), first: -1, assignedAt: -1}
		cs.fetched.Store(-1)
		r.states[i] = cs
		cl, err := conn.NewClient(r.clientOpts(cs)...)
		if err != nil {
			return err
		}
		cs.created = r.clock.Now()
		clients[i] = cl
	}
	if cfg.Assign {
		r.markReady()
	}

	reporter := newIntervalReporter(r.clock, r.startNs, cfg.Interval, r.snapshotInterval, cfg.OnInterval)
	reporter.keepHDR = cfg.IntervalHistograms
	go reporter.run()
	defer reporter.stop()

	var wg sync.WaitGroup
	for i, cl := range clients {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := r.pollLoop(runCtx, cl, r.states[i]); err != nil {
				cancel(err)
			}
		}()
	}
	wg.Wait()
	return context.Cause(runCtx)
}

func (r *consumeRun) clientOpts(cs *consumerState) []kgo.Opt {
	cfg := &r.cfg
	opts := cfg.Client.ConsumerOpts(!cfg.Assign)
	start := kgo.NewOffset().AtEnd()
	if cfg.From == "earliest" {
		start = kgo.NewOffset().AtStart()
	}
	opts = append(opts, kgo.ConsumeResetOffset(start), kgo.WithHooks(fetchHook{r}, firstFetch{r.clock, cs}))
	if cfg.Assign && len(cfg.AssignPartitions) > 0 {
		parts := make(map[int32]kgo.Offset, len(cfg.AssignPartitions))
		for _, p := range cfg.AssignPartitions {
			parts[p] = start
		}
		opts = append(opts, kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{cfg.Topic: parts}))
	} else {
		opts = append(opts, kgo.ConsumeTopics(cfg.Topic))
	}
	if !cfg.Assign {
		opts = append(opts,
			kgo.ConsumerGroup(cfg.Group),
			kgo.OnPartitionsAssigned(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
				now := r.clock.Now()
				cs.mu.Lock()
				if cs.assignedAt < 0 {
					cs.assignedAt = now
				}
				cs.rebalances++
				cs.mu.Unlock()
				if r.assigned.Add(int64(len(m[cfg.Topic]))) >= int64(cfg.Partitions) {
					r.markReady()
				}
			}),
			kgo.OnPartitionsRevoked(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
				r.assigned.Add(-int64(len(m[cfg.Topic])))
			}),
			kgo.OnPartitionsLost(func(_ context.Context, _ *kgo.Client, m map[string][]int32) {
				r.assigned.Add(-int64(len(m[cfg.Topic])))
			}),
		)
	}
	return opts
}

func (r *consumeRun) markReady() { r.readyOnce.Do(func() { close(r.ready) }) }

// pollLoop is one consumer's poll loop.
func (r *consumeRun) pollLoop(ctx context.Context, cl *kgo.Client, cs *consumerState) error {
	maxPoll := r.cfg.Client.MaxPollRecords()
	if maxPoll <= 0 {
		maxPoll = 500
	}
	for ctx.Err() == nil {
		if r.done() {
			return errTarget
		}
		pctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
		fs := cl.PollRecords(pctx, maxPoll)
		cancel()
		if fs.IsClientClosed() {
			return nil
		}
		for _, fe := range fs.Errors() {
			if errors.Is(fe.Err, context.DeadlineExceeded) || errors.Is(fe.Err, context.Canceled) {
				continue
			}
			if _, fatal := classify(fe.Err); fatal || errors.Is(fe.Err, kerr.GroupAuthorizationFailed) {
				return explainConsume(fe.Err, r.cfg.Topic, r.cfg.Group)
			}
			r.cfg.Logger.Warn("fetch error", "topic", fe.Topic, "partition", fe.Partition, "err", fe.Err)
		}
		now := r.clock.Now()
		n := int64(fs.NumRecords())
		if n == 0 {
			if r.idle(cs, now) {
				return errIdle
			}
			continue
		}
		// Count only up to the target, so counts are exact.
		take := n
		if t := r.target.Load(); t > 0 {
			after := r.consumed.Add(n)
			if after > t {
				take = max(0, n-(after-t))
			}
		} else {
			r.consumed.Add(n)
		}
		r.account(cs, fs, take, now)
	}
	return nil
}

// done reports whether the record target is reached.
func (r *consumeRun) done() bool {
	t := r.target.Load()
	return t > 0 && r.consumed.Load() >= t || r.auditDone()
}

// idle reports whether cs has seen nothing for IdleTimeout since its
// last record or, before its first, since it got its partitions: when the
// group assigned them, or for direct assignment when its first fetch was
// answered. Finding the leaders and listing the offsets comes before that
// and can outlast a short idle timeout on a busy host; it must not end
// the run before a record could arrive.
func (r *consumeRun) idle(cs *consumerState, now int64) bool {
	cs.mu.Lock()
	defer cs.mu.Unlock()
	since := cs.last
	if since < 0 || cs.first < 0 {
		since = cs.assignedAt
		if r.cfg.Assign {
			since = cs.fetched.Load()
		}
	}
	if since < 0 {
		// Not yet in the group, or no fetch answered yet: give the join
		// (or the look-ups) the idle timeout plus a generous bound of its
		// own.
		return now-cs.created > int64(r.cfg.IdleTimeout)+int64(30*time.Second)
	}
	return now-since > int64(r.cfg.IdleTimeout)
}

// account counts the first take records of fs.
func (r *consumeRun) account(cs *consumerState, fs kgo.Fetches, take int64, now int64) {
	var warmBefore int64 = math.MinInt64
	if r.warmBefore != nil {
		warmBefore = r.warmBefore.Load()
	}
	cs.mu.Lock()
	defer cs.mu.Unlock()
	cs.polls++
	if take > 0 && cs.first < 0 {
		cs.first = now
	}
	if take > 0 {
		cs.last = now
	}
	it := fs.RecordIter()
	for i := int64(0); i < take && !it.Done(); i++ {
		rec := it.Next()
		if r.cfg.Audit != nil {
			r.cfg.Audit.ReadRecord(rec)
		}
		size := int64(len(rec.Key) + len(rec.Value))
		ts, ok := intendedOf(rec)
		if ok && ts < warmBefore {
			continue // an e2e warm-up record
		}
		cs.records++
		cs.bytes += size
		cs.ivRecords++
		cs.ivBytes += size
		if ok {
			lat := time.Duration(now - ts)
			cs.e2e.Record(lat)
			cs.ivHist.Record(lat)
		}
	}
}

func (r *consumeRun) snapshotInterval(h *hist.Histogram) (records, bytes, errs int64) {
	for _, cs := range r.states {
		cs.mu.Lock()
		records += cs.ivRecords
		bytes += cs.ivBytes
		h.Merge(cs.ivHist)
		cs.ivRecords, cs.ivBytes = 0, 0
		cs.ivHist.Reset()
		cs.mu.Unlock()
	}
	return records, bytes, 0
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
	m.IntervalLatency = result.LatencyE2E
	doc.Metrics = m
	return nil
}

func (r *consumeRun) verdict(doc *result.Document, ctx context.Context, cause error) error {
	switch {
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

func explainConsume(err error, topic, group string) error {
	switch {
	case errors.Is(err, kerr.TopicAuthorizationFailed):
		return fmt.Errorf("not authorized to read topic %q: ask for Read and Describe ACLs on it", topic)
	case errors.Is(err, kerr.GroupAuthorizationFailed):
		return fmt.Errorf("not authorized for consumer group %q: ask for Read ACLs on the group, or pass --assign", group)
	case errors.Is(err, kerr.SaslAuthenticationFailed):
		return fmt.Errorf("authentication failed: %v; check the user and password", err)
	}
	msg := err.Error()
	if !strings.Contains(msg, topic) {
		msg = fmt.Sprintf("consuming %q: %v", topic, err)
	}
	return errors.New(msg)
}

// firstFetch notes when a consumer's first fetch response was read: a
// directly assigned consumer has its partitions from then on (kgo found
// their leaders and listed their offsets before it fetched), so its idle
// time counts from there.
type firstFetch struct {
	clock *Clock
	cs    *consumerState
}

func (h firstFetch) OnBrokerRead(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if key != kmsg.Fetch.Int16() || err != nil || h.cs.fetched.Load() >= 0 {
		return
	}
	h.cs.fetched.CompareAndSwap(-1, h.clock.Now())
}

// fetchHook counts fetched batches and their sizes.
type fetchHook struct{ r *consumeRun }

func (h fetchHook) OnFetchBatchRead(_ kgo.BrokerMetadata, _ string, _ int32, m kgo.FetchBatchMetrics) {
	h.r.batches.Add(1)
	h.r.batchRecords.Add(int64(m.NumRecords))
	h.r.compressed.Add(int64(m.CompressedBytes))
	h.r.uncompressed.Add(int64(m.UncompressedBytes))
}
