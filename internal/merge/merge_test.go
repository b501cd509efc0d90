package merge

import (
	"math/rand/v2"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

var t0 = time.Date(2026, 11, 25, 10, 0, 0, 0, time.UTC)

// workerDoc builds worker id's produce result of run "r1" with the given
// intended-time samples, spread over 1-second intervals.
func workerDoc(t *testing.T, id, workers int, samples []time.Duration, offset time.Duration) *result.Document {
	t.Helper()
	d := &result.Document{
		Header:   result.Header{SchemaVersion: result.SchemaVersion, Kind: result.KindProduce, Start: t0.Add(offset), End: t0.Add(offset + 3*time.Second), Complete: true, StopReason: result.StopRecords},
		Workload: result.Workload{Topic: "t", Records: int64(len(samples)), Rate: 100, Producers: 1},
		Host:     result.Host{Hostname: "host-" + string(rune('a'+id))},
		Worker:   &result.Worker{RunID: "r1", ID: id, Workers: workers, ConfigDigest: "abc"},
	}
	m := &d.Metrics
	m.Records, m.Bytes, m.ElapsedS = int64(len(samples)), int64(len(samples))*100, 3+float64(id)/10
	m.Errors, m.ErrorsTotal = map[string]int64{"timeout": int64(id)}, int64(id)
	m.ClientCPUS, m.ClientCPUWaitP99Ms = 1, []float64{0.5, 12, 3}[id%3]
	all := hist.New()
	for _, s := range samples {
		all.Record(s)
	}
	if err := m.SetLatency(result.LatencyIntended, all); err != nil {
		t.Fatal(err)
	}
	m.SetRates()
	// Three intervals of a third of the samples each; the last ends in a
	// sliver of 0.1 s after the third.
	per := len(samples) / 3
	for k := 0; k < 3; k++ {
		h := hist.New()
		chunk := samples[k*per : (k+1)*per]
		for _, s := range chunk {
			h.Record(s)
		}
		enc, err := h.Encode()
		if err != nil {
			t.Fatal(err)
		}
		m.Intervals = append(m.Intervals, result.Interval{T: float64(k + 1), Records: int64(len(chunk)), Bytes: int64(len(chunk)) * 100, P99: h.QuantileMs(0.99), HDR: enc})
	}
	m.Producer = &result.Producer{Batches: 10, UncompressedBytes: 1000, CompressedBytes: 500, AvgBatchRecords: float64(len(samples)) / 10, LongestAckGapMs: float64(10 * (id + 1)), AckGapStartS: 1}
	return d
}

func samples(r *rand.Rand, n int, scale time.Duration) []time.Duration {
	s := make([]time.Duration, n)
	for i := range s {
		s[i] = time.Duration(r.ExpFloat64()*float64(scale)) + 50*time.Microsecond
	}
	return s
}

func TestMergeIsExact(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	// Workers with different latency distributions, so a merge that
	// averaged percentiles would be visibly wrong.
	scales := []time.Duration{time.Millisecond, 5 * time.Millisecond, 40 * time.Millisecond}
	pooled := hist.New()
	var in []Input
	var perInterval [3]*hist.Histogram
	for k := range perInterval {
		perInterval[k] = hist.New()
	}
	for id, sc := range scales {
		s := samples(r, 3000, sc)
		for k, x := range s {
			pooled.Record(x)
			perInterval[k/1000].Record(x)
		}
		in = append(in, Input{Source: "w" + string(rune('0'+id)) + ".json", Doc: workerDoc(t, id, 3, s, time.Duration(id)*3*time.Millisecond)})
	}
	out, err := Merge(in, Options{})
	if err != nil {
		t.Fatal(err)
	}
	want := result.Summarize(pooled)
	if got := out.Metrics.Latency[result.LatencyIntended]; got != want {
		t.Errorf("merged latency\n got %+v\nwant %+v (pooled samples)", got, want)
	}
	h, _, err := out.Metrics.Histogram(result.LatencyIntended)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []float64{0.01, 0.25, 0.5, 0.9, 0.99, 0.999, 0.9999, 1} {
		if g, w := h.QuantileMs(q), pooled.QuantileMs(q); g != w {
			t.Errorf("quantile %v: merged %v, pooled %v", q, g, w)
		}
	}
	m := out.Metrics
	if m.Records != 9000 || m.Bytes != 900000 || m.ErrorsTotal != 3 || m.Errors["timeout"] != 3 {
		t.Errorf("sums: records %d bytes %d errors %d %v", m.Records, m.Bytes, m.ErrorsTotal, m.Errors)
	}
	if m.ClientCPUS != 3 || m.ClientCPUWaitP99Ms != 12 {
		t.Errorf("client CPU %v s, wait p99 %v ms; want every worker's CPU summed, the longest wait", m.ClientCPUS, m.ClientCPUWaitP99Ms)
	}
	if m.ElapsedS != 3.2 || m.RecordsPerSec != 2812.5 {
		t.Errorf("elapsed %v rate %v, want the longest window 3.2 s and 9000/3.2", m.ElapsedS, m.RecordsPerSec)
	}
	if len(m.Intervals) != 3 {
		t.Fatalf("intervals: %+v", m.Intervals)
	}
	for k, iv := range m.Intervals {
		if iv.Records != 3000 || iv.P99 != perInterval[k].QuantileMs(0.99) || iv.Max != perInterval[k].MaxMs() {
			t.Errorf("interval %d: %+v; want 3000 records, p99 %v, max %v", k, iv, perInterval[k].QuantileMs(0.99), perInterval[k].MaxMs())
		}
	}
	if iv := m.Intervals[2]; iv.T != 3.006 {
		t.Errorf("last interval ends at %v, want 3.006 (the latest worker's end)", iv.T)
	}
	p := m.Producer
	if p.Batches != 30 || p.CompressionRatio != 0.5 || p.AvgBatchRecords != 300 || p.LongestAckGapMs != 30 || p.AckGapStartS != 1.006 {
		t.Errorf("producer: %+v", p)
	}
	if out.Workload.Records != 9000 || out.Workload.Rate != 300 || out.Workload.Producers != 3 {
		t.Errorf("workload totals: %+v", out.Workload)
	}
	if !out.Complete || out.Merge == nil || len(out.Merge.PerWorker) != 3 || out.Worker != nil {
		t.Fatalf("merge section: %+v", out.Merge)
	}
	for id, row := range out.Merge.PerWorker {
		if row.ID != id || row.Records != 3000 || row.Latency != in[id].Doc.Metrics.Latency[result.LatencyIntended] {
			t.Errorf("row %d: %+v", id, row)
		}
	}
	if !out.Start.Equal(t0) || !out.End.Equal(t0.Add(3*time.Second+6*time.Millisecond)) {
		t.Errorf("window %v .. %v", out.Start, out.End)
	}
}

func TestMergeRefuses(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	doc := func(id int, edit func(*result.Document)) Input {
		d := workerDoc(t, id, 2, samples(r, 30, time.Millisecond), 0)
		if edit != nil {
			edit(d)
		}
		return Input{Source: "w" + string(rune('0'+id)) + ".json", Doc: d}
	}
	for _, tc := range []struct {
		name string
		in   []Input
		want string
		opts Options
	}{
		{"empty", nil, "nothing to merge", Options{}},
		{"not a worker", []Input{doc(0, func(d *result.Document) { d.Worker = nil })}, "w0.json is not a worker's result", Options{}},
		{"other run", []Input{doc(0, nil), doc(1, func(d *result.Document) { d.Worker.RunID = "r2" })}, `w1.json is from run "r2" but w0.json from run "r1"`, Options{}},
		{"other config", []Input{doc(0, nil), doc(1, func(d *result.Document) { d.Worker.ConfigDigest = "def" })}, "ran another configuration", Options{}},
		{"other kind", []Input{doc(0, nil), doc(1, func(d *result.Document) { d.Kind = result.KindConsume })}, "is a consume result", Options{}},
		{"other worker count", []Input{doc(0, nil), doc(1, func(d *result.Document) { d.Worker.Workers = 3 })}, "--workers 3", Options{}},
		{"twice", []Input{doc(1, nil), doc(1, nil)}, "worker 1 appears twice", Options{}},
		{"other run, same worker", []Input{doc(0, nil), doc(0, func(d *result.Document) { d.Worker.RunID = "r2" })}, `w0.json is from run "r2" but w0.json from run "r1"`, Options{}},
		{"missing", []Input{doc(1, nil)}, "worker(s) 0 of 2 are missing", Options{}},
		// --workers 2 over the result of a run of 1 names the missing worker
		{"fewer workers than --workers", []Input{doc(0, func(d *result.Document) { d.Worker.Workers = 1 })}, "worker(s) 1 of 2 are missing", Options{Workers: 2}},
		{"more workers than --workers", []Input{doc(0, nil), doc(1, nil)}, `--workers 1: w0.json is from run "r1" of 2 workers`, Options{Workers: 1}},
		{"embedded and not", []Input{doc(0, nil), doc(1, func(d *result.Document) { d.Cluster.Embedded = true })}, "w1.json ran against an embedded cluster", Options{}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Merge(tc.in, tc.opts)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}

func TestMergePartial(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	in := []Input{{Source: "w1.json", Doc: workerDoc(t, 1, 3, samples(r, 30, time.Millisecond), 0)}}
	out, err := Merge(in, Options{Partial: true, Missing: []int{2}})
	if err != nil {
		t.Fatal(err)
	}
	if out.Complete || len(out.Merge.Missing) != 2 || out.Merge.Missing[0] != 0 || out.Merge.Missing[1] != 2 {
		t.Fatalf("complete %v missing %v", out.Complete, out.Merge.Missing)
	}
	if !strings.Contains(out.Notes[0], "workers 0, 2 are missing") {
		t.Errorf("note: %q", out.Notes[0])
	}
	// A result of a run of 1 merged with --workers 2 is 1 of 2, not whole.
	one := workerDoc(t, 0, 1, samples(r, 30, time.Millisecond), 0)
	out, err = Merge([]Input{{Source: "w0.json", Doc: one}}, Options{Partial: true, Workers: 2})
	if err != nil {
		t.Fatal(err)
	}
	if out.Complete || out.Merge.Workers != 2 || !slices.Equal(out.Merge.Missing, []int{1}) || !strings.Contains(out.Notes[0], "merged from 1 of 2 workers") {
		t.Fatalf("complete %v, %d workers, missing %v, note %q", out.Complete, out.Merge.Workers, out.Merge.Missing, out.Notes[0])
	}
}
