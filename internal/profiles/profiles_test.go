package profiles

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ktune/ktune/internal/clientcfg"
)

func TestBuiltinsLoadAndResolve(t *testing.T) {
	ps, err := List()
	if err != nil {
		t.Fatal(err)
	}
	names := []string{}
	for _, p := range ps {
		names = append(names, p.Name)
		if p.Description == "" {
			t.Errorf("%s has no trade-off sentence", p.Name)
		}
		if _, err := clientcfg.Resolve(p.Producer, clientcfg.Producer); err != nil {
			t.Errorf("%s producer: %v", p.Name, err)
		}
		if _, err := clientcfg.Resolve(p.Consumer, clientcfg.Consumer); err != nil {
			t.Errorf("%s consumer: %v", p.Name, err)
		}
	}
	if got := strings.Join(names, ","); got != "balanced,durability,kafka-defaults,latency,textbook,throughput" {
		t.Errorf("built-ins: %s", got)
	}
	tb, _ := Load("textbook")
	if tb.Sweep == nil || tb.Sweep.Mode != "one-at-a-time" || len(tb.Sweep.Producer) != 4 || len(tb.Sweep.Consumer) != 2 {
		t.Fatalf("textbook sweep: %+v", tb.Sweep)
	}
	r, _ := clientcfg.Resolve(tb.Producer, clientcfg.Producer)
	if r.Effective()["batch.size"] != "16384" {
		t.Errorf("textbook does not start from kafka-defaults: %v", r.Effective())
	}
}

// TestKafkaDefaultsFollowTheClientLine: the kafka-defaults profile is the
// Java client's defaults of the line asked for, not 3.x's whatever the
// line (Kafka 4.0 changed linger.ms from 0 to 5, KIP-1030).
func TestKafkaDefaultsFollowTheClientLine(t *testing.T) {
	p, err := Load("kafka-defaults")
	if err != nil {
		t.Fatal(err)
	}
	for line, want := range map[clientcfg.Line]string{clientcfg.Line3: "0", clientcfg.Line4: "5"} {
		r, err := clientcfg.ResolveLine(p.Producer, clientcfg.Producer, line)
		if err != nil {
			t.Fatal(err)
		}
		def, _ := clientcfg.ResolveLine(nil, clientcfg.Producer, line)
		if got := r.Effective()["linger.ms"]; got != want {
			t.Errorf("kafka-defaults on the %s line: linger.ms %s, want %s", line, got, want)
		}
		for k, v := range r.Effective() {
			if def.Effective()[k] != v {
				t.Errorf("kafka-defaults on the %s line sets %s=%s; the line's default is %s", line, k, v, def.Effective()[k])
			}
		}
	}
}

func TestUserProfilesAndErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		path := filepath.Join(dir, name)
		os.WriteFile(path, []byte(body), 0o644)
		return path
	}
	write("mine.yaml", "name: mine\ndescription: mine\nbase: throughput\nproducer:\n  linger.ms: \"7\"\n")
	p, err := Load("mine", dir)
	if err != nil {
		t.Fatal(err)
	}
	r, _ := clientcfg.Resolve(p.Producer, clientcfg.Producer)
	if r.Effective()["linger.ms"] != "7" || r.Effective()["compression.type"] != "lz4" || p.Topic.Partitions != 6 {
		t.Errorf("merge with base: %v %+v", r.Effective(), p.Topic)
	}
	tests := []struct{ body, want string }{
		{"name: x\nproducer:\n  linger.ms: \"5\"\n  compression.type: lz5\n", `bad.yaml:4: compression.type: "lz5" is not one of`},
		{"name: x\nproducer:\n  lingerms: \"5\"\n", `bad.yaml:3: unknown client property "lingerms"`},
		{"name: x\ntopic:\n  partitions: many\n", `bad.yaml:3: topic.partitions: "many"`},
		{"name: x\nflavour: spicy\n", `bad.yaml:2: unknown key "flavour"`},
		{"name: x\nsweep:\n  producer:\n    acks: [\"1\", \"2\"]\n", `bad.yaml:4: acks: "2" is not one of`},
		{"description: nameless\n", "has no name"},
	}
	for _, tt := range tests {
		path := write("bad.yaml", tt.body)
		_, err := Load(path)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%q: err %v, want %q", tt.body, err, tt.want)
		}
	}
	if _, err := Load("nope"); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown: %v", err)
	}
}
