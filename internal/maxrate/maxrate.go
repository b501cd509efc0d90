// Package maxrate searches for the highest producer rate a cluster
// sustains within a latency objective: an unpaced window finds the
// ceiling, a bounded search narrows it, two windows confirm the answer.
package maxrate

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/result"
)

// Config describes a search for the highest sustainable rate.
type Config struct {
	// Produce is the template of every window: topic, payload, client.
	// Its rate, records, duration and warm-up are set per window.
	Produce loadgen.ProduceConfig
	// E2E measures end-to-end latency (a consumer group reads along)
	// instead of the producer's intended-time latency.
	E2E     bool
	Consume loadgen.ConsumeConfig
	// P99 is the objective: the latency's p99 must stay within it.
	P99 time.Duration
	// MinAchieved is the share of the target rate a window must achieve.
	// Default 0.95.
	MinAchieved float64
	// Window is each measured window (default 10 s), after Warmup (2 s).
	Window, Warmup time.Duration
	// MaxSteps bounds the search windows. Default 8.
	MaxSteps int
	// Ceiling, when set, is the search's upper bound; otherwise an unpaced
	// window finds it.
	Ceiling float64
	// OnStep, if set, is told about every window.
	OnStep func(result.MaxRateStep)
	// Partitions and ReplicationFactor lay out each window's topic
	// (named after Produce.Topic). Defaults cluster.DefaultPartitions and
	// the broker's.
	Partitions, ReplicationFactor int
}

// Run searches for the highest rate whose p99 stays within the
// objective and whose achieved rate keeps up, and confirms it over two more
// windows. It always returns a single number with the evidence (each step);
// 0 means no rate tried met the objective. A search that ctx or an error
// cut short returns its document as far as it got, ended (Complete false,
// with the stop reason) and confirming nothing.
func Run(ctx context.Context, conn *cluster.Conn, cfg Config) (*result.MaxRate, error) {
	doc, err := run(ctx, conn, cfg)
	if doc != nil && err != nil {
		doc.RecordsPerSec, doc.MiBPerSec = 0, 0
		doc.EndRuns(ctx.Err(), false)
		if ctx.Err() == nil {
			doc.StopReason, doc.Error = result.StopError, err.Error()
		}
	}
	return doc, err
}

func run(ctx context.Context, conn *cluster.Conn, cfg Config) (*result.MaxRate, error) {
	if cfg.P99 <= 0 {
		return nil, errors.New("maxrate needs an objective, e.g. --slo p99=50ms")
	}
	if cfg.MinAchieved == 0 {
		cfg.MinAchieved = 0.95
	}
	if cfg.Window == 0 {
		cfg.Window = 10 * time.Second
	}
	if cfg.Warmup == 0 {
		cfg.Warmup = 2 * time.Second
	}
	if cfg.MaxSteps == 0 {
		cfg.MaxSteps = 8
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	kind := result.LatencyIntended
	if cfg.E2E {
		kind = result.LatencyE2E
	}
	doc := &result.MaxRate{
		Header: result.NewHeader(result.KindMaxRate), Cluster: conn.Info,
		LatencyKind: kind, P99Ms: float64(cfg.P99) / 1e6, MinAchieved: cfg.MinAchieved,
	}
	if cfg.Produce.Client != nil {
		doc.Config.Producer = cfg.Produce.Client.Effective()
		doc.Config.ClientLine = int(cfg.Produce.Client.Line())
	}
	var lastDoc *result.Document
	n := 0
	window := func(phase string, rate float64) (result.MaxRateStep, error) {
		pc := cfg.Produce
		// Each window writes a topic of its own, deleted after it, so
		// windows do not inherit each other's data (an embedded cluster
		// keeps records in memory, up to cluster.DefaultEmbeddedMaxBytes).
		n++
		pc.Topic = fmt.Sprintf("%s-w%d", cfg.Produce.Topic, n)
		parts := cfg.Partitions
		if parts <= 0 {
			parts = cluster.DefaultPartitions
		}
		if _, err := conn.EnsureTopic(ctx, cluster.TopicSpec{Name: pc.Topic, Partitions: parts, ReplicationFactor: cfg.ReplicationFactor}); err != nil {
			return result.MaxRateStep{Phase: phase, Target: rate}, err
		}
		defer conn.DeleteTopic(context.WithoutCancel(ctx), pc.Topic)
		consume := cfg.Consume
		consume.Partitions = parts
		pc.Rate, pc.Duration, pc.WarmupDuration, pc.Records, pc.WarmupRecords = rate, cfg.Window, cfg.Warmup, 0, 0
		pc.Interval = stepInterval
		if rate == 0 && pc.Client != nil {
			// Unpaced, the client fills buffer.memory (32 MiB) far faster
			// than the cluster drains it; a 1 MiB buffer finds the same
			// ceiling without a backlog that outlives the window.
			c, err := pc.Client.With(clientcfg.Property{Key: "buffer.memory", Value: strconv.Itoa(discoverBuffer), Source: "maxrate ceiling window"})
			if err != nil {
				return result.MaxRateStep{Phase: phase, Target: rate}, err
			}
			pc.Client = c
		}
		// A rate the cluster cannot take leaves a backlog in the client;
		// the window ends on time all the same (what is still buffered
		// fails as aborted, which fails the step).
		wctx, wcancel := context.WithCancel(ctx)
		stop := time.AfterFunc(cfg.Warmup+cfg.Window+stepInterval, wcancel)
		var d *result.Document
		var err error
		if cfg.E2E {
			d, err = loadgen.E2E(wctx, conn, loadgen.E2EConfig{Produce: pc, Consume: consume})
		} else {
			d, err = loadgen.Produce(wctx, conn, pc)
		}
		stop.Stop()
		wcancel()
		step := result.MaxRateStep{Phase: phase, Target: rate}
		if d == nil {
			return step, err
		}
		if ctx.Err() == nil && wctx.Err() != nil {
			err = nil // our own cut, not an interruption
		}
		lastDoc = d
		step.Achieved = achieved(d, cfg.Warmup, cfg.Window)
		step.Errors = d.Metrics.ErrorsTotal
		if l, ok := d.Metrics.Latency[kind]; ok {
			step.P99Ms = l.P99
		}
		step.Pass = err == nil && rate > 0 && step.Errors == 0 &&
			step.Achieved >= cfg.MinAchieved*rate && step.P99Ms <= doc.P99Ms && step.P99Ms > 0
		doc.Steps = append(doc.Steps, step)
		if cfg.OnStep != nil {
			cfg.OnStep(step)
		}
		if ctx.Err() != nil {
			return step, ctx.Err()
		}
		return step, nil
	}

	hi := cfg.Ceiling
	if hi <= 0 {
		// An unpaced window finds what the client and cluster can do at
		// all; the sustainable rate is below it.
		step, err := window("discover", 0)
		if err != nil {
			return doc, err
		}
		hi = step.Achieved * 1.1
	}
	if hi <= 0 {
		return doc, errors.New("the discovery window acknowledged nothing")
	}
	lo := 0.0
	for i := 0; i < cfg.MaxSteps && (hi-lo)/hi > 0.05; i++ {
		mid := (lo + hi) / 2
		if lo == 0 && i == 0 {
			mid = hi * 0.5
		}
		step, err := window("search", mid)
		if err != nil {
			return doc, err
		}
		if step.Pass {
			lo = mid
		} else {
			hi = mid
		}
	}
	// Confirm over two more windows; back off 15% at a time if either
	// fails (a cluster that degrades as it fills needs it), at most 5 times.
	for tries := 0; lo > 0 && tries < 5; tries++ {
		ok := true
		for w := 0; w < 2 && ok; w++ {
			step, err := window("confirm", lo)
			if err != nil {
				return doc, err
			}
			ok = step.Pass
		}
		if ok {
			doc.RecordsPerSec = lo
			if lastDoc != nil && lastDoc.Metrics.RecordsPerSec > 0 {
				doc.MiBPerSec = lo * lastDoc.Metrics.MiBPerSec / lastDoc.Metrics.RecordsPerSec
			}
			break
		}
		lo *= 0.85
	}
	if lastDoc != nil {
		doc.Workload = lastDoc.Workload
	}
	doc.Done(result.StopDone)
	return doc, nil
}

// discoverBuffer is the client buffer of the unpaced discovery window.
const discoverBuffer = 1 << 20

// stepInterval is the interval series' resolution inside a window.
const stepInterval = 250 * time.Millisecond

// achieved is the acknowledged rate inside the measured window, from the
// interval series: acknowledgements that arrive while a backlog drains
// after the window do not count.
func achieved(d *result.Document, warmup, window time.Duration) float64 {
	end := (warmup + window + stepInterval/2).Seconds()
	var recs int64
	from, to, prev := -1.0, 0.0, 0.0
	for _, iv := range d.Metrics.Intervals {
		start := prev
		prev = iv.T
		if iv.Warmup || iv.T > end {
			continue
		}
		if from < 0 {
			from = start
		}
		recs += iv.Records
		to = iv.T
	}
	if to <= from {
		return d.Metrics.RecordsPerSec
	}
	return float64(recs) / (to - from)
}
