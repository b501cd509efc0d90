package disrupt

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/result"
)

func execute(t *testing.T, cmd *cobra.Command, args ...string) (string, error) {
	t.Helper()
	var out, errb bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(cmdutil.SyncWriter(&errb)) // the run's goroutines log and print progress at once
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(context.Background())
	if err != nil {
		t.Logf("stderr:\n%s", errb.String())
	}
	return out.String(), err
}

// TestDisruptCommandWritesTheDocument runs a short elect-leaders on the
// embedded cluster through the command and reads its document back.
func TestDisruptCommandWritesTheDocument(t *testing.T) {
	path := filepath.Join(t.TempDir(), "d.json")
	out, err := execute(t, NewCmd("test"), "--action", "elect-leaders", "--rate", "200", "--warmup", "500ms",
		"--baseline", "1s", "--settle", "500ms", "--max-wait", "3s", "--interval", "250ms", "--out", path)
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, "action          elect-leaders") || !strings.Contains(out, "delivery audit") {
		t.Errorf("summary:\n%s", out)
	}
	d, err := result.ReadDisruption(path)
	if err != nil {
		t.Fatal(err)
	}
	if d.KtuneVersion != "test" || d.Action != "elect-leaders" || d.Audit == nil || d.Workload.Rate != 200 || d.Workload.Partitions != 6 || len(d.Intervals) == 0 {
		t.Fatalf("document: %+v", d)
	}
}

func TestDrainCommandJSON(t *testing.T) {
	out, err := execute(t, NewDrainCmd("test"), "--backlog", "256KiB", "--rate", "200", "--max-wait", "10s", "--after", "250ms",
		"--interval", "250ms", "-o", "json", "--out", "-")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(out, `"kind": "drain"`) || !strings.Contains(out, `"caught_up": true`) {
		t.Fatalf("stdout:\n%s", out)
	}
}

// TestDrainSweepCommand runs a 2-point drain sweep through the command:
// one table row per point, the fastest named, one drain-sweep document.
func TestDrainSweepCommand(t *testing.T) {
	path := filepath.Join(t.TempDir(), "ds.json")
	out, err := execute(t, NewDrainCmd("test"), "--backlog", "512KiB", "--rate", "200", "--max-wait", "10s", "--after", "250ms",
		"--interval", "250ms", "--vary", "consumers=1,2", "--out", path)
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"drain sweep: 2 point(s), a 0.5 MiB backlog each", " consumers=1 ", " consumers=2 ", "fastest: consumers="} {
		if !strings.Contains(out, want) {
			t.Errorf("stdout lacks %q:\n%s", want, out)
		}
	}
	set, err := result.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.DrainSweeps) != 1 {
		t.Fatalf("%s: not one drain-sweep document: %+v", path, set)
	}
	d := set.DrainSweeps[0].Doc
	if d.KtuneVersion != "test" || !d.Complete || len(d.Points) != 2 || d.Points[1].Drain.Workload.Consumers != 2 {
		t.Fatalf("document: complete %v, %d points", d.Complete, len(d.Points))
	}
}

func TestBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"--action", "explode"}, "must be one of"},
		{[]string{"--action", "broker-restart"}, "needs --exec"},
		{[]string{"--action", "decommission"}, "needs --broker"},
	}
	// A drain sweep is checked whole before anything starts.
	for _, vary := range [][]string{{"--vary", "max.poll.records=1,2,3,4,5", "--vary", "consumers=1,2,3,4"}, {"--vary", "linger.ms=0,5"}} {
		_, err := execute(t, NewDrainCmd("test"), append(vary, "--out", filepath.Join(os.TempDir(), "never.json"))...)
		if err == nil || !strings.HasPrefix(err.Error(), "--vary") {
			t.Errorf("%v: error %v", vary, err)
		}
	}
	for _, tt := range tests {
		_, err := execute(t, NewCmd("test"), append(tt.args, "--out", filepath.Join(os.TempDir(), "never.json"))...)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%v: error %v, want %q", tt.args, err, tt.want)
		}
	}
}
