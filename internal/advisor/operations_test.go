package advisor

import (
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

// restart is a broker restart of broker 2: the longest window 1,800 ms
// on partition 1, producer p99 from 5 ms to 245 ms, recovered in 11 s.
func restart(producer map[string]string, a *result.Audit) *result.Disruption {
	broker := int32(2)
	ttr := 11.0
	d := &result.Disruption{Header: result.NewHeader(result.KindDisruption), Action: "broker-restart", Broker: &broker, Recovered: true, TimeToRecoverS: &ttr, Audit: a}
	d.Config.Producer = producer
	d.Baseline.Producer.P99 = 5
	d.Windows = []result.Window{{Partition: 0, DurationMs: 600}, {Partition: 1, DurationMs: 1800}}
	d.Intervals = []result.PhaseInterval{{Phase: "baseline", ProducerP99: 6}, {Phase: "operation", ProducerP99: 245}, {Phase: "recovery", ProducerP99: 9}}
	return d
}

var (
	safe   = map[string]string{"acks": "all", "enable.idempotence": "true"}
	unsafe = map[string]string{"acks": "1", "enable.idempotence": "false"}
	noIdem = map[string]string{"acks": "-1", "enable.idempotence": "false"}
)

// TestOperationEvidence: each document's sentence, every figure from it
// and nothing it lacks.
func TestOperationEvidence(t *testing.T) {
	ttr, ttc := 3.5, 0.5
	for _, c := range []struct {
		name, got, want string
	}{
		{"broker restart", DisruptionEvidence(restart(safe, &result.Audit{})),
			"broker-restart of broker 2: partitions stalled up to 1.8 s (partition 1), producer p99 +240 ms over the baseline (5 ms); recovered in 11.0 s; audit: 0 lost, 0 duplicated"},
		{"consumer join, not recovered", DisruptionEvidence(&result.Disruption{Action: "consumer-join", Settings: map[string]string{"max_wait": "2m0s"},
			Baseline:  result.Baseline{LongestDeliveryGapMs: 71},
			Rebalance: &result.Rebalance{Assignor: "cooperative-sticky", GroupProtocol: "consumer", StopMs: 228, Redelivered: 9},
			Audit:     &result.Audit{Reordered: 2}}),
			"consumer-join: no partition stalled, deliveries stopped for 228 ms (cooperative-sticky, consumer protocol; baseline gap 71 ms), 9 records re-delivered; not recovered within max-wait (2m0s); audit: 0 lost, 0 duplicated, 2 reordered"},
		{"reassignment that failed, no audit", DisruptionEvidence(&result.Disruption{Action: "reassign", TimeToRecoverS: &ttr,
			Operation:    result.Operation{Error: "timed out"},
			Reassignment: &result.Reassignment{ReplicasAdded: 3, ReplicasRemoved: 3, BytesMoved: 504191, DurationS: 2.4}}),
			"reassign: no partition stalled, 3 replicas added and 3 removed (504191 bytes) in 2.4 s; the operation failed: timed out; recovered in 3.5 s; no delivery audit"},
		{"drain caught up", DrainEvidence(&result.Drain{BacklogBytes: 4194304, BacklogRecords: 8192, TimeToCatchUpS: &ttc, DrainBytesPerSec: 9405726, DrainRecordsPerSec: 18370, Audit: &result.Audit{}, Setting: result.Setting{Workload: result.Workload{Rate: 200}}}),
			"drain of a 4194304-byte backlog (8192 records) while producers kept 200 records/s: lag fell at 9405726 bytes/s (18370 records/s); caught up in 500 ms; audit: 0 lost, 0 duplicated"},
		{"drain never caught up", DrainEvidence(&result.Drain{BacklogBytes: 1000, BacklogRecords: 10, FinalLag: 77, Setting: result.Setting{Workload: result.Workload{Rate: 5}}}),
			"drain of a 1000-byte backlog (10 records) while producers kept 5 records/s: lag fell at 0 bytes/s (0 records/s); did not catch up, 77 records behind at the end; no delivery audit"},
	} {
		if c.got != c.want {
			t.Errorf("%s:\n got %q\nwant %q", c.name, c.got, c.want)
		}
	}
}

// TestDurabilityContradicted: a finding exactly when the audit found
// what the stated guarantee rules out, with the advice that fits the
// run's settings.
func TestDurabilityContradicted(t *testing.T) {
	for _, c := range []struct {
		name       string
		durability string
		producer   map[string]string
		audit      *result.Audit
		want       string // "" for no finding; else a part of the evidence
		rec        string // a part of the recommendation
	}{
		{"clean", "at-least-once", safe, &result.Audit{}, "", ""},
		{"no audit", "exactly-once", safe, nil, "", ""},
		{"lost under acks=1", "at-least-once", unsafe, &result.Audit{Lost: 12},
			"12 records lost under acks=1, enable.idempotence=false, while the stated durability is at-least-once", "set acks=all, enable.idempotence=true"},
		{"lost although the settings qualify", "at-least-once", safe, &result.Audit{Lost: 3},
			"3 records lost under acks=all, enable.idempotence=true", "min.insync.replicas"},
		{"lost is fine at most once", "at-most-once", unsafe, &result.Audit{Lost: 12}, "", ""},
		{"duplicates are fine at least once", "at-least-once", noIdem, &result.Audit{Duplicated: 5}, "", ""},
		{"duplicates break exactly once", "exactly-once", noIdem, &result.Audit{Duplicated: 5},
			"5 duplicated under acks=all, enable.idempotence=false, while the stated durability is exactly-once", "rules out duplicates"},
		{"duplicates break at most once", "at-most-once", noIdem, &result.Audit{Duplicated: 1}, "1 duplicated", "rules out duplicates"},
		{"both", "exactly-once", noIdem, &result.Audit{Lost: 2, Duplicated: 1}, "2 records lost and 1 duplicated", "set enable.idempotence=true"},
	} {
		t.Run(c.name, func(t *testing.T) {
			fs := OperationFindings(Workload{Durability: c.durability}, []Named[*result.Disruption]{{Path: "r.json", Doc: restart(c.producer, c.audit)}}, nil)
			var got *Finding
			for i := range fs {
				if fs[i].ID == "durability-contradicted" {
					got = &fs[i]
				}
			}
			switch {
			case c.want == "" && got != nil:
				t.Errorf("unexpected finding: %+v", *got)
			case c.want != "" && got == nil:
				t.Errorf("no finding; findings %+v", fs)
			case got != nil:
				if got.Severity != "warn" || !strings.Contains(got.Evidence, c.want) || !strings.Contains(got.Evidence, "broker-restart (r.json)") || !strings.Contains(got.Recommendation, c.rec) {
					t.Errorf("finding %+v\nwant evidence with %q, recommendation with %q", *got, c.want, c.rec)
				}
			}
		})
	}
}

// TestAdviseWithOperations: the advice carries each document as evidence,
// named by its file.
func TestAdviseWithOperations(t *testing.T) {
	ttc := 1.0
	a, err := Advise(Input{Workload: Workload{AvgMBps: 10},
		Disruptions: []Named[*result.Disruption]{{Path: "a.json", Doc: restart(safe, &result.Audit{})}, {Path: "b.json", Doc: restart(safe, &result.Audit{})}},
		Drains:      []Named[*result.Drain]{{Path: "d.json", Doc: &result.Drain{TimeToCatchUpS: &ttc, CaughtUp: true}}}})
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]string{}
	for _, f := range a.Findings {
		found[f.ID] = f.Evidence
	}
	for id, file := range map[string]string{"operation-broker-restart": "(a.json)", "operation-broker-restart-2": "(b.json)", "operation-drain": "(d.json)"} {
		if !strings.HasSuffix(found[id], file) {
			t.Errorf("finding %s: %q, want evidence from %s", id, found[id], file)
		}
	}
	if _, ok := found["durability-contradicted"]; ok {
		t.Error("a clean audit contradicts nothing")
	}
}

// drainSweep is a crafted drain sweep over max.poll.records: 50 drains at
// 2 MiB/s (caught up in 4 s), 500 at 3 MiB/s (3 s), 2000 at 6 MiB/s (1.5 s).
func drainSweep(audits ...*result.Audit) *result.DrainSweep {
	s := &result.DrainSweep{Header: result.NewHeader(result.KindDrainSweep), BacklogBytes: 8 << 20,
		Dimensions: []result.Dimension{{Role: "consumer", Name: "max.poll.records", Values: []string{"50", "500", "2000"}}}}
	s.Workload.Rate = 200
	for i, c := range []struct {
		v         string
		mibps, tc float64
	}{{"50", 2, 4}, {"500", 3, 3}, {"2000", 6, 1.5}} {
		tc := c.tc
		d := &result.Drain{DrainBytesPerSec: c.mibps * result.MiB, CaughtUp: true, TimeToCatchUpS: &tc, Audit: audits[i]}
		d.Config.Producer = safe
		s.Points = append(s.Points, result.DrainPoint{Params: map[string]string{"consumer:max.poll.records": c.v}, Label: "max.poll.records=" + c.v, Drain: d})
	}
	return s
}

// TestDrainSweepFindings: the fastest setting is named with its gain over
// the first point (over the slowest when the first was fastest), every
// figure from the document; a point's lost records contradict
// at-least-once.
func TestDrainSweepFindings(t *testing.T) {
	s := drainSweep(&result.Audit{}, &result.Audit{}, &result.Audit{Duplicated: 2})
	want := "drain sweep over max.poll.records (3 points, a 8388608-byte backlog each while producers kept 200 records/s): " +
		"max.poll.records=2000 drained fastest, lag falling at 6291456 bytes/s, caught up in 1.5 s; " +
		"3.00x the rate of the first point, max.poll.records=50 (2097152 bytes/s, caught up in 4.0 s); audit: 0 lost, 2 duplicated over all points"
	if got := DrainSweepEvidence(s); got != want {
		t.Errorf("evidence:\n got %q\nwant %q", got, want)
	}
	s.Points[0], s.Points[2] = s.Points[2], s.Points[0]
	if got := DrainSweepEvidence(s); !strings.Contains(got, "max.poll.records=2000 drained fastest") || !strings.Contains(got, "3.00x the rate of the slowest, max.poll.records=50 (2097152 bytes/s") {
		t.Errorf("first point fastest: %q", got)
	}
	fs := DrainSweepFindings(Workload{Durability: "at-least-once"}, []Named[*result.DrainSweep]{{Path: "ds.json", Doc: drainSweep(&result.Audit{}, &result.Audit{Lost: 3}, &result.Audit{})}})
	if len(fs) != 2 || fs[0].ID != "durability-contradicted" || !strings.Contains(fs[0].Evidence, "drain sweep point max.poll.records=500 (ds.json): 3 records lost") ||
		fs[1].ID != "drain-sweep" || !strings.HasSuffix(fs[1].Evidence, "(ds.json)") || !strings.Contains(fs[1].Recommendation, "with max.poll.records=2000") {
		t.Fatalf("findings: %+v", fs)
	}
	// Settings within 10% of each other are not what limits the drain.
	flat := drainSweep(&result.Audit{}, &result.Audit{}, &result.Audit{})
	flat.Points[1].Drain.DrainBytesPerSec, flat.Points[2].Drain.DrainBytesPerSec = 2.1*result.MiB, 2.15*result.MiB
	if fs := DrainSweepFindings(Workload{}, []Named[*result.DrainSweep]{{Path: "f.json", Doc: flat}}); len(fs) != 1 || !strings.Contains(fs[0].Recommendation, "less than 10%") {
		t.Errorf("flat sweep: %+v", fs)
	}
}
