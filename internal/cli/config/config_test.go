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
	if len(docs) != len(clientcfg.Describe(clientcfg.Consumer, clientcfg.CurrentLine)) {
		t.Errorf("%d properties, want the consumer's %d", len(docs), len(clientcfg.Describe(clientcfg.Consumer, clientcfg.CurrentLine)))
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
	if len(lines) != len(clientcfg.DescribeAll(clientcfg.CurrentLine))+1 || !strings.HasPrefix(lines[0], "property") {
		t.Fatalf("%d lines for %d properties:\n%s", len(lines), len(clientcfg.DescribeAll(clientcfg.CurrentLine)), out)
	}
	for _, want := range []string{"sasl.jaas.config", "secret: never printed or written", "franz-go: its own default is 10 ms; ktune sets the Java line's (0 on 3.x, 5 on 4.x)", "a local file"} {
		if !strings.Contains(out, want) {
			t.Errorf("list lacks %q", want)
		}
	}
}

// TestListAndShowFollowTheClientLine: the defaults listed and applied are
// the 4.x Java client's unless --client-line 3 asks for 3.x's (Kafka 4.0
// changed linger.ms from 0 to 5, KIP-1030).
func TestListAndShowFollowTheClientLine(t *testing.T) {
	for _, tc := range []struct {
		args   []string
		linger string
		line   int
	}{
		{nil, "5", 4},
		{[]string{"--client-line", "4"}, "5", 4},
		{[]string{"--client-line", "3"}, "0", 3},
	} {
		out, err := run(t, append([]string{"list", "--role", "producer", "-o", "json"}, tc.args...)...)
		if err != nil {
			t.Fatal(err)
		}
		var docs []clientcfg.PropertyDoc
		if err := json.Unmarshal([]byte(out), &docs); err != nil {
			t.Fatal(err)
		}
		for _, d := range docs {
			if d.Name == "linger.ms" && (d.Default != tc.linger || d.Line != tc.line) {
				t.Errorf("list %v: linger.ms default %s on line %d, want %s on %d", tc.args, d.Default, d.Line, tc.linger, tc.line)
			}
		}
		out, err = run(t, append([]string{"show", "--role", "producer"}, tc.args...)...)
		if err != nil || !strings.Contains(out, "\nlinger.ms="+tc.linger+"\n") {
			t.Errorf("show %v: %v\n%s", tc.args, err, out)
		}
	}
	if _, err := run(t, "list", "--client-line", "5"); err == nil || !strings.Contains(err.Error(), "must be 3 or 4") {
		t.Errorf("--client-line 5: %v", err)
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
