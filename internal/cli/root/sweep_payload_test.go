package root

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

// TestSweepPayloadReachesAdvice: sweep takes --payload and
// --compressibility as produce does; every point records them, and
// advise ranks codecs only on the payload that compresses.
func TestSweepPayloadReachesAdvice(t *testing.T) {
	for _, tc := range []struct {
		args          []string
		payload       string
		notRanked     bool
		compressBelow float64
	}{
		{[]string{"--payload", "text"}, "text", false, 0.9},
		{[]string{"--compressibility", "0.6"}, "random", false, 0.9},
		{nil, "random", true, 0},
	} {
		dir := t.TempDir()
		sw := filepath.Join(dir, "s.json")
		args := append([]string{"sweep", "--compression", "none,lz4", "--max-poll-records", "100,500", "--records", "1000", "--record-size", "400", "--no-report"}, tc.args...)
		doc := runDecode(t, sw, result.DecodeSweep, args...)
		for _, p := range doc.Points {
			if p.Produce.Workload.Payload != tc.payload {
				t.Errorf("%v: point %s payload %q, want %q", tc.args, p.Key, p.Produce.Workload.Payload, tc.payload)
			}
			if r := p.Produce.Metrics.Producer; tc.compressBelow > 0 && p.Params["producer:compression.type"] == "lz4" && (r == nil || r.CompressionRatio >= tc.compressBelow) {
				t.Errorf("%v: lz4 point compression %+v, want below %v", tc.args, r, tc.compressBelow)
			}
		}
		out, errOut, err := run(t, "advise", "--avg-mbps", "10", "--results", sw, "--out", filepath.Join(dir, "a.json"))
		if err != nil {
			t.Fatalf("%v: %v\n%s", tc.args, err, errOut)
		}
		if got := strings.Contains(out, "compression.type not ranked"); got != tc.notRanked {
			t.Errorf("%v: codecs not ranked %v, want %v:\n%s", tc.args, got, tc.notRanked, out)
		}
		if !strings.Contains(out, "Consumer settings: max.poll.records=") {
			t.Errorf("%v: no consumer choice in:\n%s", tc.args, out)
		}
	}
}
