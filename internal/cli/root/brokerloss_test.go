package root

import (
	"bufio"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
)

// killableCluster runs `ktune embedded` (one kfake broker) as a process of
// its own, so the test can SIGKILL it, and returns its address and the
// process.
func killableCluster(t *testing.T, bin string) (string, *os.Process) {
	t.Helper()
	cmd := exec.Command(bin, "embedded", "--brokers", "1", "--duration", "3m")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = cmd.Process.Kill(); _ = cmd.Wait() })
	line := make(chan string, 1)
	go func() {
		s := bufio.NewScanner(out)
		if s.Scan() {
			line <- s.Text()
		}
		close(line)
	}()
	select {
	case addr, ok := <-line:
		if !ok || addr == "" {
			t.Fatal("ktune embedded printed no address")
		}
		return addr, cmd.Process
	case <-time.After(30 * time.Second):
		t.Fatal("ktune embedded did not start within 30 s")
	}
	return "", nil
}

// TestBrokerKilled SIGKILLs the only broker of a run and checks that the
// run ends by itself (a regression fails on the hard bound instead of
// hanging) or on Ctrl-C, exits non-zero and writes a document that is not complete and
// says why. Issue 28, item 1: on the old code produce waited forever in
// AbortBufferedRecords and ignored --timeout and Ctrl-C.
func TestBrokerKilled(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs ktune processes")
	}
	bin, err := ktuneBinary()
	if err != nil {
		t.Fatal(err)
	}
	const hardBound = 90 * time.Second // far above every bound the runs set
	for _, tc := range []struct {
		name string
		args []string
		want result.StopReason
		// interrupt: SIGINT 2 s after the kill; the run must exit 130.
		interrupt bool
	}{
		{"produce", []string{"produce", "--duration", "60s", "--rate", "500", "-X", "delivery.timeout.ms=3000", "--interval", "1s"}, result.StopClusterUnreachable, false},
		{"produce --timeout", []string{"produce", "--duration", "60s", "--rate", "500", "--timeout", "8s"}, result.StopTimeout, false},
		{"produce Ctrl-C", []string{"produce", "--duration", "60s", "--rate", "500"}, result.StopInterrupted, true},
		{"consume", []string{"consume", "--topic", "t1", "--duration", "60s", "--idle-timeout", "5s", "--interval", "1s"}, result.StopClusterUnreachable, false},
		{"consume --timeout", []string{"consume", "--topic", "t1", "--duration", "60s", "--idle-timeout", "60s", "--timeout", "8s"}, result.StopTimeout, false},
		{"e2e", []string{"e2e", "--duration", "60s", "--rate", "500", "-X", "delivery.timeout.ms=3000", "--interval", "1s"}, result.StopClusterUnreachable, false},
		{"e2e --timeout", []string{"e2e", "--duration", "60s", "--rate", "500", "--timeout", "8s"}, result.StopTimeout, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			addr, broker := killableCluster(t, bin)
			if tc.args[0] == "consume" { // a topic with records to read
				r := testkit.RunIn("", bin, nil, time.Minute, "produce", "--brokers", addr, "--topic", "t1", "--records", "2000", "--out", "-")
				if r.Err != nil {
					t.Fatalf("filling t1: %v\n%s", r.Err, tail(r.Stderr))
				}
			}
			doc := filepath.Join(t.TempDir(), "doc.json")
			ctx, cancel := context.WithTimeout(context.Background(), hardBound)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, append([]string{tc.args[0], "--brokers", addr, "--out", doc}, tc.args[1:]...)...)
			// At the hard bound, SIGQUIT: a hung run's goroutine dump
			// ends its stderr, which the failure quotes.
			cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGQUIT) }
			cmd.WaitDelay = 5 * time.Second
			var stderr strings.Builder
			cmd.Stderr = &stderr
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			time.Sleep(3 * time.Second)
			if err := broker.Kill(); err != nil { // SIGKILL
				t.Fatal(err)
			}
			wantExit := 1
			if tc.interrupt {
				time.Sleep(2 * time.Second)
				if err := cmd.Process.Signal(os.Interrupt); err != nil {
					t.Fatal(err)
				}
				wantExit = 130
			}
			err := cmd.Wait()
			if ctx.Err() != nil {
				t.Fatalf("%s still ran %s after its broker was killed (the hang of issue 28)\n%s", tc.name, hardBound, tail(stderr.String()))
			}
			var exit *exec.ExitError
			if !errors.As(err, &exit) || exit.ExitCode() != wantExit {
				t.Fatalf("exit: %v, want status %d\n%s", err, wantExit, tail(stderr.String()))
			}
			f, err := os.Open(doc)
			if err != nil {
				t.Fatalf("no document: %v\n%s", err, tail(stderr.String()))
			}
			defer f.Close()
			d, err := result.Decode(f)
			if err != nil {
				t.Fatalf("no document: %v\n%s", err, tail(stderr.String()))
			}
			if d.Complete || d.StopReason != tc.want {
				t.Fatalf("complete %v, stop reason %q; want false, %q", d.Complete, d.StopReason, tc.want)
			}
			// The outage is in the document as it happened: an open
			// unavailability window (the producer's, the consumers') and
			// errors by class.
			var windows []*result.Unavailability
			if p := d.Metrics.Producer; p != nil {
				windows = append(windows, p.Unavailability)
			}
			if c := d.Metrics.Consumer; c != nil {
				windows = append(windows, c.Unavailability)
				if len(c.Errors) == 0 {
					t.Errorf("the consumers counted no failed request")
				}
			}
			for _, u := range windows {
				if u == nil || u.Longest == nil || !u.Longest.Open {
					t.Errorf("the outage is not an open unavailability window: %+v", u)
				}
			}
			if d.Metrics.ErrorsTotal == 0 {
				t.Errorf("no error counted; errors %v", d.Metrics.Errors)
			}
		})
	}
}

// tail is the end of a process's stderr, for a failure message: from
// its goroutine dump if it has one.
func tail(s string) string {
	if i := strings.Index(s, "SIGQUIT"); i >= 0 {
		return s[i:]
	}
	if len(s) > 2000 {
		return s[len(s)-2000:]
	}
	return s
}
