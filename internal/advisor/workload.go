// Package advisor turns a workload description, probe documents and run
// results into a hardware sizing and configuration advice. Every number
// carries its formula, its inputs and where each input came from: a
// measurement (which file) or a stated assumption. Without measurements it
// applies the textbook rules and says so; results from the embedded
// cluster are never used for sizing.
package advisor

import (
	"fmt"
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
	// Durability is the delivery guarantee: at-most-once, at-least-once
	// or exactly-once. It filters the swept points; it is never traded.
	Durability string `yaml:"durability" json:"durability"`
	// IdempotenceOptional lets at-least-once accept acks=all points
	// without idempotence (duplicates on retry are acceptable).
	IdempotenceOptional bool `yaml:"idempotence_optional" json:"idempotence_optional,omitempty"`
	// Goal ranks the points that meet Durability: throughput, latency,
	// durability or balanced.
	Goal string `yaml:"goal" json:"goal"`
	// Headroom is growth to plan for, as a fraction (0.3 = 30%).
	Headroom float64 `yaml:"headroom" json:"headroom"`
	// Partitions is the planned total, for the page-cache rule.
	Partitions int `yaml:"partitions" json:"partitions,omitempty"`
	// TargetMBps and the per-partition figures feed the partition rule;
	// given, they beat measurements unless PreferMeasured.
	TargetMBps            float64 `yaml:"target_mbps" json:"target_mbps,omitempty"`
	ProducerPartitionMBps float64 `yaml:"producer_partition_mbps" json:"producer_partition_mbps,omitempty"`
	ConsumerPartitionMBps float64 `yaml:"consumer_partition_mbps" json:"consumer_partition_mbps,omitempty"`
	PreferMeasured        bool    `yaml:"prefer_measured" json:"prefer_measured,omitempty"`
	// HeapGB is the broker JVM heap (default: by broker memory, else 6).
	HeapGB float64 `yaml:"heap_gb" json:"heap_gb"`
	// SegmentBytes is log.segment.bytes (default 1 GB).
	SegmentBytes float64 `yaml:"segment_bytes" json:"segment_bytes"`
	// Consumers is the planned consumers per group.
	Consumers int `yaml:"consumers_per_group" json:"consumers_per_group,omitempty"`
	// Failures is how many brokers the sizing survives (default 1);
	// with Racks, a whole rack (ceil(B / racks) brokers) is lost instead.
	Failures *int `yaml:"failures" json:"failures,omitempty"`
	Racks    int  `yaml:"racks" json:"racks,omitempty"`
	// CompressionRatio is compressed / uncompressed bytes (default: the
	// recommended sweep point's, else 1).
	CompressionRatio float64 `yaml:"compression_ratio" json:"compression_ratio,omitempty"`
	// RecoveryMBps is the re-replication rate per receiving broker
	// (default: the spare disk or network bandwidth at peak).
	RecoveryMBps float64 `yaml:"recovery_mbps" json:"recovery_mbps,omitempty"`
	// MaxRecoveryHours is the longest acceptable recovery (default 4).
	MaxRecoveryHours float64 `yaml:"max_recovery_hours" json:"max_recovery_hours,omitempty"`
	// LocalRetentionHours, with a remote tier, is what brokers keep on
	// their own disks (local.retention.ms).
	LocalRetentionHours float64 `yaml:"local_retention_hours" json:"local_retention_hours,omitempty"`
	// DedicatedControllers asks for dedicated KRaft controllers at any
	// size (they are recommended above 9 brokers anyway).
	DedicatedControllers bool `yaml:"dedicated_controllers" json:"dedicated_controllers,omitempty"`
	// Hardware is the broker hardware as stated; it beats probes.
	Hardware Hardware `yaml:"broker" json:"broker_hardware,omitempty"`
}

// Hardware is one broker's hardware as the operator states it (0: not
// stated).
type Hardware struct {
	DiskMBps float64 `yaml:"disk_mbps" json:"disk_mbps,omitempty"`
	DiskGB   float64 `yaml:"disk_gb" json:"disk_gb,omitempty"`
	NICGbps  float64 `yaml:"nic_gbps" json:"nic_gbps,omitempty"`
	Cores    float64 `yaml:"cores" json:"cores,omitempty"`
	MemoryGB float64 `yaml:"memory_gb" json:"memory_gb,omitempty"`
}

// Assumed is one workload input nobody stated; the advice names it and
// the flag that would state it.
type Assumed struct {
	Input  string  `json:"input"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
	Flag   string  `json:"flag"`
	Source string  `json:"source"` // always "assumption"
	Why    string  `json:"why,omitempty"`
}

// String is the summary line: "assumed: 10 MB/s average (pass --avg-mbps)".
func (a Assumed) String() string {
	s := "assumed: " + a.Input
	if a.Value != 0 || a.Unit != "" {
		v := fmt.Sprintf("%g", a.Value)
		if a.Unit != "" {
			v += " " + a.Unit
		}
		s = fmt.Sprintf("assumed: %s %s", v, a.Input)
	}
	s += " (pass " + a.Flag + ")"
	if a.Why != "" {
		s += "; " + a.Why
	}
	return s
}

// srcAssumption is the source of every assumed input.
const srcAssumption = "assumption"

// defaults fills what the workload leaves unset and returns what it
// assumed. assumeAvg, when positive, stands in for a missing rate.
func (w *Workload) defaults(assumeAvg float64) []Assumed {
	var out []Assumed
	set := func(cond bool, apply func(), a Assumed) {
		if cond {
			apply()
			a.Source = srcAssumption
			out = append(out, a)
		}
	}
	set(w.AvgMBps == 0 && w.RecordsPerDay == 0 && assumeAvg > 0, func() { w.AvgMBps = assumeAvg },
		Assumed{Input: "average", Value: assumeAvg, Unit: "MB/s", Flag: "--avg-mbps"})
	set(w.PeakFactor == 0, func() { w.PeakFactor = 1 }, Assumed{Input: "peak factor", Value: 1, Flag: "--peak-factor", Why: "peak = average"})
	set(w.Replication == 0, func() { w.Replication = 3 }, Assumed{Input: "replication factor", Value: 3, Flag: "--replication-factor"})
	set(w.MinInsync == 0, func() { w.MinInsync = min(2, max(w.Replication, 1)) }, Assumed{Input: "min.insync.replicas", Value: float64(min(2, max(w.Replication, 1))), Flag: "--min-insync-replicas"})
	set(w.RetentionHours == 0, func() { w.RetentionHours = 168 }, Assumed{Input: "retention", Value: 168, Unit: "h", Flag: "--retention", Why: "Kafka's default log.retention.hours"})
	set(w.ConsumerGroups == 0, func() { w.ConsumerGroups = 1 }, Assumed{Input: "consumer groups", Value: 1, Flag: "--consumer-groups"})
	set(w.SegmentBytes == 0, func() { w.SegmentBytes = 1e9 }, Assumed{Input: "log.segment.bytes", Value: 1, Unit: "GB", Flag: "segment_bytes in --workload", Why: "Kafka's default"})
	set(w.Durability == "", func() { w.Durability = "at-least-once" }, Assumed{Input: "delivery guarantee at-least-once", Flag: "--durability"})
	set(w.Failures == nil, func() { one := 1; w.Failures = &one }, Assumed{Input: "broker failures to survive", Value: 1, Flag: "--failures"})
	set(w.MaxRecoveryHours == 0, func() { w.MaxRecoveryHours = 4 }, Assumed{Input: "longest acceptable recovery", Value: 4, Unit: "h", Flag: "--max-recovery"})
	if w.Goal == "" {
		w.Goal = "balanced"
	}
	return out
}

// failures is the stated or default number of brokers lost.
func (w Workload) failures() int {
	if w.Failures == nil {
		return 1
	}
	return *w.Failures
}

// validate refuses impossible workloads with one line that names the flag
// and its valid range.
func (w *Workload) validate() error {
	if w.RecordsPerDay < 0 || w.AvgMBps < 0 {
		return fmt.Errorf("--avg-mbps and --records-per-day: must be positive")
	}
	if w.RecordsPerDay <= 0 && w.AvgMBps <= 0 {
		return fmt.Errorf("the workload needs --records-per-day (with --record-size) or --avg-mbps")
	}
	if w.RecordsPerDay > 0 && w.RecordBytes <= 0 {
		return fmt.Errorf("--records-per-day needs --record-size")
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
	type check struct {
		bad  bool
		flag string
		v    any
		rng  string
	}
	for _, c := range []check{
		{w.Replication < 1, "--replication-factor", w.Replication, "at least 1"},
		{w.MinInsync < 1 || w.MinInsync > w.Replication, "--min-insync-replicas", w.MinInsync, fmt.Sprintf("1 to the replication factor (%d)", w.Replication)},
		{w.PeakFactor < 1, "--peak-factor", w.PeakFactor, "at least 1"},
		{w.RetentionHours <= 0, "--retention", w.RetentionHours, "above 0 hours"},
		{w.LocalRetentionHours < 0 || w.LocalRetentionHours > w.RetentionHours, "--local-retention", w.LocalRetentionHours, fmt.Sprintf("0 (no remote tier) to --retention (%g h)", w.RetentionHours)},
		{w.Headroom < 0, "--headroom", w.Headroom, "0 or more"},
		{w.ConsumerGroups < 0, "--consumer-groups", w.ConsumerGroups, "0 or more"},
		{w.LaggingReaders < 0, "--lagging-readers", w.LaggingReaders, "0 or more"},
		{w.LagHours < 0, "--lag-hours", w.LagHours, "0 or more"},
		{w.Partitions < 0, "--partitions", w.Partitions, "0 or more"},
		{w.Consumers < 0, "--consumers-per-group", w.Consumers, "0 or more"},
		{w.failures() < 0, "--failures", w.failures(), "0 or more"},
		{w.Racks < 0 || w.Racks == 1, "--racks", w.Racks, "0 (no racks) or at least 2"},
		{w.CompressionRatio < 0 || w.CompressionRatio > 2, "--compression-ratio", w.CompressionRatio, "above 0 up to 2 (compressed / uncompressed bytes)"},
		{w.RecoveryMBps < 0, "--recovery-mbps", w.RecoveryMBps, "0 (derive it) or more"},
		{w.MaxRecoveryHours <= 0, "--max-recovery", w.MaxRecoveryHours, "above 0 hours"},
		{w.SLOp99Ms < 0, "--slo-p99", w.SLOp99Ms, "0 (none) or more"},
		{w.HeapGB < 0, "--heap-gb", w.HeapGB, "0 (derive it) or more"},
		{w.TargetMBps < 0 || w.ProducerPartitionMBps < 0 || w.ConsumerPartitionMBps < 0, "--target-mbps, --producer-partition-mbps, --consumer-partition-mbps", "a negative value", "0 (unknown) or more"},
		{w.Hardware.DiskMBps < 0, "--broker-disk-mbps", w.Hardware.DiskMBps, "0 (unknown) or more"},
		{w.Hardware.DiskGB < 0, "--broker-disk-gb", w.Hardware.DiskGB, "0 (unknown) or more"},
		{w.Hardware.NICGbps < 0, "--broker-nic-gbps", w.Hardware.NICGbps, "0 (unknown) or more"},
		{w.Hardware.Cores < 0, "--broker-cores", w.Hardware.Cores, "0 (unknown) or more"},
		{w.Hardware.MemoryGB < 0, "--broker-memory-gb", w.Hardware.MemoryGB, "0 (unknown) or more"},
	} {
		if c.bad {
			return fmt.Errorf("%s %v: must be %s", c.flag, c.v, c.rng)
		}
	}
	return nil
}
