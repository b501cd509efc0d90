package summary

import (
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/result"
)

func TestMaxRateLine(t *testing.T) {
	done := result.Header{Complete: true, StopReason: result.StopDone}
	cut := result.Header{StopReason: result.StopInterrupted}
	for _, tc := range []struct {
		name string
		doc  result.MaxRate
		want string
	}{
		{"confirmed", result.MaxRate{Header: done, LatencyKind: "intended", P99Ms: 100, RecordsPerSec: 4000, MiBPerSec: 0.38},
			"max sustainable rate: 4000 records/s (0.38 MiB/s) with intended p99 <= 100.0 ms, confirmed over 2 windows of 10s"},
		{"none met", result.MaxRate{Header: done, LatencyKind: "intended", P99Ms: 100},
			"max sustainable rate: none: no rate tried met intended p99 <= 100.0 ms"},
		{"interrupted", result.MaxRate{Header: cut, LatencyKind: "e2e", P99Ms: 50, Steps: make([]result.MaxRateStep, 3)},
			"max sustainable rate: none confirmed: the search was cut short (interrupted) after 3 window(s)"},
	} {
		got := MaxRateLine(&tc.doc, 10*time.Second)
		if !strings.HasPrefix(got, tc.want) {
			t.Errorf("%s: %q, want it to start %q", tc.name, got, tc.want)
		}
		if tc.doc.RecordsPerSec == 0 && strings.Contains(got, "0 records/s") {
			t.Errorf("%s: %q prints 0 records/s as a rate", tc.name, got)
		}
	}
}
