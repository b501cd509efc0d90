package advisor

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

// TestWorkedExample reproduces the tuning notes' worked example from its
// inputs alone: 100,000,000 records a day of 1 KB, peak factor 20,
// replication 2, retention 3 days, 10 partitions, 10 GB heap, measured
// Tp = 20 MB/s and Tc = 50 MB/s for a 100 MB/s target.
func TestWorkedExample(t *testing.T) {
	a, err := Advise(Input{Workload: Workload{
		RecordsPerDay: 100_000_000, RecordBytes: 1000, PeakFactor: 20, Replication: 2, MinInsync: 1,
		RetentionHours: 72, Partitions: 10, HeapGB: 10, Durability: "at-most-once",
		TargetMBps: 100, ProducerPartitionMBps: 20, ConsumerPartitionMBps: 50,
	}})
	if err != nil {
		t.Fatal(err)
	}
	s := a.Sizing
	if s.Brokers != 3 || s.TextbookBrokers != 3 {
		t.Errorf("brokers %d (textbook %d), want 3", s.Brokers, s.TextbookBrokers)
	}
	if math.Abs(s.DiskTotalGB-857.14) > 0.01 {
		t.Errorf("cluster disk %.2f GB, want 857.14 (100 GB x 2 x 3 / 0.7)", s.DiskTotalGB)
	}
	if s.MemoryPerBrokerGB != 11 || math.Abs(s.PageCacheGB-0.83) > 0.01 {
		t.Errorf("memory %v GB (page cache %v), want 11 (10 + 0.83 rounded up)", s.MemoryPerBrokerGB, s.PageCacheGB)
	}
	if s.Partitions != 5 {
		t.Errorf("partitions %d, want 5 = 100 / min(20, 50)", s.Partitions)
	}
	if s.NICGbps != 1 {
		t.Errorf("NIC %v Gbit/s, want 1", s.NICGbps)
	}
	for _, f := range s.Figures {
		if f.Formula == "" || len(f.Inputs) == 0 {
			t.Errorf("figure %s lacks its formula or inputs", f.Name)
		}
		for _, in := range f.Inputs {
			if in.Source == "" {
				t.Errorf("%s: input %s has no source", f.Name, in.Name)
			}
		}
	}
	if !strings.Contains(strings.Join(a.Assumptions, "\n"), "100 MB/s per broker assumed") {
		t.Errorf("the textbook disk assumption is not stated: %v", a.Assumptions)
	}
}

func TestMeasurementsReplaceAssumptions(t *testing.T) {
	slow := 20.0
	speed := 1000
	probe := &result.Probe{
		CPU:     result.ProbeCPU{LogicalCores: 32},
		Disks:   []result.ProbeDisk{{LogDir: "/data", SeqWriteMiBps: &slow, TotalBytes: 2000e9}},
		Network: result.ProbeNetwork{Interfaces: []result.ProbeInterface{{Name: "eth0", Up: true, SpeedMbps: &speed}}},
	}
	w := Workload{AvgMBps: 10, PeakFactor: 3, Replication: 3, RetentionHours: 24}
	a, err := Advise(Input{Workload: w, Probes: []Named[*result.Probe]{{Path: "p.json", Doc: probe}}})
	if err != nil {
		t.Fatal(err)
	}
	s := a.Sizing
	// Disk write (a failure moves no data): 30 x 3 / B <= 0.8 x 20.97
	// needs B >= 5.37, so 6 brokers; the textbook says 3.
	if s.TextbookBrokers != 3 || s.Binding != "disk write" || s.Brokers != 6 || s.Mode != ModeFailureAware {
		t.Errorf("brokers %d binding %q textbook %d", s.Brokers, s.Binding, s.TextbookBrokers)
	}
	found := false
	for _, c := range s.Constraints {
		for _, in := range c.Inputs {
			if c.Resource == "storage" && c.Measured && in.Name == "G" && strings.Contains(in.Source, "measured: p.json") {
				found = true
			}
		}
	}
	if !found {
		t.Errorf("no measured storage constraint: %+v", s.Constraints)
	}
	if s.NumIOThreads != 16 || s.NumNetworkThreads != 11 || s.NumReplicaFetch != 5 {
		t.Errorf("threads %d/%d/%d for 32 cores", s.NumIOThreads, s.NumNetworkThreads, s.NumReplicaFetch)
	}
	embedded := &result.Document{Header: result.NewHeader(result.KindProduce), Cluster: result.Cluster{Embedded: true}, Workload: result.Workload{Partitions: 1}}
	embedded.Complete = true
	embedded.Metrics.MiBPerSec = 500
	a, _ = Advise(Input{Workload: w, Results: []Named[*result.Document]{{Path: "e.json", Doc: embedded}}})
	if !strings.Contains(strings.Join(a.Notes, " "), "e.json: from the embedded cluster; not used for sizing") {
		t.Errorf("embedded result used: %v", a.Notes)
	}
}

// TestMonotonic: more throughput or longer retention never yields fewer
// brokers or less disk.
func TestMonotonic(t *testing.T) {
	prev := Sizing{}
	for mbps := 1.0; mbps < 2000; mbps *= 1.7 {
		a, err := Advise(Input{Workload: Workload{AvgMBps: mbps, PeakFactor: 2, Partitions: 100}})
		if err != nil {
			t.Fatal(err)
		}
		if a.Sizing.Brokers < prev.Brokers || a.Sizing.DiskTotalGB < prev.DiskTotalGB || a.Sizing.MemoryPerBrokerGB < prev.MemoryPerBrokerGB-float64(a.Sizing.Brokers) {
			t.Fatalf("at %.1f MB/s: %+v after %+v", mbps, a.Sizing.Brokers, prev.Brokers)
		}
		prev = a.Sizing
	}
	prev = Sizing{}
	for hours := 1.0; hours < 24*365; hours *= 2 {
		a, _ := Advise(Input{Workload: Workload{AvgMBps: 50, RetentionHours: hours}})
		if a.Sizing.Brokers < prev.Brokers || a.Sizing.DiskTotalGB < prev.DiskTotalGB {
			t.Fatalf("retention %v h: %+v after %+v", hours, a.Sizing, prev)
		}
		prev = a.Sizing
	}
}

func TestBadWorkload(t *testing.T) {
	for _, w := range []Workload{{}, {RecordsPerDay: 10}, {AvgMBps: 1, Durability: "maybe"}, {AvgMBps: 1, Goal: "speed"}} {
		if _, err := Advise(Input{Workload: w}); err == nil {
			t.Errorf("%+v accepted", w)
		}
	}
}

// TestRules runs each rule on an input where it fires and one where it does not.
func TestRules(t *testing.T) {
	good := func() RuleInput {
		return RuleInput{
			Workload:        Workload{Replication: 3, MinInsync: 2, Durability: "at-least-once", RecordBytes: 1000, Consumers: 3},
			Producer:        map[string]string{"acks": "all", "enable.idempotence": "true", "max.in.flight.requests.per.connection": "5", "transactional.id": "t"},
			Consumer:        map[string]string{"heartbeat.interval.ms": "3000", "session.timeout.ms": "45000", "max.poll.interval.ms": "300000", "isolation.level": "read_committed"},
			Broker:          map[string]string{"auto.create.topics.enable": "false", "unclean.leader.election.enable": "false", "auto.leader.rebalance.enable": "false"},
			TopicPartitions: 6,
		}
	}
	tests := map[string]func(*RuleInput){
		"idempotence-acks":              func(in *RuleInput) { in.Producer["acks"] = "1" },
		"idempotence-inflight":          func(in *RuleInput) { in.Producer["max.in.flight.requests.per.connection"] = "10" },
		"durability-acks":               func(in *RuleInput) { in.Producer["acks"] = "1"; in.Producer["enable.idempotence"] = "false" },
		"durability-replication":        func(in *RuleInput) { in.Workload.Replication = 2; in.Workload.MinInsync = 1 },
		"durability-min-insync":         func(in *RuleInput) { in.Workload.MinInsync = 1 },
		"min-insync-equals-replication": func(in *RuleInput) { in.Workload.MinInsync = 3 },
		"large-records":                 func(in *RuleInput) { in.Workload.RecordBytes = 2_000_000 },
		"auto-create-topics":            func(in *RuleInput) { in.Broker["auto.create.topics.enable"] = "true" },
		"unclean-leader-election":       func(in *RuleInput) { in.Broker["unclean.leader.election.enable"] = "true" },
		"leader-rebalance":              func(in *RuleInput) { in.Broker["auto.leader.rebalance.enable"] = "true" },
		"consumer-heartbeat":            func(in *RuleInput) { in.Consumer["heartbeat.interval.ms"] = "20000" },
		"consumer-poll-interval":        func(in *RuleInput) { in.Consumer["max.poll.interval.ms"] = "30000" },
		"consumers-over-partitions":     func(in *RuleInput) { in.Workload.Consumers = 12 },
		"exactly-once":                  func(in *RuleInput) { in.Workload.Durability = "exactly-once"; delete(in.Producer, "transactional.id") },
	}
	if len(tests) != len(RuleIDs()) {
		t.Fatalf("%d rule tests for %d rules", len(tests), len(RuleIDs()))
	}
	if f := Rules(good()); len(f) != 0 {
		t.Fatalf("a good configuration fires %v", f)
	}
	for id, mutate := range tests {
		in := good()
		mutate(&in)
		fired := false
		for _, f := range Rules(in) {
			if f.ID == id {
				fired = true
				if f.Evidence == "" || f.Source == "" || f.Recommendation == "" {
					t.Errorf("%s: incomplete finding %+v", id, f)
				}
			}
		}
		if !fired {
			t.Errorf("rule %s did not fire", id)
		}
	}
}

func sweepDoc(points map[string][2]float64, acks map[string]string) *result.Sweep {
	s := &result.Sweep{Header: result.NewHeader(result.KindSweep)}
	for key, v := range points {
		d := &result.Document{Header: result.NewHeader(result.KindProduce)}
		d.Metrics.Records = 1
		d.Metrics.MiBPerSec = v[0] / mibToMB
		d.Metrics.Latency = map[string]result.Latency{result.LatencyIntended: {P99: v[1]}}
		d.Config.Producer = map[string]string{"acks": acks[key], "enable.idempotence": fmt.Sprint(acks[key] == "all"), "batch.size": "16384", "linger.ms": "0", "compression.type": "none"}
		params := map[string]string{}
		if key != "defaults" {
			params["producer:linger.ms"] = key
			d.Config.Producer["linger.ms"] = key
		}
		s.Points = append(s.Points, result.SweepPoint{Key: key + "#0", Params: params, Produce: d})
	}
	return s
}

func TestConfigFromSweep(t *testing.T) {
	s := sweepDoc(map[string][2]float64{"defaults": {50, 5}, "5": {80, 8}, "20": {120, 30}, "50": {110, 60}},
		map[string]string{"defaults": "all", "5": "all", "20": "all", "50": "all"})
	in := Input{Workload: Workload{AvgMBps: 10, Goal: "throughput", SLOp99Ms: 40}, Sweeps: []Named[*result.Sweep]{{Path: "s.json", Doc: s}}}
	a, err := Advise(in)
	if err != nil {
		t.Fatal(err)
	}
	c := a.Config
	if c.Best == nil || c.Best.Params["producer:linger.ms"] != "20" || c.Producer["linger.ms"] != "20" {
		t.Fatalf("best: %+v", c.Best)
	}
	if c.GainOverDefaults == nil || *c.GainOverDefaults != 1.4 {
		t.Errorf("gain %v, want 1.4 (120 / 50 - 1)", c.GainOverDefaults)
	}
	if len(c.Pareto) != 3 { // 50 linger is dominated by 20
		t.Errorf("pareto: %+v", c.Pareto)
	}
	in.Workload.Goal, in.Workload.SLOp99Ms = "latency", 0
	a, _ = Advise(in)
	if a.Config.Best.Key != "defaults" {
		t.Errorf("latency goal picked %s", a.Config.Best.Key)
	}
}
