package compare

import (
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/profiles"
	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
)

func run(rps float64) *result.Document {
	d := &result.Document{Header: result.NewHeader(result.KindProduce)}
	d.Metrics.RecordsPerSec = rps
	d.Metrics.Latency = map[string]result.Latency{result.LatencyIntended: {P50: rps / 100, P99: rps / 10}}
	return d
}

func TestAnalyzeKnownSamples(t *testing.T) {
	a := &Entry{Name: "a", Docs: []*result.Document{run(1), run(2), run(3), run(4), run(5)}}
	b := &Entry{Name: "b", Docs: []*result.Document{run(2), run(4), run(6), run(8), run(10)}}
	c := &Entry{Name: "c", Docs: []*result.Document{run(7)}}
	doc := Analyze([]*Entry{a, b, c}, 5)
	base := doc.Entries[0].Metrics["records_per_sec"]
	if base.Mean != 3 || math.Abs(base.CI95-1.963) > 0.001 || base.RelDiff != nil {
		t.Errorf("baseline: %+v", base)
	}
	s := doc.Entries[1].Metrics["records_per_sec"]
	// Welch's test of these samples: p = 0.1075312 (see internal/stats).
	if s.Mean != 6 || *s.RelDiff != 1 || math.Abs(*s.PValue-0.1075312) > 1e-6 || *s.Significant {
		t.Errorf("b: mean %v diff %v p %v significant %v", s.Mean, *s.RelDiff, *s.PValue, *s.Significant)
	}
	one := doc.Entries[2].Metrics["records_per_sec"]
	if one.N != 1 || one.PValue != nil || one.CI95 != 0 {
		t.Errorf("a single saved result has no interval or test: %+v", one)
	}
	if _, ok := doc.Entries[1].Metrics["p99_ms"]; !ok {
		t.Error("latency metrics missing")
	}
}

func TestRunInterleavesProfiles(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	var entries []*Entry
	for _, n := range []string{"kafka-defaults", "throughput"} {
		p, err := profiles.Load(n)
		if err != nil {
			t.Fatal(err)
		}
		entries = append(entries, &Entry{Name: n, Profile: p})
	}
	var order []string
	err := Run(context.Background(), conn, entries, 2, loadgen.ProduceConfig{Topic: "cmp", Records: 2000, Values: payload.ValueConfig{Size: 200}, Interval: time.Hour},
		func(name string, i int) { order = append(order, name) })
	if err != nil {
		t.Fatal(err)
	}
	if len(order) != 4 || order[0] != "kafka-defaults" || order[1] != "throughput" || order[2] != "kafka-defaults" {
		t.Fatalf("not interleaved: %v", order)
	}
	// kafka-defaults leaves linger.ms to the client line: 4.x, 5 ms.
	if entries[1].Docs[0].Config.Producer["linger.ms"] != "20" || entries[0].Docs[0].Config.Producer["linger.ms"] != "5" || entries[0].Docs[0].Config.ClientLine != 4 {
		t.Error("profiles' settings not applied")
	}
	doc := Analyze(entries, 2)
	if s := doc.Entries[1].Metrics["records_per_sec"]; s.N != 2 || s.PValue == nil {
		t.Errorf("stats: %+v", s)
	}
}

// TestValidateRefusesWhatCannotBeCompared: the same file twice, and
// results whose latencies measure different things.
func TestValidateRefusesWhatCannotBeCompared(t *testing.T) {
	dir := t.TempDir()
	write := func(name string, kind result.Kind) string {
		d := &result.Document{Header: result.NewHeader(kind)}
		d.Complete, d.StopReason = true, result.StopRecords
		path := filepath.Join(dir, name)
		if err := result.WriteJSON(path, d); err != nil {
			t.Fatal(err)
		}
		return path
	}
	a, b, consume := write("a.json", result.KindProduce), write("b.json", result.KindProduce), write("consume.json", result.KindConsume)
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{a, a}, "are the same file"},
		{[]string{a, filepath.Join(dir, "..", filepath.Base(dir), "a.json")}, "are the same file"},
		{[]string{a, consume}, "is a consume result but " + a + " a produce result"},
		{[]string{"kafka-defaults", consume}, "is a consume result"},
		{[]string{a, b}, ""},
		{[]string{"kafka-defaults", a}, ""},
	} {
		entries, err := Entries(tc.args)
		if err != nil {
			t.Fatal(err)
		}
		err = Validate(entries)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%v: error %v, want %q", tc.args, err, tc.want)
		}
	}
}
