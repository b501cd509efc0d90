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
