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

func TestBrokerTableAndTimeLine(t *testing.T) {
	idle := 0.885
	doc := &result.Document{Header: result.Header{Kind: result.KindProduce}, Metrics: result.Metrics{Latency: map[string]result.Latency{
		result.LatencyIntended: {Count: 1, Mean: 80}, result.LatencyService: {Count: 1, Mean: 70}}},
		Brokers: &result.BrokerMetrics{Brokers: []result.BrokerSeries{
			{Endpoint: "b1", Window: &result.BrokerFigures{RequestHandlerIdle: &idle, NetworkProcessorIdleMin: 0.9, BytesIn: 1 << 20,
				Produce: result.RequestTimes{Requests: 10, RequestQueueMs: 20, LocalMs: 100, RemoteMs: 300, ResponseQueueMs: 30, ResponseSendMs: 10, TotalMs: 460}}},
			{Endpoint: "b2", Gaps: []result.ScrapeGap{{T: 1, Error: "x"}}},
		}}}
	var b strings.Builder
	Write(&b, doc)
	out := b.String()
	for _, want := range []string{"88%", "1.00", "before the client accepted 10.00", "client and wire (batching, linger, in flight) 24.00", "brokers 46.00 = queue 2.00 + local 10.00 + waiting for replicas 30.00"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in\n%s", want, out)
		}
	}
}
