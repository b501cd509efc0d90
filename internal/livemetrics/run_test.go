package livemetrics

import (
	"math"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/ktune/ktune/result/hist"
)

// Native bucket i holds (2^((i-1)/8), 2^(i/8)]: upper bounds belong to
// their bucket, the next value up to the next one.
func TestNativeIndex(t *testing.T) {
	for _, tc := range []struct {
		v    float64
		want int
	}{
		{1, 0}, {1.0001, 1}, {math.Exp2(1.0 / 8), 1}, {2, 8}, {0.5, -8}, {0.4999, -8}, {0.001, -79},
	} {
		if got := nativeIndex(tc.v); got != tc.want {
			t.Errorf("nativeIndex(%v) = %d, want %d", tc.v, got, tc.want)
		}
	}
}

// A histogram's two layouts hold every value: the classic buckets'
// cumulative counts end at the count, and the native deltas add up to it.
func TestLatencyMetricLayouts(t *testing.T) {
	h := hist.New()
	for _, d := range []time.Duration{300 * time.Microsecond, 2 * time.Millisecond, 2 * time.Millisecond, 40 * time.Millisecond, 3 * time.Minute} {
		h.Record(d)
	}
	desc := prometheus.NewDesc("ktune_latency_seconds", "test", []string{"kind"}, nil)
	var m dto.Metric
	if err := newLatencyMetric(desc, []string{"service"}, ClassicBuckets(), h).Write(&m); err != nil {
		t.Fatal(err)
	}
	hg := m.GetHistogram()
	if hg.GetSampleCount() != 5 {
		t.Fatalf("count %d", hg.GetSampleCount())
	}
	// 3 minutes is beyond the last classic bucket (about 105 s): only +Inf.
	if last := hg.Bucket[len(hg.Bucket)-1].GetCumulativeCount(); last != 4 {
		t.Errorf("classic buckets hold %d, want 4", last)
	}
	var n, c int64
	for _, d := range hg.PositiveDelta {
		c += d
		n += c
	}
	var spanned uint32
	for _, sp := range hg.PositiveSpan {
		spanned += sp.GetLength()
	}
	if n != 5 || int(spanned) != len(hg.PositiveDelta) {
		t.Errorf("native buckets hold %d in %d spanned buckets of %d", n, spanned, len(hg.PositiveDelta))
	}
	if s := hg.GetSampleSum(); math.Abs(s-180.0443) > 0.2 {
		t.Errorf("sum %v s, want about 180.04", s)
	}
}
