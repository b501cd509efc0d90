package advisor

import (
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

type pt struct {
	key, acks, idem, txn string
	mbps, p99            float64
}

func sweepOf(pts ...pt) []Named[*result.Sweep] {
	s := &result.Sweep{Header: result.NewHeader(result.KindSweep)}
	for _, p := range pts {
		d := &result.Document{Header: result.NewHeader(result.KindProduce)}
		d.Metrics.Records = 1
		d.Metrics.MiBPerSec = p.mbps / mibToMB
		d.Metrics.Latency = map[string]result.Latency{result.LatencyIntended: {P99: p.p99}}
		d.Config.Producer = map[string]string{"acks": p.acks, "enable.idempotence": p.idem, "linger.ms": p.key}
		if p.txn != "" {
			d.Config.Producer["transactional.id"] = p.txn
		}
		s.Points = append(s.Points, result.SweepPoint{Key: p.key + "#0", Params: map[string]string{"producer:linger.ms": p.key, "producer:acks": p.acks}, Produce: d})
	}
	return []Named[*result.Sweep]{{Path: "sweep.json", Doc: s}}
}

// qualifies is the delivery guarantee, written out independently of the
// advisor's own filter.
func qualifies(guarantee string, p map[string]string) bool {
	switch guarantee {
	case "at-most-once":
		return true
	case "at-least-once":
		return p["acks"] == "all" && p["enable.idempotence"] == "true"
	case "exactly-once":
		return p["acks"] == "all" && p["enable.idempotence"] == "true" && p["transactional.id"] != ""
	}
	return false
}

// TestGoalsTimesGuarantees: over a sweep with acks=0, acks=1 and acks=all
// points, no goal ever recommends a point that breaks the guarantee, and
// the fastest (violating) points are never picked when a guarantee
// excludes them.
func TestGoalsTimesGuarantees(t *testing.T) {
	mixed := sweepOf(
		pt{"a0", "0", "false", "", 300, 2},
		pt{"a1", "1", "false", "", 250, 3},
		pt{"all-noidem", "all", "false", "", 200, 6},
		pt{"all-slow", "all", "true", "", 120, 5},
		pt{"all-mid", "all", "true", "", 180, 12},
		pt{"all-fast", "all", "true", "", 200, 80},
		pt{"txn", "all", "true", "t1", 90, 15},
	)
	noDurable := sweepOf(pt{"a0", "0", "false", "", 300, 2}, pt{"a1", "1", "false", "", 250, 3})
	for _, goal := range []string{"throughput", "latency", "durability", "balanced"} {
		for _, g := range []string{"at-most-once", "at-least-once", "exactly-once"} {
			t.Run(goal+"/"+g, func(t *testing.T) {
				a, err := Advise(Input{Workload: Workload{AvgMBps: 10, Goal: goal, Durability: g}, Sweeps: mixed})
				if err != nil {
					t.Fatal(err)
				}
				c := a.Config
				if c.Best == nil {
					t.Fatalf("no recommendation: %s", c.Why)
				}
				if !qualifies(g, c.Best.Producer) || !qualifies(g, c.Producer) {
					t.Errorf("recommended %s (%v) breaks %s", c.Best.Key, c.Producer, g)
				}
				if hasFinding(a.Findings, "durability-acks") {
					t.Errorf("a durability-acks finding next to the recommendation")
				}
				a, _ = Advise(Input{Workload: Workload{AvgMBps: 10, Goal: goal, Durability: g}, Sweeps: noDurable})
				c = a.Config
				if g == "at-most-once" {
					if c.Best == nil {
						t.Fatalf("at-most-once takes acks 0/1: %s", c.Why)
					}
					return
				}
				if c.Best != nil || c.Closest == nil || !strings.Contains(c.Why, "no swept point meets the delivery guarantee "+g) {
					t.Fatalf("with no qualifying point: best %+v closest %+v why %q", c.Best, c.Closest, c.Why)
				}
				if !qualifies(g, withChanges(c.Closest.Producer, c.Changes)) || c.Producer["acks"] != "all" || c.Producer["enable.idempotence"] != "true" {
					t.Errorf("closest point's changes %v leave it violating %s", c.Changes, g)
				}
				if !hasFinding(a.Findings, "no-qualifying-point") {
					t.Errorf("no finding says nothing qualified")
				}
			})
		}
	}
	// What each goal picks at at-least-once: throughput the fastest
	// (all-fast, p99 80 ms), latency the lowest p99, durability the most
	// protective then fastest (txn scores higher), balanced the knee
	// (all-mid: 180 MB/s at 12 ms).
	want := map[string]string{"throughput": "all-fast", "latency": "all-slow", "durability": "txn", "balanced": "all-mid"}
	for goal, key := range want {
		a, _ := Advise(Input{Workload: Workload{AvgMBps: 10, Goal: goal}, Sweeps: mixed})
		if a.Config.Best.Key != key {
			t.Errorf("%s picked %s, want %s", goal, a.Config.Best.Key, key)
		}
	}
	// With an SLO of 50 ms, throughput gives up all-fast.
	a, _ := Advise(Input{Workload: Workload{AvgMBps: 10, Goal: "throughput", SLOp99Ms: 50}, Sweeps: mixed})
	if a.Config.Best.Key != "all-mid" {
		t.Errorf("throughput within 50 ms picked %s", a.Config.Best.Key)
	}
	// Opting out of idempotence admits all-noidem (200 MB/s at 6 ms).
	a, _ = Advise(Input{Workload: Workload{AvgMBps: 10, Goal: "throughput", SLOp99Ms: 50, IdempotenceOptional: true}, Sweeps: mixed})
	if a.Config.Best.Key != "all-noidem" {
		t.Errorf("idempotence optional picked %s", a.Config.Best.Key)
	}
}

// TestBalancedIsNotDurability: on acks=all points only, durability takes
// the fastest, balanced the knee.
func TestBalancedIsNotDurability(t *testing.T) {
	sw := sweepOf(pt{"A", "all", "true", "", 100, 5}, pt{"B", "all", "true", "", 180, 12}, pt{"C", "all", "true", "", 200, 80})
	got := map[string]string{}
	for _, goal := range []string{"durability", "balanced"} {
		a, err := Advise(Input{Workload: Workload{AvgMBps: 10, Goal: goal}, Sweeps: sw})
		if err != nil {
			t.Fatal(err)
		}
		got[goal] = a.Config.Best.Key
	}
	if got["durability"] != "C" || got["balanced"] != "B" {
		t.Errorf("durability %s (want C), balanced %s (want B, the knee)", got["durability"], got["balanced"])
	}
	// Two points: no knee, the faster one.
	if k := knee([]ParetoPoint{{Key: "x", MBps: 1, P99Ms: 1}, {Key: "y", MBps: 2, P99Ms: 3}}); k != "y" {
		t.Errorf("two-point knee %s", k)
	}
}

func TestCompressionFromRecommendedPoint(t *testing.T) {
	sw := sweepOf(pt{"lz4", "all", "true", "", 100, 5})
	sw[0].Doc.Points[0].Produce.Metrics.Producer = &result.Producer{CompressionRatio: 0.4}
	a, err := Advise(Input{Workload: Workload{AvgMBps: 10, Goal: "throughput"}, Sweeps: sw})
	if err != nil {
		t.Fatal(err)
	}
	if c := a.Sizing.CompressionRatio; c.Value != 0.4 || !strings.HasPrefix(c.Source, "measured: sweep.json") {
		t.Errorf("compression %+v", c)
	}
	sw[0].Doc.Cluster.Embedded = true
	a, _ = Advise(Input{Workload: Workload{AvgMBps: 10, Goal: "throughput"}, Sweeps: sw})
	if c := a.Sizing.CompressionRatio; c.Value != 1 {
		t.Errorf("compression from an embedded sweep: %+v", c)
	}
}

// TestDefaultsPointFollowsTheClientLine: the gain over defaults is
// measured against the point at the defaults of the Java client line the
// sweep ran with: linger.ms=5 on 4.x, 0 on 3.x and in documents written
// before ktune recorded the line.
func TestDefaultsPointFollowsTheClientLine(t *testing.T) {
	for _, tc := range []struct {
		line     int
		defaults string
	}{{4, "5"}, {3, "0"}, {0, "0"}} {
		sw := sweepOf(pt{"0", "all", "true", "", 100, 5}, pt{"5", "all", "true", "", 150, 6}, pt{"20", "all", "true", "", 300, 9})
		for _, p := range sw[0].Doc.Points {
			p.Produce.Config.ClientLine = tc.line
			p.Produce.Config.Producer["batch.size"] = "16384"
			p.Produce.Config.Producer["compression.type"] = "none"
		}
		for i := range sw[0].Doc.Points {
			sw[0].Doc.Points[i].Params = map[string]string{"producer:linger.ms": sw[0].Doc.Points[i].Produce.Config.Producer["linger.ms"]}
		}
		a, err := Advise(Input{Workload: Workload{AvgMBps: 10, Goal: "throughput"}, Sweeps: sw})
		if err != nil {
			t.Fatal(err)
		}
		c := a.Config
		if c.Defaults == nil || c.Defaults.Key != tc.defaults || c.GainOverDefaults == nil {
			t.Fatalf("line %d: defaults point %+v, want linger.ms=%s", tc.line, c.Defaults, tc.defaults)
		}
		want := map[string]float64{"5": 1, "0": 2}[tc.defaults] // 300 over 150 or over 100, minus 1
		if *c.GainOverDefaults != want {
			t.Errorf("line %d: gain %v, want %v", tc.line, *c.GainOverDefaults, want)
		}
	}
}
