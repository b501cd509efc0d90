package advisor

import (
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
