package k8s

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/k8s"
)

func TestRenderDecodesIntoJobs(t *testing.T) {
	f := RenderFlags{Workers: 3, RunID: "r1", Image: "registry.example/ktune:1", ConfigSecret: "ktune-client", CPU: "2", Memory: "2Gi", Deadline: 30 * time.Minute}
	data, err := Render("test", f, []string{"produce", "--brokers", "kafka-0.kafka:9092,kafka-1.kafka:9092", "--allow-remote", "--rate", "300000", "--duration", "5m", "-X", "compression.type=lz4", "--control-topic", "ctl"})
	if err != nil {
		t.Fatal(err)
	}
	jobs, err := k8s.Decode(data)
	if err != nil {
		t.Fatalf("the manifests do not decode into the API types: %v\n%s", err, data)
	}
	if len(jobs) != 2 {
		t.Fatalf("%d jobs", len(jobs))
	}
	w, m := jobs[0], jobs[1]
	if *w.Spec.Completions != 3 || *w.Spec.Parallelism != 3 || string(*w.Spec.CompletionMode) != "Indexed" {
		t.Errorf("worker job spec: %+v", w.Spec)
	}
	args := w.Spec.Template.Spec.Containers[0].Args
	for _, want := range []string{"produce", "--rate", "300000", "--workers=3", "--run-id=r1", "--worker-id=$(KTUNE_WORKER_ID)", "--command-config=/etc/ktune/client.properties"} {
		if !slices.Contains(args, want) {
			t.Errorf("worker args %q lack %q", args, want)
		}
	}
	margs := m.Spec.Template.Spec.Containers[0].Args
	for _, want := range []string{"merge", "--run-id=r1", "--workers=3", "--wait=29m0s", "--output=json", "--out=-",
		"--brokers=kafka-0.kafka:9092,kafka-1.kafka:9092", "--allow-remote=true", "--property=compression.type=lz4", "--control-topic=ctl"} {
		if !slices.Contains(margs, want) {
			t.Errorf("merge args %q lack %q", margs, want)
		}
	}
	if got := w.Spec.Template.Spec.Containers[0].Resources.Requests.Cpu().String(); got != "2" {
		t.Errorf("cpu request %s", got)
	}
}

func TestRenderRefuses(t *testing.T) {
	ok := RenderFlags{Workers: 2, RunID: "r", Image: "img", Deadline: time.Hour}
	for _, tc := range []struct {
		name string
		f    RenderFlags
		args []string
		want string
	}{
		{"not a load command", ok, []string{"sweep"}, `"sweep" cannot run on Kubernetes workers`},
		{"unknown flag", ok, []string{"produce", "--ratez", "1"}, "unknown flag: --ratez"},
		{"no bound", ok, []string{"produce", "--brokers", "k:9092", "--allow-remote"}, "the run needs a bound"},
		{"no brokers", ok, []string{"produce", "--records", "10"}, "the workers need the cluster under test"},
		{"remote without allow", ok, []string{"produce", "--records", "10", "--brokers", "kafka:9092"}, "add --allow-remote"},
		{"secret property", ok, []string{"produce", "--records", "10", "--brokers", "k:1", "--allow-remote", "-X", "sasl.jaas.config=secret"}, "-X sasl.jaas.config is a secret"},
		{"local file", ok, []string{"produce", "--records", "10", "--brokers", "k:1", "--allow-remote", "--sasl-password-file", "/home/me/pw"}, "--sasl-password-file names a local file"},
		{"result file", ok, []string{"produce", "--records", "10", "--brokers", "k:1", "--allow-remote", "--out", "/tmp/r.json"}, "--out in the run"},
		{"worker id", ok, []string{"produce", "--records", "10", "--brokers", "k:1", "--allow-remote", "--worker-id", "1"}, "--worker-id in the run: render sets it"},
		{"too few producers", ok, []string{"produce", "--records", "10", "--brokers", "k:1", "--allow-remote", "--producers", "1"}, "--producers 1 is fewer than --workers 2"},
		{"too few records", ok, []string{"produce", "--records", "1", "--brokers", "k:1", "--allow-remote"}, "--records 1 is fewer than --workers 2"},
		{"no workers", RenderFlags{RunID: "r", Image: "img"}, []string{"produce", "--records", "10", "--brokers", "k:1", "--allow-remote"}, "--workers 0: must be at least 1"},
		{"no image", RenderFlags{Workers: 2, RunID: "r"}, []string{"produce", "--records", "10", "--brokers", "k:1", "--allow-remote"}, "no --image"},
		{"bad property value", ok, []string{"produce", "--records", "10", "--brokers", "k:1", "--allow-remote", "-X", "acks=2"}, `-X acks: "2" is not one of 0, 1, all, -1`},
		{"unknown property", ok, []string{"consume", "--brokers", "k:1", "--allow-remote", "-X", "fetch.max.bytez=1"}, `unknown client property "fetch.max.bytez"`},
		{"negative rate", ok, []string{"produce", "--records", "10", "--brokers", "k:1", "--allow-remote", "--rate", "-5"}, "--rate -5: must be"},
		{"payload enum", ok, []string{"e2e", "--records", "10", "--brokers", "k:1", "--allow-remote", "--payload", "xml"}, `--payload "xml": must be random, text or file:PATH`},
		{"negative records", ok, []string{"produce", "--records", "-3", "--brokers", "k:1", "--allow-remote"}, "--records -3: must not be negative"},
		{"negative partitions", ok, []string{"produce", "--records", "10", "--brokers", "k:1", "--allow-remote", "--partitions", "-3"}, "--partitions -3: must be at least 1"},
		{"e2e without a rate", ok, []string{"e2e", "--records", "10", "--brokers", "k:1", "--allow-remote", "--rate", "0"}, "e2e needs a set rate"},
		{"consume from", ok, []string{"consume", "--brokers", "k:1", "--allow-remote", "--from", "middle"}, `--from "middle": must be earliest or latest`},
		{"local trust store", ok, []string{"produce", "--records", "10", "--brokers", "k:1", "--allow-remote", "-X", "ssl.truststore.location=/home/me/ca.pem"}, "-X ssl.truststore.location=/home/me/ca.pem names a local file the pods do not have: put the file's content as ssl.truststore.certificates"},
		{"local keytab", ok, []string{"produce", "--records", "10", "--brokers", "k:1", "--allow-remote", "-X", "sasl.kerberos.service.name=kafka"}, "names a local file"},
		{"bad broker address", ok, []string{"produce", "--records", "10", "--brokers", "kafka", "--allow-remote"}, `broker address "kafka"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := Render("test", tc.f, tc.args)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("error %v, want %q", err, tc.want)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
	// Consume needs no record bound, and loopback brokers need no
	// --allow-remote.
	if _, err := Render("test", ok, []string{"consume", "--brokers", "127.0.0.1:9092", "--topic", "t"}); err != nil {
		t.Errorf("consume: %v", err)
	}
}

// TestRenderKeepsBrokerAddresses passes the run's --brokers to the merge
// step as given: IPv6 literals keep their brackets.
func TestRenderKeepsBrokerAddresses(t *testing.T) {
	f := RenderFlags{Workers: 2, RunID: "r6", Image: "img", Deadline: time.Hour}
	for _, tc := range []struct {
		brokers []string // --brokers flags of the run
		want    string   // the merge step's --brokers
	}{
		{[]string{"[::1]:9092"}, "--brokers=[::1]:9092"},
		{[]string{"[::1]:9092,127.0.0.1:9093"}, "--brokers=[::1]:9092,127.0.0.1:9093"},
		{[]string{"[::1]:9092", "[::1]:9093"}, "--brokers=[::1]:9092,[::1]:9093"},
		{[]string{"127.0.0.1:9092"}, "--brokers=127.0.0.1:9092"},
	} {
		args := []string{"produce", "--records", "10"}
		for _, b := range tc.brokers {
			args = append(args, "--brokers", b)
		}
		data, err := Render("test", f, args)
		if err != nil {
			t.Fatalf("%v: %v", tc.brokers, err)
		}
		jobs, err := k8s.Decode(data)
		if err != nil {
			t.Fatal(err)
		}
		margs := jobs[1].Spec.Template.Spec.Containers[0].Args
		if !slices.Contains(margs, tc.want) {
			t.Errorf("%v: merge args %q lack %q", tc.brokers, margs, tc.want)
		}
	}
}
