package root

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/result"
)

// TestTimeoutBeforeTheRunStarted: a --timeout that passes before the run
// started (here before the connection is checked, however fast the
// machine) is the timeout error (exit 1, its stop reason timeout), not an
// interruption (exit 130) nor the step's own failure; no document is
// written, as nothing was measured. compare writes its comparison all the
// same (it may hold saved results), stopped by the timeout.
func TestTimeoutBeforeTheRunStarted(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		doc  bool
	}{
		{"produce", []string{"produce", "--records", "1000"}, false},
		{"consume", []string{"consume", "--records", "1000"}, false},
		{"e2e", []string{"e2e", "--records", "1000"}, false},
		{"sweep", []string{"sweep", "--linger", "0,5", "--records", "1000", "--no-report"}, false},
		{"maxrate", []string{"maxrate", "--slo", "50ms", "--window", "1s"}, false},
		{"disrupt", []string{"disrupt", "--action", "consumer-join"}, false},
		{"drain", []string{"drain", "--backlog", "1MiB"}, false},
		{"compare", []string{"compare", "kafka-defaults", "throughput", "--records", "1000", "--no-report"}, true},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "doc.json")
			_, errOut, err := run(t, append(tt.args, "--timeout", "1ns", "--out", path)...)
			wantTimeoutErr(t, err, errOut)
			if !tt.doc {
				if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) {
					t.Errorf("a document was written for a run that never started (%v)", serr)
				}
				return
			}
			set, lerr := result.Load(path)
			if lerr != nil || len(set.Comparisons) != 1 {
				t.Fatalf("no comparison kept: %v", lerr)
			}
			c := set.Comparisons[0].Doc
			wantTimeoutHeader(t, &c.Header)
			for _, e := range c.Entries {
				if len(e.Runs) != 0 {
					t.Errorf("%s: %d runs before the run started", e.Name, len(e.Runs))
				}
			}
		})
	}
}

// TestTimeoutDuringTopicCreation: the deadline passes as the topic is
// created (the moment ktune logs it), after the connection: the same
// timeout error and no document, whether the topic's last look-up beat
// the deadline or not.
func TestTimeoutDuringTopicCreation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "doc.json")
	deadline := newEventDeadline()
	errOut := &lineWatch{match: func(line string) bool { return strings.Contains(line, "created topic") }, on: deadline.pass}
	_, err := runContext(t, deadline, errOut, "produce", "--records", "1000", "--log-level", "info", "--timeout", "3m", "--out", path)
	if !deadline.passed() {
		t.Fatalf("the run ended (%v) before the topic was created\n%s", err, errOut)
	}
	wantTimeoutErr(t, err, errOut.String())
	if _, serr := os.Stat(path); !errors.Is(serr, os.ErrNotExist) {
		t.Errorf("a document was written for a run that never started (%v)", serr)
	}
}

// TestTimeoutDuringTheRunKeepsWhatWasMeasured: every command that runs a
// workload reports a --timeout that passes during the run alike: a
// document with stop_reason timeout and complete false that keeps what
// was measured, and an error (exit 1), not an interrupt (exit 130). The
// deadline passes at an event of the run (its first measured records, its
// first finished point, window or run), not at a time, so how long
// start-up takes does not matter; --timeout 3m only ends a run whose event
// never comes.
func TestTimeoutDuringTheRunKeepsWhatWasMeasured(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
		// event is the stderr line after which the deadline passes.
		event string
		// kept checks what the document kept of the run.
		kept func(t *testing.T, set *result.Set) *result.Header
	}{
		{"produce", []string{"produce", "--records", "100000000", "--record-size", "100", "--interval", "100ms"},
			" p50 ", // an interval line with acknowledged records
			func(t *testing.T, set *result.Set) *result.Header {
				d := set.Results[0].Doc
				if d.Metrics.Records == 0 {
					t.Errorf("the document kept no records")
				}
				return &d.Header
			}},
		{"sweep", []string{"sweep", "--linger", "0,5,10,20", "--records", "20000", "--no-report"},
			"sweep 2/4 ", // the first point is finished
			func(t *testing.T, set *result.Set) *result.Header {
				d := set.Sweeps[0].Doc
				if n := len(d.Points); n == 0 || n == 4 {
					t.Errorf("the sweep kept %d of 4 points, want the finished ones", n)
				}
				return &d.Header
			}},
		{"maxrate", []string{"maxrate", "--slo", "50ms", "--window", "1s", "--window-warmup", "200ms"},
			"discover ", // the first window is finished
			func(t *testing.T, set *result.Set) *result.Header {
				d := set.MaxRates[0].Doc
				if len(d.Steps) == 0 || d.Steps[0].Achieved == 0 {
					t.Errorf("the first window was not kept: %+v", d.Steps)
				}
				return &d.Header
			}},
		{"compare", []string{"compare", "kafka-defaults", "throughput", "--records", "20000", "--repeat", "2", "--no-report"},
			"compare 2/4 ", // the first run is finished
			func(t *testing.T, set *result.Set) *result.Header {
				d := set.Comparisons[0].Doc
				if len(d.Entries) == 0 || len(d.Entries[0].Runs) != 1 {
					t.Errorf("the comparison did not keep the first run: %+v", d.Entries)
				}
				return &d.Header
			}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "doc.json")
			deadline := newEventDeadline()
			errOut := &lineWatch{match: func(line string) bool { return strings.Contains(line, tt.event) }, on: deadline.pass}
			_, err := runContext(t, deadline, errOut, append(tt.args, "--timeout", "3m", "--out", path)...)
			if !deadline.passed() {
				t.Fatalf("the run ended (%v) before %q\n%s", err, tt.event, errOut)
			}
			wantTimeoutErr(t, err, errOut.String())
			set, lerr := result.Load(path)
			if lerr != nil {
				t.Fatalf("no document kept: %v", lerr)
			}
			wantTimeoutHeader(t, tt.kept(t, set))
		})
	}
}

// TestSLOFlagIsOneType: advise takes --slo in the same forms as maxrate
// and tune, and it lands in the workload as the --slo-p99 figure does.
func TestSLOFlagIsOneType(t *testing.T) {
	for _, slo := range []string{"50ms", "p99=50ms"} {
		path := filepath.Join(t.TempDir(), "a.json")
		_, errOut, err := run(t, "advise", "--avg-mbps", "10", "--slo", slo, "--out", path)
		if err != nil {
			t.Fatalf("--slo %s: %v\n%s", slo, err, errOut)
		}
		set, err := result.Load(path)
		if err != nil || len(set.Advice) != 1 {
			t.Fatalf("%v %+v", err, set)
		}
		if got := set.Advice[0].Doc.Workload.SLOp99Ms; got != 50 {
			t.Errorf("--slo %s: workload slo_p99_ms %v, want 50", slo, got)
		}
	}
}

// wantTimeoutErr checks that err is the timeout's: exit 1 with its stop
// reason, naming --timeout.
func wantTimeoutErr(t *testing.T, err error, errOut string) {
	t.Helper()
	var stop *cmdutil.StopError
	if !errors.As(err, &stop) || stop.Reason != result.StopTimeout || errors.Is(err, cmdutil.ErrInterrupted) || !strings.Contains(err.Error(), "--timeout") {
		t.Fatalf("error %v; want a timeout error (exit 1)\n%s", err, errOut)
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error is not one line: %q", err)
	}
}

func wantTimeoutHeader(t *testing.T, h *result.Header) {
	t.Helper()
	if h.StopReason != result.StopTimeout || h.Complete || h.KtuneVersion != "test" || len(h.CommandLine) == 0 {
		t.Errorf("header: stop %q complete %v version %q command line %v", h.StopReason, h.Complete, h.KtuneVersion, h.CommandLine)
	}
}

// eventDeadline is a context whose deadline passes when pass is called,
// at an event of the run instead of at a time: the command's --timeout
// context, derived from it, ends with context.DeadlineExceeded as if its
// --timeout ran out right then.
type eventDeadline struct {
	context.Context // Background: no values, no deadline to read
	done            chan struct{}
	mu              sync.Mutex
	over            bool
	after           map[int]func()
	next            int
}

func newEventDeadline() *eventDeadline {
	return &eventDeadline{Context: context.Background(), done: make(chan struct{}), after: map[int]func(){}}
}

func (d *eventDeadline) Done() <-chan struct{} { return d.done }

func (d *eventDeadline) Err() error {
	if d.passed() {
		return context.DeadlineExceeded
	}
	return nil
}

// AfterFunc is what the context package uses to end the contexts derived
// from d: in pass itself, so that once pass returns the command's context
// has ended (no goroutine of the context package has to run first).
func (d *eventDeadline) AfterFunc(f func()) (stop func() bool) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.over {
		go f()
		return func() bool { return false }
	}
	id := d.next
	d.next++
	d.after[id] = f
	return func() bool {
		d.mu.Lock()
		defer d.mu.Unlock()
		_, ok := d.after[id]
		delete(d.after, id)
		return ok
	}
}

// pass makes the deadline pass (once).
func (d *eventDeadline) pass() {
	d.mu.Lock()
	if d.over {
		d.mu.Unlock()
		return
	}
	d.over = true
	close(d.done)
	after := d.after
	d.after = nil
	d.mu.Unlock()
	for _, f := range after {
		f()
	}
}

func (d *eventDeadline) passed() bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.over
}

// lineWatch keeps what is written to it and calls on for the first line
// that match accepts.
type lineWatch struct {
	match   func(line string) bool
	on      func()
	mu      sync.Mutex
	buf     bytes.Buffer
	partial []byte
	seen    bool
}

func (w *lineWatch) Write(p []byte) (int, error) {
	w.mu.Lock()
	w.buf.Write(p)
	w.partial = append(w.partial, p...)
	fire := false
	for {
		i := bytes.IndexByte(w.partial, '\n')
		if i < 0 {
			break
		}
		line := string(w.partial[:i])
		w.partial = w.partial[i+1:]
		if !w.seen && w.match(line) {
			w.seen, fire = true, true
		}
	}
	w.mu.Unlock()
	if fire {
		w.on()
	}
	return len(p), nil
}

func (w *lineWatch) String() string {
	w.mu.Lock()
	defer w.mu.Unlock()
	return w.buf.String()
}
