// Package merge combines the result documents of a distributed run's
// workers into one result document: records, bytes and errors summed,
// throughput summed per interval on a common time axis, HdrHistograms
// merged exactly (the merged percentiles are those of one histogram
// holding every sample), and each worker's own figures kept for skew. It
// reads only result documents.
package merge

import (
	"errors"
	"fmt"
	"math"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// Input is one worker's result and where it came from (a file name, or
// "control topic"), for error messages.
type Input struct {
	Source string
	Doc    *result.Document
}

// Options tune a merge.
type Options struct {
	// Partial merges when some workers' results are missing; the merged
	// result is then incomplete and names the missing workers. Default
	// false: missing workers are an error.
	Partial bool
	// Missing are worker ids known to be missing beyond those absent from
	// the inputs (none when the inputs are files).
	Missing []int
	// Workers is the run's worker count the caller knows (--workers); 0:
	// the count the results state. It may not be fewer than theirs.
	Workers int
}

// Merge combines the results of one run's workers. It refuses inputs that
// are not worker results, come from different runs, kinds or
// configurations, repeat a worker, or (without Options.Partial) leave a
// worker out.
func Merge(in []Input, opts Options) (*result.Document, error) {
	if len(in) == 0 {
		return nil, errors.New("nothing to merge: pass the workers' result files, or --run-id to read them from the control topic")
	}
	if err := check(in); err != nil {
		return nil, err
	}
	in = slices.Clone(in)
	sort.Slice(in, func(i, j int) bool { return in[i].Doc.Worker.ID < in[j].Doc.Worker.ID })
	first := in[0].Doc
	w := *first.Worker
	switch {
	case opts.Workers > 0 && opts.Workers < w.Workers:
		return nil, fmt.Errorf("--workers %d: %s is from run %q of %d workers", opts.Workers, in[0].Source, w.RunID, w.Workers)
	case opts.Workers > w.Workers:
		w.Workers = opts.Workers
	}

	missing := missingWorkers(in, w.Workers, opts.Missing)
	if len(missing) > 0 && !opts.Partial {
		return nil, fmt.Errorf("the results of worker(s) %s of %d are missing: add them, or pass --partial to merge the others (the result is then marked incomplete)", ints(missing), w.Workers)
	}

	docs := make([]*result.Document, len(in))
	for i, x := range in {
		docs[i] = x.Doc
	}
	out := &result.Document{
		Header: result.Header{
			SchemaVersion: result.SchemaVersion, Kind: first.Kind,
			Start: first.Start, End: first.End, Complete: len(missing) == 0,
		},
		Cluster:  first.Cluster,
		Workload: first.Workload,
		Config:   first.Config,
		Host:     first.Host,
		Merge: &result.Merge{
			RunID: w.RunID, Workers: w.Workers, ConfigDigest: w.ConfigDigest, Missing: missing,
		},
	}
	out.Host.Hostname = ""
	var stops, errs []string
	for _, d := range docs {
		if d.Start.Before(out.Start) {
			out.Start = d.Start
		}
		if d.End.After(out.End) {
			out.End = d.End
		}
		out.Complete = out.Complete && d.Complete
		if !slices.Contains(stops, string(d.StopReason)) {
			stops = append(stops, string(d.StopReason))
		}
		if d.Error != "" {
			errs = append(errs, fmt.Sprintf("worker %d: %s", d.Worker.ID, d.Error))
		}
		for _, n := range d.Notes {
			if !slices.Contains(out.Notes, n) {
				out.Notes = append(out.Notes, n)
			}
		}
	}
	for _, d := range docs {
		if d.Brokers != nil { // the one worker that scraped the brokers
			out.Brokers = d.Brokers.Shifted(d.Start.Sub(out.Start).Seconds())
		}
	}
	out.StopReason = result.StopReason(strings.Join(stops, ","))
	out.Error = strings.Join(errs, "; ")
	out.Workload = totalWorkload(docs)

	var err error
	if out.Metrics, err = metrics(docs, out.Start, func(d *result.Document) *result.Metrics { return &d.Metrics }); err != nil {
		return nil, err
	}
	if slices.ContainsFunc(docs, func(d *result.Document) bool { return d.Warmup != nil }) {
		wm, err := metrics(docs, out.Start, func(d *result.Document) *result.Metrics { return d.Warmup })
		if err != nil {
			return nil, err
		}
		out.Warmup = &wm
	}
	kind := result.MainLatency(first.Kind)
	for _, d := range docs {
		m := &d.Metrics
		out.Merge.PerWorker = append(out.Merge.PerWorker, result.WorkerRow{
			ID: d.Worker.ID, Hostname: d.Host.Hostname, Complete: d.Complete, StopReason: d.StopReason, Error: d.Error,
			Records: m.Records, Bytes: m.Bytes, ErrorsTotal: m.ErrorsTotal, ElapsedS: m.ElapsedS,
			RecordsPerSec: m.RecordsPerSec, MiBPerSec: m.MiBPerSec,
			LatencyName: kind, Latency: m.Latency[kind],
		})
	}
	note := fmt.Sprintf("merged from %d of %d workers of run %s: records, bytes and errors are sums, latency histograms are merged exactly, throughput is the total over the longest worker's window", len(docs), w.Workers, w.RunID)
	if len(missing) > 0 {
		note += fmt.Sprintf("; workers %s are missing", ints(missing))
	}
	out.Notes = append([]string{note}, out.Notes...)
	return out, nil
}

// check refuses inputs that do not belong together.
func check(in []Input) error {
	seen := map[int]string{}
	var ref Input
	for i, x := range in {
		d := x.Doc
		if d.Worker == nil {
			return fmt.Errorf("%s is not a worker's result (it has no worker section): merge combines the results of the workers of one --run-id", x.Source)
		}
		if i == 0 {
			ref = x
		}
		// Another run first: its worker 0 is not a repeat of this one's.
		if r := ref.Doc; d.Worker.RunID != r.Worker.RunID {
			return fmt.Errorf("%s is from run %q but %s from run %q: merge combines the workers of one run", x.Source, d.Worker.RunID, ref.Source, r.Worker.RunID)
		}
		if src, dup := seen[d.Worker.ID]; dup {
			return fmt.Errorf("worker %d appears twice (%s and %s): pass each worker's result once", d.Worker.ID, src, x.Source)
		}
		seen[d.Worker.ID] = x.Source
		if i == 0 {
			continue
		}
		r := ref.Doc
		switch {
		case d.Kind != r.Kind:
			return fmt.Errorf("%s is a %s result but %s a %s result: the workers of one run run the same command", x.Source, d.Kind, ref.Source, r.Kind)
		case d.Worker.Workers != r.Worker.Workers:
			return fmt.Errorf("%s ran with --workers %d but %s with --workers %d: the workers of one run run the same command", x.Source, d.Worker.Workers, ref.Source, r.Worker.Workers)
		case d.Worker.ConfigDigest != r.Worker.ConfigDigest:
			return fmt.Errorf("%s (worker %d) ran another configuration than %s (worker %d): config digests %s and %s differ, so their workload or client settings differ", x.Source, d.Worker.ID, ref.Source, r.Worker.ID, d.Worker.ConfigDigest, r.Worker.ConfigDigest)
		case d.Cluster.Embedded != r.Cluster.Embedded:
			fake, other := x.Source, ref.Source
			if r.Cluster.Embedded {
				fake, other = other, fake
			}
			return fmt.Errorf("%s ran against an embedded cluster but %s did not: merge combines workers of one cluster", fake, other)
		}
	}
	return nil
}

func missingWorkers(in []Input, workers int, known []int) []int {
	have := map[int]bool{}
	for _, x := range in {
		have[x.Doc.Worker.ID] = true
	}
	var missing []int
	for i := 0; i < workers; i++ {
		if !have[i] || slices.Contains(known, i) {
			missing = append(missing, i)
		}
	}
	return missing
}

func ints(v []int) string {
	s := make([]string, len(v))
	for i, n := range v {
		s[i] = fmt.Sprint(n)
	}
	return strings.Join(s, ", ")
}

// totalWorkload is the run's workload: the workers' shares added up.
func totalWorkload(docs []*result.Document) result.Workload {
	w := docs[0].Workload
	w.Records, w.WarmupRecords, w.Rate, w.Producers, w.Consumers = 0, 0, 0, 0, 0
	for _, d := range docs {
		w.Records += d.Workload.Records
		w.WarmupRecords += d.Workload.WarmupRecords
		w.Rate += d.Workload.Rate
		w.Producers += d.Workload.Producers
		w.Consumers += d.Workload.Consumers
	}
	return w
}

// metrics merges one window (measured or warm-up) of every document.
func metrics(docs []*result.Document, start time.Time, window func(*result.Document) *result.Metrics) (result.Metrics, error) {
	var out result.Metrics
	hists := map[string]*hist.Histogram{}
	overflow := map[string]int64{}
	var kinds []string
	var ms []*result.Metrics
	var offsets []float64
	var cpu float64
	for _, d := range docs {
		m := window(d)
		if m == nil {
			continue
		}
		ms = append(ms, m)
		offsets = append(offsets, d.Start.Sub(start).Seconds())
		out.Records += m.Records
		out.Bytes += m.Bytes
		out.ErrorsTotal += m.ErrorsTotal
		cpu += m.ClientCPUS // every worker's own process, summed
		// The most CPU-starved worker's waits: one starved worker is enough
		// to make the merged figures measure the load machines.
		out.ClientCPUWaitP99Ms = math.Max(out.ClientCPUWaitP99Ms, m.ClientCPUWaitP99Ms)
		for k, v := range m.Errors {
			if out.Errors == nil {
				out.Errors = map[string]int64{}
			}
			out.Errors[k] += v
		}
		out.ElapsedS = math.Max(out.ElapsedS, m.ElapsedS)
		if out.IntervalLatency == "" {
			out.IntervalLatency = m.IntervalLatency
		}
		for kind := range m.HDR {
			h, _, err := m.Histogram(kind)
			if err != nil {
				return out, fmt.Errorf("worker %d: %s latency: %w", d.Worker.ID, kind, err)
			}
			if hists[kind] == nil {
				hists[kind] = hist.New()
				kinds = append(kinds, kind)
			}
			hists[kind].Merge(h)
			overflow[kind] += m.Latency[kind].Overflow
		}
	}
	out.SetRates()
	if cpu > 0 {
		out.SetClientCPU(cpu)
	}
	sort.Strings(kinds)
	for _, kind := range kinds {
		if err := out.SetLatency(kind, hists[kind]); err != nil {
			return out, err
		}
		l := out.Latency[kind]
		l.Overflow = overflow[kind]
		out.Latency[kind] = l
	}
	var err error
	if out.Intervals, err = intervals(ms, offsets); err != nil {
		return out, err
	}
	out.Producer = producer(ms, offsets)
	out.Consumer = consumer(ms)
	return out, nil
}

// producer sums the workers' producer statistics. Ack gaps are each
// worker's own; the merged gap is the longest, on the merged time axis.
func producer(ms []*result.Metrics, offsets []float64) *result.Producer {
	var out *result.Producer
	var batchRecords float64
	for i, m := range ms {
		p := m.Producer
		if p == nil {
			continue
		}
		if out == nil {
			out = &result.Producer{}
		}
		out.Batches += p.Batches
		out.UncompressedBytes += p.UncompressedBytes
		out.CompressedBytes += p.CompressedBytes
		batchRecords += p.AvgBatchRecords * float64(p.Batches)
		if p.LongestAckGapMs > out.LongestAckGapMs {
			out.LongestAckGapMs, out.AckGapStartS = p.LongestAckGapMs, result.Round(p.AckGapStartS+offsets[i])
		}
		if p.LongestPartitionAckGapMs > out.LongestPartitionAckGapMs {
			out.LongestPartitionAckGapMs = p.LongestPartitionAckGapMs
			out.PartitionAckGapStartS = result.Round(p.PartitionAckGapStartS + offsets[i])
			out.PartitionAckGapPartition = p.PartitionAckGapPartition
		}
	}
	if out == nil {
		return nil
	}
	out.Derive(batchRecords)
	return out
}

// consumer sums the workers' consumer statistics; rates add up because
// the workers read at the same time, and the slowest worker's first
// record and group join stand for the run.
func consumer(ms []*result.Metrics) *result.Consumer {
	var out *result.Consumer
	var batchRecords float64
	for _, m := range ms {
		c := m.Consumer
		if c == nil {
			continue
		}
		if out == nil {
			out = &result.Consumer{}
		}
		out.Records += c.Records
		out.Bytes += c.Bytes
		out.RecordsPerSec += c.RecordsPerSec
		out.MiBPerSec += c.MiBPerSec
		out.TimeToFirstRecordMs = math.Max(out.TimeToFirstRecordMs, c.TimeToFirstRecordMs)
		out.GroupJoinMs = math.Max(out.GroupJoinMs, c.GroupJoinMs)
		out.Rebalances += c.Rebalances
		out.Polls += c.Polls
		out.Batches += c.Batches
		batchRecords += c.AvgBatchRecords * float64(c.Batches)
		out.CompressedBytes += c.CompressedBytes
		out.UncompressedBytes += c.UncompressedBytes
	}
	if out == nil {
		return nil
	}
	out.RecordsPerSec, out.MiBPerSec = result.Round(out.RecordsPerSec), result.Round(out.MiBPerSec)
	if out.Polls > 0 {
		out.AvgRecordsPerPoll = result.Round(float64(out.Records) / float64(out.Polls))
	}
	if out.Batches > 0 {
		out.AvgBatchRecords = result.Round(batchRecords / float64(out.Batches))
	}
	return out
}
