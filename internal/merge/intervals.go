package merge

import (
	"fmt"
	"math"
	"sort"

	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// intervals puts every worker's intervals on one time axis, starting at
// the earliest worker's start (offsets[i] is worker i's start on it, in
// seconds), and adds up those that end nearest the same multiple of the
// reporting period. A merged interval's percentiles come from the merged
// interval histograms when every member carries one (worker runs do), and
// are otherwise the members' largest, an upper bound.
func intervals(ms []*result.Metrics, offsets []float64) ([]result.Interval, error) {
	period := reportingPeriod(ms)
	if period <= 0 {
		return nil, nil
	}
	type bucket struct {
		iv    result.Interval
		h     *hist.Histogram
		exact bool
	}
	buckets := map[int]*bucket{}
	for i, m := range ms {
		for _, iv := range m.Intervals {
			end := offsets[i] + iv.T
			k := max(1, int(math.Round(end/period)))
			b := buckets[k]
			if b == nil {
				b = &bucket{h: hist.New(), exact: true}
				buckets[k] = b
			}
			b.iv.T = math.Max(b.iv.T, end)
			b.iv.Records += iv.Records
			b.iv.Bytes += iv.Bytes
			b.iv.Errors += iv.Errors
			b.iv.Warmup = b.iv.Warmup || iv.Warmup
			b.iv.Max = math.Max(b.iv.Max, iv.Max)
			switch {
			case iv.HDR != "":
				h, err := hist.Decode(iv.HDR)
				if err != nil {
					return nil, fmt.Errorf("interval at %.1f s: %w", iv.T, err)
				}
				b.h.Merge(h)
			case iv.Records > 0:
				b.exact = false
			}
			b.iv.P50, b.iv.P99 = math.Max(b.iv.P50, iv.P50), math.Max(b.iv.P99, iv.P99)
		}
	}
	keys := make([]int, 0, len(buckets))
	for k := range buckets {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	out := make([]result.Interval, 0, len(keys))
	prev := 0.0
	for _, k := range keys {
		b := buckets[k]
		iv := b.iv
		iv.T = result.Round(iv.T)
		if secs := iv.T - prev; secs > 0 {
			iv.RecordsPerSec = result.Round(float64(iv.Records) / secs)
			iv.MiBPerSec = result.Round(float64(iv.Bytes) / result.MiB / secs)
		}
		prev = iv.T
		if b.exact && b.h.Count() > 0 {
			iv.P50, iv.P99, iv.Max = b.h.QuantileMs(0.5), b.h.QuantileMs(0.99), b.h.MaxMs()
			iv.HDR, _ = b.h.Encode() // cannot fail: the histogram is valid
		}
		out = append(out, iv)
	}
	return out, nil
}

// reportingPeriod is the workers' reporting interval in seconds: the median
// spacing of their interval ends (the last interval of a run is often
// shorter).
func reportingPeriod(ms []*result.Metrics) float64 {
	var gaps []float64
	for _, m := range ms {
		prev := 0.0
		for _, iv := range m.Intervals {
			if d := iv.T - prev; d > 0 {
				gaps = append(gaps, d)
			}
			prev = iv.T
		}
	}
	if len(gaps) == 0 {
		return 0
	}
	sort.Float64s(gaps)
	return gaps[len(gaps)/2]
}
