package advisor

import (
	"math"
	"math/rand"
	"slices"
	"strings"
	"testing"
)

// TestStripedPlacement: the model places as StripedReplicaPlacer does:
// no broker twice in a partition, each partition over min(R, racks)
// racks, leaders and replicas even when P is a multiple of B.
func TestStripedPlacement(t *testing.T) {
	for _, tt := range []struct{ B, racks, P, R int }{{9, 3, 90, 3}, {6, 2, 60, 3}, {7, 0, 70, 3}, {12, 4, 120, 5}, {5, 0, 50, 5}} {
		pl := place(tt.B, tt.racks, tt.P, tt.R, placementSeed)
		leaders, replicas := make([]int, tt.B), make([]int, tt.B)
		for p, reps := range pl.replicas {
			if len(reps) != tt.R {
				t.Fatalf("%+v: partition %d has %v", tt, p, reps)
			}
			racks := map[int]int{}
			for i, b := range reps {
				if slices.Contains(reps[:i], b) {
					t.Fatalf("%+v: partition %d places broker %d twice: %v", tt, p, b, reps)
				}
				racks[pl.rackOf[b]]++
				replicas[b]++
			}
			leaders[reps[0]]++
			if want := min(tt.R, max(tt.racks, 1)); len(racks) != want {
				t.Errorf("%+v: partition %d spans %d racks, want %d: %v", tt, p, len(racks), want, reps)
			}
			for _, n := range racks {
				if n > (tt.R+max(tt.racks, 1)-1)/max(tt.racks, 1) {
					t.Errorf("%+v: partition %d has %d replicas in one rack", tt, p, n)
				}
			}
		}
		// Replicas spread evenly; leaders too without racks. With racks
		// Kafka's striping leads a rack's partitions of one round from the
		// same broker (its Javadoc: partitions 1 and 4 both start at A0),
		// so only each rack's share of leaders is even.
		rackLeaders := map[int]int{}
		for b := range tt.B {
			rackLeaders[pl.rackOf[b]] += leaders[b]
			if replicas[b] != tt.P*tt.R/tt.B || tt.racks == 0 && leaders[b] != tt.P/tt.B {
				t.Errorf("%+v: broker %d leads %d and holds %d", tt, b, leaders[b], replicas[b])
			}
		}
		for r, n := range rackLeaders {
			if n != tt.P/max(tt.racks, 1) {
				t.Errorf("%+v: rack %d leads %d", tt, r, n)
			}
		}
	}
}

// failingHW is the hardware of the issue's first example.
var failingHW = Hardware{DiskMBps: 250, DiskGB: 4000, NICGbps: 10, Cores: 8, MemoryGB: 32}

// TestIssue23Errors: each numbered error of issue 23 the sizing owns,
// which main at 8206c00 got wrong.
func TestIssue23Errors(t *testing.T) {
	advise := func(t *testing.T, w Workload) *Advice {
		t.Helper()
		a, err := Advise(Input{Workload: w})
		if err != nil {
			t.Fatal(err)
		}
		return a
	}
	// 1. Surviving failures is per partition.
	t.Run("1 per partition", func(t *testing.T) {
		for _, tt := range []struct {
			name         string
			w            Workload
			wantR, wantM int
		}{
			{"two failures, RF 3 / 2", Workload{AvgMBps: 20, PeakFactor: 3, Failures: intp(2), Replication: 3, MinInsync: 2, Hardware: failingHW}, 4, 2},
			{"RF 3 on two racks", Workload{AvgMBps: 20, Replication: 3, MinInsync: 2, Racks: 2, Hardware: failingHW}, 4, 2},
			{"RF 2 / 2 on three racks", Workload{AvgMBps: 20, Replication: 2, MinInsync: 2, Racks: 3, Hardware: failingHW}, 3, 2},
			// min.insync is the durability asked for: never lowered, RF raised.
			{"RF 3 / 3", Workload{AvgMBps: 20, Replication: 3, MinInsync: 3, Hardware: failingHW}, 4, 3},
			{"RF 3 / 2, one failure: unchanged", Workload{AvgMBps: 20, Replication: 3, MinInsync: 2, Hardware: failingHW}, 3, 2},
			{"RF 3 / 2 on three racks: unchanged", Workload{AvgMBps: 20, Replication: 3, MinInsync: 2, Racks: 3, Hardware: failingHW}, 3, 2},
		} {
			t.Run(tt.name, func(t *testing.T) {
				a := advise(t, tt.w)
				s := a.Sizing
				if s.Replication != tt.wantR || s.MinInsync != tt.wantM {
					t.Fatalf("sized RF %d / min.insync %d, want %d / %d", s.Replication, s.MinInsync, tt.wantR, tt.wantM)
				}
				changed := tt.wantR != tt.w.Replication || tt.wantM != tt.w.MinInsync
				if s.ReplicationChanged != changed || hasFinding(a.Findings, "replication-changed") != changed {
					t.Errorf("changed %v, finding %v, want %v", s.ReplicationChanged, hasFinding(a.Findings, "replication-changed"), changed)
				}
				if p := s.Placement; p == nil || !p.Survives || p.MinInsyncLeft < tt.wantM || p.DataLost != 0 {
					t.Errorf("placement %+v", p)
				}
				if tt.w.Racks > 1 && s.Brokers%tt.w.Racks != 0 {
					t.Errorf("%d brokers on %d racks", s.Brokers, tt.w.Racks)
				}
				// The placement model at the given RF / min.insync does
				// not survive: the old advice said it did.
				if changed {
					m := newModel(tt.w, 1, 1, BrokerHardware{DiskMBps: Sourced{Value: 1000}}, 0)
					if m.F = failuresOf(tt.w); tt.w.Failures == nil {
						m.F = 1
					}
					if j := m.judge(max(s.Brokers, m.floor())); m.survives(j) {
						t.Errorf("RF %d / %d survives on the model", tt.w.Replication, tt.w.MinInsync)
					}
				}
			})
		}
		if _, err := Advise(Input{Workload: Workload{AvgMBps: 1, Failures: intp(10), Replication: 3, Hardware: failingHW}}); err == nil || !strings.HasPrefix(err.Error(), "--failures 10") || strings.Contains(err.Error(), "\n") {
			t.Errorf("--failures 10 with RF 3: %v, want a one-line refusal", err)
		}
		// --failures and --racks are both evaluated.
		a := advise(t, Workload{AvgMBps: 20, Failures: intp(1), Racks: 3, Hardware: failingHW})
		var racks, sets bool
		for _, sc := range a.Sizing.Placement.Scenarios {
			racks = racks || strings.HasPrefix(sc, "rack ")
			sets = sets || !strings.HasPrefix(sc, "rack ")
		}
		if !racks || !sets {
			t.Errorf("scenarios %v: want whole racks and single brokers", a.Sizing.Placement.Scenarios)
		}
	})
	// 2. Racks: B a multiple of them; a rack loss moves leadership, not
	// data, so it costs no broker a disk-bound cluster would not need.
	t.Run("2 racks", func(t *testing.T) {
		w := Workload{AvgMBps: 100, PeakFactor: 1, Hardware: Hardware{DiskMBps: 50, DiskGB: 1e6}}
		flat := advise(t, w)
		w.Racks = 3
		zoned := advise(t, w)
		if zoned.Sizing.Brokers%3 != 0 || zoned.Sizing.Brokers != (flat.Sizing.Brokers+2)/3*3 {
			t.Errorf("%d brokers on 3 racks, %d without: a rack loss must only round up to the racks", zoned.Sizing.Brokers, flat.Sizing.Brokers)
		}
		for _, racks := range []int{3, 4} {
			w.Racks, w.AvgMBps = racks, 777
			if b := advise(t, w).Sizing.Brokers; b%racks != 0 {
				t.Errorf("%d brokers on %d racks", b, racks)
			}
		}
	})
	// 3. Recovery: a replaced broker catches up alone.
	t.Run("3 recovery", func(t *testing.T) {
		w := Workload{AvgMBps: 100, PeakFactor: 1, RetentionHours: 168, Hardware: Hardware{DiskMBps: 500, NICGbps: 25, DiskGB: 20000}}
		a := advise(t, w)
		s := a.Sizing
		B := float64(s.Brokers)
		data := 100 * 86.4 * 3 * 7 / B
		rate := 500 - 100*3/B // disk write left after its share; the NIC has more
		want := data * 1000 / rate / 3600
		if s.RecoveryHours == nil || math.Abs(*s.RecoveryHours-want) > 0.02*want {
			t.Errorf("recovery %v h at %v brokers, want %.2f (one broker's data / its spare disk)", s.RecoveryHours, B, want)
		}
		w.RecoveryMBps = 50
		s = advise(t, w).Sizing
		if want := data * 1000 / 50 / 3600; math.Abs(*s.RecoveryHours-want) > 0.02*want {
			t.Errorf("throttled recovery %v h, want %.2f", *s.RecoveryHours, want)
		}
		if !hasFinding(advise(t, w).Findings, "recovery-slow") {
			t.Errorf("a %.0f h recovery has no finding", *s.RecoveryHours)
		}
	})
	// 4. The NIC figure agrees with a given NIC that passes, counts
	// recovery, and tiered uploads count in network out.
	t.Run("4 NIC", func(t *testing.T) {
		w := Workload{AvgMBps: 20, PeakFactor: 3, Hardware: Hardware{DiskMBps: 500, NICGbps: 5, DiskGB: 20000}}
		if g := advise(t, w).Sizing.NICGbps; g != 5 {
			t.Errorf("NIC %v Gbit/s with a given 5 Gbit/s that passes", g)
		}
		// No NIC given, a short --max-recovery: the link must carry the
		// catch-up, not only the peak.
		w = Workload{AvgMBps: 20, PeakFactor: 1, RetentionHours: 24, MaxRecoveryHours: 1, Hardware: Hardware{DiskMBps: 2000, DiskGB: 20000}}
		s := advise(t, w).Sizing
		if s.NICGbps <= 1 || *s.RecoveryHours > 1 {
			t.Errorf("NIC %v Gbit/s, recovery %v h within 1 h", s.NICGbps, *s.RecoveryHours)
		}
		w = Workload{AvgMBps: 100, PeakFactor: 1, RetentionHours: 168, Hardware: Hardware{DiskMBps: 2000, NICGbps: 1, DiskGB: 1e6}}
		plain := advise(t, w).Sizing
		w.LocalRetentionHours = 24
		tier := advise(t, w).Sizing
		out := func(s Sizing) float64 {
			for _, c := range s.Constraints {
				if c.Resource == "network out" {
					return c.Value * float64(s.Brokers)
				}
			}
			return 0
		}
		if out(tier) <= out(plain) {
			t.Errorf("remote-tier uploads add no network out: %v vs %v", out(tier), out(plain))
		}
	})
	// 5. Memory from bytes actually written, never beyond the broker's.
	t.Run("5 memory", func(t *testing.T) {
		w := Workload{AvgMBps: 50, Partitions: 30000, PeakFactor: 1, Hardware: Hardware{DiskMBps: 500, NICGbps: 10, DiskGB: 8000, MemoryGB: 64}}
		a := advise(t, w)
		if s := a.Sizing; s.MemoryPerBrokerGB > 64 || s.MemoryNeededGB <= 64 || !hasFinding(a.Findings, "memory-short") {
			t.Errorf("memory %v GB headline, %v needed, finding %v", s.MemoryPerBrokerGB, s.MemoryNeededGB, hasFinding(a.Findings, "memory-short"))
		}
		// A short segment.ms rolls segments long before 1 GB.
		w.SegmentMs = 3600 * 1000
		if s := advise(t, w).Sizing; s.MemoryPerBrokerGB >= 64 {
			t.Errorf("segment.ms 1 h: %v GB (%v needed)", s.MemoryPerBrokerGB, s.MemoryNeededGB)
		}
		// Lagging readers read leaders: readers x leader bytes, not x R.
		w = Workload{AvgMBps: 10, PeakFactor: 1, LagHours: 2, LaggingReaders: 1, Hardware: Hardware{DiskMBps: 500, NICGbps: 10, DiskGB: 20000, MemoryGB: 1024}}
		s := advise(t, w).Sizing
		if want := 10 * 7200 / 1000 / float64(s.Brokers); math.Abs(s.PageCacheGB-want) > 0.05*want {
			t.Errorf("page cache %v GB at %d brokers, want %.2f (leaders' 2 h)", s.PageCacheGB, s.Brokers, want)
		}
	})
	// Item 8's sizing parts.
	t.Run("8 inputs", func(t *testing.T) {
		// 1 TB/s (the largest average advise takes) on 500 MB/s disks: no count up to the model's bound.
		a := advise(t, Workload{AvgMBps: 1e6, Hardware: Hardware{DiskMBps: 500}})
		if a.Sizing.Unsatisfiable != "disk write" || !hasFinding(a.Findings, "sizing-unsatisfiable") {
			t.Errorf("unsatisfiable %q", a.Sizing.Unsatisfiable)
		}
		var md strings.Builder
		WriteMarkdown(&md, a)
		if strings.Contains(md.String(), "**3 brokers**") || !strings.Contains(md.String(), "no broker count") {
			t.Errorf("headline: %s", md.String())
		}
		w := Workload{AvgMBps: 10, PeakFactor: 1, RetentionHours: 24}
		base := advise(t, w).Sizing.DiskTotalGB
		w.Headroom = 0.5
		if got := advise(t, w).Sizing.DiskTotalGB; math.Abs(got-1.5*base) > 0.02 {
			t.Errorf("headroom 0.5: %v GB, %v without", got, base)
		}
		a = advise(t, Workload{AvgMBps: 10, Replication: 2})
		if a.Workload.MinInsync != 1 || !hasFinding(a.Findings, "replication-2") {
			t.Errorf("RF 2: min.insync %d, finding %v", a.Workload.MinInsync, hasFinding(a.Findings, "replication-2"))
		}
	})
}

// TestAdviceNeverOverclaims draws thousands of seeded workloads and
// checks, on the placement model evaluated exhaustively here, that the
// advice never claims to survive a failure it does not survive, and that
// one stride fewer brokers fails (floors aside).
func TestAdviceNeverOverclaims(t *testing.T) {
	n := 2000
	if testing.Short() {
		n = 200
	}
	rnd := rand.New(rand.NewSource(42))
	pick := func(xs ...float64) float64 { return xs[rnd.Intn(len(xs))] }
	checked := 0
	for i := range n {
		R := 1 + rnd.Intn(5)
		M := 1 + rnd.Intn(R)
		F := rnd.Intn(R)
		racks := []int{0, 0, 2, 3, 4}[rnd.Intn(5)]
		if R == 1 {
			racks = 0
		}
		w := Workload{AvgMBps: pick(1, 5, 20, 50, 120), PeakFactor: pick(1, 2, 3), Replication: R, MinInsync: M, Failures: intp(F), Racks: racks,
			RetentionHours: pick(24, 72, 168), ConsumerGroups: 1 + rnd.Intn(4), Partitions: []int{0, 0, 12, 60, 300, 1000}[rnd.Intn(6)],
			Hardware: Hardware{DiskMBps: pick(100, 250, 500), NICGbps: pick(1, 10, 25), DiskGB: pick(2000, 8000, 20000)}}
		a, err := Advise(Input{Workload: w})
		if err != nil {
			t.Fatalf("draw %d %+v: %v", i, w, err)
		}
		s := a.Sizing
		if s.Unsatisfiable != "" {
			continue
		}
		checked++
		sized := w
		sized.Replication, sized.MinInsync, sized.ConsumerGroups = s.Replication, s.MinInsync, w.ConsumerGroups
		peak := w.AvgMBps * w.PeakFactor
		retained := w.AvgMBps * 86.4 * float64(s.Replication) * w.RetentionHours / 24
		m := newModel(sized, peak, retained, BrokerHardware{DiskMBps: Sourced{Value: w.Hardware.DiskMBps}, NICMBps: Sourced{Value: w.Hardware.NICGbps * 125}, DiskGB: Sourced{Value: w.Hardware.DiskGB}}, 0)
		if !exhaustivelyHolds(m, s.Brokers) {
			t.Fatalf("draw %d (avg %v x %v, RF %d/%d F %d racks %d, P %d, C %d, hw %+v): the advice claims %d brokers (RF %d / %d) survive; the model disagrees",
				i, w.AvgMBps, w.PeakFactor, R, M, F, racks, w.Partitions, w.ConsumerGroups, w.Hardware, s.Brokers, s.Replication, s.MinInsync)
		}
		if fewer := s.Brokers - m.stride(); fewer >= m.floor() && exhaustivelyHolds(m, fewer) {
			t.Fatalf("draw %d (avg %v x %v, RF %d/%d F %d racks %d, P %d, C %d, hw %+v): %d brokers advised, %d survive too",
				i, w.AvgMBps, w.PeakFactor, R, M, F, racks, w.Partitions, w.ConsumerGroups, w.Hardware, s.Brokers, fewer)
		}
	}
	if checked < n/2 {
		t.Errorf("only %d of %d draws were satisfiable", checked, n)
	}
}

// exhaustivelyHolds evaluates every set of F brokers and each rack on
// the placement at B brokers: every partition keeps min.insync, every
// surviving broker stays within every limit.
func exhaustivelyHolds(m model, B int) bool {
	pl := place(B, m.racks, m.partitions(B), m.R, placementSeed)
	f := m.flow(m.partitions(B))
	var sets [][]int
	var rec func(start int, cur []int)
	rec = func(start int, cur []int) {
		if len(cur) == m.F {
			sets = append(sets, slices.Clone(cur))
			return
		}
		for b := start; b < B; b++ {
			rec(b+1, append(cur, b))
		}
	}
	if binomial(B, m.F) <= 3000 {
		rec(0, nil)
	} else {
		for _, sc := range pl.scenarios(m.F, false) {
			sets = append(sets, sc.lost)
		}
	}
	if m.racks > 1 {
		for r := range m.racks {
			var set []int
			for b := range B {
				if b%m.racks == r {
					set = append(set, b)
				}
			}
			sets = append(sets, set)
		}
	}
	if float64(m.partitions(B)*m.R) > replicasPerCluster {
		return false
	}
	for _, set := range sets {
		o := pl.evaluate(scenario{lost: set}, f, m.M)
		if o.minLeft < m.M {
			return false
		}
		for b, l := range o.loads {
			if slices.Contains(set, b) {
				continue
			}
			for _, r := range resources {
				if lim := r.limit(m); lim > 0 && r.value(l) > lim*(1+1e-9) {
					return false
				}
			}
		}
	}
	return true
}

// TestTextbookRacks: without hardware too, B is a multiple of the racks.
func TestTextbookRacks(t *testing.T) {
	for _, racks := range []int{2, 3, 4} {
		a, err := Advise(Input{Workload: Workload{AvgMBps: 50, PeakFactor: 3, Racks: racks}})
		if err != nil {
			t.Fatal(err)
		}
		if s := a.Sizing; s.Mode != ModeTextbook || s.Brokers%racks != 0 || s.Brokers < s.TextbookBrokers {
			t.Errorf("%d racks: %d brokers (textbook %d, mode %s)", racks, s.Brokers, s.TextbookBrokers, s.Mode)
		}
	}
}
