package advisor

import (
	"fmt"
	"io"
	"sort"
	"strings"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/result"
)

// writeHeadline is the sizing's one paragraph: brokers, disk, memory,
// NIC, partitions and threads.
func writeHeadline(w io.Writer, s Sizing) {
	fmt.Fprintf(w, "**%d brokers** (binding constraint: %s; the textbook formula gives %d), ", s.Brokers, s.Binding, s.TextbookBrokers)
	fmt.Fprintf(w, "**%s GB of disk** in all (%s GB per broker), **%s GB of memory per broker** (%s GB heap + %s GB page cache), **%s Gbit/s NIC**",
		figure(s.DiskTotalGB), figure(s.DiskPerBrokerGB), figure(s.MemoryPerBrokerGB), figure(s.HeapGB), figure(s.PageCacheGB), figure(s.NICGbps))
	if s.Partitions > 0 {
		fmt.Fprintf(w, ", **%d partitions per topic**", s.Partitions)
		if s.PartitionsPlan != s.Partitions {
			fmt.Fprintf(w, " (%d as a multiple of the brokers)", s.PartitionsPlan)
		}
	}
	fmt.Fprintf(w, "; num.io.threads=%d, num.network.threads=%d, num.replica.fetchers=%d.\n\n", s.NumIOThreads, s.NumNetworkThreads, s.NumReplicaFetch)
}

// WriteMarkdown renders the advice as Markdown; the terminal summary is
// the same text.
func WriteMarkdown(w io.Writer, a *Advice) {
	s := a.Sizing
	fmt.Fprintf(w, "# ktune advice\n\n## Sizing\n\n")
	if len(a.Assumed) > 0 {
		for _, x := range a.Assumed {
			fmt.Fprintf(w, "- %s\n", x)
		}
		fmt.Fprintln(w)
	}
	if s.Mode == ModeFailureAware {
		lost := fmt.Sprintf("%d broker(s) lost", s.Failures)
		if s.Racks > 1 {
			lost += fmt.Sprintf(" and a whole rack (%d racks)", s.Racks)
		}
		fmt.Fprintf(w, "Failure-aware sizing with %s, RF %d / min.insync.replicas %d: ", lost, s.Replication, s.MinInsync)
	} else {
		fmt.Fprint(w, "Textbook sizing (no broker hardware known: pass --broker-disk-mbps, --broker-nic-gbps, --broker-disk-gb ... or --probe of a broker host): ")
	}
	if s.Unsatisfiable != "" {
		why := "this hardware is too small for the load (or one partition carries more than a broker can); bigger brokers, more partitions or less load"
		if s.Unsatisfiable == "replicas" {
			why = "partitions x replication factor exceeds 200,000 replicas in a cluster (Jun Rao's guidance); fewer partitions or a second cluster"
		}
		fmt.Fprintf(w, "**no broker count up to %d meets the %s check**: %s. The textbook formula gives %d brokers; the cluster keeps %s GB of disk in all.\n\n",
			maxModelBrokers, s.Unsatisfiable, why, s.TextbookBrokers, figure(s.DiskTotalGB))
	} else {
		writeHeadline(w, s)
	}
	if s.RemoteStorageGB > 0 {
		fmt.Fprintf(w, "Remote tier: %s GB (local disks sized from the local retention).\n\n", figure(s.RemoteStorageGB))
	}
	if p := s.Placement; p != nil {
		fmt.Fprintf(w, "Placement model: %s.\n\n", p.Summary)
	}
	if s.ReplicationChanged {
		fmt.Fprintf(w, "Sized for replication factor %d / min.insync.replicas %d: the values given do not survive the failures asked for (finding replication-changed).\n\n", s.Replication, s.MinInsync)
	}
	if s.MemoryNeededGB > s.MemoryPerBrokerGB {
		fmt.Fprintf(w, "Memory: heap plus page cache would need %s GB per broker, more than the broker has (finding memory-short).\n\n", figure(s.MemoryNeededGB))
	}
	if r := s.RecoveryHours; r != nil && *r >= 0 {
		fmt.Fprintf(w, "A replaced broker catches up alone in about %.1f h.\n\n", *r)
	}
	if c := s.Controllers; c != nil {
		fmt.Fprintf(w, "Controllers: %d dedicated KRaft controllers (%s), each %d cores, %s GB memory (%s GB heap), %s GB disk [%s].\n\n", c.Count, c.Why, c.Cores, figure(c.MemoryGB), figure(c.HeapGB), figure(c.DiskGB), c.Source)
	}
	if h := s.Hardware; h != nil {
		fmt.Fprintln(w, "| broker hardware | value | source |\n|---|---:|---|")
		for _, r := range []struct {
			name string
			v    Sourced
			unit string
		}{{"disk write", h.DiskMBps, "MB/s"}, {"disk size", h.DiskGB, "GB"}, {"NIC", h.NICMBps, "MB/s"}, {"cores", h.Cores, ""}, {"memory", h.MemoryGB, "GB"}} {
			if r.v.Known() {
				fmt.Fprintf(w, "| %s | %s %s | %s |\n", r.name, figure(r.v.Value), r.unit, r.v.Source)
			} else {
				fmt.Fprintf(w, "| %s | unknown | |\n", r.name)
			}
		}
		fmt.Fprintln(w)
		fmt.Fprintln(w, "| check | brokers needed alone | at the recommended count | holds | formula and inputs |\n|---|---:|---|---|---|")
		for _, c := range s.Constraints {
			var in []string
			for _, t := range c.Inputs {
				in = append(in, fmt.Sprintf("%s = %s %s [%s]", t.Name, figure(t.Value), t.Unit, t.Source))
			}
			need := fmt.Sprint(c.Brokers)
			if c.Unsatisfiable {
				need = "none"
			}
			fmt.Fprintf(w, "| %s | %s | %s vs %s %s | %v | %s; %s |\n", c.Resource, need, figure(c.Value), figure(c.Limit), c.Unit, c.Holds, c.Detail, strings.Join(in, "; "))
		}
	} else {
		fmt.Fprintln(w, "| resource | brokers needed | how |\n|---|---:|---|")
		for _, c := range s.Constraints {
			how := c.Detail
			if c.Measured {
				how += " (measured)"
			}
			fmt.Fprintf(w, "| %s | %d | %s |\n", c.Resource, c.Brokers, how)
		}
	}
	fmt.Fprintln(w, "\n| figure | value | formula | inputs |\n|---|---:|---|---|")
	for _, f := range s.Figures {
		var in []string
		for _, t := range f.Inputs {
			in = append(in, fmt.Sprintf("%s = %s %s [%s]", t.Name, figure(t.Value), t.Unit, t.Source))
		}
		fmt.Fprintf(w, "| %s | %s %s | %s | %s |\n", f.Name, figure(f.Value), f.Unit, f.Formula, strings.Join(in, "; "))
	}
	if len(a.Assumptions) > 0 {
		fmt.Fprintln(w, "\nAssumptions:")
		for _, x := range a.Assumptions {
			fmt.Fprintf(w, "- %s\n", x)
		}
	}
	for _, n := range a.Notes {
		fmt.Fprintf(w, "\nNOTE: %s\n", n)
	}
	if c := a.Config; c != nil {
		fmt.Fprintf(w, "\n## Configuration (goal: %s, delivery guarantee: %s)\n\n", c.Goal, c.Durability)
		switch {
		case c.Best == nil && c.Closest != nil:
			fmt.Fprintf(w, "%s.\n", c.Why)
			fmt.Fprintf(w, "\n```properties\n# producer.properties (closest point with the changes; NOT measured)\n%s```\n", differing(c, clientcfg.Producer))
		case c.Best == nil:
			fmt.Fprintf(w, "%s.\n", c.Why)
		default:
			fmt.Fprintf(w, "Chosen: %s — %s, p99 %.2f ms.", result.ParamsLabel(c.Best.Params), c.Why, c.Best.P99Ms)
			if c.GainOverDefaults != nil {
				fmt.Fprintf(w, " Measured gain over the Java %s defaults point: %+.0f%% throughput (%.1f vs %.1f MB/s).", clientcfg.LineOf(c.Defaults.ClientLine), *c.GainOverDefaults*100, c.Best.MBps, c.Defaults.MBps)
			} else {
				fmt.Fprint(w, " The sweep has no defaults point, so no measured gain.")
			}
			fmt.Fprintln(w, "\n\nPareto front (throughput against p99):\n\n| point | MB/s | p99 ms |\n|---|---:|---:|")
			for _, p := range c.Pareto {
				fmt.Fprintf(w, "| %s | %.1f | %.2f |\n", result.ParamsLabel(p.Params), p.MBps, p.P99Ms)
			}
			fmt.Fprintf(w, "\n```properties\n# producer.properties: what differs from the Java %s client's defaults\n%s```\n", clientcfg.Line(c.ClientLine).OrCurrent(), differing(c, clientcfg.Producer))
		}
		if c.ConsumerWhy != "" {
			fmt.Fprintf(w, "\nConsumer settings: %s.\n", c.ConsumerWhy)
		}
		for _, n := range c.Notes {
			fmt.Fprintf(w, "\nNOTE: %s.\n", n)
		}
	}
	if len(a.Findings) > 0 {
		fmt.Fprintln(w, "\n## Findings\n\n| id | severity | evidence | recommendation | source |\n|---|---|---|---|---|")
		for _, f := range a.Findings {
			fmt.Fprintf(w, "| %s | %s | %s | %s | %s |\n", f.ID, f.Severity, f.Evidence, f.Recommendation, f.Source)
		}
	}
}

// Properties formats the tuning properties of m in name order, leaving
// out connection settings (security, SASL, TLS, client.id).
func Properties(m map[string]string) string { return props(m) }

// props formats a properties map in name order.
func props(m map[string]string) string {
	keys := make([]string, 0, len(m))
	for k := range m {
		if m[k] != "" && m[k] != "[hidden]" && !connectionProp(k) {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s=%s\n", k, m[k])
	}
	return b.String()
}

// connectionProp reports whether a property belongs to how a client
// connects rather than how it is tuned; those stay out of the advice.
func connectionProp(k string) bool {
	for _, p := range []string{"ssl.", "sasl.", "security.", "bootstrap.servers", "client.id", "transactional.id"} {
		if strings.HasPrefix(k, p) {
			return true
		}
	}
	return false
}
