// Package compare runs named configurations side by side, interleaved
// (A B A B ...) so drift hits all alike, and compares them with
// statistics: means with 95% confidence intervals, the relative difference
// to the first (the baseline), and Welch's t-test.
package compare

import (
	"context"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/profiles"
	"github.com/ktune/ktune/internal/stats"
	"github.com/ktune/ktune/result"
)

// Entry is one compared configuration: a profile to run, or saved results.
type Entry struct {
	Name    string
	Source  string
	Profile *profiles.Profile
	Docs    []*result.Document
}

// Entries reads the arguments of a comparison: a saved result file
// (FILE.json, one sample) or a profile name (run later). dirs hold the
// user's profiles.
func Entries(args []string, dirs ...string) ([]*Entry, error) {
	var entries []*Entry
	for _, a := range args {
		if st, err := os.Stat(a); err == nil && !st.IsDir() && strings.HasSuffix(a, ".json") {
			doc, err := result.ReadFile(a)
			if err != nil {
				return nil, err
			}
			entries = append(entries, &Entry{Name: filepath.Base(a), Source: a, Docs: []*result.Document{doc}})
			continue
		}
		p, err := profiles.Load(a, dirs...)
		if err != nil {
			return nil, err
		}
		entries = append(entries, &Entry{Name: p.Name, Source: "profile " + p.Source, Profile: p})
	}
	return entries, nil
}

// kind is the kind of the entry's results: a profile runs produce.
func (e *Entry) kind() result.Kind {
	if e.Profile != nil || len(e.Docs) == 0 {
		return result.KindProduce
	}
	return e.Docs[0].Kind
}

// Runs counts the runs Run makes: repeat for every profile entry.
func Runs(entries []*Entry, repeat int) int {
	n := 0
	for _, e := range entries {
		if e.Profile != nil {
			n += repeat
		}
	}
	return n
}

// Metrics compared, in table order.
var Metrics = []string{"records_per_sec", "mib_per_sec", "p50_ms", "p99_ms", "p999_ms"}

// Alpha is the significance level of the marks.
const Alpha = 0.05

// Validate checks, before any cluster is started or contacted, that the
// entries can be compared: no file twice, every result of one kind (a
// profile runs produce) so one latency is set against the same latency,
// and every profile's producer configuration resolves.
func Validate(entries []*Entry) error {
	seen := map[string]string{}
	var first *Entry
	for _, e := range entries {
		if e.Profile == nil {
			if abs, err := filepath.Abs(e.Source); err == nil {
				if prev, dup := seen[abs]; dup {
					return fmt.Errorf("%s and %s are the same file: compare needs two different results", prev, e.Source)
				}
				seen[abs] = e.Source
			}
		}
		if first == nil {
			first = e
		} else if k, k0 := e.kind(), first.kind(); k != k0 {
			return fmt.Errorf("%s is a %s result but %s a %s result: their latencies (%s, %s) measure different things; compare results of one kind", e.Source, k, first.Source, k0, result.MainLatency(k), result.MainLatency(k0))
		}
		if e.Profile == nil {
			continue
		}
		if _, err := clientcfg.Resolve(e.Profile.Producer, clientcfg.Producer); err != nil {
			return fmt.Errorf("%s: %w", e.Name, err)
		}
	}
	return nil
}

// Run runs every profile entry repeat times, interleaved, each run on a
// fresh topic from template (its topic is the prefix), with the defaults
// of template.Client's Java client line (the current one without it).
func Run(ctx context.Context, conn *cluster.Conn, entries []*Entry, repeat int, template loadgen.ProduceConfig, onRun func(name string, i int)) error {
	line := clientcfg.CurrentLine
	if template.Client != nil {
		line = template.Client.Line()
	}
	for r := 0; r < repeat; r++ {
		for _, e := range entries {
			if e.Profile == nil {
				continue
			}
			if ctx.Err() != nil {
				return ctx.Err()
			}
			if onRun != nil {
				onRun(e.Name, r)
			}
			client, err := clientcfg.ResolveLine(e.Profile.Producer, clientcfg.Producer, line)
			if err != nil {
				return fmt.Errorf("%s: %w", e.Name, err)
			}
			topic := fmt.Sprintf("%s-%d", template.Topic, time.Now().UnixNano()%1e9)
			if _, err := conn.EnsureTopic(ctx, cluster.TopicSpec{Name: topic, Partitions: e.Profile.Topic.Partitions, ReplicationFactor: e.Profile.Topic.ReplicationFactor, Configs: e.Profile.Topic.Configs}); err != nil {
				return err
			}
			pc := template
			pc.Topic, pc.Client = topic, client
			doc, err := loadgen.Produce(ctx, conn, pc)
			if err != nil {
				return fmt.Errorf("%s run %d: %w", e.Name, r+1, err)
			}
			e.Docs = append(e.Docs, doc)
		}
	}
	return nil
}

// sample reads one metric of a run.
func sample(d *result.Document, metric string) (float64, bool) {
	m := d.Metrics
	_, lat, ok := d.MainLatency()
	switch metric {
	case "records_per_sec":
		return m.RecordsPerSec, true
	case "mib_per_sec":
		return m.MiBPerSec, true
	case "p50_ms":
		return lat.P50, ok
	case "p99_ms":
		return lat.P99, ok
	case "p999_ms":
		return lat.P999, ok
	}
	return 0, false
}

// Analyze turns the entries' runs into a comparison document; the first
// entry is the baseline.
func Analyze(entries []*Entry, repeat int) *result.Comparison {
	doc := &result.Comparison{Header: result.NewHeader(result.KindComparison), Repeat: repeat}
	doc.Done(result.StopDone)
	samples := make([]map[string][]float64, len(entries))
	for i, e := range entries {
		samples[i] = map[string][]float64{}
		for _, d := range e.Docs {
			for _, m := range Metrics {
				if v, ok := sample(d, m); ok {
					samples[i][m] = append(samples[i][m], v)
				}
			}
		}
	}
	for i, e := range entries {
		ce := result.ComparisonEntry{Name: e.Name, Source: e.Source, Metrics: map[string]result.SampleStats{}, Runs: e.Docs}
		for _, m := range Metrics {
			x := samples[i][m]
			if len(x) == 0 {
				continue
			}
			mean, half := stats.MeanCI95(x)
			s := result.SampleStats{N: len(x), Samples: x, Mean: result.Round(mean), CI95: result.Round(nanToZero(half))}
			if base := samples[0][m]; i > 0 && len(base) > 0 {
				bm, _ := stats.MeanCI95(base)
				if bm != 0 {
					rd := result.Round((mean - bm) / bm)
					s.RelDiff = &rd
				}
				if _, _, p := stats.Welch(x, base); !math.IsNaN(p) {
					pv := p
					sig := p < Alpha
					s.PValue, s.Significant = &pv, &sig
				}
			}
			ce.Metrics[m] = s
		}
		doc.Entries = append(doc.Entries, ce)
	}
	return doc
}

func nanToZero(f float64) float64 {
	if math.IsNaN(f) {
		return 0
	}
	return f
}

// Row is one line of a comparison table, formatted as ktune prints it:
// the metric, the configuration, the runs, the mean, the 95% confidence
// half-width, the relative difference to the baseline and Welch's p-value.
type Row struct {
	Metric, Name string
	N            int
	Mean, CI     string
	Diff, P      string
	// Significant is false for a difference with p >= Alpha.
	Significant bool
	Baseline    bool
}

// Rows formats a comparison, metric by metric, entry by entry: the one
// table that compare prints and that reports show.
func Rows(c *result.Comparison) []Row {
	var out []Row
	for _, m := range Metrics {
		for i, e := range c.Entries {
			s, ok := e.Metrics[m]
			if !ok {
				continue
			}
			r := Row{Metric: m, Name: e.Name, N: s.N, Mean: fmt.Sprintf("%.2f", s.Mean), CI: "-", Diff: "(baseline)", Baseline: i == 0}
			if s.N > 1 {
				r.CI = fmt.Sprintf("%.2f", s.CI95)
			}
			if i > 0 {
				r.Diff = "-"
				if s.RelDiff != nil {
					r.Diff = fmt.Sprintf("%+.1f%%", *s.RelDiff*100)
				}
				if s.PValue != nil {
					r.P = fmt.Sprintf("%.3f", *s.PValue)
					r.Significant = *s.Significant
					if !r.Significant {
						r.P += " (not significant)"
					}
				} else {
					r.P = "n/a (too few runs)"
				}
			}
			out = append(out, r)
		}
	}
	return out
}
