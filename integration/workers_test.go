package integration

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// workerProcesses runs one ktune process per argument list side by side
// and fails the test when one fails.
func workerProcesses(t *testing.T, env []string, argss ...[]string) []string {
	t.Helper()
	var outs []string
	for i, r := range testkit.RunAll(ktuneBin, env, 3*time.Minute, argss...) {
		if r.Err != nil {
			t.Fatalf("process %d (%v): %v\n%s", i, argss[i][:1], r.Err, r.Stderr)
		}
		outs = append(outs, r.Stdout)
	}
	return outs
}

func workerArgs(n int, base ...string) [][]string {
	var argss [][]string
	for i := 0; i < n; i++ {
		argss = append(argss, append(append([]string{}, base...), "--worker-id", fmt.Sprint(i)))
	}
	return argss
}

// TestWorkersOnRealKafka runs produce, consume and e2e as worker processes
// coordinated through the control topic of the real cluster, merges them
// from the topic and checks the counts against one process and the topic.
func TestWorkersOnRealKafka(t *testing.T) {
	boot := strings.Join(bootstrap(t), ",")
	run := fmt.Sprintf("it%d", time.Now().UnixNano()%1e9)
	dir := t.TempDir()
	topic := topicName(t)
	const workers, records = 3, 18000

	// Produce: three workers create the topic together and write their
	// shares; the merged total is exact.
	base := []string{"produce", "--brokers", boot, "--topic", topic, "--partitions", "6", "--records", fmt.Sprint(records),
		"--rate", "9000", "--record-size", "256", "--interval", "500ms", "--workers", fmt.Sprint(workers), "--run-id", run + "p",
		"-X", "acks=all", "-X", "linger.ms=5", "-o", "json", "--out", "-"}
	workerProcesses(t, nil, workerArgs(workers, base...)...)
	outs := workerProcesses(t, nil, []string{"merge", "--brokers", boot, "--run-id", run + "p", "--wait", "1m", "-o", "json", "--out", filepath.Join(dir, "merged.json")})
	merged, err := result.Decode(strings.NewReader(outs[0]))
	if err != nil {
		t.Fatal(err)
	}
	if merged.Metrics.Records != records || merged.Metrics.ErrorsTotal != 0 || !merged.Complete || merged.Cluster.Embedded || len(merged.Merge.PerWorker) != workers {
		t.Fatalf("merged produce: %d records, %d errors, complete %v, embedded %v", merged.Metrics.Records, merged.Metrics.ErrorsTotal, merged.Complete, merged.Cluster.Embedded)
	}
	// Throughput is not asserted: three worker processes and three
	// brokers share this machine's cores.
	t.Logf("produce workers merged: %.0f records/s (target 9000), intended p99 %.2f ms", merged.Metrics.RecordsPerSec, merged.Metrics.Latency[result.LatencyIntended].P99)

	// Consume: three workers read their own partitions (--assign); they
	// read exactly what was written, once.
	base = []string{"consume", "--brokers", boot, "--topic", topic, "--assign", "--idle-timeout", "5s", "--interval", "500ms",
		"--workers", fmt.Sprint(workers), "--run-id", run + "c", "-o", "json", "--out", "-"}
	var pooled = hist.New()
	for _, out := range workerProcesses(t, nil, workerArgs(workers, base...)...) {
		d, err := result.Decode(strings.NewReader(out))
		if err != nil {
			t.Fatal(err)
		}
		h, _, err := d.Metrics.Histogram(result.LatencyE2E)
		if err != nil {
			t.Fatal(err)
		}
		pooled.Merge(h)
	}
	outs = workerProcesses(t, nil, []string{"merge", "--brokers", boot, "--run-id", run + "c", "--wait", "1m", "-o", "json", "--out", "-"})
	cm, err := result.Decode(strings.NewReader(outs[0]))
	if err != nil {
		t.Fatal(err)
	}
	if cm.Metrics.Records != records || cm.Metrics.Latency[result.LatencyE2E] != result.Summarize(pooled) {
		t.Errorf("merged consume: %d records (want %d), latency %+v vs pooled %+v", cm.Metrics.Records, records, cm.Metrics.Latency[result.LatencyE2E], result.Summarize(pooled))
	}

	// E2E over SASL when the cluster has it: two workers, each producing
	// to and reading its own partitions.
	env, conn := []string(nil), []string{"--brokers", boot}
	if sb := os.Getenv("KTUNE_KAFKA_SASL_BOOTSTRAP"); sb != "" {
		env = []string{"KTUNE_SASL_PASSWORD=" + os.Getenv("KTUNE_KAFKA_SASL_PASSWORD")}
		conn = []string{"--brokers", sb, "--sasl-mechanism", "SCRAM-SHA-512", "--sasl-user", os.Getenv("KTUNE_KAFKA_SASL_USER")}
	}
	base = append(append([]string{"e2e"}, conn...), "--partitions", "4", "--records", "4000", "--rate", "2000", "--interval", "500ms",
		"--workers", "2", "--run-id", run+"e", "-o", "json", "--out", "-")
	workerProcesses(t, env, workerArgs(2, base...)...)
	outs = workerProcesses(t, env, append(append([]string{"merge"}, conn...), "--run-id", run+"e", "--wait", "1m", "-o", "json", "--out", "-"))
	em, err := result.Decode(strings.NewReader(outs[0]))
	if err != nil {
		t.Fatal(err)
	}
	l := em.Metrics.Latency[result.LatencyE2E]
	if em.Metrics.Records != 4000 || em.Metrics.Consumer == nil || em.Metrics.Consumer.Records != 4000 || l.Count != 4000 || l.P50 <= 0 {
		t.Errorf("merged e2e: %d produced, consumer %+v, e2e latency %+v", em.Metrics.Records, em.Metrics.Consumer, l)
	}
	if strings.Contains(outs[0], os.Getenv("KTUNE_KAFKA_SASL_PASSWORD")+"\"") && os.Getenv("KTUNE_KAFKA_SASL_PASSWORD") != "" {
		t.Error("the SASL password appears in the merged result")
	}
	t.Logf("e2e workers merged: p50 %.2f ms p99 %.2f ms", l.P50, l.P99)
}
