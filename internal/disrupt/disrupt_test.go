package disrupt

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/result"
)

func TestPlan(t *testing.T) {
	before := map[int32][]int32{0: {1, 2}, 1: {2, 3}, 2: {3, 1}, 3: {1, 2}}
	brokers := []int32{1, 2, 3}
	tests := []struct {
		action string
		target int32
		want   map[int32][]int32
		err    bool
	}{
		{"reassign", -1, map[int32][]int32{0: {2, 3}, 1: {3, 1}, 2: {1, 2}, 3: {2, 3}}, false},
		{"decommission", 2, map[int32][]int32{0: {1, 3}, 1: {1, 3}, 2: {3, 1}, 3: {1, 3}}, false},
		{"add-broker", 3, map[int32][]int32{0: {1, 3}, 1: {2, 3}, 2: {3, 1}, 3: {1, 2}}, false},
		{"increase-rf", -1, map[int32][]int32{0: {1, 2, 3}, 1: {2, 3, 1}, 2: {3, 1, 2}, 3: {1, 2, 3}}, false},
		{"decommission", 9, nil, true},
		{"elect-leaders", -1, nil, true},
	}
	for _, tt := range tests {
		t.Run(tt.action, func(t *testing.T) {
			got, err := plan(tt.action, before, brokers, tt.target)
			if (err != nil) != tt.err {
				t.Fatalf("err %v", err)
			}
			for p, rs := range tt.want {
				if !slices.Equal(got[p], rs) {
					t.Errorf("partition %d: %v, want %v", p, got[p], rs)
				}
			}
		})
	}
	if _, err := plan("increase-rf", map[int32][]int32{0: {1, 2, 3}}, brokers, -1); err == nil {
		t.Error("increase-rf beyond the broker count was planned")
	}
}

func TestDiff(t *testing.T) {
	if a, r := diff([]int32{1, 2}, []int32{2, 3}); a != 1 || r != 1 {
		t.Fatalf("added %d removed %d", a, r)
	}
}

func TestAtBaselineAndSettled(t *testing.T) {
	base := &result.Baseline{MaxLag: 10}
	base.Producer.P99, base.Consumer.P99 = 20, 40
	tol := tolerance{P99Ratio: 1.1, P99Floor: 5}
	ok := result.PhaseInterval{ProducedPerSec: 100, ConsumedPerSec: 100, ProducerP99: 25, ConsumerP99: 44, Lag: 5}
	prev := result.PhaseInterval{Lag: 5}
	tests := []struct {
		name string
		mod  func(*result.PhaseInterval)
		want bool
	}{
		{"within the floor and 10%", func(*result.PhaseInterval) {}, true},
		{"producer p99 up", func(iv *result.PhaseInterval) { iv.ProducerP99 = 26 }, false},
		{"consumer p99 up", func(iv *result.PhaseInterval) { iv.ConsumerP99 = 46 }, false},
		{"lag growing", func(iv *result.PhaseInterval) { iv.Lag = 100 }, false},
		{"no reads while lagging", func(iv *result.PhaseInterval) { iv.ConsumedPerSec, iv.ConsumerP99, iv.Lag = 0, 0, 11 }, false},
	}
	for _, tt := range tests {
		iv := ok
		tt.mod(&iv)
		if got := atBaseline(iv, prev, base, tol); got != tt.want {
			t.Errorf("%s: %v, want %v", tt.name, got, tt.want)
		}
	}

	ivs := []result.PhaseInterval{
		{T: 1, AtBaseline: true}, {T: 2, AtBaseline: false}, {T: 3, AtBaseline: true}, {T: 4, AtBaseline: true},
	}
	if i := settled(ivs, 2*time.Second, 2.5); i != 2 {
		t.Errorf("settled at %d, want 2", i)
	}
	if i := settled(ivs, 3*time.Second, 2.5); i != -1 {
		t.Errorf("settled at %d after too short a stretch", i)
	}
	if i := settled(ivs, time.Second, 5); i != -1 {
		t.Errorf("settled at %d before the operation ended", i)
	}
}

func TestWindows(t *testing.T) {
	at := newAckTracker(nil, time.Now(), 100*time.Millisecond)
	at.last = map[int32]time.Duration{0: 0, 1: 0}
	at.windows = nil
	// Partition 1 resumes after 300 ms, partition 0 never does.
	at.mu.Lock()
	at.windows = append(at.windows, window(1, 0, 300*time.Millisecond, false))
	at.last[1] = 950 * time.Millisecond
	at.mu.Unlock()
	ws := at.finish(time.Second)
	if len(ws) != 2 || ws[0].Partition != 0 || !ws[0].Open || ws[0].DurationMs != 1000 || ws[1].Partition != 1 || ws[1].DurationMs != 300 {
		t.Fatalf("windows %+v", ws)
	}
}

// TestConsumerJoinOnEmbeddedBroker runs a short consumer-join on the
// embedded cluster: the member joins, the document has a rebalance and a
// clean audit.
func TestConsumerJoinOnEmbeddedBroker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	conn, err := cluster.Open(ctx, cluster.Config{EmbeddedBrokers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.EnsureTopic(ctx, cluster.TopicSpec{Name: "join", Partitions: 4}); err != nil {
		t.Fatal(err)
	}
	cons, err := clientcfg.Resolve(nil, clientcfg.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Run(ctx, conn, Config{
		Action: "consumer-join", Warmup: 500 * time.Millisecond, Baseline: 2 * time.Second, Settle: time.Second,
		MaxWait: 5 * time.Second, Interval: 250 * time.Millisecond,
		Workload: loadgen.E2EConfig{
			Produce: loadgen.ProduceConfig{Topic: "join", Rate: 300, Values: payload.ValueConfig{Size: 100},
				Keys: payload.KeyConfig{Kind: payload.RandomKey, Space: 1000, Size: 8}},
			Consume: loadgen.ConsumeConfig{Topic: "join", Partitions: 4, Client: cons},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.Kind != result.KindDisruption || d.Rebalance == nil || d.Rebalance.MembersBefore != 1 || d.Rebalance.MembersAfter != 2 {
		t.Fatalf("rebalance %+v", d.Rebalance)
	}
	if d.Audit == nil || d.Audit.Lost != 0 || d.Audit.Duplicated != 0 || d.Audit.Acknowledged == 0 {
		t.Fatalf("audit %+v", d.Audit)
	}
	// The series has the baseline's intervals and those after the
	// operation started, however many a stalled host let the sampler
	// close (it closes one per tick past --interval). The warm-up and the
	// drain after sending may be over before the sampler's next tick.
	phases := map[string]int{}
	for _, iv := range d.Intervals {
		phases[iv.Phase]++
	}
	if d.Operation.EndS < d.Operation.StartS || d.Baseline.EndS <= d.Baseline.StartS || phases[phaseBaseline] == 0 || phases[phaseOperation]+phases[phaseRecovery] == 0 {
		t.Fatalf("operation %+v baseline %+v, intervals per phase %v", d.Operation, d.Baseline, phases)
	}
	// The baseline measured the workload's records: how many per second
	// depends on the host (a stall in the baseline lowers it; see
	// TestBaselineRateIsRecordsOverTime for how it is counted).
	if d.Workload.Rate != 300 || d.Baseline.ProducedPerSec <= 0 {
		t.Errorf("workload rate %v, baseline produced %.1f/s", d.Workload.Rate, d.Baseline.ProducedPerSec)
	}
}

// TestBaselineRateIsRecordsOverTime: the baseline's rates are the records
// of its intervals over the time they span. A host stall stretches one
// interval and the producer catches up in the next: the mean of the
// intervals' rates (987.5/s here) would weigh the short burst as much as
// the long stall; the records over the time give the 300/s sent.
func TestBaselineRateIsRecordsOverTime(t *testing.T) {
	smp := newSampler(time.Now(), 250*time.Millisecond, audit.New(), newHistSlot(), newHistSlot(), tolerance{}, time.Second)
	closeAt := func(at time.Duration, acked, reads int64) {
		smp.mu.Lock()
		defer smp.mu.Unlock()
		smp.closeInterval(at, acked, reads)
	}
	ms := time.Millisecond
	closeAt(250*ms, 500, 400) // warm-up: not the baseline's
	smp.setPhase(phaseBaseline)
	closeAt(500*ms, 575, 460)    // 300/s acknowledged, 240/s read
	closeAt(750*ms, 650, 520)    // 300/s, 240/s
	closeAt(3750*ms, 800, 640)   // a 3 s stall: 50/s, 40/s
	closeAt(4000*ms, 1625, 1300) // the catch-up: 3300/s, 2640/s
	smp.setPhase(phaseOperation)
	b := smp.fixBaseline(0.5, 4)
	if b.ProducedPerSec != 300 || b.ConsumedPerSec != 240 {
		t.Errorf("baseline produced %v/s consumed %v/s, want 300 and 240 (records over time)", b.ProducedPerSec, b.ConsumedPerSec)
	}
	if b.MaxLag != 325 {
		t.Errorf("baseline max lag %d, want 325", b.MaxLag)
	}
}

// TestDrainOnEmbeddedBroker drains a small backlog on the embedded
// cluster: the consumers catch up and every record is read once.
func TestDrainOnEmbeddedBroker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := cluster.Open(ctx, cluster.Config{EmbeddedBrokers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.EnsureTopic(ctx, cluster.TopicSpec{Name: "drain", Partitions: 3}); err != nil {
		t.Fatal(err)
	}
	cons, err := clientcfg.Resolve(nil, clientcfg.Consumer)
	if err != nil {
		t.Fatal(err)
	}
	d, err := Drain(ctx, conn, DrainConfig{
		Backlog: 1 << 20, MaxWait: 20 * time.Second, After: 500 * time.Millisecond, Interval: 250 * time.Millisecond,
		Workload: loadgen.E2EConfig{
			Produce: loadgen.ProduceConfig{Topic: "drain", Rate: 200, Values: payload.ValueConfig{Size: 1024}},
			Consume: loadgen.ConsumeConfig{Topic: "drain", Partitions: 3, Client: cons},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.BacklogRecords != 1024 || d.BacklogBytes != 1<<20 {
		t.Fatalf("backlog %d records, %d bytes", d.BacklogRecords, d.BacklogBytes)
	}
	if !d.CaughtUp || d.TimeToCatchUpS == nil || d.DrainBytesPerSec <= 0 || d.StopReason != "caught-up" {
		t.Fatalf("drain: caught up %v in %v, %.0f bytes/s, stop %q", d.CaughtUp, d.TimeToCatchUpS, d.DrainBytesPerSec, d.StopReason)
	}
	if a := d.Audit; a == nil || !a.Clean() || a.Read != a.Acknowledged || a.Acknowledged < 1024 {
		t.Fatalf("audit %+v", d.Audit)
	}
}
