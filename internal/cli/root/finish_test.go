package root

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/result"
)

// TestTimeoutIsAnErrorWithItsStopReason: every command that runs a
// workload reports --timeout alike: a document with stop_reason timeout,
// complete false, and an error (exit 1), not an interrupt (exit 130).
func TestTimeoutIsAnErrorWithItsStopReason(t *testing.T) {
	for _, tt := range []struct {
		name string
		args []string
	}{
		{"produce", []string{"produce", "--records", "100000000", "--record-size", "100"}},
		{"sweep", []string{"sweep", "--linger", "0,5,10,20", "--records", "2000000", "--no-report"}},
		{"maxrate", []string{"maxrate", "--slo", "50ms", "--window", "5s"}},
		{"compare", []string{"compare", "kafka-defaults", "throughput", "--records", "2000000", "--repeat", "2", "--no-report"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "doc.json")
			_, errOut, err := run(t, append(tt.args, "--timeout", "2s", "--out", path)...)
			if err == nil || err == cmdutil.ErrInterrupted || !strings.Contains(err.Error(), "--timeout") {
				t.Fatalf("error %v; want a timeout error (exit 1)\n%s", err, errOut)
			}
			data, rerr := os.ReadFile(path)
			if rerr != nil {
				t.Fatalf("no document kept: %v", rerr)
			}
			var h result.Header
			if err := json.Unmarshal(data, &h); err != nil {
				t.Fatal(err)
			}
			if h.StopReason != result.StopTimeout || h.Complete || h.KtuneVersion != "test" || len(h.CommandLine) == 0 {
				t.Errorf("header: stop %q complete %v version %q command line %v", h.StopReason, h.Complete, h.KtuneVersion, h.CommandLine)
			}
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
