// Package netns gives a test a network namespace of its own whose
// loopback is shaped to a known rate (tc tbf), so every 127.0.0.1 address
// inside it crosses one link of that speed. It needs root and the ip and
// tc tools; tests skip with the reason where the machine does not allow
// namespaces.
package netns

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// Shaping of the link: tbf's burst and queue latency. The burst is small
// against a second of the rates tests use (100-200 Mbit/s: 12.5-25 MB/s),
// so it adds little to a measurement of a few seconds.
const (
	burst   = "256kb"
	latency = "50ms"
)

// Name is a namespace name unique to this process and tag, with the
// ktune- prefix the clean-up looks for.
func Name(tag string) string { return fmt.Sprintf("ktune-%s-%d", tag, os.Getpid()) }

// Shaped creates the namespace name, brings its loopback up and shapes it
// with tbf at rateMbit Mbit/s; the namespace (and with it the qdisc) is
// removed when the test ends, also when it fails. It skips the test when
// the machine does not allow namespaces (not root, or ip netns add fails).
func Shaped(t testing.TB, name string, rateMbit int) {
	t.Helper()
	if os.Geteuid() != 0 {
		t.Skip("skipped: network namespaces need root (ip netns add); run as root to measure a tc-shaped link")
	}
	if _, err := exec.LookPath("ip"); err != nil {
		t.Skip("skipped: no ip command (iproute2) to create a network namespace")
	}
	if out, err := run("ip", "netns", "add", name); err != nil {
		t.Skipf("skipped: this machine does not allow network namespaces: ip netns add %s: %v: %s", name, err, out)
	}
	t.Cleanup(func() {
		if out, err := run("ip", "netns", "del", name); err != nil {
			t.Errorf("ip netns del %s: %v: %s", name, err, out)
		}
	})
	if out, err := run("ip", "-n", name, "link", "set", "lo", "up"); err != nil {
		t.Fatalf("bringing lo up in %s: %v: %s", name, err, out)
	}
	rate := fmt.Sprintf("%dmbit", rateMbit)
	if out, err := run("ip", "netns", "exec", name, "tc", "qdisc", "add", "dev", "lo", "root", "tbf", "rate", rate, "burst", burst, "latency", latency); err != nil {
		t.Skipf("skipped: tc cannot shape the namespace's loopback (tbf rate %s): %v: %s", rate, err, out)
	}
}

// Command runs name with args inside the namespace ns.
func Command(ctx context.Context, ns, name string, args ...string) *exec.Cmd {
	return exec.CommandContext(ctx, "ip", append([]string{"netns", "exec", ns, name}, args...)...)
}

func run(name string, args ...string) (string, error) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	out, err := exec.CommandContext(ctx, name, args...).CombinedOutput()
	return strings.TrimSpace(string(out)), err
}
