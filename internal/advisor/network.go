package advisor

import (
	"fmt"

	"github.com/ktune/ktune/result"
)

// probeNetwork is a probe's network figure in MB/s for the network
// checks: the smaller of the link speed (probeNIC) and what the host
// measured against a peer (`ktune probe --net-peer`), with a source that
// says which was used and what the other was. Without a peer measurement
// it is probeNIC's.
func probeNetwork(p Named[*result.Probe]) (float64, string) {
	nominal, nominalFrom := probeNIC(p)
	peer := p.Doc.Network.Peer
	if peer == nil || peer.Mbps() <= 0 {
		return nominal, nominalFrom
	}
	mbit := peer.Mbps()
	measured := mbit / 8
	from := fmt.Sprintf("%s in %s (%.0f Mbit/s, the slower direction's best", peer.Source, p.Path, mbit)
	switch {
	case nominal <= 0:
		return measured, from + "; no link speed known)"
	case measured < nominal:
		return measured, fmt.Sprintf("%s; below the link speed of %.0f Mbit/s: the smaller is used)", from, nominal*8)
	default:
		return nominal, fmt.Sprintf("%s; the peer measured %.0f Mbit/s, above it: the smaller is used", nominalFrom, mbit)
	}
}

// peakFigure names the sizing's peak produce rate (MB/s) among its figures.
const peakFigure = "peak produce W"

// maxInFlightIdempotent is the most requests in flight per connection an
// idempotent producer keeps in order (Apache Kafka documentation:
// producer configs, enable.idempotence).
const maxInFlightIdempotent = 5

// acksAllRoundTrips is how many network round trips an acks=all produce
// request waits for: the request and its response, and the followers'
// fetch that brings the high watermark past the batch.
const acksAllRoundTrips = 2

// roundTripFinding warns when the round trip a probe measured to a peer
// caps what one partition can take with acks=all below the workload's
// peak per partition: each partition has at most
// max.in.flight.requests.per.connection batches of batch.size in flight,
// and each waits acksAllRoundTrips round trips. Nil when no probe measured
// a round trip, acks is not all, or the cap is above the need.
func roundTripFinding(probes []Named[*result.Probe], producer map[string]string, s result.Sizing) *Finding {
	var rtt *result.Latency
	var from string
	for _, p := range probes {
		if pr := p.Doc.Network.Peer; pr != nil && pr.RTT != nil && pr.RTT.Count > 0 && (rtt == nil || pr.RTT.P50 > rtt.P50) {
			rtt, from = pr.RTT, fmt.Sprintf("%s in %s", pr.Source, p.Path)
		}
	}
	if rtt == nil || rtt.P50 <= 0 || acksOf(producer) != "all" || s.Partitions <= 0 {
		return nil
	}
	var peak float64
	for _, f := range s.Figures {
		if f.Name == peakFigure {
			peak = f.Value
		}
	}
	inFlight, ok1 := num(producer, "max.in.flight.requests.per.connection")
	batch, ok2 := num(producer, "batch.size")
	if peak <= 0 || !ok1 || !ok2 || inFlight <= 0 || batch <= 0 {
		return nil
	}
	need := peak / float64(s.Partitions)
	capMBps := float64(inFlight*batch) / 1e6 / (acksAllRoundTrips * rtt.P50 / 1000)
	if capMBps >= need {
		return nil
	}
	return &Finding{
		ID: "long-round-trip", Severity: "warn",
		Rationale: "with acks=all a batch waits for the request's round trip and the followers' fetch; over a long round trip the batches in flight, not the brokers, bound what each partition takes",
		Evidence: fmt.Sprintf("round trip p50 %.2f ms, p99 %.2f ms (%s): max.in.flight.requests.per.connection=%d x batch.size=%d B / (%d x %.2f ms) = %.2f MB/s per partition, below the peak %.2f MB/s / %d partitions = %.2f MB/s",
			rtt.P50, rtt.P99, from, inFlight, batch, acksAllRoundTrips, rtt.P50, capMBps, peak, s.Partitions, need),
		Recommendation: fmt.Sprintf("more in flight or bigger batches: max.in.flight.requests.per.connection up to %d (the most idempotence allows), batch.size (with linger.ms so batches fill) to at least %.0f B at %d in flight, or more partitions",
			maxInFlightIdempotent, need*1e6*acksAllRoundTrips*rtt.P50/1000/float64(max(inFlight, maxInFlightIdempotent)), max(inFlight, maxInFlightIdempotent)),
		Source: "Apache Kafka documentation: producer configs (max.in.flight.requests.per.connection, batch.size, acks); ktune probe --net-peer (round trip)",
	}
}
