package advisor

import (
	"math"
	"strings"
	"testing"
)

func TestWorkloadValidate(t *testing.T) {
	for _, tc := range []struct {
		w    Workload
		want string
	}{
		{Workload{AvgMBps: 10}, ""},
		{Workload{RecordsPerDay: 1e8, RecordBytes: 1000, PeakFactor: 20, Replication: 2, MinInsync: 1}, ""},
		{Workload{AvgMBps: -1}, "--avg-mbps -1: must not be negative"},
		{Workload{AvgMBps: 1, Replication: -1}, "--replication-factor -1"},
		{Workload{AvgMBps: 1, RetentionHours: -1}, "--retention"},
		{Workload{AvgMBps: 1, PeakFactor: 0.5}, "--peak-factor 0.5: must be at least 1"},
		{Workload{AvgMBps: 1, Replication: 2, MinInsync: 3}, "--min-insync-replicas 3: must be 1 to the replication factor (2)"},
		{Workload{AvgMBps: 1, Goal: "speed"}, `--goal "speed"`},
		{Workload{AvgMBps: 1, Durability: "maybe"}, `--durability "maybe"`},
		{Workload{}, "the workload needs"},
		// Both rates given: a conflict, not one silently winning.
		{Workload{RecordsPerDay: 1e8, RecordBytes: 100, AvgMBps: 10}, "--records-per-day 100000000 and --avg-mbps 10: give one of them"},
		// A compressed size above the uncompressed one is no ratio.
		{Workload{AvgMBps: 1, CompressionRatio: 1.8}, "--compression-ratio 1.8: must be above 0 up to 1"},
		{Workload{AvgMBps: 1, CompressionRatio: 1}, ""},
		// Non-finite and absurd figures, refused before any arithmetic.
		{Workload{AvgMBps: 1e308}, "--avg-mbps 1e+308: must be a finite number up to 1000000"},
		{Workload{AvgMBps: math.Inf(1)}, "--avg-mbps +Inf: must be a finite number"},
		{Workload{AvgMBps: math.NaN()}, "--avg-mbps NaN: must be a finite number"},
		{Workload{AvgMBps: 1, PeakFactor: 1e12}, "--peak-factor 1e+12"},
		{Workload{AvgMBps: 1, Headroom: math.Inf(1)}, "--headroom +Inf"},
		{Workload{AvgMBps: 1, RetentionHours: 1e300}, "--retention 1e+300"},
		{Workload{AvgMBps: 1, Hardware: Hardware{DiskGB: math.NaN()}}, "--broker-disk-gb NaN"},
		{Workload{AvgMBps: 1, Partitions: 1e9}, "--partitions 1e+09"},
		{Workload{RecordsPerDay: 1e15, RecordBytes: 1e9}, "the peak rate (average 11574074074074.07 MB/s"},
		{Workload{AvgMBps: 1e5, PeakFactor: 100}, "is 10000000 MB/s: must be at most 1000000 MB/s"},
		{Workload{AvgMBps: 1e5, PeakFactor: 10}, ""},
	} {
		err := ValidateWorkload(tc.w, 0)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.w, err, tc.want)
		}
	}
	// Validate leaves the workload as given.
	w := Workload{AvgMBps: 1}
	ValidateWorkload(w, 0)
	if w.Replication != 0 || w.Goal != "" {
		t.Errorf("Validate changed the workload: %+v", w)
	}
}
