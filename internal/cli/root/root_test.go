package root

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

func run(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	var errb bytes.Buffer
	stdout, err = runContext(t, context.Background(), &errb, args...)
	return stdout, errb.String(), err
}

// runContext runs ktune with args under ctx, its stderr going to stderr.
func runContext(t *testing.T, ctx context.Context, stderr io.Writer, args ...string) (stdout string, err error) {
	t.Helper()
	cmd := NewCmd("test")
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(stderr)
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(ctx)
	return out.String(), err
}

func TestProduceWritesResultAndSummary(t *testing.T) {
	path := filepath.Join(t.TempDir(), "p.json")
	out, errOut, err := run(t, "produce", "--records", "2000", "--record-size", "200", "--interval", "100ms", "--out", path, "-X", "linger.ms=2")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !strings.Contains(out, "2000 records sent") || !strings.Contains(out, "embedded kfake") {
		t.Errorf("summary:\n%s", out)
	}
	doc, err := result.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if doc.KtuneVersion != "test" || doc.Metrics.Records != 2000 || !doc.Cluster.Embedded || doc.Config.Producer["linger.ms"] != "2" {
		t.Errorf("document: version %q records %d embedded %v", doc.KtuneVersion, doc.Metrics.Records, doc.Cluster.Embedded)
	}
}

func TestJSONOutputIsTheDocument(t *testing.T) {
	dir := t.TempDir()
	out, errOut, err := run(t, "e2e", "--records", "500", "--rate", "1000", "-o", "json", "--out", filepath.Join(dir, "e.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	doc, err := result.Decode(strings.NewReader(out))
	if err != nil {
		t.Fatalf("stdout is not a result document: %v\n%s", err, out)
	}
	if doc.Kind != result.KindE2E || doc.Metrics.Consumer == nil || doc.Metrics.Consumer.Records != 500 {
		t.Errorf("e2e document: %+v", doc.Metrics.Consumer)
	}
}

func TestBadInputIsOneClearLine(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"produce"}, "needs a bound"},
		{[]string{"produce", "--records", "1", "-X", "compression.type=lz5"}, `compression.type: "lz5" is not one of none, gzip, snappy, lz4, zstd`},
		{[]string{"produce", "--records", "1", "-X", "nonsense"}, "want name=value"},
		{[]string{"produce", "--records", "1", "--payload", "xml"}, "must be random, text or file:PATH"},
		{[]string{"produce", "--records", "1", "--key", "hash"}, "none, random, sequential or zipf"},
		{[]string{"produce", "--records", "1", "--warmup", "soon"}, "--warmup"},
		{[]string{"produce", "--records", "1", "-o", "yaml"}, "must be table or json"},
		{[]string{"produce", "--records", "1", "--brokers", "127.0.0.1:1", "--connect-timeout", "1s"}, "cannot reach Kafka at 127.0.0.1:1"},
		{[]string{"produce", "--records", "1", "--brokers", "192.0.2.7:9092"}, "--allow-remote"},
		{[]string{"produce", "--records", "1", "--no-create", "--topic", "nope"}, `"nope" (--no-create is set`},
		{[]string{"consume", "--topic", "nope"}, "topic does not exist"},
		{[]string{"produce", "--records", "1", "--sasl-user", "u"}, "KTUNE_SASL_PASSWORD"},
	}
	t.Setenv("KTUNE_SASL_PASSWORD", "")
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			args := append(tt.args, "--out", filepath.Join(dir, "x.json"))
			_, _, err := run(t, args...)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestVersion(t *testing.T) {
	out, _, err := run(t, "version")
	if err != nil || !strings.HasPrefix(out, "ktune test") {
		t.Fatalf("%q %v", out, err)
	}
}

func TestProbeQuick(t *testing.T) {
	dir := t.TempDir()
	out, errOut, err := run(t, "probe", "--quick", "-o", "json", "--log-dir", dir, "--out", filepath.Join(dir, "p.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	p, err := result.DecodeProbe(strings.NewReader(out))
	if err != nil {
		t.Fatalf("stdout is not a probe document: %v", err)
	}
	if !p.Quick || p.KtuneVersion != "test" || len(p.Checks) == 0 || p.Disks[0].LogDir != dir {
		t.Errorf("probe: quick %v version %q checks %d", p.Quick, p.KtuneVersion, len(p.Checks))
	}
	if _, err := result.ReadProbe(filepath.Join(dir, "p.json")); err != nil {
		t.Errorf("probe file: %v", err)
	}
	entries, _ := filepath.Glob(filepath.Join(dir, ".ktune-probe*"))
	if len(entries) != 0 {
		t.Errorf("--quick left files: %v", entries)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"probe", "--log-dir", filepath.Join(dir, "missing")}, "no such file"},
		{[]string{"probe", "--quick", "-o", "yaml"}, "must be table or json"},
		{[]string{"probe", "--disk-test-size", "lots"}, "--disk-test-size"},
	} {
		if _, _, err := run(t, tt.args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestSweepProfilesCompareCommands(t *testing.T) {
	dir := t.TempDir()
	sw := filepath.Join(dir, "s.json")
	out, errOut, err := run(t, "sweep", "--linger", "0,5", "-X", "compression.type=none,lz4", "--records", "2000", "--record-size", "200", "-o", "json", "--out", sw)
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	doc, err := result.DecodeSweep(strings.NewReader(out))
	if err != nil || len(doc.Points) != 4 || !doc.Complete || !strings.Contains(errOut, "4 points x 1 repeats = 4 runs, estimated") {
		t.Fatalf("sweep: %v %d points\n%s", err, len(doc.Points), errOut)
	}
	// Saved results compare as single samples.
	a, b := filepath.Join(dir, "a.json"), filepath.Join(dir, "b.json")
	result.WriteFile(a, doc.Points[0].Produce)
	result.WriteFile(b, doc.Points[3].Produce)
	out, _, err = run(t, "compare", a, b, "--out", filepath.Join(dir, "c.json"))
	if err != nil || !strings.Contains(out, "records_per_sec") || !strings.Contains(out, "n/a (too few runs)") {
		t.Fatalf("compare: %v\n%s", err, out)
	}
	out, _, err = run(t, "profiles", "list")
	if err != nil || !strings.Contains(out, "throughput") || !strings.Contains(out, "textbook") {
		t.Fatalf("profiles list: %v\n%s", err, out)
	}
	out, _, err = run(t, "profiles", "show", "textbook")
	if err != nil || !strings.Contains(out, "[sweep one-at-a-time]") || !strings.Contains(out, "linger.ms=0") {
		t.Fatalf("profiles show: %v\n%s", err, out)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"sweep", "--records", "10"}, "nothing to sweep"},
		{[]string{"sweep", "--linger", "0,soon"}, `linger.ms: "soon"`},
		{[]string{"sweep", "--linger", "0,5", "--rate", "100", "--budget", "1s"}, "does not fit its budget"},
		{[]string{"maxrate"}, `required flag(s) "slo"`},
		{[]string{"maxrate", "--slo", "fast"}, "p99=DURATION"},
		{[]string{"compare", "kafka-defaults", "nope"}, "no such profile"},
		{[]string{"profiles", "show", "nope"}, "no such profile"},
	} {
		args := tt.args
		if args[0] != "profiles" {
			args = append(args, "--out", filepath.Join(dir, "x.json"))
		}
		if _, _, err := run(t, args...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.args, err, tt.want)
		}
	}
}

func TestAdvise(t *testing.T) {
	dir := t.TempDir()
	wl := filepath.Join(dir, "w.yaml")
	os.WriteFile(wl, []byte("records-per-day: 100000000\nrecord-size: 1000\npeak-factor: 20\nreplication-factor: 2\nmin-insync-replicas: 1\nretention: 3d\npartitions: 10\nheap-gb: 10\ntarget-mbps: 100\nproducer-partition-mbps: 20\nconsumer-partition-mbps: 50\n"), 0o644)
	out, errOut, err := run(t, "advise", "--workload", wl, "-o", "json", "--out", filepath.Join(dir, "a.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	var a struct {
		Kind   string
		Sizing struct {
			Brokers           int     `json:"brokers"`
			DiskTotalGB       float64 `json:"disk_total_gb"`
			MemoryPerBrokerGB float64 `json:"memory_per_broker_gb"`
			Partitions        int     `json:"partitions"`
			NICGbps           float64 `json:"nic_gbps"`
		}
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatal(err)
	}
	if a.Kind != "advice" || a.Sizing.Brokers != 3 || a.Sizing.DiskTotalGB != 857.14 || a.Sizing.MemoryPerBrokerGB != 11 || a.Sizing.Partitions != 5 || a.Sizing.NICGbps != 1 {
		t.Errorf("advice from the worked example: %+v", a)
	}
	// A flag overrides the file.
	out, _, err = run(t, "advise", "--workload", wl, "--peak-factor", "200", "-o", "json", "--out", filepath.Join(dir, "b.json"))
	if err != nil || !strings.Contains(out, `"peak_factor": 200`) {
		t.Errorf("flag over file: %v", err)
	}
	// A sweep gives a configuration and properties files.
	sw := filepath.Join(dir, "s.json")
	if _, errOut, err := run(t, "sweep", "--linger", "0,20", "--batch-size", "16k,128k", "--records", "3000", "--out", sw); err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	props := filepath.Join(dir, "props")
	out, errOut, err = run(t, "advise", "--avg-mbps", "5", "--goal", "throughput", "--results", sw, "--write-properties", props, "--out", filepath.Join(dir, "c.json"))
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	if !strings.Contains(out, "Pareto front") || !strings.Contains(out, "embedded cluster") {
		t.Errorf("advice:\n%s", out)
	}
	data, err := os.ReadFile(filepath.Join(props, "producer.properties"))
	if err != nil || !strings.Contains(string(data), "linger.ms=") {
		t.Errorf("producer.properties: %v\n%s", err, data)
	}
	// Java names only, for the 4.x client unless told otherwise, and the
	// header says the figures came from the embedded broker.
	for _, want := range []string{"for the Java 4.x client", "NOT a real Kafka cluster", "# command: "} {
		if !strings.Contains(string(data), want) {
			t.Errorf("producer.properties lacks %q:\n%s", want, data)
		}
	}
	if strings.Contains(string(data), "\npartitioner=") {
		t.Errorf("producer.properties sets ktune's own partitioner, which no Java client knows:\n%s", data)
	}
	for _, tt := range []struct {
		args []string
		want string
	}{
		{[]string{"advise"}, "--records-per-day"},
		{[]string{"advise", "--avg-mbps", "1", "--goal", "speed"}, "--goal"},
		{[]string{"advise", "--avg-mbps", "1", "-o", "pdf"}, "table, md or json"},
		{[]string{"advise", "--avg-mbps", "1", "--write-properties", props}, "no recommended configuration"},
		{[]string{"advise", "--avg-mbps", "1", "--replication-factor", "0"}, "--replication-factor 0: must be at least 1"},
		{[]string{"advise", "--avg-mbps", "1", "--replication-factor", "2", "--min-insync-replicas", "3"}, "--min-insync-replicas 3: must be 1 to the replication factor (2)"},
		{[]string{"advise", "--avg-mbps", "1", "--retention", "-24h"}, `"--retention" flag: "-24h" is not a duration`},
		{[]string{"advise", "--avg-mbps", "1", "--failures", "-1"}, "--failures -1: must be 0 or more"},
		{[]string{"advise", "--avg-mbps", "1", "--broker-nic-gbps", "-10"}, "--broker-nic-gbps -10: must be 0 (unknown) or more"},
	} {
		if _, _, err := run(t, append(tt.args, "--out", filepath.Join(dir, "x.json"))...); err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: %v, want %q", tt.args, err, tt.want)
		}
	}
}
