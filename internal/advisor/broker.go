package advisor

import (
	"fmt"
	"strings"

	"github.com/ktune/ktune/result"
)

// Thresholds of the broker-bottleneck finding. Source of the idle floors:
// issue 24's "idle below about 20%", the level operators commonly alert
// on for Kafka's RequestHandlerAvgIdlePercent and
// NetworkProcessorAvgIdlePercent (not checked here against a vendor
// document). The time shares are ktune's: the part that takes most of a
// produce request's time on the broker is the one that sets its pace.
const (
	// handlerIdleFloor: request handler (I/O) threads idle less than this
	// share of the window are saturated (num.io.threads).
	handlerIdleFloor = 0.2
	// networkIdleFloor: network threads idle less than this are saturated
	// (num.network.threads). Their figure is Kafka's own moving average,
	// so the lowest scrape is compared.
	networkIdleFloor = 0.2
	// dominantShare: a part of produce requests' total broker time over
	// this share sets their pace (remote under acks=all: replication;
	// local or request queue: disk or handlers).
	dominantShare = 0.5
)

// brokerBound says which broker limits a run with broker metrics reached
// (nil: none), per broker where the limit is one broker's.
func brokerBound(d *result.Document) []string {
	var why []string
	for _, b := range d.Brokers.Brokers {
		w := b.Window
		if w == nil {
			continue
		}
		if w.RequestHandlerIdle != nil && *w.RequestHandlerIdle < handlerIdleFloor {
			why = append(why, fmt.Sprintf("%s: request handler threads saturated (idle %.0f%% of the window; num.io.threads)", b.Endpoint, *w.RequestHandlerIdle*100))
		}
		if w.NetworkProcessorIdleMin < networkIdleFloor {
			why = append(why, fmt.Sprintf("%s: network threads saturated (idle down to %.0f%%; num.network.threads)", b.Endpoint, w.NetworkProcessorIdleMin*100))
		}
	}
	t, ok := d.Brokers.Total()
	if !ok || t.Produce.Requests == 0 || t.Produce.TotalMs <= 0 {
		return why
	}
	p := t.Produce
	m := p.Mean()
	share := func(ms float64) float64 { return ms / p.TotalMs }
	switch {
	case share(p.RemoteMs) > dominantShare && d.Config.Producer["acks"] != "1" && d.Config.Producer["acks"] != "0":
		why = append(why, fmt.Sprintf("replication-bound: produce requests waited %.0f%% of their broker time for followers (remote %.2f of %.2f ms mean; num.replica.fetchers, replica.fetch.max.bytes, the followers' disks)", share(p.RemoteMs)*100, m[2], m[5]))
	case share(p.LocalMs) > dominantShare:
		flush := ""
		if t.LogFlushes > 0 {
			flush = fmt.Sprintf("; %d log flushes took %.0f ms", t.LogFlushes, t.LogFlushMs)
		}
		why = append(why, fmt.Sprintf("disk-bound: the local append took %.0f%% of produce requests' broker time (%.2f of %.2f ms mean%s)", share(p.LocalMs)*100, m[1], m[5], flush))
	case share(p.RequestQueueMs) > dominantShare:
		why = append(why, fmt.Sprintf("request handler threads behind: produce requests spent %.0f%% of their broker time queued (%.2f of %.2f ms mean; num.io.threads)", share(p.RequestQueueMs)*100, m[0], m[5]))
	}
	return why
}

// BrokerBottleneck names the broker limit the runs with broker metrics
// (--broker-metrics) reached, or says that none was reached, so nobody
// tunes brokers for a run the client or the rate bounded. Nil when no run
// has broker metrics.
func BrokerBottleneck(results []Named[*result.Document], sweeps []Named[*result.Sweep]) *Finding {
	var hits, free []string
	check := func(name string, d *result.Document) {
		if d == nil || d.Brokers == nil {
			return
		}
		if why := brokerBound(d); len(why) > 0 {
			hits = append(hits, name+": "+strings.Join(why, "; "))
		} else {
			free = append(free, name)
		}
	}
	eachRun(results, sweeps, check)
	const src = "ktune: the brokers' JMX exporter scraped during each run (internal/brokermetrics/table.go); idle floor 20% from issue 24, the usual alert level; time shares over 50% of produce requests' broker time"
	switch {
	case len(hits) > 0:
		ev := fmt.Sprintf("%d of %d runs with broker metrics: %s", len(hits), len(hits)+len(free), strings.Join(hits[:min(3, len(hits))], ". "))
		if len(hits) > 3 {
			ev += fmt.Sprintf(". And %d more", len(hits)-3)
		}
		return &Finding{
			ID: "broker-bottleneck", Severity: "warn",
			Rationale:      "the brokers' own request metrics say which of their resources set the pace of a run",
			Evidence:       ev,
			Recommendation: "raise the saturated pool's thread count (num.io.threads, num.network.threads), add replica fetchers or faster follower disks for replication-bound runs, faster disks for disk-bound ones; then re-run with --broker-metrics",
			Source:         src,
		}
	case len(free) > 0:
		return &Finding{
			ID: "broker-bottleneck", Severity: "info",
			Rationale:      "a run below the brokers' capacity says nothing about broker settings",
			Evidence:       fmt.Sprintf("no broker limit reached in %d runs with broker metrics (%s): the load was below the brokers' capacity", len(free), strings.Join(free[:min(3, len(free))], ", ")),
			Recommendation: "do not tune broker settings from these runs; raise the load (rate, producers, --workers) to find the brokers' limit",
			Source:         src,
		}
	}
	return nil
}
