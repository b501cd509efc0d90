package advisor

import (
	"fmt"
	"net"
	"strings"

	"github.com/ktune/ktune/result"
)

// boundShare is the share of a resource's capacity a ceiling's traffic must
// reach for the finding to name that resource as what bound it.
const boundShare = 0.85

// CeilingFindings names what bound each `ktune maxrate` ceiling, from the
// broker hardware (probes or flags): the traffic the ceiling puts on the
// network and the disks against their capacity. On brokers that share one
// host (every bootstrap address the same host) every byte crosses the one
// link once: W x (R + C) for produce rate W, replication factor R and C
// consumer groups (1 with --e2e, else 0), and the one disk takes W x R.
// Otherwise each broker's link carries W x max(R, R - 1 + C) / B and its
// disk W x R / B. A resource at boundShare or more of its capacity is named;
// nothing is said when neither is (the client or Kafka itself set the pace).
func CeilingFindings(w Workload, maxrates []Named[*result.MaxRate], hw BrokerHardware) []Finding {
	var out []Finding
	for _, m := range maxrates {
		d := m.Doc
		if d.RecordsPerSec <= 0 || d.MiBPerSec <= 0 {
			continue
		}
		W := d.MiBPerSec * mibToMB
		R := float64(d.Workload.ReplicationFactor)
		if R <= 0 {
			R = float64(w.Replication)
		}
		C := 0.0
		if d.LatencyKind == result.LatencyE2E {
			C = 1
		}
		B := float64(max(d.Cluster.Brokers, 1))
		link, disk := W*max(R, R-1+C)/B, W*R/B
		netFormula, diskFormula := "W x max(R, R - 1 + C) / B", "W x R / B"
		if sharedHost(d.Cluster.Bootstrap, d.Cluster.Brokers) {
			link, disk = W*(R+C), W*R
			netFormula, diskFormula = "W x (R + C) on the one link the brokers share", "W x R on the one host's disk"
		}
		type use struct {
			name, formula string
			load          float64
			capacity      Sourced
		}
		var best *use
		var seen []string
		for _, u := range []use{{"network", netFormula, link, hw.NICMBps}, {"disk", diskFormula, disk, hw.DiskMBps}} {
			if !u.capacity.Known() {
				seen = append(seen, fmt.Sprintf("%s %.2f MB/s (%s), capacity unknown", u.name, u.load, u.formula))
				continue
			}
			seen = append(seen, fmt.Sprintf("%s %.2f MB/s (%s) = %.0f%% of %.2f MB/s [%s]", u.name, u.load, u.formula, u.load/u.capacity.Value*100, u.capacity.Value, u.capacity.Source))
			if u.load >= boundShare*u.capacity.Value && (best == nil || u.load/u.capacity.Value > best.load/best.capacity.Value) {
				best = &u
			}
		}
		if best == nil {
			continue
		}
		out = append(out, Finding{
			ID: "ceiling-" + best.name, Severity: "info",
			Rationale:      fmt.Sprintf("a ceiling whose traffic fills a resource is set by that resource: here the %s, not the client or Kafka's settings", best.name),
			Evidence:       fmt.Sprintf("%s: %.0f records/s, W = %.2f MB/s, R = %g, C = %g, B = %g: %s", m.Path, d.RecordsPerSec, W, R, C, B, strings.Join(seen, "; ")),
			Recommendation: fmt.Sprintf("more %s bandwidth (or more brokers on hosts of their own) raises the ceiling; client and broker settings will not", best.name),
			Source:         "ktune: maxrate ceiling against the broker hardware (" + best.capacity.Source + ")",
		})
	}
	return out
}

// sharedHost is true when every bootstrap address names one host, and
// there is one address per broker (a single seed says nothing of the
// others).
func sharedHost(bootstrap []string, brokers int) bool {
	if len(bootstrap) < brokers {
		return false
	}
	host := ""
	for _, b := range bootstrap {
		h, _, err := net.SplitHostPort(b)
		if err != nil || host != "" && h != host {
			return false
		}
		host = h
	}
	return host != ""
}
