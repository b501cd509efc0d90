package advisor

import (
	"fmt"
	"math"
	"strings"

	"github.com/ktune/ktune/result"
)

// Thresholds of the client-bottleneck finding.
const (
	// clientCoresShare: the client used at least this share of the cores
	// it could use (GOMAXPROCS) over a run's measured window.
	clientCoresShare = 0.8
	// hostBusyShare: the whole host's CPUs were at least this busy.
	hostBusyShare = 0.9
	// clientCPUWaitMs: the 99th percentile of how long ktune's runnable
	// goroutines waited for a CPU reached Go's scheduling time slice
	// (10 ms): goroutines regularly queued a whole slice behind others.
	// Paced runs with CPU to spare wait well under 1 ms.
	clientCPUWaitMs = 10
	// bufferFullShare: a producer's buffer had no room for this share of
	// a window at a set rate (unpaced runs fill it by design).
	bufferFullShare = 0.5
)

// clientBound says why the client, not Kafka, may have set the pace of
// one run ("" when nothing says so).
func clientBound(d *result.Document) string {
	m := d.Metrics
	var why []string
	cores := d.Host.GoMaxProcs
	if cores <= 0 || d.Host.Cores > 0 && d.Host.Cores < cores {
		cores = d.Host.Cores
	}
	if used := m.ClientCores(); cores > 0 && used >= clientCoresShare*float64(cores) {
		why = append(why, fmt.Sprintf("ktune used %.2f of the %d cores it could use (%.0f%%; %.3f CPU s over %.2f s)", used, cores, math.Min(100, used/float64(cores)*100), m.ClientCPUS, m.ElapsedS))
	}
	if m.ClientCPUWaitP99Ms >= clientCPUWaitMs {
		why = append(why, fmt.Sprintf("ktune's goroutines waited %.0f ms or more for a CPU (p99)", m.ClientCPUWaitP99Ms))
	}
	if m.HostCPUBusy >= hostBusyShare {
		why = append(why, fmt.Sprintf("the host's CPUs were %.0f%% busy", m.HostCPUBusy*100))
	}
	if p := m.Producer; p != nil && d.Workload.Rate > 0 && p.BufferFullFraction >= bufferFullShare {
		why = append(why, fmt.Sprintf("the producer buffer (buffer.memory) was full %.0f%% of the window at %.0f records/s", p.BufferFullFraction*100, d.Workload.Rate))
	}
	return strings.Join(why, "; ")
}

// ClientBottleneck warns when the load generator ran out of CPU (its own
// cores, waits for a CPU, or a busy host) or kept its producer buffer full during a paced
// run: then the figures measure ktune's host, not Kafka. Nil when no run
// shows it.
func ClientBottleneck(results []Named[*result.Document], sweeps []Named[*result.Sweep]) *Finding {
	var hits []string
	runs := 0
	check := func(name string, d *result.Document) {
		if d == nil {
			return
		}
		runs++
		if why := clientBound(d); why != "" {
			hits = append(hits, name+": "+why)
		}
	}
	eachRun(results, sweeps, check)
	if len(hits) == 0 {
		return nil
	}
	ev := fmt.Sprintf("%d of %d runs: %s", len(hits), runs, strings.Join(hits[:min(3, len(hits))], ". "))
	if len(hits) > 3 {
		ev += fmt.Sprintf(". And %d more", len(hits)-3)
	}
	return &Finding{
		ID: "client-bottleneck", Severity: "warn",
		Rationale:      "when the load generator runs out of CPU, or its buffer stays full at a set rate, the throughput and latency figures measure ktune's host, not Kafka",
		Evidence:       ev,
		Recommendation: "give ktune more cores or a quieter host, or spread the load over several client machines (--workers); then re-run. On the embedded cluster the broker shares ktune's process and cores",
		Source:         "ktune: getrusage CPU time, Go's /sched/latencies and /proc/stat over each measured window; producer buffer sampled every 10 ms",
	}
}

// eachRun calls check with every run document of results and of the
// sweeps' points, named by file (and point).
func eachRun(results []Named[*result.Document], sweeps []Named[*result.Sweep], check func(name string, d *result.Document)) {
	for _, r := range results {
		check(r.Path, r.Doc)
	}
	for _, s := range sweeps {
		for _, p := range s.Doc.Points {
			check(s.Path+" "+p.Key+" (produce)", p.Produce)
			check(s.Path+" "+p.Key+" (consume)", p.Consume)
		}
	}
}
