// Package advisor turns a workload description, probe documents and run
// results into a hardware sizing and configuration advice. Every number
// carries its formula, its inputs and where each input came from: a
// measurement (which file) or a stated assumption. Without measurements it
// applies the textbook rules and says so; results from the embedded
// cluster are never used for sizing.
package advisor

import (
	"errors"
	"fmt"
	"math"
)

// Workload is what the cluster must carry. Sizes are decimal: 1 KB = 1000
// bytes, 1 MB = 10^6, 1 GB = 10^9, as the sizing method uses them.
type Workload struct {
	RecordsPerDay float64 `yaml:"records_per_day" json:"records_per_day,omitempty"`
	// AvgMBps is the average produce rate; an alternative to RecordsPerDay.
	AvgMBps        float64 `yaml:"avg_mbps" json:"avg_mbps,omitempty"`
	RecordBytes    float64 `yaml:"record_size" json:"record_size_bytes"`
	PeakFactor     float64 `yaml:"peak_factor" json:"peak_factor"`
	Replication    int     `yaml:"replication_factor" json:"replication_factor"`
	MinInsync      int     `yaml:"min_insync_replicas" json:"min_insync_replicas"`
	RetentionHours float64 `yaml:"retention_hours" json:"retention_hours"`
	ConsumerGroups int     `yaml:"consumer_groups" json:"consumer_groups"`
	LaggingReaders int     `yaml:"lagging_readers" json:"lagging_readers"`
	// LagHours is how far behind lagging readers may be, for page cache.
	LagHours float64 `yaml:"lag_hours" json:"lag_hours,omitempty"`
	SLOp99Ms float64 `yaml:"slo_p99_ms" json:"slo_p99_ms,omitempty"`
	// Durability is at-most-once, at-least-once or exactly-once.
	Durability string `yaml:"durability" json:"durability"`
	// Goal picks the configuration: throughput, latency, durability or
	// balanced.
	Goal string `yaml:"goal" json:"goal"`
	// Headroom is growth to plan for, as a fraction (0.3 = 30%).
	Headroom float64 `yaml:"headroom" json:"headroom"`
	// Partitions is the planned total, for the page-cache rule.
	Partitions int `yaml:"partitions" json:"partitions,omitempty"`
	// TargetMBps and the per-partition figures feed the partition rule
	// when no measured single-partition results are given.
	TargetMBps            float64 `yaml:"target_mbps" json:"target_mbps,omitempty"`
	ProducerPartitionMBps float64 `yaml:"producer_partition_mbps" json:"producer_partition_mbps,omitempty"`
	ConsumerPartitionMBps float64 `yaml:"consumer_partition_mbps" json:"consumer_partition_mbps,omitempty"`
	// HeapGB is the broker JVM heap (default 6, the Kafka docs' G1 setup).
	HeapGB float64 `yaml:"heap_gb" json:"heap_gb"`
	// SegmentBytes is log.segment.bytes (default 1 GB).
	SegmentBytes float64 `yaml:"segment_bytes" json:"segment_bytes"`
	// Consumers is the planned consumers per group.
	Consumers int `yaml:"consumers_per_group" json:"consumers_per_group,omitempty"`
}

// Defaults of a workload and the assumptions they stand for.
func (w *Workload) defaults() []string {
	var notes []string
	set := func(cond bool, apply func(), note string) {
		if cond {
			apply()
			notes = append(notes, note)
		}
	}
	set(w.PeakFactor == 0, func() { w.PeakFactor = 1 }, "peak factor 1 assumed (no --peak-factor): peak = average")
	set(w.Replication == 0, func() { w.Replication = 3 }, "replication factor 3 assumed")
	set(w.MinInsync == 0, func() { w.MinInsync = min(2, w.Replication) }, fmt.Sprintf("min.insync.replicas %d assumed", min(2, w.Replication)))
	set(w.RetentionHours == 0, func() { w.RetentionHours = 168 }, "retention 7 days assumed (Kafka's default log.retention.hours=168)")
	set(w.ConsumerGroups == 0, func() { w.ConsumerGroups = 1 }, "one consumer group assumed")
	set(w.HeapGB == 0, func() { w.HeapGB = 6 }, "JVM heap 6 GB assumed (Kafka docs: -Xms6g -Xmx6g with G1)")
	set(w.SegmentBytes == 0, func() { w.SegmentBytes = 1e9 }, "log.segment.bytes 1 GB assumed (Kafka's default)")
	set(w.Durability == "", func() { w.Durability = "at-least-once" }, "durability goal at-least-once assumed")
	if w.Goal == "" {
		w.Goal = "balanced"
	}
	return notes
}

// Validate checks the workload as given, before any cluster is contacted
// or file written: no figure is negative, and with the assumed defaults
// filled in (a copy; w is not changed) it describes a workload the
// advisor can size.
func (w Workload) Validate() error {
	for _, f := range []struct {
		flag string
		v    float64
	}{
		{"--records-per-day", w.RecordsPerDay}, {"--avg-mbps", w.AvgMBps}, {"--record-size", w.RecordBytes},
		{"--peak-factor", w.PeakFactor}, {"--replication-factor", float64(w.Replication)}, {"--min-insync-replicas", float64(w.MinInsync)},
		{"--retention (hours)", w.RetentionHours}, {"--consumer-groups", float64(w.ConsumerGroups)}, {"--lagging-readers", float64(w.LaggingReaders)},
		{"--lag-hours", w.LagHours}, {"--slo-p99", w.SLOp99Ms}, {"--headroom", w.Headroom}, {"--partitions", float64(w.Partitions)},
		{"--target-mbps", w.TargetMBps}, {"--producer-partition-mbps", w.ProducerPartitionMBps}, {"--consumer-partition-mbps", w.ConsumerPartitionMBps},
		{"--heap-gb", w.HeapGB}, {"segment_bytes", w.SegmentBytes}, {"--consumers-per-group", float64(w.Consumers)},
	} {
		if f.v < 0 || math.IsNaN(f.v) || math.IsInf(f.v, 0) {
			return fmt.Errorf("%s %v: must not be negative (0: the default)", f.flag, f.v)
		}
	}
	if w.PeakFactor != 0 && w.PeakFactor < 1 {
		return fmt.Errorf("--peak-factor %v: must be at least 1 (the peak over the average)", w.PeakFactor)
	}
	if w.Replication != 0 && w.MinInsync > w.Replication {
		return fmt.Errorf("--min-insync-replicas %d: must be at most --replication-factor %d", w.MinInsync, w.Replication)
	}
	w.defaults()
	return w.validate()
}

func (w *Workload) validate() error {
	if w.RecordsPerDay <= 0 && w.AvgMBps <= 0 {
		return errors.New("the workload needs --records-per-day (with --record-size) or --avg-mbps")
	}
	if w.RecordsPerDay > 0 && w.RecordBytes <= 0 {
		return errors.New("--records-per-day needs --record-size")
	}
	switch w.Durability {
	case "at-most-once", "at-least-once", "exactly-once":
	default:
		return fmt.Errorf("--durability %q: must be at-most-once, at-least-once or exactly-once", w.Durability)
	}
	switch w.Goal {
	case "throughput", "latency", "durability", "balanced":
	default:
		return fmt.Errorf("--goal %q: must be throughput, latency, durability or balanced", w.Goal)
	}
	if w.PeakFactor < 1 || w.Replication < 1 || w.MinInsync < 1 || w.Headroom < 0 {
		return errors.New("peak factor must be at least 1, replication and min.insync.replicas at least 1, headroom not negative")
	}
	return nil
}
