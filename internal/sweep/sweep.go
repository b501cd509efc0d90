// Package sweep runs producer and consumer stress tests over a grid of
// settings, and searches for the highest rate a cluster sustains within a
// latency objective. Every point is a full result in the run schema.
package sweep

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sort"
	"strings"
	"time"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/result"
)

// Roles of a dimension besides the client roles.
const (
	RoleProducer = "producer"
	RoleConsumer = "consumer"
	RoleWorkload = "workload" // partitions, record.size
)

// Point is one combination of settings.
type Point struct {
	Params map[string]string // "producer:linger.ms" -> "5", "workload:partitions" -> "6"
}

// Key is the point's stable identity.
func (p Point) Key() string {
	keys := make([]string, 0, len(p.Params))
	for k := range p.Params {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + "=" + p.Params[k]
	}
	return strings.Join(parts, ",")
}

// Expand returns the points of dims: every combination for "grid", or for
// "one-at-a-time" the base (every dimension at its first value... or at
// nothing) and then each value of each dimension alone.
func Expand(dims []result.Dimension, mode string) ([]Point, error) {
	for _, d := range dims {
		if len(d.Values) == 0 {
			return nil, fmt.Errorf("dimension %s has no values", d.Name)
		}
	}
	switch mode {
	case "", "grid":
		points := []Point{{Params: map[string]string{}}}
		for _, d := range dims {
			var next []Point
			for _, p := range points {
				for _, v := range d.Values {
					np := Point{Params: map[string]string{}}
					for k, x := range p.Params {
						np.Params[k] = x
					}
					np.Params[d.Role+":"+d.Name] = v
					next = append(next, np)
				}
			}
			points = next
		}
		return points, nil
	case "one-at-a-time":
		points := []Point{{Params: map[string]string{}}}
		for _, d := range dims {
			for _, v := range d.Values {
				points = append(points, Point{Params: map[string]string{d.Role + ":" + d.Name: v}})
			}
		}
		return points, nil
	}
	return nil, fmt.Errorf("sweep mode %q: must be grid or one-at-a-time", mode)
}

// Config describes a sweep.
type Config struct {
	Topic        string // prefix of the per-point topics
	Partitions   int
	RF           int
	TopicConfigs map[string]string
	// Base producer and consumer properties (a profile, -X); dimensions
	// override them.
	Producer, Consumer []clientcfg.Property
	// Line is the Java client line whose defaults fill in what the
	// properties leave unset (--client-line); 0 is the current line.
	Line          clientcfg.Line
	Dimensions    []result.Dimension
	Mode          string
	Records       int64 // measured records per point
	WarmupRecords int64 // per point; default Records/10
	Rate          float64
	Repeat        int
	RecordSize    int
	Values        payload.ValueConfig
	// Budget refuses a sweep whose estimate exceeds it, or trims it to fit
	// when Trim is set (0: no budget).
	Budget time.Duration
	Trim   bool
	// Resume holds a previous sweep document whose finished points are kept
	// and not run again.
	Resume *result.Sweep
	// Save, if set, is called with the document after every point (write
	// it atomically: an interruption keeps every finished point).
	Save func(*result.Sweep) error
	// Progress, if set, is told about each point as it starts.
	Progress func(done, total int, eta time.Duration, key string)
	Logger   *slog.Logger
	// KeepTopics keeps each point's topic instead of deleting it after the
	// point.
	KeepTopics bool
}

// planned is one point to run.
type planned struct {
	point  Point
	repeat int
	key    string
}

// Plan expands the configuration into its runs and estimates their time;
// it refuses a sweep estimated over its Budget unless Trim is set. It
// needs no cluster, so the refusal comes before one is contacted.
func Plan(cfg *Config) ([]planned, time.Duration, error) {
	points, err := Expand(cfg.Dimensions, cfg.Mode)
	if err != nil {
		return nil, 0, err
	}
	if cfg.Repeat <= 0 {
		cfg.Repeat = 1
	}
	var runs []planned
	// Repetitions of a point are spread over the sweep (all points once,
	// then again), so drift hits every point alike.
	for r := 0; r < cfg.Repeat; r++ {
		for _, p := range points {
			runs = append(runs, planned{point: p, repeat: r, key: fmt.Sprintf("%s#%d", p.Key(), r)})
		}
	}
	est := estimate(cfg, len(runs))
	if cfg.Budget > 0 && est > cfg.Budget && !cfg.Trim {
		return nil, 0, fmt.Errorf("%w: %d points estimated at %s, budget %s; pass --trim to run what fits, or fewer values or records", ErrOverBudget, len(runs), est.Round(time.Second), cfg.Budget)
	}
	return runs, est, nil
}

// estimate guesses a run's time: its records at the set rate (or at a
// conservative 50,000 records/s), twice with consumer dimensions, plus 1 s
// of overhead per point.
func estimate(cfg *Config, n int) time.Duration {
	rate := cfg.Rate
	if rate <= 0 {
		rate = 50000
	}
	per := time.Duration(float64(cfg.Records+cfg.warmup())/rate*float64(time.Second)) + time.Second
	if hasConsumer(cfg.Dimensions) {
		per += per / 2
	}
	return time.Duration(n) * per
}

func (c *Config) warmup() int64 {
	if c.WarmupRecords > 0 {
		return c.WarmupRecords
	}
	return c.Records / 10
}

func hasConsumer(dims []result.Dimension) bool {
	for _, d := range dims {
		if d.Role == RoleConsumer {
			return true
		}
	}
	return false
}

// ErrOverBudget is returned (wrapped) when a sweep cannot fit --budget.
var ErrOverBudget = errors.New("the sweep does not fit its budget")

// Run runs the sweep against conn. The document holds every finished point
// also when the sweep is interrupted (Complete false).
func Run(ctx context.Context, conn *cluster.Conn, cfg Config) (*result.Sweep, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	runs, est, err := Plan(&cfg)
	if err != nil {
		return nil, err
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	doc := &result.Sweep{
		Header:  result.NewHeader(result.KindSweep),
		Cluster: conn.Info, Mode: cfg.Mode, Dimensions: cfg.Dimensions, Repeat: cfg.Repeat,
		RecordsPerPoint: cfg.Records, Rate: cfg.Rate, EstimatedS: est.Seconds(),
	}
	if doc.Mode == "" {
		doc.Mode = "grid"
	}
	if cfg.Budget > 0 && est > cfg.Budget { // Plan refused it without Trim
		keep := int(float64(len(runs)) * float64(cfg.Budget) / float64(est))
		doc.Trimmed = len(runs) - keep
		runs = runs[:keep]
		doc.EstimatedS = estimate(&cfg, keep).Seconds()
	}
	done := map[string]result.SweepPoint{}
	if cfg.Resume != nil {
		for _, p := range cfg.Resume.Points {
			done[p.Key] = p
		}
	}
	began := time.Now()
	ran := 0
	for i, r := range runs {
		if p, ok := done[r.key]; ok {
			doc.Points = append(doc.Points, p)
			doc.OverheadS += p.OverheadS
			continue
		}
		if ctx.Err() != nil {
			break
		}
		if cfg.Progress != nil {
			var eta time.Duration
			if ran > 0 {
				eta = time.Since(began) / time.Duration(ran) * time.Duration(len(runs)-i)
			} else {
				eta = estimate(&cfg, len(runs)-i)
			}
			cfg.Progress(i, len(runs), eta, r.key)
		}
		pt, err := runPoint(ctx, conn, &cfg, r, i)
		if err != nil {
			if ctx.Err() != nil {
				break
			}
			return doc, fmt.Errorf("point %s: %w", r.key, err)
		}
		ran++
		doc.Points = append(doc.Points, pt)
		doc.OverheadS += pt.OverheadS
		doc.End = time.Now()
		if cfg.Save != nil {
			if err := cfg.Save(doc); err != nil {
				return doc, err
			}
		}
	}
	doc.EndRuns(ctx.Err(), len(doc.Points) == len(runs))
	if doc.Complete && doc.Trimmed > 0 {
		doc.StopReason = result.StopTrimmed
	}
	if cfg.Progress != nil {
		cfg.Progress(len(runs), len(runs), 0, "")
	}
	if cfg.Save != nil {
		if err := cfg.Save(doc); err != nil {
			return doc, err
		}
	}
	return doc, nil
}

// runPoint produces (and, with consumer dimensions, consumes) one point on
// a fresh topic.
func runPoint(ctx context.Context, conn *cluster.Conn, cfg *Config, r planned, i int) (result.SweepPoint, error) {
	start := time.Now()
	pt := result.SweepPoint{Key: r.key, Params: r.point.Params, Repeat: r.repeat}
	prodKv, consKv, workload, err := r.point.settings()
	if err != nil {
		return pt, err
	}
	partitions, size := cfg.Partitions, cfg.RecordSize
	if n, ok := workload["partitions"]; ok {
		partitions = n
	}
	if n, ok := workload["record.size"]; ok {
		size = n
	}
	prod, err := clientcfg.ResolveLine(append(append([]clientcfg.Property{}, cfg.Producer...), prodKv...), clientcfg.Producer, cfg.Line.OrCurrent())
	if err != nil {
		return pt, err
	}
	topic := fmt.Sprintf("%s-%d-%d", cfg.Topic, time.Now().UnixNano()%1e9, i)
	t, err := conn.EnsureTopic(ctx, cluster.TopicSpec{Name: topic, Partitions: partitions, ReplicationFactor: cfg.RF, Configs: cfg.TopicConfigs})
	if err != nil {
		return pt, err
	}
	if !cfg.KeepTopics {
		// Each point's topic is its own; leaving them would fill the
		// cluster (and an embedded one's memory) point after point.
		defer func() {
			if err := conn.DeleteTopic(context.WithoutCancel(ctx), topic); err != nil {
				cfg.Logger.Warn("could not delete a sweep topic", "topic", topic, "err", err)
			}
		}()
	}
	values := cfg.Values
	values.Size = size
	pdoc, err := loadgen.Produce(ctx, conn, loadgen.ProduceConfig{
		Topic: topic, Records: cfg.Records, WarmupRecords: cfg.warmup(), Rate: cfg.Rate,
		Values: values, Client: prod, Interval: time.Second, Logger: cfg.Logger,
	})
	if err != nil {
		return pt, err
	}
	pdoc.Workload.Partitions, pdoc.Workload.ReplicationFactor, pdoc.Workload.TopicCreated = t.Partitions, t.ReplicationFactor, true
	pt.Produce = pdoc
	measured := pdoc.Metrics.ElapsedS
	if hasConsumer(cfg.Dimensions) {
		cons, err := clientcfg.ResolveLine(append(append([]clientcfg.Property{}, cfg.Consumer...), consKv...), clientcfg.Consumer, cfg.Line.OrCurrent())
		if err != nil {
			return pt, err
		}
		total := pdoc.Metrics.Records
		if pdoc.Warmup != nil {
			total += pdoc.Warmup.Records
		}
		cdoc, err := loadgen.Consume(ctx, conn, loadgen.ConsumeConfig{
			Topic: topic, Partitions: t.Partitions, Records: total, Client: cons, Interval: time.Second, Logger: cfg.Logger,
		})
		if err != nil {
			return pt, err
		}
		pt.Consume = cdoc
		measured += cdoc.Metrics.ElapsedS
	}
	pt.WallS = time.Since(start).Seconds()
	pt.OverheadS = pt.WallS - measured
	return pt, nil
}
