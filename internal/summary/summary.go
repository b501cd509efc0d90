// Package summary renders result documents for people: a one-line summary
// in kafka-producer-perf-test's words, then a table.
package summary

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/ktune/ktune/result"
)

// IntervalLine formats one interval for the progress stream.
func IntervalLine(iv result.Interval) string {
	var b strings.Builder
	fmt.Fprintf(&b, "[%6.1fs] %10.1f records/s %8.2f MiB/s", iv.T, iv.RecordsPerSec, iv.MiBPerSec)
	if iv.Records > 0 {
		fmt.Fprintf(&b, "  p50 %.2f ms  p99 %.2f ms  max %.2f ms", iv.P50, iv.P99, iv.Max)
	}
	if iv.Errors > 0 {
		fmt.Fprintf(&b, "  %d errors", iv.Errors)
	}
	if iv.Warmup {
		b.WriteString("  (warm-up)")
	}
	return b.String()
}

// Headline is the kafka-producer-perf-test style summary of a run.
func Headline(doc *result.Document) string {
	m := &doc.Metrics
	verb := "sent"
	if doc.Kind == result.KindConsume {
		verb = "received"
	}
	s := fmt.Sprintf("%d records %s, %.1f records/sec (%.2f MiB/sec)", m.Records, verb, m.RecordsPerSec, m.MiBPerSec)
	if kind, l, ok := doc.MainLatency(); ok {
		s += fmt.Sprintf(", %.2f ms avg latency, %.2f ms max latency, %.2f ms 50th, %.2f ms 95th, %.2f ms 99th, %.2f ms 99.9th (%s latency)", l.Mean, l.Max, l.P50, l.P95, l.P99, l.P999, kind)
	}
	return s + "."
}

// Write prints the headline and a table of doc to w.
func Write(w io.Writer, doc *result.Document) {
	writeNotes(w, doc.Cluster.Embedded, doc.Complete, doc.StopReason)
	fmt.Fprintln(w, Headline(doc))
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	m := &doc.Metrics
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("kind", string(doc.Kind))
	row("cluster", fmt.Sprintf("%d broker(s), %s", doc.Cluster.Brokers, doc.Cluster.KafkaVersion))
	row("topic", fmt.Sprintf("%s (%d partitions)", doc.Workload.Topic, doc.Workload.Partitions))
	row("records", fmt.Sprint(m.Records))
	row("throughput", fmt.Sprintf("%.1f records/s, %.2f MiB/s over %.2f s", m.RecordsPerSec, m.MiBPerSec, m.ElapsedS))
	if m.ErrorsTotal > 0 {
		row("errors", fmt.Sprintf("%d %s", m.ErrorsTotal, formatCounts(m.Errors)))
	}
	if p := m.Producer; p != nil && p.Batches > 0 {
		row("batches", fmt.Sprintf("%d, %.1f records and %.0f bytes each; compression ratio %.3f", p.Batches, p.AvgBatchRecords, p.AvgBatchBytes, p.CompressionRatio))
		if p.LongestAckGapMs > 0 {
			row("longest ack gap", fmt.Sprintf("%.1f ms at %.1f s; one partition: %.1f ms (partition %d at %.1f s)",
				p.LongestAckGapMs, p.AckGapStartS, p.LongestPartitionAckGapMs, p.PartitionAckGapPartition, p.PartitionAckGapStartS))
		}
	}
	if c := m.Consumer; c != nil {
		row("consumed", fmt.Sprintf("%d records, %.1f records/s, %.2f MiB/s", c.Records, c.RecordsPerSec, c.MiBPerSec))
		row("first record", fmt.Sprintf("%.1f ms after start (group join %.1f ms)", c.TimeToFirstRecordMs, c.GroupJoinMs))
		row("polls", fmt.Sprintf("%d, %.1f records each; %d batches", c.Polls, c.AvgRecordsPerPoll, c.Batches))
	}
	if doc.Warmup != nil {
		row("warm-up", fmt.Sprintf("%d records excluded", doc.Warmup.Records))
	}
	if a := doc.Audit; a != nil {
		row("delivery audit", AuditLine(a))
	}
	tw.Flush()
	if len(m.Latency) > 0 {
		fmt.Fprintln(w)
		tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
		fmt.Fprintln(tw, "latency (ms)\tcount\tmin\tmean\tp50\tp90\tp95\tp99\tp99.9\tmax\t")
		for _, k := range []string{result.LatencyIntended, result.LatencyService, result.LatencyE2E} {
			l, ok := m.Latency[k]
			if !ok {
				continue
			}
			fmt.Fprintf(tw, "%s\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t\n", k, l.Count, l.Min, l.Mean, l.P50, l.P90, l.P95, l.P99, l.P999, l.Max)
		}
		tw.Flush()
	}
	if doc.Brokers != nil {
		writeBrokers(w, doc)
	}
	if mg := doc.Merge; mg != nil {
		writeWorkers(w, mg)
	}
}

// writeBrokers prints each broker's figures over the run and, for a
// produce run, where a record's mean latency went.
func writeBrokers(w io.Writer, doc *result.Document) {
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "broker\thandlers idle\tnetwork idle min\tMiB in\trepl MiB in\tproduce reqs\tqueue ms\tlocal ms\tremote ms\tresp queue ms\tsend ms\ttotal ms\tcpu s\tgaps\t")
	for _, b := range doc.Brokers.Brokers {
		wd := b.Window
		if wd == nil {
			fmt.Fprintf(tw, "%s\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t-\t%d\t\n", b.Endpoint, len(b.Gaps))
			continue
		}
		idle := "unknown"
		if wd.RequestHandlerIdle != nil {
			idle = fmt.Sprintf("%.0f%%", *wd.RequestHandlerIdle*100)
		}
		m := wd.Produce.Mean()
		fmt.Fprintf(tw, "%s\t%s\t%.0f%%\t%.2f\t%.2f\t%d\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%.2f\t%d\t\n", b.Endpoint, idle, wd.NetworkProcessorIdleMin*100,
			float64(wd.BytesIn)/result.MiB, float64(wd.ReplicationBytesIn)/result.MiB, wd.Produce.Requests, m[0], m[1], m[2], m[3], m[4], m[5], wd.ProcessCPUS, len(b.Gaps))
	}
	tw.Flush()
	if line := TimeLine(doc); line != "" {
		fmt.Fprintln(w, line)
	}
}

// TimeLine says where a produce run's mean latency went: waiting before
// the client accepted a record (intended minus service mean), in the
// client and on the wire (service mean minus the brokers' mean produce
// request time: batching, linger, in flight), and on the brokers (their
// request parts, averaged over every broker's produce requests). Means
// of records and of requests mix; it is a guide, not an exact split. ""
// without broker metrics or produce requests.
func TimeLine(doc *result.Document) string {
	if doc.Brokers == nil || doc.Kind != result.KindProduce {
		return ""
	}
	t, ok := doc.Brokers.Total()
	intended, ok1 := doc.Metrics.Latency[result.LatencyIntended]
	service, ok2 := doc.Metrics.Latency[result.LatencyService]
	if !ok || !ok1 || !ok2 || t.Produce.Requests == 0 {
		return ""
	}
	m := t.Produce.Mean()
	return fmt.Sprintf("where the time went (means, ms): before the client accepted %.2f; client and wire (batching, linger, in flight) %.2f; brokers %.2f = queue %.2f + local %.2f + waiting for replicas %.2f + response queue %.2f + send %.2f",
		max(0, intended.Mean-service.Mean), max(0, service.Mean-m[5]), m[5], m[0], m[1], m[2], m[3], m[4])
}

// writeWorkers prints a merged result's per-worker figures, to show skew.
func writeWorkers(w io.Writer, mg *result.Merge) {
	fmt.Fprintf(w, "\nrun %s: %d of %d workers", mg.RunID, len(mg.PerWorker), mg.Workers)
	if len(mg.Missing) > 0 {
		fmt.Fprintf(w, " (missing: %v)", mg.Missing)
	}
	fmt.Fprintln(w)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "worker	host	records	errors	records/s	MiB/s	p50 ms	p99 ms	max ms	stop	")
	for _, r := range mg.PerWorker {
		fmt.Fprintf(tw, "%d	%s	%d	%d	%.1f	%.2f	%.2f	%.2f	%.2f	%s	\n", r.ID, r.Hostname, r.Records, r.ErrorsTotal, r.RecordsPerSec, r.MiBPerSec, r.Latency.P50, r.Latency.P99, r.Latency.Max, r.StopReason)
	}
	tw.Flush()
}

func formatCounts(m map[string]int64) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = fmt.Sprintf("%s=%d", k, m[k])
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

// EmbeddedNote heads every table of figures from the embedded cluster.
const EmbeddedNote = "NOTE: " + result.EmbeddedLabel + "."

// AuditLine is the one-line verdict of a delivery audit.
func AuditLine(a *result.Audit) string {
	s := fmt.Sprintf("%d lost, %d duplicated, %d reordered of %d read", a.Lost, a.Duplicated, a.Reordered, a.Read)
	if a.Basis == "acknowledged" {
		s += fmt.Sprintf(" (%d acknowledged)", a.Acknowledged)
	} else {
		s += " (lost: gaps in the producers' sequences)"
	}
	if a.Redelivered > 0 {
		s += fmt.Sprintf("; %d re-delivered", a.Redelivered)
	}
	for _, d := range []struct {
		name string
		refs []result.RecordRef
	}{{"lost", a.LostAt}, {"duplicated", a.DuplicatedAt}, {"reordered", a.ReorderedAt}} {
		if len(d.refs) == 0 {
			continue
		}
		var at []string
		for _, r := range d.refs {
			at = append(at, fmt.Sprintf("%d@%d", r.Partition, r.Offset))
		}
		s += fmt.Sprintf("; first %s (partition@offset): %s", d.name, strings.Join(at, " "))
	}
	return s
}

// writeNotes prints the notes that qualify a run's figures: an embedded
// cluster, a run cut short.
func writeNotes(w io.Writer, embedded, complete bool, stopReason result.StopReason) {
	if embedded {
		fmt.Fprintln(w, EmbeddedNote)
	}
	if !complete {
		fmt.Fprintf(w, "NOTE: run incomplete (%s): figures cover what was measured.\n", stopReason)
	}
}
