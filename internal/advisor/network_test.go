package advisor

import (
	"bytes"
	"github.com/ktune/ktune/internal/clientcfg"
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

// peerProbe is a probe whose eth0 reports linkMbit (0: none) and whose
// peer measurement read toMbit and fromMbit over one second, with a round
// trip of rttMs at p50 (0: none).
func peerProbe(linkMbit int, toMbit, fromMbit, rttMs float64) *result.Probe {
	p := &result.Probe{Network: result.ProbeNetwork{Interfaces: []result.ProbeInterface{{Name: "eth0", Up: true}}}}
	if linkMbit > 0 {
		p.Network.Interfaces[0].SpeedMbps = &linkMbit
	}
	if toMbit > 0 || fromMbit > 0 || rttMs > 0 {
		p.Network.Peer = &result.ProbePeer{Address: "b2:7099", Source: "measured: peer b2:7099", Throughput: []result.ProbeThroughput{
			{Direction: result.DirectionToPeer, Streams: 4, Bytes: int64(toMbit * 1e6 / 8), Seconds: 1},
			{Direction: result.DirectionFromPeer, Streams: 4, Bytes: int64(fromMbit * 1e6 / 8), Seconds: 1},
		}}
		if rttMs > 0 {
			p.Network.Peer.RTT = &result.Latency{Count: 100, P50: rttMs, P99: 2 * rttMs}
		}
	}
	return p
}

func TestProbeNetworkTakesTheSmaller(t *testing.T) {
	for _, tc := range []struct {
		name     string
		p        *result.Probe
		mbps     float64
		fromHas  []string
		fromNone string
	}{
		{"link speed only", peerProbe(10000, 0, 0, 0), 1250, []string{"measured: b.json (eth0 link speed)"}, "peer"},
		{"measured below the link", peerProbe(10000, 2400, 1600, 0), 200, []string{"measured: peer b2:7099 in b.json (1600 Mbit/s, the slower direction's best", "below the link speed of 10000 Mbit/s: the smaller is used"}, ""},
		{"link below the measurement", peerProbe(1000, 2400, 1600, 0), 125, []string{"measured: b.json (eth0 link speed)", "the peer measured 1600 Mbit/s, above it: the smaller is used"}, ""},
		{"measured, no link speed", peerProbe(0, 800, 900, 0), 100, []string{"measured: peer b2:7099 in b.json (800 Mbit/s", "no link speed known"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, from := probeNetwork(Named[*result.Probe]{Path: "b.json", Doc: tc.p})
			if got != tc.mbps {
				t.Errorf("%v MB/s, want %v", got, tc.mbps)
			}
			for _, s := range tc.fromHas {
				if !strings.Contains(from, s) {
					t.Errorf("source %q lacks %q", from, s)
				}
			}
			if tc.fromNone != "" && strings.Contains(from, tc.fromNone) {
				t.Errorf("source %q mentions %q", from, tc.fromNone)
			}
		})
	}
}

// TestAdviseUsesTheMeasuredNetwork: the network checks and the rendered
// hardware table take the measured figure and say so.
func TestAdviseUsesTheMeasuredNetwork(t *testing.T) {
	w := Workload{AvgMBps: 100, PeakFactor: 1, Hardware: Hardware{DiskMBps: 1000, DiskGB: 100000}}
	a, err := Advise(Input{Workload: w, Probes: []Named[*result.Probe]{{Path: "b.json", Doc: peerProbe(10000, 800, 800, 0)}}})
	if err != nil {
		t.Fatal(err)
	}
	h := a.Sizing.Hardware
	if h == nil || h.NICMBps.Value != 100 || !strings.Contains(h.NICMBps.Source, "measured: peer b2:7099") {
		t.Fatalf("NIC %+v, want 100 MB/s measured by the peer", h)
	}
	// The measured 100 MB/s binds where the 10 Gbit/s link alone would
	// not: more brokers, bound by a network check.
	link, err := Advise(Input{Workload: w, Probes: []Named[*result.Probe]{{Path: "b.json", Doc: peerProbe(10000, 0, 0, 0)}}})
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(a.Sizing.Binding, "network") || a.Sizing.Brokers <= link.Sizing.Brokers {
		t.Errorf("%d brokers bound by %q, want more than the link's %d (%q), bound by the network", a.Sizing.Brokers, a.Sizing.Binding, link.Sizing.Brokers, link.Sizing.Binding)
	}
	var md bytes.Buffer
	WriteMarkdown(&md, a)
	if !strings.Contains(md.String(), "| NIC | 100 MB/s | measured: peer b2:7099 in b.json (800 Mbit/s") {
		t.Errorf("the rendered advice does not show the measured figure:\n%s", md.String())
	}
}

func TestRoundTripFinding(t *testing.T) {
	w := Workload{AvgMBps: 100, PeakFactor: 1, ProducerPartitionMBps: 10, ConsumerPartitionMBps: 10}
	for _, tc := range []struct {
		name  string
		rttMs float64
		acks  string
		want  bool
	}{
		// Defaults: 5 in flight x 16384 B / (2 x 50 ms) = 0.82 MB/s per
		// partition, below 100 MB/s over 10 partitions.
		{"long round trip, acks=all", 50, "all", true},
		// 5 x 16384 B / (2 x 0.5 ms) = 82 MB/s: plenty.
		{"short round trip", 0.5, "all", false},
		{"long round trip, acks=1", 50, "1", false},
		{"no round trip measured", 0, "all", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := Advise(Input{Workload: w, Probes: []Named[*result.Probe]{{Path: "b.json", Doc: peerProbe(10000, 5000, 5000, tc.rttMs)}}})
			if err != nil {
				t.Fatal(err)
			}
			p := defaultsOf(clientcfg.Producer, clientcfg.CurrentLine)
			p["acks"] = tc.acks
			f := roundTripFinding([]Named[*result.Probe]{{Path: "b.json", Doc: peerProbe(10000, 5000, 5000, tc.rttMs)}}, p, a.Sizing)
			if (f != nil) != tc.want {
				t.Fatalf("finding %+v, want one: %v (partitions %d)", f, tc.want, a.Sizing.Partitions)
			}
			if f == nil {
				return
			}
			for _, s := range []string{"round trip p50 50.00 ms", "measured: peer b2:7099 in b.json", "max.in.flight.requests.per.connection=5 x batch.size=16384 B / (2 x 50.00 ms) = 0.82 MB/s per partition"} {
				if !strings.Contains(f.Evidence, s) {
					t.Errorf("evidence %q lacks %q", f.Evidence, s)
				}
			}
			var inAdvice bool
			for _, g := range a.Findings {
				inAdvice = inAdvice || g.ID == "long-round-trip"
			}
			if !inAdvice {
				t.Error("Advise does not carry the finding")
			}
		})
	}
}
