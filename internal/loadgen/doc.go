// Package loadgen is ktune's load generators: the producer (Produce), the
// consumer (Consume) and the end-to-end test (E2E), on franz-go.
//
// Each run takes a Config that is a plain description of the workload
// (topic, bounds, rate, payload, client configuration from clientcfg) and
// returns a result.Document: the measured window's counts, throughput and
// latency histograms (HdrHistogram, result/hist), the warm-up kept apart,
// and an interval series. Rates are open-model: with a rate every record
// has an intended send time, and intended-time latency runs from it, so
// a stalled broker shows in the figures instead of slowing the sender
// (no coordinated omission); service latency (accepted by the client to
// acknowledged) is recorded beside it.
//
// A run is bounded by count or time and by its context: a cancelled run
// returns what it measured, with Complete false and the stop reason.
// The per-record path allocates nothing: records are pooled, payloads are
// generated up front (package payload), and each latency is recorded once
// into a histogram owned by one goroutine.
package loadgen
