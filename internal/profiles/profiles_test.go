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
	if r.Effective()["linger.ms"] != "0" || r.Effective()["batch.size"] != "16384" {
		t.Errorf("textbook does not start from kafka-defaults: %v", r.Effective())
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
