package advisor

import (
	"bytes"
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

// gridPoint is one sweep point: its swept settings, the producer's and
// the consumer's MB/s, and the payload it produced.
type gridPoint struct {
	codec, linger, maxPoll string
	prodMBps, consMBps     float64
	payload                string
	compressibility        float64
}

// gridSweep builds a sweep of points that meet at-least-once.
func gridSweep(pts ...gridPoint) []Named[*result.Sweep] {
	s := &result.Sweep{Header: result.NewHeader(result.KindSweep)}
	for i, p := range pts {
		d := &result.Document{Header: result.NewHeader(result.KindProduce)}
		d.Metrics.Records = 1000
		d.Metrics.MiBPerSec = p.prodMBps / mibToMB
		d.Metrics.Latency = map[string]result.Latency{result.LatencyIntended: {P99: 10}}
		d.Workload.Payload, d.Workload.Compressibility = p.payload, p.compressibility
		d.Config.Producer = map[string]string{"acks": "all", "enable.idempotence": "true", "compression.type": p.codec, "linger.ms": p.linger}
		params := map[string]string{"producer:compression.type": p.codec, "producer:linger.ms": p.linger}
		pt := result.SweepPoint{Key: strings.Repeat("p", i+1) + "#0", Params: params, Produce: d}
		if p.maxPoll != "" {
			params["consumer:max.poll.records"] = p.maxPoll
			c := &result.Document{Header: result.NewHeader(result.KindConsume)}
			c.Metrics.Records = 1000
			c.Metrics.MiBPerSec = p.consMBps / mibToMB
			c.Config.Consumer = map[string]string{"max.poll.records": p.maxPoll}
			pt.Consume = c
		}
		s.Points = append(s.Points, pt)
	}
	return []Named[*result.Sweep]{{Path: "sweep.json", Doc: s}}
}

// TestConsumerRankedByConsumerThroughput is the case of issue 23: the
// fastest consumers used max.poll.records 500, but the point with the
// fastest producer used 2000, and that was the pick.
func TestConsumerRankedByConsumerThroughput(t *testing.T) {
	for _, goal := range []string{"throughput", "latency", "balanced", "durability"} {
		sw := gridSweep(
			gridPoint{codec: "none", linger: "0", maxPoll: "500", prodMBps: 60, consMBps: 80},
			gridPoint{codec: "none", linger: "0", maxPoll: "2000", prodMBps: 61, consMBps: 60},
			gridPoint{codec: "none", linger: "5", maxPoll: "500", prodMBps: 90, consMBps: 78},
			gridPoint{codec: "none", linger: "5", maxPoll: "2000", prodMBps: 100, consMBps: 62},
		)
		a, err := Advise(Input{Workload: Workload{AvgMBps: 10, Goal: goal}, Sweeps: sw})
		if err != nil {
			t.Fatal(err)
		}
		c := a.Config
		if got := c.Consumer["max.poll.records"]; got != "500" {
			t.Errorf("%s: max.poll.records=%s, want 500 (the consumers' fastest); why: %s", goal, got, c.ConsumerWhy)
		}
		if !strings.Contains(c.ConsumerWhy, "max.poll.records=500: the highest consumer throughput of the 2 consumer settings measured (79.0 MB/s") {
			t.Errorf("%s: consumer why %q", goal, c.ConsumerWhy)
		}
		if goal == "throughput" && c.Best.Producer["linger.ms"] != "5" {
			t.Errorf("producer pick %v, want linger 5", c.Best.Params)
		}
		var b bytes.Buffer
		WriteMarkdown(&b, a)
		if !strings.Contains(b.String(), "Consumer settings: max.poll.records=500") {
			t.Errorf("%s: the consumer choice is not in the Markdown:\n%s", goal, b.String())
		}
	}
}

// TestCodecsRankedOnlyOnCompressiblePayload: on ktune's random payload
// no codec is ranked (lz4's producer being faster there says nothing
// about real data), and the advice says why; on a payload that
// compresses, codecs compete.
func TestCodecsRankedOnlyOnCompressiblePayload(t *testing.T) {
	for _, tc := range []struct {
		payload         string
		compressibility float64
		ratio           float64
		wantCodec       string
		wantNote        string
	}{
		{"random", 0, 0.998, "none", "compression.type not ranked: the sweep's payload was random with --compressibility 0, which no codec can shrink (measured: compression.type=lz4 kept 0.998 of the bytes)"},
		{"", 0, 0, "none", "compression.type not ranked"},
		{"random", 0.5, 0.55, "lz4", ""},
		{"text", 0, 0.4, "lz4", ""},
		{"file", 0, 0.3, "lz4", ""},
	} {
		sw := gridSweep(
			gridPoint{codec: "none", linger: "5", prodMBps: 80, payload: tc.payload, compressibility: tc.compressibility},
			gridPoint{codec: "lz4", linger: "5", prodMBps: 120, payload: tc.payload, compressibility: tc.compressibility},
		)
		if tc.ratio > 0 {
			sw[0].Doc.Points[1].Produce.Metrics.Producer = &result.Producer{CompressionRatio: tc.ratio}
		}
		a, err := Advise(Input{Workload: Workload{AvgMBps: 10, Goal: "throughput"}, Sweeps: sw})
		if err != nil {
			t.Fatal(err)
		}
		if got := a.Config.Producer["compression.type"]; got != tc.wantCodec {
			t.Errorf("%s/%v: compression.type=%s, want %s", tc.payload, tc.compressibility, got, tc.wantCodec)
		}
		note := strings.Join(a.Config.Notes, "\n")
		if tc.wantNote == "" && note != "" || !strings.Contains(note, tc.wantNote) {
			t.Errorf("%s/%v: notes %q, want %q", tc.payload, tc.compressibility, note, tc.wantNote)
		}
		var b bytes.Buffer
		WriteMarkdown(&b, a)
		if tc.wantNote != "" && !strings.Contains(b.String(), tc.wantNote) {
			t.Errorf("%s: the note is not in the Markdown:\n%s", tc.payload, b.String())
		}
	}
}
