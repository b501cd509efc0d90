package root

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"

	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// ktuneBinary builds ktune once for the tests that run it as separate
// processes.
var ktuneBinary = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "ktune-bin-")
	if err != nil {
		return "", err
	}
	return testkit.Build(dir)
})

// processes runs ktune once per argument list, side by side, and returns
// each process's stdout, stderr and error.
func processes(t *testing.T, argss ...[]string) (outs, errs []string, failed []error) {
	t.Helper()
	bin, err := ktuneBinary()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range testkit.RunAll(bin, nil, 2*time.Minute, argss...) {
		outs, errs, failed = append(outs, r.Stdout), append(errs, r.Stderr), append(failed, r.Err)
	}
	return outs, errs, failed
}

// sharedCluster is a kfake cluster in the test process that worker
// processes reach on loopback, as they would reach a real one.
func sharedCluster(t *testing.T) string {
	t.Helper()
	c, err := kfake.NewCluster(kfake.NumBrokers(1))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(c.Close)
	return c.ListenAddrs()[0]
}

// TestWorkerProcesses runs three ktune produce processes as the workers of
// one run, merges their results from files and from the control topic, and
// compares them with one process running the same total workload.
func TestWorkerProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ktune processes")
	}
	addr := sharedCluster(t)
	dir := t.TempDir()
	const workers, records = 3, 9000
	common := []string{"produce", "--brokers", addr, "--topic", "load", "--partitions", "6", "--records", fmt.Sprint(records),
		"--rate", "9000", "--record-size", "200", "--interval", "250ms", "--workers", fmt.Sprint(workers), "--run-id", "procs", "-o", "json"}
	var argss [][]string
	for i := 0; i < workers; i++ {
		argss = append(argss, append(append([]string{}, common...), "--worker-id", fmt.Sprint(i), "--out", filepath.Join(dir, fmt.Sprintf("w%d.json", i))))
	}
	_, errs, failed := processes(t, argss...)
	for i, err := range failed {
		if err != nil {
			t.Fatalf("worker %d: %v\n%s", i, err, errs[i])
		}
		if !strings.Contains(errs[i], "all 3 workers joined") || !strings.Contains(errs[i], "result published to __ktune_control") {
			t.Errorf("worker %d stderr:\n%s", i, errs[i])
		}
	}
	pooled := hist.New()
	var files []string
	var startAt time.Time
	for i := 0; i < workers; i++ {
		f := filepath.Join(dir, fmt.Sprintf("w%d.json", i))
		files = append(files, f)
		d, err := result.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if d.Worker == nil || d.Worker.ID != i || d.Metrics.Records != records/workers || !d.Cluster.Embedded {
			t.Fatalf("worker %d document: worker %+v, %d records, embedded %v", i, d.Worker, d.Metrics.Records, d.Cluster.Embedded)
		}
		if i == 0 {
			startAt = d.Worker.StartAt
		} else if !d.Worker.StartAt.Equal(startAt) {
			t.Errorf("worker %d start %v, worker 0 %v", i, d.Worker.StartAt, startAt)
		}
		h, _, err := d.Metrics.Histogram(result.LatencyIntended)
		if err != nil {
			t.Fatal(err)
		}
		pooled.Merge(h)
	}

	merged := filepath.Join(dir, "merged.json")
	outs, errs, failed := processes(t,
		append([]string{"merge", "-o", "json", "--out", merged}, files...),
		[]string{"merge", "--brokers", addr, "--run-id", "procs", "-o", "json", "--out", "-"},
		[]string{"produce", "--brokers", addr, "--topic", "load", "--records", fmt.Sprint(records), "--rate", "9000", "--record-size", "200", "--producers", "3", "-o", "json", "--out", filepath.Join(dir, "single.json")},
	)
	for i, err := range failed {
		if err != nil {
			t.Fatalf("process %d: %v\n%s", i, err, errs[i])
		}
	}
	if errs[1] != "" {
		t.Errorf("merge -o json --out - wrote to stderr: %q", errs[1])
	}
	fromFiles, err := result.ReadFile(merged)
	if err != nil {
		t.Fatal(err)
	}
	fromTopic, err := result.Decode(strings.NewReader(outs[1]))
	if err != nil {
		t.Fatal(err)
	}
	single, err := result.Decode(strings.NewReader(outs[2]))
	if err != nil {
		t.Fatal(err)
	}
	want := result.Summarize(pooled)
	for name, d := range map[string]*result.Document{"files": fromFiles, "control topic": fromTopic} {
		if d.Metrics.Records != records || d.Metrics.Bytes != single.Metrics.Bytes || d.Metrics.Records != single.Metrics.Records {
			t.Errorf("merged from %s: %d records %d bytes; one process: %d records %d bytes", name, d.Metrics.Records, d.Metrics.Bytes, single.Metrics.Records, single.Metrics.Bytes)
		}
		if got := d.Metrics.Latency[result.LatencyIntended]; got != want {
			t.Errorf("merged from %s: latency %+v, pooled samples %+v", name, got, want)
		}
		if d.Merge == nil || len(d.Merge.PerWorker) != workers || !d.Complete || !d.Cluster.Embedded {
			t.Errorf("merged from %s: merge section %+v complete %v", name, d.Merge, d.Complete)
		}
	}
}

func TestWorkerBadInput(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ktune processes")
	}
	addr := sharedCluster(t)
	base := []string{"produce", "--brokers", addr, "--records", "100", "--rate", "1000"}
	with := func(extra ...string) []string { return append(append([]string{}, base...), extra...) }

	// A worker id out of range, and worker flags without --workers, fail
	// before any load.
	_, errs, failed := processes(t,
		with("--workers", "3", "--worker-id", "3", "--run-id", "x"),
		with("--worker-id", "1"),
		[]string{"produce", "--records", "100", "--workers", "2", "--worker-id", "0", "--run-id", "emb"},
	)
	for i, want := range []string{
		"--worker-id 3 is out of range for --workers 3: ids run from 0 to 2",
		"--worker-id needs --workers",
		"worker mode needs --brokers",
	} {
		if failed[i] == nil || !strings.Contains(errs[i], want) || strings.Count(strings.TrimSpace(errs[i]), "\n") > 1 {
			t.Errorf("case %d: %v\n%s\nwant %q", i, failed[i], errs[i], want)
		}
	}

	// Two workers of one run with different rates: both refuse.
	_, errs, failed = processes(t,
		with("--workers", "2", "--worker-id", "0", "--run-id", "mismatch", "--join-timeout", "20s"),
		append(with("--workers", "2", "--worker-id", "1", "--run-id", "mismatch", "--join-timeout", "20s"), "--rate", "2000"),
	)
	for i := range failed {
		if failed[i] == nil || !strings.Contains(errs[i], "with a different configuration") {
			t.Errorf("mismatched worker %d: %v\n%s", i, failed[i], errs[i])
		}
	}

	// A worker whose peer never joins gives up after --join-timeout.
	_, errs, failed = processes(t, with("--workers", "2", "--worker-id", "0", "--run-id", "alone", "--join-timeout", "2s"))
	if failed[0] == nil || !strings.Contains(errs[0], `only 1 of 2 workers joined run "alone" within 2s; missing worker ids: 1`) {
		t.Errorf("lonely worker: %v\n%s", failed[0], errs[0])
	}
}
