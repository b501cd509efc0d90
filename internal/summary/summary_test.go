package summary

import (
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

// TestHeadlineShowsTheMainLatency: each kind's one-line summary shows the
// latency that describes it: intended for produce, end-to-end for consume
// and e2e (an e2e run records producer latency too).
func TestHeadlineShowsTheMainLatency(t *testing.T) {
	lat := map[string]result.Latency{
		result.LatencyIntended: {P99: 1.5},
		result.LatencyE2E:      {P99: 42},
	}
	for _, tt := range []struct {
		kind result.Kind
		want string
	}{
		{result.KindProduce, "1.50 ms 99th, 0.00 ms 99.9th (intended latency)"},
		{result.KindE2E, "42.00 ms 99th, 0.00 ms 99.9th (e2e latency)"},
		{result.KindConsume, "42.00 ms 99th, 0.00 ms 99.9th (e2e latency)"},
	} {
		doc := &result.Document{Header: result.Header{Kind: tt.kind}, Metrics: result.Metrics{Latency: lat}}
		if got := Headline(doc); !strings.Contains(got, tt.want) {
			t.Errorf("%s: %s; want %q", tt.kind, got, tt.want)
		}
	}
}
