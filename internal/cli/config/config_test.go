package config

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ktune/ktune/internal/clientcfg"
)

func run(t *testing.T, args ...string) (string, error) {
	t.Helper()
	cmd := NewCmd()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errb)
	cmd.SetArgs(args)
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	err := cmd.ExecuteContext(context.Background())
	return out.String(), err
}

func TestList(t *testing.T) {
	out, err := run(t, "list", "--role", "consumer", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var docs []clientcfg.PropertyDoc
	if err := json.Unmarshal([]byte(out), &docs); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(docs) != len(clientcfg.Describe(clientcfg.Consumer)) {
		t.Errorf("%d properties, want the consumer's %d", len(docs), len(clientcfg.Describe(clientcfg.Consumer)))
	}
	found := false
	for _, d := range docs {
		if d.Name == "linger.ms" {
			t.Error("a producer property in --role consumer")
		}
		if d.Name == "fetch.max.wait.ms" {
			found = d.Default == "500" && strings.Contains(d.FranzGo, "5 s") && !d.Secret
		}
	}
	if !found {
		t.Error("fetch.max.wait.ms missing or wrong")
	}

	out, err = run(t, "list")
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != len(clientcfg.DescribeAll())+1 || !strings.HasPrefix(lines[0], "property") {
		t.Fatalf("%d lines for %d properties:\n%s", len(lines), len(clientcfg.DescribeAll()), out)
	}
	for _, want := range []string{"sasl.jaas.config", "secret: never printed or written", "franz-go: its own default is 10 ms; ktune sets Java's 0", "a local file"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q", want)
		}
	}
}

func TestShowHidesSecrets(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "client.properties")
	os.WriteFile(file, []byte("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=PLAIN\nsasl.jaas.config=org.apache.kafka.common.security.plain.PlainLoginModule required username=\"u\" password=\"s3cret\";\nlinger.ms=20\n"), 0o600)
	out, err := run(t, "show", "--command-config", file, "-X", "linger.ms=5", "-X", "fetch.min.bytes=1000")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(out, "s3cret") {
		t.Fatalf("the password is in the output:\n%s", out)
	}
	for _, want := range []string{"[producer]", "[consumer]", "[admin]", "linger.ms=5\n", "fetch.min.bytes=1000\n", "sasl.jaas.config=[hidden]", "\n# compression.type=none (the Java default) is set explicitly"} {
		if !strings.Contains(out, want) {
			t.Errorf("show lacks %q:\n%s", want, out)
		}
	}
	out, err = run(t, "show", "--role", "producer", "-X", "acks=1", "-o", "json")
	if err != nil {
		t.Fatal(err)
	}
	var cfgs []RoleConfig
	if err := json.Unmarshal([]byte(out), &cfgs); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	if len(cfgs) != 1 || cfgs[0].Role != "producer" || cfgs[0].Properties["acks"] != "1" || cfgs[0].Properties["enable.idempotence"] != "false" || len(cfgs[0].Notes) == 0 {
		t.Errorf("show -o json: %+v", cfgs)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"show", "-X", "acks=2"}, `-X acks: "2" is not one of 0, 1, all, -1`},
		{[]string{"show", "-X", "lingerms=2"}, "did you mean linger.ms?"},
		{[]string{"show", "--role", "broker"}, `--role "broker"`},
		{[]string{"list", "-o", "yaml"}, `--output "yaml"`},
	} {
		if _, err := run(t, tc.args...); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%v: %v, want %q", tc.args, err, tc.want)
		}
	}
}
