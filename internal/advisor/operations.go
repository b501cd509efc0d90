package advisor

import (
	"fmt"
	"strings"

	"github.com/ktune/ktune/result"
)

// srcDisrupt names the measurements operations findings rest on.
const srcDisrupt = "measured by ktune disrupt / drain under a steady load, with the delivery audit"

// OperationFindings turns disruption and drain documents into evidence:
// one finding each, whose evidence is what the operation cost the clients
// in one sentence (every figure from the document), and a warning for each
// document whose delivery audit contradicts the stated durability (records
// lost, or duplicated where the guarantee forbids it).
func OperationFindings(w Workload, ds []Named[*result.Disruption], drains []Named[*result.Drain]) []Finding {
	var out, warn []Finding
	ids := map[string]int{}
	id := func(base string) string {
		ids[base]++
		if n := ids[base]; n > 1 {
			return fmt.Sprintf("%s-%d", base, n)
		}
		return base
	}
	for _, d := range ds {
		rec := "expect this cost when the operation runs in production on a similar cluster and load; one run is one sample, so repeat it before relying on the figures"
		if !d.Doc.Recovered {
			rec = "the clients were not back to their baseline within max-wait: read the timeline (ktune report) and re-run with a longer --max-wait before doing this in production"
		}
		out = append(out, Finding{ID: id("operation-" + d.Doc.Action), Severity: "info",
			Rationale:      "what an operation cost the clients, measured under a steady load rather than assumed",
			Evidence:       DisruptionEvidence(d.Doc) + embeddedNote(d.Doc.Cluster) + " (" + d.Path + ")",
			Recommendation: rec, Source: srcDisrupt})
		if f := durabilityContradiction(w, d.Path, d.Doc.Action, d.Doc.Config.Producer, d.Doc.Audit); f != nil {
			warn = append(warn, *f)
		}
	}
	for _, d := range drains {
		rec := "the consumers drain a backlog of this size at this rate: size consumer groups for the backlogs you expect"
		if !d.Doc.CaughtUp {
			rec = "the consumers did not catch up while producers kept their rate: add consumers (and partitions) or raise max.poll.records / fetch.max.bytes, then re-run ktune drain"
		}
		out = append(out, Finding{ID: id("operation-drain"), Severity: "info",
			Rationale:      "how fast consumers work off a backlog while producers keep writing, measured rather than assumed",
			Evidence:       DrainEvidence(d.Doc) + embeddedNote(d.Doc.Cluster) + " (" + d.Path + ")",
			Recommendation: rec, Source: srcDisrupt})
		if f := durabilityContradiction(w, d.Path, "drain", d.Doc.Config.Producer, d.Doc.Audit); f != nil {
			warn = append(warn, *f)
		}
	}
	return append(warn, out...)
}

// DrainSweepFindings turns drain sweeps into evidence: one finding each
// naming the setting whose drain was fastest and its gain over the first
// point (or, when the first was fastest, over the slowest), every figure
// from the document; and a warning for each point whose delivery audit
// contradicts the stated durability.
func DrainSweepFindings(w Workload, sweeps []Named[*result.DrainSweep]) []Finding {
	var out, warn []Finding
	for i, s := range sweeps {
		f, sl, ok := s.Doc.Fastest()
		if !ok {
			continue
		}
		id := "drain-sweep"
		if i > 0 {
			id = fmt.Sprintf("drain-sweep-%d", i+1)
		}
		fast := s.Doc.Points[f]
		rec := fmt.Sprintf("configure consumers that must work off backlogs like this one with %s; one drain per point is one sample, so repeat the sweep before relying on small differences", fast.Label)
		if slow := s.Doc.Points[sl].Drain.DrainBytesPerSec; len(s.Doc.Points) > 1 && slow > 0 && fast.Drain.DrainBytesPerSec < 1.1*slow {
			rec = "the settings varied changed the drain rate by less than 10%: they are not what limits it; add partitions and consumers together, or look at the brokers and the consumer host"
		}
		if !fast.Drain.CaughtUp {
			rec = "not even the fastest setting caught up while producers kept their rate: add consumers and partitions, then re-run ktune drain --vary"
		}
		out = append(out, Finding{ID: id, Severity: "info",
			Rationale:      "which consumer settings work off a backlog fastest while producers keep writing, measured per setting rather than assumed (the manual's 'how consumers improve throughput')",
			Evidence:       DrainSweepEvidence(s.Doc) + embeddedNote(s.Doc.Cluster) + " (" + s.Path + ")",
			Recommendation: rec, Source: srcDisrupt})
		for _, p := range s.Doc.Points {
			if f := durabilityContradiction(w, s.Path, "drain sweep point "+p.Label, p.Drain.Config.Producer, p.Drain.Audit); f != nil {
				warn = append(warn, *f)
			}
		}
	}
	return append(warn, out...)
}

// sweepOther is the point the fastest is compared with: the first, or
// the slowest when the first is the fastest.
func sweepOther(fastest, slowest int) int {
	if fastest == 0 {
		return slowest
	}
	return 0
}

// DrainSweepEvidence is a drain sweep in one sentence: the fastest
// setting, its drain rate and catch-up, and its gain over the first point
// (or the slowest, when the first was fastest).
func DrainSweepEvidence(s *result.DrainSweep) string {
	f, sl, ok := s.Fastest()
	if !ok {
		return "drain sweep without a measured point"
	}
	var names []string
	for _, d := range s.Dimensions {
		names = append(names, d.Name)
	}
	head := fmt.Sprintf("drain sweep over %s (%d points, a %d-byte backlog each while producers kept %.0f records/s)",
		strings.Join(names, ", "), len(s.Points), s.BacklogBytes, s.Workload.Rate)
	point := func(p result.DrainPoint) string {
		out := fmt.Sprintf("%.0f bytes/s", p.Drain.DrainBytesPerSec)
		if p.Drain.TimeToCatchUpS != nil {
			return out + ", caught up in " + duration(*p.Drain.TimeToCatchUpS*1000)
		}
		return out + fmt.Sprintf(", did not catch up, %d records behind at the end", p.Drain.FinalLag)
	}
	fast := s.Points[f]
	parts := []string{fmt.Sprintf("%s: %s drained fastest, lag falling at %s", head, fast.Label, point(fast))}
	if len(s.Points) > 1 {
		o := sweepOther(f, sl)
		other, which := s.Points[o], "the first point"
		if o != 0 {
			which = "the slowest"
		}
		gain := "n/a"
		if r := other.Drain.DrainBytesPerSec; r > 0 {
			gain = fmt.Sprintf("%.2fx", fast.Drain.DrainBytesPerSec/r)
		}
		parts = append(parts, fmt.Sprintf("%s the rate of %s, %s (%s)", gain, which, other.Label, point(other)))
	}
	var sum *result.Audit
	for _, p := range s.Points {
		a := p.Drain.Audit
		if a == nil {
			sum = nil
			break
		}
		if sum == nil {
			sum = &result.Audit{}
		}
		sum.Lost, sum.Duplicated, sum.Reordered = sum.Lost+a.Lost, sum.Duplicated+a.Duplicated, sum.Reordered+a.Reordered
	}
	words := auditWords(sum)
	if sum != nil {
		words += " over all points"
	}
	return strings.Join(append(parts, words), "; ")
}

// DisruptionEvidence is a disruption's cost in one sentence, e.g.
// "broker-restart of broker 2: partitions stalled up to 1.8 s (partition
// 1), producer p99 +240 ms over the baseline; recovered in 11 s; audit: 0
// lost, 0 duplicated". Every figure comes from the document; what it
// lacks is left out.
func DisruptionEvidence(d *result.Disruption) string {
	head := d.Action
	if d.Broker != nil {
		head += fmt.Sprintf(" of broker %d", *d.Broker)
	}
	var cost []string
	if w, ok := d.LongestWindow(); ok {
		cost = append(cost, fmt.Sprintf("partitions stalled up to %s (partition %d)", duration(w.DurationMs), w.Partition))
	} else {
		cost = append(cost, "no partition stalled")
	}
	if pp, _ := d.PeakP99(); pp > 0 && d.Baseline.Producer.P99 > 0 {
		cost = append(cost, fmt.Sprintf("producer p99 %s over the baseline (%s)", signedMs(pp-d.Baseline.Producer.P99), duration(d.Baseline.Producer.P99)))
	}
	if r := d.Reassignment; r != nil {
		cost = append(cost, fmt.Sprintf("%d replicas added and %d removed (%d bytes) in %.1f s", r.ReplicasAdded, r.ReplicasRemoved, r.BytesMoved, r.DurationS))
	}
	if r := d.Rebalance; r != nil {
		cost = append(cost, fmt.Sprintf("deliveries stopped for %s (%s, %s protocol; baseline gap %s), %d records re-delivered",
			duration(r.StopMs), r.Assignor, r.GroupProtocol, duration(d.Baseline.LongestDeliveryGapMs), r.Redelivered))
	}
	parts := []string{head + ": " + strings.Join(cost, ", ")}
	if d.Operation.Error != "" {
		parts = append(parts, "the operation failed: "+d.Operation.Error)
	}
	switch {
	case d.TimeToRecoverS != nil:
		parts = append(parts, fmt.Sprintf("recovered in %s", duration(*d.TimeToRecoverS*1000)))
	case d.Settings["max_wait"] != "":
		parts = append(parts, "not recovered within max-wait ("+d.Settings["max_wait"]+")")
	default:
		parts = append(parts, "not recovered")
	}
	parts = append(parts, auditWords(d.Audit))
	return strings.Join(parts, "; ")
}

// DrainEvidence is a backlog drain in one sentence.
func DrainEvidence(d *result.Drain) string {
	s := fmt.Sprintf("drain of a %d-byte backlog (%d records) while producers kept %.0f records/s: lag fell at %.0f bytes/s (%.0f records/s)",
		d.BacklogBytes, d.BacklogRecords, d.Workload.Rate, d.DrainBytesPerSec, d.DrainRecordsPerSec)
	if d.TimeToCatchUpS != nil {
		s += fmt.Sprintf("; caught up in %s", duration(*d.TimeToCatchUpS*1000))
	} else {
		s += fmt.Sprintf("; did not catch up, %d records behind at the end", d.FinalLag)
	}
	return s + "; " + auditWords(d.Audit)
}

// auditWords is a delivery audit in a few words.
func auditWords(a *result.Audit) string {
	if a == nil {
		return "no delivery audit"
	}
	s := fmt.Sprintf("audit: %d lost, %d duplicated", a.Lost, a.Duplicated)
	if a.Reordered > 0 {
		s += fmt.Sprintf(", %d reordered", a.Reordered)
	}
	return s
}

// durabilityContradiction warns when an audit found what the stated
// delivery guarantee rules out: lost records (at-least-once, exactly-once)
// or duplicated ones (exactly-once, at-most-once). Nil otherwise.
func durabilityContradiction(w Workload, path, what string, producer map[string]string, a *result.Audit) *Finding {
	if a == nil {
		return nil
	}
	var broke []string
	if a.Lost > 0 && w.Durability != "at-most-once" {
		broke = append(broke, fmt.Sprintf("%d records lost", a.Lost))
	}
	if a.Duplicated > 0 && (w.Durability == "exactly-once" || w.Durability == "at-most-once") {
		broke = append(broke, fmt.Sprintf("%d duplicated", a.Duplicated))
	}
	if len(broke) == 0 {
		return nil
	}
	settings := fmt.Sprintf("acks=%s, enable.idempotence=%s", acksOf(producer), producer["enable.idempotence"])
	if t := producer["transactional.id"]; t != "" {
		settings += ", transactional.id set"
	}
	rec := fmt.Sprintf("the producer settings meet %s on paper, so the brokers lost them: check min.insync.replicas (2 with replication factor 3) and unclean.leader.election.enable=false on the brokers and the topic, then re-run ktune disrupt", w.Durability)
	if need := missing(w, producer); len(need) > 0 {
		rec = fmt.Sprintf("the run's producer settings do not meet %s: set %s and re-run ktune disrupt", w.Durability, describeMap(need))
	}
	if a.Lost == 0 {
		rec = fmt.Sprintf("%s rules out duplicates: use enable.idempotence=true (and transactions with read_committed consumers for exactly-once), or state at-least-once", w.Durability)
	}
	return &Finding{ID: "durability-contradicted", Severity: "warn",
		Rationale:      "the stated delivery guarantee must hold through the operations the cluster will see; the delivery audit measured that it did not",
		Evidence:       fmt.Sprintf("%s (%s): %s under %s, while the stated durability is %s", what, path, strings.Join(broke, " and "), settings, w.Durability),
		Recommendation: rec, Source: srcConfluentDur + "; " + srcDisrupt}
}

// embeddedNote marks evidence from the embedded cluster.
func embeddedNote(c result.Cluster) string {
	if c.Embedded {
		return " [" + result.EmbeddedLabel + "]"
	}
	return ""
}

// duration writes ms as ms below a second, else as seconds.
func duration(ms float64) string {
	if ms < 1000 {
		return fmt.Sprintf("%.0f ms", ms)
	}
	return fmt.Sprintf("%.1f s", ms/1000)
}

// signedMs writes a difference in ms with its sign.
func signedMs(ms float64) string {
	if ms < 1000 && ms > -1000 {
		return fmt.Sprintf("%+.0f ms", ms)
	}
	return fmt.Sprintf("%+.1f s", ms/1000)
}
