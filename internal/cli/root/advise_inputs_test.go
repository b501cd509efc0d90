package root

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// adviseWorkload runs advise with args and returns the workload of its
// document.
func adviseWorkload(t *testing.T, args ...string) map[string]any {
	t.Helper()
	out, errOut, err := run(t, append([]string{"advise", "-o", "json", "--out", filepath.Join(t.TempDir(), "a.json")}, args...)...)
	if err != nil {
		t.Fatalf("%v: %v\n%s", args, err, errOut)
	}
	var a struct {
		Workload map[string]any `json:"workload"`
	}
	if err := json.Unmarshal([]byte(out), &a); err != nil {
		t.Fatalf("%v: %v", args, err)
	}
	return a.Workload
}

// writeWorkload writes a --workload file and returns its path.
func writeWorkload(t *testing.T, text string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "w.yaml")
	if err := os.WriteFile(p, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// TestAdviseDurationsTakeDays: days in flags and in the workload file,
// whose keys are the flags' names; a flag beats the file.
func TestAdviseDurationsTakeDays(t *testing.T) {
	file := writeWorkload(t, "avg-mbps: 5\nretention: 7d\nlocal-retention: 1d\nmax-recovery: 1d\nbroker-disk-gb: 4000\nsegment-bytes: 512MiB\n")
	for _, tc := range []struct {
		args  []string
		field string
		want  float64
	}{
		{[]string{"--avg-mbps", "5", "--retention", "90d"}, "retention_hours", 2160},
		{[]string{"--avg-mbps", "5", "--retention", "1d12h"}, "retention_hours", 36},
		{[]string{"--avg-mbps", "5", "--retention", "7d", "--local-retention", "2d"}, "local_retention_hours", 48},
		{[]string{"--avg-mbps", "5", "--max-recovery", "1d"}, "max_recovery_hours", 24},
		{[]string{"--workload", file}, "retention_hours", 168},
		{[]string{"--workload", file}, "local_retention_hours", 24},
		{[]string{"--workload", file}, "max_recovery_hours", 24},
		{[]string{"--workload", file}, "segment_bytes", 512 << 20},
		{[]string{"--workload", file, "--retention", "30d"}, "retention_hours", 720},
		{[]string{"--workload", file, "--avg-mbps", "9"}, "avg_mbps", 9},
	} {
		if got := adviseWorkload(t, tc.args...)[tc.field]; got != tc.want {
			t.Errorf("%v: %s = %v, want %v", tc.args, tc.field, got, tc.want)
		}
	}
}

// TestAdviseRefusesBadInput: each bad input is refused in one line that
// names the flag and the value, before any document is written, and the
// error is returned, not also printed.
func TestAdviseRefusesBadInput(t *testing.T) {
	for _, tc := range []struct {
		args []string
		file string
		want string
	}{
		{args: []string{"--avg-mbps", "5", "--retention", "7x"}, want: `"7x" is not a duration such as 90m, 168h or 7d`},
		{args: []string{"--avg-mbps", "5", "--consumer-groups", "0"}, want: "--consumer-groups 0: must be at least 1"},
		{file: "avg-mbps: 5\nconsumer-groups: 0\n", want: "--consumer-groups 0: must be at least 1"},
		{args: []string{"--avg-mbps", "5", "--compression-ratio", "0"}, want: "--compression-ratio 0: must be above 0 up to 1"},
		{args: []string{"--avg-mbps", "5", "--compression-ratio", "1.8"}, want: "--compression-ratio 1.8: must be above 0 up to 1"},
		{args: []string{"--records-per-day", "100000000", "--record-size", "100", "--avg-mbps", "5"}, want: "give one of them"},
		{file: "records-per-day: 100000000\nrecord-size: 100\n", args: []string{"--avg-mbps", "5"}, want: "give one of them"},
		{args: []string{"--avg-mbps", "1e308"}, want: "--avg-mbps 1e+308: must be a finite number up to 1000000"},
		{args: []string{"--avg-mbps", "Inf"}, want: "--avg-mbps +Inf: must be a finite number"},
		{args: []string{"--avg-mbps", "5", "--broker-disk-gb", "NaN"}, want: "--broker-disk-gb NaN: must be a finite number"},
		{file: "avg-mbps: 5\nretention_hours: 72\n", want: `unknown key "retention_hours": keys are the flags' names`},
		{file: "avg-mbps: 5\nrecord_size: 100\n", want: `keys are the flags' names, here "record-size"`},
		{file: "avg-mbps: 5\nretention: 7x\n", want: `line 2: retention "7x"`},
		{file: "avg-mbps: 5\nbroker:\n  disk_gb: 10\n", want: `unknown key "broker"`},
		{file: "avg-mbps: [5]\n", want: "avg-mbps: want a single value"},
		{file: "avg-mbps: 5\navg-mbps: 6\n", want: `key "avg-mbps" given twice`},
	} {
		dir := t.TempDir()
		args := append([]string{"advise", "--out", filepath.Join(dir, "a.json")}, tc.args...)
		if tc.file != "" {
			args = append(args, "--workload", writeWorkload(t, tc.file))
		}
		out, errOut, err := run(t, args...)
		if err == nil || !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v %q: %v, want one line with %q", tc.args, tc.file, err, tc.want)
		}
		if out != "" || errOut != "" {
			t.Errorf("%v %q: printed %q and %q besides the error", tc.args, tc.file, out, errOut)
		}
		if _, err := os.Stat(filepath.Join(dir, "a.json")); err == nil {
			t.Errorf("%v %q: a document was written", tc.args, tc.file)
		}
	}
}
