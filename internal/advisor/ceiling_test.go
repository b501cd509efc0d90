package advisor

import (
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

func TestCeilingFindings(t *testing.T) {
	three := []string{"127.0.0.1:9092", "127.0.0.1:9093", "127.0.0.1:9094"}
	apart := []string{"b1:9092", "b2:9092", "b3:9092"}
	// A 100 Mbit/s link is 12.5 MB/s; e2e with R = 3 puts W x 4 on a
	// shared link, so 3 MB/s fills 96% of it.
	link := Sourced{Value: 12.5, Source: "measured: peer 127.0.0.1:7099 in p.json"}
	disk := Sourced{Value: 500, Source: "measured: p.json (O_DIRECT)"}
	mb := func(v float64) float64 { return v / mibToMB }
	for _, tc := range []struct {
		name      string
		bootstrap []string
		kind      string
		mbps      float64
		hw        BrokerHardware
		want      string // finding ID, "" for none
		evidence  string
	}{
		{"shared link, e2e", three, result.LatencyE2E, 3, BrokerHardware{NICMBps: link, DiskMBps: disk}, "ceiling-network", "network 12.00 MB/s (W x (R + C) on the one link the brokers share) = 96% of 12.50 MB/s"},
		{"shared link, produce only", three, result.LatencyIntended, 4, BrokerHardware{NICMBps: link, DiskMBps: disk}, "ceiling-network", "network 12.00 MB/s"},
		{"far below the link", three, result.LatencyE2E, 1, BrokerHardware{NICMBps: link, DiskMBps: disk}, "", ""},
		{"brokers apart: per broker", apart, result.LatencyE2E, 3, BrokerHardware{NICMBps: link, DiskMBps: disk}, "", ""},
		{"disk bound", three, result.LatencyIntended, 4, BrokerHardware{NICMBps: Sourced{Value: 1000, Source: "x"}, DiskMBps: Sourced{Value: 13, Source: "y"}}, "ceiling-disk", "disk 12.00 MB/s (W x R on the one host's disk) = 92% of 13.00 MB/s"},
		{"capacity unknown", three, result.LatencyE2E, 3, BrokerHardware{}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			m := &result.MaxRate{Cluster: result.Cluster{Bootstrap: tc.bootstrap, Brokers: 3}, LatencyKind: tc.kind, RecordsPerSec: 3000, MiBPerSec: mb(tc.mbps)}
			m.Workload.ReplicationFactor = 3
			got := CeilingFindings(Workload{Replication: 3}, []Named[*result.MaxRate]{{Path: "m.json", Doc: m}}, tc.hw)
			if tc.want == "" {
				if len(got) != 0 {
					t.Errorf("findings %+v, want none", got)
				}
				return
			}
			if len(got) != 1 || got[0].ID != tc.want || !strings.Contains(got[0].Evidence, tc.evidence) {
				t.Fatalf("findings %+v, want %s with %q", got, tc.want, tc.evidence)
			}
		})
	}
}
