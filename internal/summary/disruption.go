package summary

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	"github.com/ktune/ktune/result"
)

// PhaseLine is the progress line of one point of a disruption's series.
func PhaseLine(iv result.PhaseInterval) string {
	mark := ""
	if !iv.AtBaseline && (iv.Phase == "operation" || iv.Phase == "recovery") {
		mark = "  (off baseline)"
	}
	return fmt.Sprintf("[%7.1fs] %-9s produced %8.1f/s consumed %8.1f/s lag %6d  producer p99 %7.2f ms  e2e p99 %7.2f ms%s",
		iv.T, iv.Phase, iv.ProducedPerSec, iv.ConsumedPerSec, iv.Lag, iv.ProducerP99, iv.ConsumerP99, mark)
}

// WriteDisruption prints what a disruption cost the clients.
func WriteDisruption(w io.Writer, d *result.Disruption) {
	writeNotes(w, d.Cluster.Embedded, d.Complete, d.StopReason)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	act := d.Action
	if d.Broker != nil {
		act += fmt.Sprintf(" (broker %d)", *d.Broker)
	}
	row("action", act)
	row("topic", fmt.Sprintf("%s (%d partitions), %.0f records/s", d.Workload.Topic, d.Workload.Partitions, d.Workload.Rate))
	b := d.Baseline
	row("baseline", fmt.Sprintf("%.1f-%.1f s: produced %.1f/s, consumed %.1f/s, producer p99 %.2f ms, e2e p99 %.2f ms, max lag %d",
		b.StartS, b.EndS, b.ProducedPerSec, b.ConsumedPerSec, b.Producer.P99, b.Consumer.P99, b.MaxLag))
	op := fmt.Sprintf("%.1f-%.1f s (%.1f s)", d.Operation.StartS, d.Operation.EndS, d.Operation.DurationS)
	if d.Operation.Error != "" {
		op += "; failed: " + d.Operation.Error
	}
	row("operation", op)
	if d.TimeToRecoverS != nil {
		row("recovered", fmt.Sprintf("yes, %.1f s after the operation started", *d.TimeToRecoverS))
	} else {
		row("recovered", "no, within max-wait")
	}
	row("worst p99", fmt.Sprintf("%.2f ms after the baseline", max(d.PeakP99())))
	row("windows", fmt.Sprintf("%d partition unavailability window(s)", len(d.Windows)))
	for _, win := range d.Windows {
		open := ""
		if win.Open {
			open = " (still open at the end)"
		}
		row("", fmt.Sprintf("partition %d: %.0f ms from %.1f s%s", win.Partition, win.DurationMs, win.StartS, open))
	}
	if r := d.Reassignment; r != nil {
		row("reassignment", fmt.Sprintf("%d partitions, %d replicas added, %d removed, %d bytes moved in %.1f s (complete: %v)",
			r.Partitions, r.ReplicasAdded, r.ReplicasRemoved, r.BytesMoved, r.DurationS, r.Complete))
	}
	if r := d.Rebalance; r != nil {
		row("rebalance", fmt.Sprintf("%s (%s protocol), %d -> %d members: deliveries stopped for %.0f ms (baseline gap %.0f ms), %d records re-delivered",
			r.Assignor, r.GroupProtocol, r.MembersBefore, r.MembersAfter, r.StopMs, b.LongestDeliveryGapMs, r.Redelivered))
	}
	if a := d.Audit; a != nil {
		row("delivery audit", AuditLine(a))
	}
	tw.Flush()
	for _, n := range d.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}

// WriteDrain prints a backlog drain's verdict.
func WriteDrain(w io.Writer, d *result.Drain) {
	writeNotes(w, d.Cluster.Embedded, d.Complete, d.StopReason)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	row("topic", fmt.Sprintf("%s (%d partitions), producers at %.0f records/s, %d consumer(s)", d.Workload.Topic, d.Workload.Partitions, d.Workload.Rate, d.Workload.Consumers))
	row("backlog", fmt.Sprintf("%d records, %.1f MiB, built in %.1f s", d.BacklogRecords, float64(d.BacklogBytes)/result.MiB, d.BacklogS))
	row("drain rate", fmt.Sprintf("%.2f MiB/s (%.1f records/s) of lag falling; consumers read %.1f records/s", d.DrainBytesPerSec/result.MiB, d.DrainRecordsPerSec, d.ConsumedPerSec))
	if d.TimeToCatchUpS != nil {
		row("caught up", fmt.Sprintf("yes, %.1f s after the consumers started (lag <= %d records)", *d.TimeToCatchUpS, d.CaughtUpLag))
	} else {
		row("caught up", fmt.Sprintf("no, within max-wait; lag %d records at the end", d.FinalLag))
	}
	if a := d.Audit; a != nil {
		row("delivery audit", AuditLine(a))
	}
	tw.Flush()
}

// WriteDrainSweep prints a drain sweep: one row per point and the
// fastest one named.
func WriteDrainSweep(w io.Writer, s *result.DrainSweep) {
	writeNotes(w, s.Cluster.Embedded, s.Complete, s.StopReason)
	fmt.Fprintf(w, "drain sweep: %d point(s), a %.1f MiB backlog each, producers at %.0f records/s, %d partitions\n",
		len(s.Points), float64(s.BacklogBytes)/result.MiB, s.Workload.Rate, s.Workload.Partitions)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	header, rows := DrainSweepTable(s)
	fmt.Fprintln(tw, strings.Join(header, "\t")+"\t")
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t")+"\t")
	}
	tw.Flush()
	if f, sl, ok := s.Fastest(); ok && len(s.Points) > 1 {
		fast, slow := s.Points[f], s.Points[sl]
		fmt.Fprintf(w, "fastest: %s (%.2f MiB/s of lag falling); slowest: %s (%.2f MiB/s)\n",
			fast.Label, fast.Drain.DrainBytesPerSec/result.MiB, slow.Label, slow.Drain.DrainBytesPerSec/result.MiB)
	}
	for _, n := range s.Notes {
		fmt.Fprintln(w, "note:", n)
	}
}

// DrainSweepTable is a drain sweep's figures, a row per point in the
// order they ran: the summary's table and the report's.
func DrainSweepTable(s *result.DrainSweep) (header []string, rows [][]string) {
	header = []string{"point", "drain MiB/s", "drain records/s", "consumed records/s", "caught up after", "final lag", "lost", "duplicated"}
	for _, p := range s.Points {
		d := p.Drain
		caught := "not caught up"
		if d.TimeToCatchUpS != nil {
			caught = fmt.Sprintf("%.1f s", *d.TimeToCatchUpS)
		}
		lost, dup := "-", "-"
		if a := d.Audit; a != nil {
			lost, dup = fmt.Sprint(a.Lost), fmt.Sprint(a.Duplicated)
		}
		rows = append(rows, []string{p.Label, fmt.Sprintf("%.2f", d.DrainBytesPerSec/result.MiB), fmt.Sprintf("%.0f", d.DrainRecordsPerSec),
			fmt.Sprintf("%.0f", d.ConsumedPerSec), caught, fmt.Sprint(d.FinalLag), lost, dup})
	}
	return header, rows
}
