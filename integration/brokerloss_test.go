package integration

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/result"
)

// TestClusterKilled is issue 28's hang on a real cluster: every broker is
// SIGKILLed 4 s into `ktune produce --duration 60s`, which must end by
// itself within max(delivery.timeout.ms, interval) plus a bounded flush,
// exit 1 and keep the outage in its document. A regression fails on the
// hard bound instead of hanging. The brokers are started again, and all
// answer, before the test returns.
func TestClusterKilled(t *testing.T) {
	script := kafkaScriptPath(t)
	conn := connect(t)
	boot := strings.Join(bootstrap(t), ",")
	topic := newTopic(t, conn, 3, nil)
	doc := filepath.Join(t.TempDir(), "doc.json")
	t.Cleanup(func() {
		if out, err := exec.Command(script, "start-brokers").CombinedOutput(); err != nil {
			t.Errorf("kafka.sh start-brokers: %v\n%s", err, out)
		}
	})

	const hardBound = 2 * time.Minute
	ctx, cancel := context.WithTimeout(context.Background(), hardBound)
	defer cancel()
	cmd := exec.CommandContext(ctx, ktuneBin, "produce", "--brokers", boot, "--topic", topic, "--duration", "60s",
		"--rate", "500", "-X", "delivery.timeout.ms=5000", "--interval", "1s", "--out", doc)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	time.Sleep(4 * time.Second)
	for i := 1; i <= brokers(); i++ {
		if out, err := exec.Command(script, "kill-broker", strconv.Itoa(i)).CombinedOutput(); err != nil {
			t.Fatalf("kafka.sh kill-broker %d: %v\n%s", i, err, out)
		}
	}
	err := cmd.Wait()
	if ctx.Err() != nil {
		t.Fatalf("produce still ran %s after every broker was killed (the hang of issue 28)\n%s", hardBound, tail(stderr.String()))
	}
	var exit *exec.ExitError
	if !errors.As(err, &exit) || exit.ExitCode() != 1 {
		t.Fatalf("exit: %v, want status 1\n%s", err, tail(stderr.String()))
	}
	f, err := os.Open(doc)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	d, err := result.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	if d.Complete || d.StopReason != result.StopClusterUnreachable {
		t.Fatalf("complete %v, stop reason %q; want false, %q", d.Complete, d.StopReason, result.StopClusterUnreachable)
	}
	if u := d.Metrics.Producer.Unavailability; u == nil || u.Longest == nil || !u.Longest.Open {
		t.Fatalf("the outage is not the document's open unavailability window: %+v", u)
	}
	t.Logf("records %d, errors %v, outage %+v", d.Metrics.Records, d.Metrics.Errors, *d.Metrics.Producer.Unavailability.Longest)
}

// tail is the end of a process's stderr, for a failure message.
func tail(s string) string {
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}
