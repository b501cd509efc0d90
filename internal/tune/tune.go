// Package tune runs ktune's whole job: probe the host, sweep producer and
// consumer settings, find the max sustainable rate, advise, and report,
// with every artefact in one folder.
package tune

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"time"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/maxrate"
	"github.com/ktune/ktune/internal/probe"
	"github.com/ktune/ktune/internal/reports"
	"github.com/ktune/ktune/internal/sweep"
	"github.com/ktune/ktune/result"
)

// Config describes a tuning run.
type Config struct {
	// Preset is quick (the default: a few minutes) or full.
	Preset string
	// Dir receives every artefact.
	Dir string
	// Budget bounds the whole run; stages that would not fit are trimmed.
	Budget time.Duration
	// SLO is the p99 objective of the max-rate search. Default 100 ms.
	SLO      time.Duration
	Workload advisor.Workload
	// BrokerProbes are probe documents of broker hosts: the advice sizes
	// brokers from them. Without them (or ProbeIsBroker) the sizing is the
	// textbook's: this host runs the load, not a broker.
	BrokerProbes []string
	// ProbeIsBroker says this host is a broker host, so its own probe
	// may size the brokers.
	ProbeIsBroker bool
	// Base are client properties every run starts from: the command's
	// --command-config, connection flags and -X, layered.
	Base []clientcfg.Property
	// Line is the Java client line whose defaults fill in what Base
	// leaves unset (--client-line); 0 is the current line.
	Line clientcfg.Line
	// Stage, if set, is told when a stage starts.
	Stage  func(i, n int, name string)
	Logger *slog.Logger
	// Version and CommandLine are stamped into every artefact's header.
	Version     string
	CommandLine []string
}

// Summary is what a tuning run produced.
type Summary struct {
	// Window is the length of each max-rate window.
	Window  time.Duration
	Report  string
	Advice  *advisor.Advice
	MaxRate *result.MaxRate
	Files   []string
}

type preset struct {
	records      int64
	producerDims []result.Dimension
	consumerDims []result.Dimension
	window       time.Duration
	steps        int
	probeBytes   int64
	probeBudget  time.Duration
}

func presets(name string) (preset, error) {
	dims := func(role string, kv ...string) []result.Dimension {
		var out []result.Dimension
		for i := 0; i+1 < len(kv); i += 2 {
			out = append(out, result.Dimension{Role: role, Name: kv[i], Values: splitComma(kv[i+1])})
		}
		return out
	}
	switch name {
	case "", "quick":
		return preset{records: 20000, window: 2 * time.Second, steps: 5, probeBytes: 64 << 20, probeBudget: 10 * time.Second,
			producerDims: dims(sweep.RoleProducer, "batch.size", "16384,131072", "linger.ms", "0,10", "compression.type", "none,lz4"),
			consumerDims: dims(sweep.RoleConsumer, "max.poll.records", "500,2000", "fetch.max.bytes", "52428800,104857600")}, nil
	case "full":
		return preset{records: 200000, window: 10 * time.Second, steps: 8, probeBytes: 256 << 20, probeBudget: 30 * time.Second,
			producerDims: dims(sweep.RoleProducer, "batch.size", "16384,65536,262144", "linger.ms", "0,5,20", "compression.type", "none,lz4,zstd", "acks", "1,all"),
			consumerDims: dims(sweep.RoleConsumer, "max.poll.records", "500,2000", "fetch.max.bytes", "52428800,104857600", "fetch.min.bytes", "1,100000")}, nil
	}
	return preset{}, fmt.Errorf("--preset %q: must be quick or full", name)
}

// tuneRecordSize is the record size of tune's runs, in bytes.
const tuneRecordSize = 1024

// fit returns p with at most as many records per run as a cluster that
// keeps only keptBytes of records (the embedded one) still holds when they
// are read back: half of it, for the warm-up records and the batches'
// overhead. keptBytes 0 means no bound.
func (p preset) fit(keptBytes int64) preset {
	if keptBytes <= 0 {
		return p
	}
	p.records = min(p.records, keptBytes/2/tuneRecordSize)
	return p
}

func splitComma(s string) []string {
	var out []string
	start := 0
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ',' {
			out = append(out, s[start:i])
			start = i + 1
		}
	}
	return out
}

// sweep is the configuration of one of the sweep stages.
func (c *Config) sweep(p preset, dims []result.Dimension, budget time.Duration) sweep.Config {
	return sweep.Config{
		Topic: "ktune-tune", Partitions: cluster.DefaultPartitions, Producer: c.Base, Consumer: c.Base, Line: c.Line, Dimensions: dims,
		Records: p.records, Repeat: 1, RecordSize: tuneRecordSize, Values: payload.ValueConfig{Kind: payload.Random, Compressibility: 0.5},
		Budget: budget, Trim: budget > 0, Logger: c.Logger,
	}
}

// defaultAvgMBps is the workload tune sizes for when none is given.
const defaultAvgMBps = 10

// Validate checks the run before any folder is made or cluster started or
// contacted: the preset, the bounds, the workload, and every sweep point's
// client configuration on top of Base. Zero SLO is refused here; Run fills
// in its default (100 ms) before validating.
func (c *Config) Validate() error {
	p, err := presets(c.Preset)
	if err != nil {
		return err
	}
	switch {
	case c.Budget < 0:
		return fmt.Errorf("--budget %s: must be positive (0: no bound)", c.Budget)
	case c.SLO <= 0:
		return fmt.Errorf("--slo %s: must be positive", c.SLO)
	case c.Dir == "":
		return errors.New("--out must not be empty: it names the folder for every artefact")
	}
	if err := advisor.ValidateWorkload(c.Workload, defaultAvgMBps); err != nil {
		return err
	}
	for _, dims := range [][]result.Dimension{p.producerDims, p.consumerDims} {
		sc := c.sweep(p, dims, time.Hour)
		if err := sc.Validate(); err != nil {
			return err
		}
	}
	return nil
}

// Run runs every stage against conn.
//
// Ctrl-C or SIGTERM (ctx done) ends the run after the stage under way:
// the documents measured so far are written as they are (cut short, with
// their stop reason), no advice or report is made from them, and the
// error says the run was interrupted. A budget does not end the run: each
// measuring stage gets its share of what is left and is trimmed to it;
// talking to the cluster, the advice and the report are not bounded by it.
func Run(ctx context.Context, conn *cluster.Conn, cfg Config) (*Summary, error) {
	if cfg.SLO == 0 {
		cfg.SLO = 100 * time.Millisecond
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	p, _ := presets(cfg.Preset)
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if fit := p.fit(conn.KeptBytes()); fit.records != p.records {
		cfg.Logger.Info("fewer records per run, so that what each run writes is still kept when it is read back", "records", fit.records, "preset_records", p.records, "kept_bytes", conn.KeptBytes())
		p = fit
	}
	began := time.Now()
	sum := &Summary{Window: p.window}
	save := func(name string, doc result.Doc) error {
		path := filepath.Join(cfg.Dir, name)
		sum.Files = append(sum.Files, path)
		h := doc.Head()
		h.KtuneVersion, h.CommandLine = cfg.Version, cfg.CommandLine
		return result.WriteJSON(path, doc)
	}
	// The max-rate search runs early, before the sweeps have filled the
	// cluster: an embedded one keeps records in this process (up to its bound).
	stages := []string{"probe", "max sustainable rate", "single-partition runs", "producer sweep", "consumer sweep", "advice", "report"}
	stage := func(i int) {
		if cfg.Stage != nil {
			cfg.Stage(i, len(stages), stages[i])
		}
	}
	// share is the time a stage may take: its part of what is left.
	share := func(part float64) time.Duration {
		if cfg.Budget <= 0 {
			return 0
		}
		return max(time.Duration(float64(cfg.Budget-time.Since(began))*part), time.Second)
	}
	// bounded is ctx, with the stage's share of the budget as its deadline.
	bounded := func(part float64) (context.Context, context.CancelFunc) {
		if cfg.Budget <= 0 {
			return context.WithCancel(ctx)
		}
		return context.WithTimeout(ctx, share(part))
	}
	// interrupted is the error that ends the run once ctx is done.
	interrupted := func(during string) error {
		if ctx.Err() == nil {
			return nil
		}
		return fmt.Errorf("interrupted during the %s: %w; the documents measured so far are in %s, and no advice or report was made from them", during, context.Cause(ctx), cfg.Dir)
	}
	in := reports.Input{Title: "ktune tune report"}
	// Without a stated rate the advice assumes 10 MB/s and says so.
	adv := advisor.Input{Workload: cfg.Workload, AssumeAvgMBps: 10, ClientLine: cfg.Line}
	for _, path := range cfg.BrokerProbes {
		bp, err := result.ReadProbe(path)
		if err != nil {
			return nil, fmt.Errorf("--broker-probe: %w", err)
		}
		adv.Probes = append(adv.Probes, advisor.Named[*result.Probe]{Path: path, Doc: bp})
	}

	stage(0)
	pr, err := probe.Run(ctx, probe.Config{LogDirs: []string{cfg.Dir}, TestBytes: p.probeBytes, Budget: p.probeBudget, Logger: cfg.Logger})
	if err := interrupted(stages[0]); err != nil {
		return sum, err
	}
	if err != nil {
		return sum, fmt.Errorf("probe: %w", err)
	}
	if err := save("probe.json", pr); err != nil {
		return sum, err
	}
	in.Probes = append(in.Probes, advisor.Named[*result.Probe]{Path: "probe.json", Doc: pr})
	if cfg.ProbeIsBroker {
		adv.Probes = append(adv.Probes, in.Probes...)
	}

	prod, err := clientcfg.ResolveLine(cfg.Base, clientcfg.Producer, cfg.Line.OrCurrent())
	if err != nil {
		return sum, err
	}
	stage(1)
	mrTopic := fmt.Sprintf("ktune-tune-mr-%d", time.Now().UnixNano()%1e9)
	mctx, mcancel := bounded(0.25)
	mr, err := maxrate.Run(mctx, conn, maxrate.Config{
		Produce: loadgen.ProduceConfig{Topic: mrTopic, Values: payload.ValueConfig{Size: tuneRecordSize}, Client: prod, Logger: cfg.Logger},
		P99:     cfg.SLO, Window: p.window, Warmup: p.window / 4, MaxSteps: p.steps, Partitions: cluster.DefaultPartitions,
	})
	trimmed := err != nil && ctx.Err() == nil && errors.Is(mctx.Err(), context.DeadlineExceeded)
	mcancel()
	if mr != nil {
		if trimmed {
			mr.StopReason, mr.Error = result.StopTrimmed, "trimmed to tune's --budget"
		}
		if err := save("maxrate.json", mr); err != nil {
			return sum, err
		}
		sum.MaxRate = mr
		in.MaxRate = append(in.MaxRate, advisor.Named[*result.MaxRate]{Path: "maxrate.json", Doc: mr})
	}
	if err := interrupted(stages[1]); err != nil {
		return sum, err
	}
	if err != nil && !trimmed {
		return sum, fmt.Errorf("max rate: %w", err)
	}

	stage(2)
	cons, err := clientcfg.ResolveLine(cfg.Base, clientcfg.Consumer, cfg.Line.OrCurrent())
	if err != nil {
		return sum, err
	}
	one := fmt.Sprintf("ktune-tune-p1-%d", time.Now().UnixNano()%1e9)
	if _, err := conn.EnsureTopic(ctx, cluster.TopicSpec{Name: one, Partitions: 1}); err != nil {
		return sum, err
	}
	// runOne runs one single-partition run within its share of the
	// budget: a run the budget cut is kept, cut short (the advice leaves
	// incomplete runs out of the partition rule and says so).
	runOne := func(name string, run func(context.Context) (*result.Document, error)) (*result.Document, error) {
		rctx, cancel := bounded(0.1)
		defer cancel()
		d, err := run(rctx)
		if d != nil && err != nil && ctx.Err() == nil && errors.Is(rctx.Err(), context.DeadlineExceeded) {
			d.Complete, d.StopReason, d.Error = false, result.StopTrimmed, "trimmed to tune's --budget"
			err = nil
		}
		if err == nil {
			d.Workload.Partitions = 1
		}
		if err := interrupted(stages[2]); err != nil {
			if d != nil {
				if serr := save(name, d); serr != nil {
					return nil, serr
				}
			}
			return nil, err
		}
		return d, err
	}
	pd, err := runOne("produce-1-partition.json", func(ctx context.Context) (*result.Document, error) {
		return loadgen.Produce(ctx, conn, loadgen.ProduceConfig{Topic: one, Records: p.records, WarmupRecords: p.records / 10, Values: payload.ValueConfig{Size: tuneRecordSize}, Client: prod, Interval: time.Second, Logger: cfg.Logger})
	})
	if err != nil {
		return sum, fmt.Errorf("single-partition produce: %w", err)
	}
	cd, err := runOne("consume-1-partition.json", func(ctx context.Context) (*result.Document, error) {
		return loadgen.Consume(ctx, conn, loadgen.ConsumeConfig{Topic: one, Partitions: 1, Records: p.records + p.records/10, Client: cons, Interval: time.Second, Logger: cfg.Logger})
	})
	if err != nil {
		return sum, fmt.Errorf("single-partition consume: %w", err)
	}
	if err := conn.DeleteTopic(context.WithoutCancel(ctx), one); err != nil {
		cfg.Logger.Warn("could not delete a topic", "topic", one, "err", err)
	}
	for name, d := range map[string]*result.Document{"produce-1-partition.json": pd, "consume-1-partition.json": cd} {
		if err := save(name, d); err != nil {
			return sum, err
		}
		adv.Results = append(adv.Results, advisor.Named[*result.Document]{Path: name, Doc: d})
	}
	in.Results = adv.Results

	for i, sw := range []struct {
		name string
		dims []result.Dimension
		part float64
	}{{"sweep-producer.json", p.producerDims, 0.35}, {"sweep-consumer.json", p.consumerDims, 0.3}} {
		stage(3 + i)
		// The sweep trims itself to its share from its estimate; the
		// share's deadline stops it should the estimate be short.
		sctx, scancel := bounded(sw.part)
		doc, err := sweep.Run(sctx, conn, cfg.sweep(p, sw.dims, share(sw.part)))
		if doc != nil && ctx.Err() == nil && errors.Is(sctx.Err(), context.DeadlineExceeded) {
			doc.StopReason, doc.Error = result.StopTrimmed, "trimmed to tune's --budget"
		}
		scancel()
		if doc == nil {
			return sum, fmt.Errorf("%s: %w", sw.name, err)
		}
		if err := save(sw.name, doc); err != nil {
			return sum, err
		}
		in.Sweeps = append(in.Sweeps, advisor.Named[*result.Sweep]{Path: sw.name, Doc: doc})
		if err := interrupted(stages[3+i]); err != nil {
			return sum, err
		}
		if err != nil {
			return sum, err
		}
	}
	adv.Sweeps = in.Sweeps[:1] // configuration advice from the producer sweep

	stage(5)
	a, err := advisor.Advise(adv)
	if err != nil {
		return sum, err
	}
	if err := save("advice.json", a); err != nil {
		return sum, err
	}
	sum.Advice, in.Advice = a, a

	stage(6)
	report, err := reports.Write(cfg.Dir, in)
	if err != nil {
		return sum, err
	}
	sum.Report = report
	if cfg.Stage != nil {
		cfg.Stage(len(stages), len(stages), "done")
	}
	return sum, nil
}
