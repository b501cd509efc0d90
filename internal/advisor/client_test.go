package advisor

import (
	"context"
	"runtime"
	"strings"
	"testing"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/result"
)

func TestClientBoundCriteria(t *testing.T) {
	run := func(cpu, elapsed, busy, full, rate float64) *result.Document {
		d := &result.Document{Host: result.Host{Cores: 4, GoMaxProcs: 2}}
		d.Metrics.ClientCPUS, d.Metrics.ElapsedS, d.Metrics.HostCPUBusy = cpu, elapsed, busy
		d.Metrics.Producer = &result.Producer{BufferFullFraction: full}
		d.Workload.Rate = rate
		return d
	}
	waited := func(d *result.Document, p99ms float64) *result.Document {
		d.Metrics.ClientCPUWaitP99Ms = p99ms
		return d
	}
	for _, tc := range []struct {
		name string
		doc  *result.Document
		want string // "" when the client did not set the pace
	}{
		{"idle client", run(1, 10, 0.3, 0, 0), ""},
		{"just under the cores share", run(15.9, 10, 0.5, 0, 0), ""},
		{"cores of GOMAXPROCS, not of the host", run(16, 10, 0.5, 0, 0), "ktune used 1.60 of the 2 cores it could use (80%"},
		{"busy host", run(1, 10, 0.95, 0, 0), "the host's CPUs were 95% busy"},
		{"short waits for a CPU", waited(run(1, 10, 0.3, 0, 0), 9.9), ""},
		{"long waits for a CPU", waited(run(1, 10, 0.3, 0, 0), 16.8), "ktune's goroutines waited 17 ms or more for a CPU (p99)"},
		{"full buffer unpaced is by design", run(1, 10, 0.3, 0.9, 0), ""},
		{"full buffer at a set rate", run(1, 10, 0.3, 0.6, 5000), "buffer (buffer.memory) was full 60% of the window at 5000 records/s"},
	} {
		got := clientBound(tc.doc)
		if tc.want == "" && got != "" || !strings.Contains(got, tc.want) {
			t.Errorf("%s: %q, want %q", tc.name, got, tc.want)
		}
	}
	quiet := []Named[*result.Document]{{Path: "a.json", Doc: run(1, 10, 0.3, 0, 0)}}
	if f := ClientBottleneck(quiet, nil); f != nil {
		t.Errorf("finding on a quiet client: %+v", f)
	}
	sw := &result.Sweep{Points: []result.SweepPoint{{Key: "p1", Produce: run(1, 10, 0.3, 0, 0)}, {Key: "p2", Produce: run(19, 10, 0.3, 0, 0)}}}
	f := ClientBottleneck(quiet, []Named[*result.Sweep]{{Path: "s.json", Doc: sw}})
	if f == nil || f.Severity != "warn" || !strings.HasPrefix(f.Evidence, "1 of 3 runs: s.json p2 (produce): ktune used 1.90 of the 2 cores") {
		t.Errorf("finding: %+v", f)
	}
}

// TestClientBottleneckOnTinyBudget pins ktune to one core (GOMAXPROCS=1)
// and drives the embedded broker, which shares that core, with many
// unpaced producers: the advice must say the client set the pace.
func TestClientBottleneckOnTinyBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("runs load on the embedded broker")
	}
	prev := runtime.GOMAXPROCS(1)
	defer runtime.GOMAXPROCS(prev)
	ctx := context.Background()
	conn, err := cluster.Open(ctx, cluster.Config{EmbeddedBrokers: 1})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.EnsureTopic(ctx, cluster.TopicSpec{Name: "tiny", Partitions: 8}); err != nil {
		t.Fatal(err)
	}
	// zstd on compressible values keeps the one core busy compressing.
	props, err := clientcfg.ParseAssignments([]string{"compression.type=zstd", "batch.size=262144", "linger.ms=5"})
	if err != nil {
		t.Fatal(err)
	}
	client, err := clientcfg.Resolve(props, clientcfg.Producer)
	if err != nil {
		t.Fatal(err)
	}
	doc, err := loadgen.Produce(ctx, conn, loadgen.ProduceConfig{Topic: "tiny", Records: 20000, Producers: 16, Client: client,
		Values: payload.ValueConfig{Kind: payload.Random, Size: 1024, Compressibility: 0.5}})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Host.GoMaxProcs != 1 || doc.Metrics.ClientCPUS <= 0 {
		t.Fatalf("gomaxprocs %d, client_cpu_s %v", doc.Host.GoMaxProcs, doc.Metrics.ClientCPUS)
	}
	a, err := Advise(Input{Workload: Workload{AvgMBps: 10}, Results: []Named[*result.Document]{{Path: "tiny.json", Doc: doc}}})
	if err != nil {
		t.Fatal(err)
	}
	var got *Finding
	for i := range a.Findings {
		if a.Findings[i].ID == "client-bottleneck" {
			got = &a.Findings[i]
		}
	}
	if got == nil {
		t.Fatalf("no client-bottleneck finding: client %.3f CPU s over %.3f s, CPU wait p99 %v ms, host busy %.2f", doc.Metrics.ClientCPUS, doc.Metrics.ElapsedS, doc.Metrics.ClientCPUWaitP99Ms, doc.Metrics.HostCPUBusy)
	}
	t.Logf("client %.2f cores busy, host %.0f%% busy; evidence: %s", doc.Metrics.ClientCores(), doc.Metrics.HostCPUBusy*100, got.Evidence)
}
