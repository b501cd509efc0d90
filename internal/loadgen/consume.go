package loadgen

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/livemetrics"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

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
	// reach records the consumers' broker losses and reconnections.
	reach *reach

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
	r.reach = newReach(r.clock, r.startNs)
	r.states = make([]*consumerState, cfg.Consumers)
	clients := make([]*kgo.Client, cfg.Consumers)
	defer func() {
		for _, cl := range clients {
			if cl != nil {
				closeConsumer(cl)
			}
		}
	}()
	for i := range clients {
		cs := &consumerState{e2e: hist.New(), ivHist: hist.New(), first: -1, assignedAt: -1}
		cs.fetched.Store(-1)
		r.states[i] = cs
		opts := append(r.clientOpts(cs), kgo.WithHooks(cfg.Live.ClientHooks(livemetrics.RoleConsumer, cfg.Topic, i)...))
		cl, err := conn.NewClient(opts...)
		if err != nil {
			return err
		}
		cs.created = r.clock.Now()
		clients[i] = cl
	}
	if cfg.Assign {
		r.markReady()
	}
	if cfg.Live != nil {
		cfg.Live.Watch(livemetrics.RoleConsumer, cfg.Topic, r.liveSource(markCPU()))
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
	opts = append(opts, kgo.ConsumeResetOffset(start), kgo.WithHooks(fetchHook{r}, firstFetch{r.clock, cs}, r.reach))
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
				if from, lost := r.reach.lostSince(); lost {
					return fmt.Errorf("%w: no broker answered for %s (--idle-timeout)", errClusterUnreachable, time.Duration(now-from).Round(time.Millisecond))
				}
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

// closeConsumer closes a consumer client within a bound: leaving the group
// is given closeGrace (a cluster that does not answer cannot be left), then
// Close, which no longer waits on the group.
func closeConsumer(cl *kgo.Client) {
	ctx, cancel := context.WithTimeout(context.Background(), abortGrace)
	_ = cl.LeaveGroupContext(ctx)
	cancel()
	cl.Close()
}
