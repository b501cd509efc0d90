package loadgen

import (
	"math"
	"runtime/metrics"
	"testing"
)

func TestWaitQuantile(t *testing.T) {
	// Buckets as the runtime gives them: -Inf, bounds, +Inf.
	buckets := []float64{math.Inf(-1), 1e-6, 1e-3, 10e-3, 100e-3, math.Inf(1)}
	hist := func(counts ...uint64) *metrics.Float64Histogram {
		return &metrics.Float64Histogram{Counts: counts, Buckets: buckets}
	}
	before := hist(5, 100, 10, 0, 1)
	for _, tc := range []struct {
		name     string
		from, to *metrics.Float64Histogram
		q, want  float64
		ok       bool
	}{
		{"nothing recorded", before, before, 0.99, 0, false},
		{"no first read", nil, before, 0.99, 0, false},
		{"other bucket layout", hist(1), before, 0.99, 0, false},
		// Over the whole histogram the p99 would be 1 ms.
		{"only the window's counts", before, hist(5, 199, 10, 1, 1), 0.99, 1e-6, true},
		{"p99 in the slow tail", before, hist(5, 198, 10, 2, 1), 0.99, 10e-3, true},
		{"median", before, hist(5, 199, 10, 1, 1), 0.5, 1e-6, true},
		{"below the first bound is 0", before, hist(6, 100, 10, 0, 1), 0.99, 0, true},
		{"the last bucket's lower bound", before, hist(5, 100, 10, 0, 2), 0.99, 100e-3, true},
	} {
		got, ok := waitQuantile(tc.from, tc.to, tc.q)
		if got != tc.want || ok != tc.ok {
			t.Errorf("%s: %v %v, want %v %v", tc.name, got, ok, tc.want, tc.ok)
		}
	}
}
