package advisor

import (
	"bytes"
	"regexp"
	"strings"
	"testing"
)

// TestRenderFigures: figures print in plain notation, and a small load
// keeps its significant digits instead of printing as 0.
func TestRenderFigures(t *testing.T) {
	eNotation := regexp.MustCompile(`\d[eE][+-]\d`)
	for _, tc := range []struct {
		name string
		w    Workload
		want []string
	}{
		{"small load", Workload{RecordsPerDay: 1000, RecordBytes: 100}, []string{"average produce | 0.00000116 MB/s"}},
		{"small rate", Workload{AvgMBps: 0.004}, []string{"average produce | 0.004 MB/s", "peak produce W | 0.004 MB/s"}},
		{"large disk", Workload{AvgMBps: 9000, RetentionHours: 1440}, []string{"GB of disk** in all"}},
		{"large disk with hardware", Workload{AvgMBps: 9000, RetentionHours: 1440, Hardware: Hardware{DiskMBps: 500, DiskGB: 4000}}, []string{"| disk size | 4000 GB |"}},
	} {
		a, err := Advise(Input{Workload: tc.w})
		if err != nil {
			t.Fatalf("%s: %v", tc.name, err)
		}
		var b bytes.Buffer
		WriteMarkdown(&b, a)
		out := b.String()
		if m := eNotation.FindString(out); m != "" {
			t.Errorf("%s: e-notation %q in:\n%s", tc.name, m, out)
		}
		for _, w := range tc.want {
			if !strings.Contains(out, w) {
				t.Errorf("%s: no %q in:\n%s", tc.name, w, out)
			}
		}
		if strings.Contains(out, " 0 MB/s") {
			t.Errorf("%s: a rate printed as 0 MB/s:\n%s", tc.name, out)
		}
	}
}
