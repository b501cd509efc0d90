package advisor

import (
	"math"
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

func intp(n int) *int { return &n }

// TestFailureAwareBinding makes each check bind in turn. For each, every
// check holds at the recommended B, and the binding check, computed here
// by hand for the even placement the model makes, holds at B and fails
// at B - 1 (B - racks with racks).
func TestFailureAwareBinding(t *testing.T) {
	tests := []struct {
		name    string
		w       Workload
		binding string
		brokers int
		holds   func(B float64) bool // the binding check by hand
	}{
		// A failure moves leadership, not data: disk write per broker is
		// W x c x R / B whatever is lost.
		{"disk write", Workload{AvgMBps: 100, Hardware: Hardware{DiskMBps: 50, NICGbps: 10, DiskGB: 100000}}, "disk write", 8,
			func(B float64) bool { return 100*3/B <= 0.8*50 }},
		{"storage", Workload{AvgMBps: 10, RetentionHours: 168, Hardware: Hardware{DiskMBps: 1000, NICGbps: 10, DiskGB: 1000}}, "storage", 26,
			func(B float64) bool { return 10*86.4*3*7/B <= 0.7*1000 }},
		// 20,000 partitions do not divide over 15 brokers: some hold
		// 3 x 1,334 = 4,002 replicas.
		{"replicas", Workload{AvgMBps: 1, Partitions: 20000, Hardware: Hardware{DiskMBps: 1000, NICGbps: 10, DiskGB: 100000}}, "replicas", 16,
			func(B float64) bool { return 3*math.Ceil(20000/B) <= 4000 }},
		// Three racks: B a multiple of 3, the rack's data stays put.
		{"disk write, a rack lost", Workload{AvgMBps: 100, Racks: 3, Hardware: Hardware{DiskMBps: 50}}, "disk write", 9,
			func(B float64) bool { return 100*3/B <= 0.8*50 && math.Mod(B, 3) == 0 }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.w.PeakFactor, tt.w.RetentionHours = 1, max(tt.w.RetentionHours, 24)
			a, err := Advise(Input{Workload: tt.w})
			if err != nil {
				t.Fatal(err)
			}
			s := a.Sizing
			if s.Mode != ModeFailureAware || s.Brokers != tt.brokers || s.Binding != tt.binding {
				t.Fatalf("mode %s: %d brokers bound by %q, want %d by %q", s.Mode, s.Brokers, s.Binding, tt.brokers, tt.binding)
			}
			B, step := float64(s.Brokers), math.Max(float64(tt.w.Racks), 1)
			if !tt.holds(B) || tt.holds(B-step) {
				t.Errorf("by hand: the %s check at %v brokers holds=%v, at %v holds=%v", tt.binding, B, tt.holds(B), B-step, tt.holds(B-step))
			}
			for _, c := range s.Constraints {
				if !c.Holds || c.Formula == "" || len(c.Inputs) == 0 || c.Brokers > s.Brokers {
					t.Errorf("%s at %d brokers: %+v", c.Resource, s.Brokers, c)
				}
				for _, in := range c.Inputs {
					if in.Source == "" {
						t.Errorf("%s: input %s has no source", c.Resource, in.Name)
					}
				}
			}
			if s.Placement == nil || !s.Placement.Survives || s.Placement.ScenarioCount == 0 || s.Placement.Summary == "" {
				t.Errorf("placement %+v", s.Placement)
			}
		})
	}
}

func TestBrokerHardwareFromProbes(t *testing.T) {
	f := func(v float64) *float64 { return &v }
	speed := func(n int) *int { return &n }
	// broker 1: two log dirs on one filesystem (counted once) and one on
	// another; 10 Gbit physical NIC; 16 cores limited to 6 by its cgroup.
	b1 := &result.Probe{CPU: result.ProbeCPU{LogicalCores: 16, CgroupCores: f(6)}, Memory: result.ProbeMemory{Total: 64e9},
		Disks: []result.ProbeDisk{
			{LogDir: "/d1/a", Device: "sda", TotalBytes: 1000e9, SeqWriteMiBps: f(200)},
			{LogDir: "/d1/b", Device: "sda", TotalBytes: 1000e9, SeqWriteMiBps: f(210)},
			{LogDir: "/d2", Device: "sdb", TotalBytes: 500e9, SeqWriteMiBps: f(100)},
		},
		Network: result.ProbeNetwork{Interfaces: []result.ProbeInterface{{Name: "lo", Up: true, Loopback: true, SpeedMbps: speed(100000)}, {Name: "eth0", Up: true, SpeedMbps: speed(10000)}}}}
	// broker 2: one disk, a virtual 1 Gbit NIC.
	b2 := &result.Probe{CPU: result.ProbeCPU{LogicalCores: 8}, Memory: result.ProbeMemory{Total: 32e9},
		Disks:   []result.ProbeDisk{{LogDir: "/data", Device: "vda", TotalBytes: 2000e9, SeqWriteMiBps: f(400)}},
		Network: result.ProbeNetwork{Interfaces: []result.ProbeInterface{{Name: "ens3", Up: true, Virtual: true, SpeedMbps: speed(1000)}}}}
	probes := []Named[*result.Probe]{{Path: "b1.json", Doc: b1}, {Path: "b2.json", Doc: b2}}
	h := brokerHardware(Hardware{}, probes)
	if math.Abs(h.DiskGB.Value-1500) > 0.01 || !strings.HasPrefix(h.DiskGB.Source, "measured: b1.json") {
		t.Errorf("disk size %+v, want 1500 GB from b1 (sda once + sdb)", h.DiskGB)
	}
	if want := (200 + 100) * mibToMB; math.Abs(h.DiskMBps.Value-want) > 0.01 || !strings.Contains(h.DiskMBps.Source, "b1.json") {
		t.Errorf("disk bandwidth %+v, want %.2f (b1: slowest of sda + sdb)", h.DiskMBps, want)
	}
	if h.NICMBps.Value != 125 || !strings.HasPrefix(h.NICMBps.Source, "nominal: b2.json") {
		t.Errorf("NIC %+v, want 125 MB/s, nominal, from the slower broker", h.NICMBps)
	}
	if h.Cores.Value != 6 || !strings.Contains(h.Cores.Source, "cgroup") {
		t.Errorf("cores %+v, want the cgroup limit 6", h.Cores)
	}
	if h.MemoryGB.Value != 32 {
		t.Errorf("memory %+v", h.MemoryGB)
	}
	h = brokerHardware(Hardware{DiskMBps: 80, NICGbps: 25, Cores: 32, DiskGB: 4000, MemoryGB: 128}, probes)
	for name, s := range map[string]Sourced{"disk": h.DiskMBps, "nic": h.NICMBps, "cores": h.Cores, "gb": h.DiskGB, "mem": h.MemoryGB} {
		if !strings.HasPrefix(s.Source, "input (--broker-") {
			t.Errorf("%s: a flag must beat the probe: %+v", name, s)
		}
	}
	if h.NICMBps.Value != 25*125 {
		t.Errorf("25 Gbit/s is %v MB/s", h.NICMBps.Value)
	}
	a, err := Advise(Input{Workload: Workload{AvgMBps: 10, Hardware: Hardware{MemoryGB: 128}}})
	if err != nil {
		t.Fatal(err)
	}
	if a.Sizing.HeapGB != 10 {
		t.Errorf("heap %v GB for a 128 GB broker, want 10", a.Sizing.HeapGB)
	}
}

// TestTextbookWithoutHardware: no broker hardware, no workload: textbook
// sizing, and the assumed rate is named with its flag and source.
func TestTextbookWithoutHardware(t *testing.T) {
	a, err := Advise(Input{AssumeAvgMBps: 10})
	if err != nil {
		t.Fatal(err)
	}
	if a.Sizing.Mode != ModeTextbook || a.Sizing.Hardware != nil {
		t.Errorf("mode %s with hardware %+v", a.Sizing.Mode, a.Sizing.Hardware)
	}
	if !strings.Contains(a.AssumedSummary(), "assumed: 10 MB/s average (pass --avg-mbps)") {
		t.Errorf("summary %q", a.AssumedSummary())
	}
	if a.Assumed[0].Source != "assumption" {
		t.Errorf("assumed %+v", a.Assumed[0])
	}
	if src := a.Sizing.Figures[0].Inputs[0].Source; !strings.HasPrefix(src, "assumption") {
		t.Errorf("average's source %q", src)
	}
	if _, err := Advise(Input{}); err == nil {
		t.Error("no workload and nothing to assume accepted")
	}
}

func TestValidation(t *testing.T) {
	tests := []struct {
		w    Workload
		flag string
	}{
		{Workload{AvgMBps: 1, Replication: -1}, "--replication-factor"},
		{Workload{AvgMBps: 1, Replication: 3, MinInsync: 4}, "--min-insync-replicas"},
		{Workload{AvgMBps: 1, MinInsync: -1}, "--min-insync-replicas"},
		{Workload{AvgMBps: 1, RetentionHours: -24}, "--retention"},
		{Workload{AvgMBps: 1, PeakFactor: 0.5}, "--peak-factor"},
		{Workload{AvgMBps: 1, ConsumerGroups: -2}, "--consumer-groups"},
		{Workload{AvgMBps: 1, Partitions: -1}, "--partitions"},
		{Workload{AvgMBps: 1, Failures: intp(-1)}, "--failures"},
		{Workload{AvgMBps: 1, Racks: 1}, "--racks"},
		{Workload{AvgMBps: 1, CompressionRatio: -0.5}, "--compression-ratio"},
		{Workload{AvgMBps: 1, RetentionHours: 24, LocalRetentionHours: 48}, "--local-retention"},
		{Workload{AvgMBps: 1, Hardware: Hardware{DiskMBps: -1}}, "--broker-disk-mbps"},
		{Workload{AvgMBps: -1}, "--avg-mbps"},
	}
	for _, tt := range tests {
		_, err := Advise(Input{Workload: tt.w})
		if err == nil || !strings.HasPrefix(err.Error(), tt.flag) || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "must be") {
			t.Errorf("%+v: %v, want one line naming %s and its range", tt.w, err, tt.flag)
		}
	}
}

func run1(path string, kind result.Kind, mbps, rate float64, complete bool) Named[*result.Document] {
	d := &result.Document{Header: result.NewHeader(kind), Workload: result.Workload{Partitions: 1, Rate: rate}}
	d.Complete = complete
	d.Metrics.MiBPerSec = mbps / mibToMB
	return Named[*result.Document]{Path: path, Doc: d}
}

func TestPartitionPlan(t *testing.T) {
	results := []Named[*result.Document]{
		run1("p1.json", result.KindProduce, 10, 0, true),
		run1("p2.json", result.KindProduce, 30, 0, true),
		run1("p3.json", result.KindProduce, 20, 0, true),
		run1("paced.json", result.KindProduce, 0.1, 100, true),
		run1("cut.json", result.KindProduce, 1, 0, false),
		run1("c1.json", result.KindConsume, 50, 0, true),
	}
	w := Workload{AvgMBps: 100, Hardware: Hardware{DiskMBps: 500, NICGbps: 10}}
	a, err := Advise(Input{Workload: w, Results: results})
	if err != nil {
		t.Fatal(err)
	}
	s := a.Sizing
	// Tp = median(10, 30, 20) = 20; ceil(100 / 20) = 5, on 3 brokers 6.
	if s.PartitionsRaw != 5 || s.Brokers != 3 || s.PartitionsPlan != 6 || s.Partitions != 6 {
		t.Errorf("raw %d plan %d partitions %d brokers %d", s.PartitionsRaw, s.PartitionsPlan, s.Partitions, s.Brokers)
	}
	notes := strings.Join(a.Notes, "\n")
	if !strings.Contains(notes, "paced.json: paced") || !strings.Contains(notes, "cut.json: incomplete") {
		t.Errorf("notes: %s", notes)
	}
	w.Consumers = 8
	w.ProducerPartitionMBps = 50
	a, _ = Advise(Input{Workload: w, Results: results})
	// the flag (50) beats the median: ceil(100/50) = 2, 8 consumers, to 9.
	if a.Sizing.PartitionsRaw != 2 || a.Sizing.PartitionsPlan != 9 {
		t.Errorf("with the flag: raw %d plan %d", a.Sizing.PartitionsRaw, a.Sizing.PartitionsPlan)
	}
	w.PreferMeasured = true
	a, _ = Advise(Input{Workload: w, Results: results})
	if a.Sizing.PartitionsRaw != 5 {
		t.Errorf("--prefer-measured: raw %d, want 5 from the median", a.Sizing.PartitionsRaw)
	}
}

func TestCompressionRecoveryControllersTiered(t *testing.T) {
	base := Workload{AvgMBps: 10, RetentionHours: 72, Hardware: Hardware{DiskMBps: 200, NICGbps: 10, DiskGB: 10000}}
	a, _ := Advise(Input{Workload: base})
	b := base
	b.CompressionRatio = 0.5
	c, _ := Advise(Input{Workload: b})
	if math.Abs(c.Sizing.DiskTotalGB*2-a.Sizing.DiskTotalGB) > 0.02 || !strings.HasPrefix(c.Sizing.CompressionRatio.Source, "input") {
		t.Errorf("compression 0.5: %v GB against %v GB (%+v)", c.Sizing.DiskTotalGB, a.Sizing.DiskTotalGB, c.Sizing.CompressionRatio)
	}
	if a.Sizing.RecoveryHours == nil || *a.Sizing.RecoveryHours <= 0 {
		t.Fatalf("recovery %v", a.Sizing.RecoveryHours)
	}
	// 3 brokers, retained 864 x 3 x 3 = 7776 GB, 2592 GB each; the
	// replacement catches up alone at its disk write left after its share
	// of the peak, 200 - 10 x 3 / 3 MB/s: 2592000 / 190 / 3600 = 3.79 h
	// (the old model, 1.95 h, copied onto both others at once).
	if h := *a.Sizing.RecoveryHours; math.Abs(h-3.79) > 0.01 {
		t.Errorf("recovery %.2f h, want 3.79", h)
	}
	slow := base
	slow.RecoveryMBps, slow.MaxRecoveryHours = 10, 4
	d, _ := Advise(Input{Workload: slow})
	if !hasFinding(d.Findings, "recovery-slow") {
		t.Errorf("a %v h recovery against --max-recovery 4h has no finding", *d.Sizing.RecoveryHours)
	}
	big := base
	big.AvgMBps = 2000
	e, _ := Advise(Input{Workload: big})
	if e.Sizing.Brokers <= 9 || e.Sizing.Controllers == nil || e.Sizing.Controllers.Count != 3 {
		t.Errorf("%d brokers, controllers %+v", e.Sizing.Brokers, e.Sizing.Controllers)
	}
	if a.Sizing.Controllers != nil {
		t.Errorf("controllers at %d brokers without --dedicated-controllers", a.Sizing.Brokers)
	}
	tier := base
	tier.LocalRetentionHours = 24
	f, _ := Advise(Input{Workload: tier})
	if math.Abs(f.Sizing.DiskTotalGB*3-a.Sizing.DiskTotalGB) > 0.02 || math.Abs(f.Sizing.RemoteStorageGB-864*3) > 0.01 {
		t.Errorf("tiered: local %v GB (all local %v), remote %v GB", f.Sizing.DiskTotalGB, a.Sizing.DiskTotalGB, f.Sizing.RemoteStorageGB)
	}
}

func hasFinding(fs []Finding, id string) bool {
	for _, f := range fs {
		if f.ID == id {
			return true
		}
	}
	return false
}
