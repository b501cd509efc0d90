package summary

import (
	"fmt"
	"io"
	"sort"
	"strings"
	"text/tabwriter"

	"github.com/ktune/ktune/result"
)

// WriteProbe prints a probe as tables: what was measured, then the checks.
func WriteProbe(w io.Writer, p *result.Probe) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	row := func(k, v string) { fmt.Fprintf(tw, "%s\t%s\n", k, v) }
	c, m, o := p.CPU, p.Memory, p.OS
	cpu := fmt.Sprintf("%s, %d logical / %d physical cores", orUnknown(c.Model), c.LogicalCores, c.PhysicalCores)
	if c.CgroupCores != nil {
		cpu += fmt.Sprintf(", cgroup limit %.2f cores", *c.CgroupCores)
	}
	row("cpu", cpu)
	row("memory", fmt.Sprintf("%.1f GiB total, %.1f GiB available, %.1f GiB page cache, swap %.1f GiB", gib(m.Total), gib(m.Available), gib(m.Cached), gib(m.SwapTotal)))
	row("os", fmt.Sprintf("kernel %s, %s, clocksource %s", orUnknown(o.Kernel), orUnknown(o.Virtualization), orUnknown(o.Clocksource)))
	for _, d := range p.Disks {
		row("disk "+d.LogDir, fmt.Sprintf("%s on %s (%s), %.1f of %.1f GB free, rotational %s, scheduler %s", orUnknown(d.Filesystem), orUnknown(d.Device), orUnknown(d.MountPoint), float64(d.FreeBytes)/1e9, float64(d.TotalBytes)/1e9, optB(d.Rotational), orUnknown(d.Scheduler)))
		if d.SeqWriteMiBps != nil || d.Fdatasync != nil {
			s := fmt.Sprintf("O_DIRECT %d KiB x QD%d: write %s MiB/s, read %s MiB/s, random 4 KiB writes %s IOPS", d.BlockBytes>>10, d.QueueDepth, optF("%.0f", d.SeqWriteMiBps), optF("%.0f", d.SeqReadMiBps), optF("%.0f", d.RandWriteIOPS))
			if d.Fdatasync != nil {
				s += fmt.Sprintf("; fdatasync of %d B: p50 %.2f p99 %.2f p99.9 %.2f ms", d.FdatasyncBytes, d.Fdatasync.P50, d.Fdatasync.P99, d.Fdatasync.P999)
			}
			row("  measured", s)
		}
	}
	for _, i := range p.Network.Interfaces {
		speed := "speed unknown"
		if i.SpeedMbps != nil {
			speed = fmt.Sprintf("%d Mb/s", *i.SpeedMbps)
		}
		row("nic "+i.Name, fmt.Sprintf("%s, MTU %d, up %v, virtual %v", speed, i.MTU, i.Up, i.Virtual))
	}
	row("loopback tcp", optF("%.0f MiB/s (one stream: the client-side ceiling)", p.Network.LoopbackMiBps))
	if pr := p.Network.Peer; pr != nil {
		for _, t := range pr.Throughput {
			dir := "peer: sent"
			if t.Direction == result.DirectionFromPeer {
				dir = "peer: received"
			}
			row(dir, fmt.Sprintf("%.0f Mbit/s with %d stream(s) (%s)", t.Mbps(), t.Streams, pr.Source))
		}
		if l := pr.RTT; l != nil {
			row("peer: round trip", fmt.Sprintf("p50 %.3f p99 %.3f p99.9 %.3f ms over %d round trips of %d B (%s)", l.P50, l.P99, l.P999, l.Count, pr.RTTPayloadBytes, pr.Source))
		}
	}
	tw.Flush()

	fmt.Fprintln(w)
	tw = tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "check\tstatus\tfinding\trecommended")
	for _, c := range p.Checks {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", c.ID, strings.ToUpper(c.Severity), c.Finding, c.Recommended)
	}
	tw.Flush()
	if len(p.Unknown) > 0 {
		fmt.Fprintf(w, "\nunknown (%d readings): ", len(p.Unknown))
		keys := make([]string, 0, len(p.Unknown))
		for k := range p.Unknown {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		fmt.Fprintln(w, strings.Join(keys, ", "), "(reasons in the JSON document)")
	}
	if !p.Complete {
		fmt.Fprintln(w, "NOTE: the probe was cut short; missing readings are listed as unknown.")
	}
}

func gib(b uint64) float64 { return float64(b) / (1 << 30) }

func orUnknown(s string) string {
	if s == "" {
		return "unknown"
	}
	return s
}

func optF(format string, f *float64) string {
	if f == nil {
		return "unknown"
	}
	return fmt.Sprintf(format, *f)
}

func optB(b *bool) string {
	if b == nil {
		return "unknown"
	}
	return fmt.Sprint(*b)
}
