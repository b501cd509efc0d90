// Package advisor turns a workload description, probe documents and run
// results into a hardware sizing and configuration advice. Every number
// carries its formula, its inputs and where each input came from: a
// measurement (which file) or a stated assumption. Without measurements it
// applies the textbook rules and says so; results from the embedded
// cluster are never used for sizing.
package advisor

import (
	"fmt"
	"math"

	"github.com/ktune/ktune/internal/units"
)

// srcAssumption is the source of every assumed input.
const srcAssumption = "assumption"

// defaults fills what the workload leaves unset and returns what it
// assumed. assumeAvg, when positive, stands in for a missing rate.
func defaults(w *Workload, assumeAvg float64) []Assumed {
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
	set(w.MinInsync == 0, func() { w.MinInsync = defaultMinInsync(w.Replication) }, Assumed{Input: "min.insync.replicas", Value: float64(defaultMinInsync(w.Replication)), Flag: "--min-insync-replicas",
		Why: "2 from replication factor 3 up, else 1: min.insync equal to the replication factor stops acks=all writes at the first broker lost"})
	set(w.RetentionHours == 0, func() { w.RetentionHours = 168 }, Assumed{Input: "retention", Value: 168, Unit: "h", Flag: "--retention", Why: "Kafka's default log.retention.hours"})
	set(w.ConsumerGroups == 0, func() { w.ConsumerGroups = 1 }, Assumed{Input: "consumer groups", Value: 1, Flag: "--consumer-groups"})
	set(w.SegmentBytes == 0, func() { w.SegmentBytes = 1e9 }, Assumed{Input: "log.segment.bytes", Value: 1, Unit: "GB", Flag: "--segment-bytes", Why: "Kafka's default"})
	set(w.Durability == "", func() { w.Durability = "at-least-once" }, Assumed{Input: "delivery guarantee at-least-once", Flag: "--durability"})
	f := min(1, max(w.Replication-1, 0))
	set(w.Failures == nil, func() { w.Failures = &f }, Assumed{Input: "broker failures to survive", Value: float64(f), Flag: "--failures"})
	set(w.MaxRecoveryHours == 0, func() { w.MaxRecoveryHours = 4 }, Assumed{Input: "longest acceptable recovery", Value: 4, Unit: "h", Flag: "--max-recovery"})
	if w.Goal == "" {
		w.Goal = "balanced"
	}
	return out
}

// defaultMinInsync is 2 from replication factor 3 up, else 1.
func defaultMinInsync(R int) int {
	if R >= 3 {
		return 2
	}
	return 1
}

func failuresText(w Workload) string {
	s := fmt.Sprintf("%d broker(s) lost", failuresOf(w))
	if w.Racks > 1 {
		s += fmt.Sprintf(" and a whole rack of %d", w.Racks)
	}
	return s
}

// failures is the stated or default number of brokers lost.
func failuresOf(w Workload) int {
	if w.Failures == nil {
		return 1
	}
	return *w.Failures
}

// validate refuses impossible workloads with one line that names the flag
// and its valid range.
func validate(w *Workload) error {
	if w.RecordsPerDay < 0 || w.AvgMBps < 0 {
		return fmt.Errorf("--avg-mbps and --records-per-day: must be positive")
	}
	if w.RecordsPerDay > 0 && w.AvgMBps > 0 {
		return fmt.Errorf("--records-per-day %s and --avg-mbps %s: give one of them, both state the rate", units.Format(w.RecordsPerDay), units.Format(w.AvgMBps))
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
	if f := failuresOf(*w); f > 0 && f >= w.Replication {
		return fmt.Errorf("--failures %d: must be below the replication factor (%d): losing %d brokers can take every replica of a partition", f, w.Replication, f)
	}
	if w.Racks > 1 && w.Replication < 2 {
		return fmt.Errorf("--racks %d: needs a replication factor of at least 2: with %d a rack loss takes a partition's only replica", w.Racks, w.Replication)
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
		{failuresOf(*w) < 0, "--failures", failuresOf(*w), "0 or more"},
		{w.Racks < 0 || w.Racks == 1, "--racks", w.Racks, "0 (no racks) or at least 2"},
		{w.CompressionRatio < 0 || w.CompressionRatio > 1, "--compression-ratio", w.CompressionRatio, "above 0 up to 1 (compressed / uncompressed bytes; 1: no compression)"},
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
	return checkLimits(*w)
}

// maxMBps bounds every rate: 1 TB/s is far beyond any Kafka cluster
// running (the largest published deployments move tens of GB/s), so a
// larger figure is a typo, and sizing it would leave float range.
const maxMBps = 1e6

// limits are the largest figures each input takes, with why: beyond them
// an input is a typo or would overflow the arithmetic (1e308 MB/s).
var limits = []struct {
	flag string
	v    func(Workload) float64
	max  float64
	why  string
}{
	{"--avg-mbps", func(w Workload) float64 { return w.AvgMBps }, maxMBps, "1 TB/s, beyond any Kafka cluster"},
	{"--records-per-day", func(w Workload) float64 { return w.RecordsPerDay }, 1e15, "about 11.6 billion records/s"},
	{"--record-size", func(w Workload) float64 { return w.RecordBytes }, math.MaxInt32, "Kafka's largest record, an int32 of bytes"},
	{"--peak-factor", func(w Workload) float64 { return w.PeakFactor }, 1000, "a peak 1000 times the average"},
	{"--headroom", func(w Workload) float64 { return w.Headroom }, 100, "100 times today's load"},
	{"--retention", func(w Workload) float64 { return w.RetentionHours }, 100 * 365 * 24, "100 years"},
	{"--lag-hours", func(w Workload) float64 { return w.LagHours }, 100 * 365 * 24, "100 years"},
	{"--max-recovery", func(w Workload) float64 { return w.MaxRecoveryHours }, 100 * 365 * 24, "100 years"},
	{"--slo-p99", func(w Workload) float64 { return w.SLOp99Ms }, 3.6e6, "one hour"},
	{"--target-mbps", func(w Workload) float64 { return w.TargetMBps }, maxMBps, "1 TB/s"},
	{"--producer-partition-mbps", func(w Workload) float64 { return w.ProducerPartitionMBps }, maxMBps, "1 TB/s"},
	{"--consumer-partition-mbps", func(w Workload) float64 { return w.ConsumerPartitionMBps }, maxMBps, "1 TB/s"},
	{"--recovery-mbps", func(w Workload) float64 { return w.RecoveryMBps }, maxMBps, "1 TB/s"},
	{"--heap-gb", func(w Workload) float64 { return w.HeapGB }, 1e5, "100 TB"},
	{"--segment-bytes", func(w Workload) float64 { return w.SegmentBytes }, 1 << 40, "1 TiB"},
	{"--partitions", func(w Workload) float64 { return float64(w.Partitions) }, 1e7, "ten million partitions"},
	{"--consumer-groups", func(w Workload) float64 { return float64(w.ConsumerGroups) }, 1e6, "a million groups"},
	{"--consumers-per-group", func(w Workload) float64 { return float64(w.Consumers) }, 1e6, "a million consumers"},
	{"--lagging-readers", func(w Workload) float64 { return float64(w.LaggingReaders) }, 1e6, "a million readers"},
	{"--replication-factor", func(w Workload) float64 { return float64(w.Replication) }, 1000, "a thousand replicas"},
	{"--racks", func(w Workload) float64 { return float64(w.Racks) }, 1000, "a thousand racks"},
	{"--failures", func(w Workload) float64 { return float64(failuresOf(w)) }, 1000, "a thousand brokers lost"},
	{"--broker-disk-mbps", func(w Workload) float64 { return w.Hardware.DiskMBps }, maxMBps, "1 TB/s"},
	{"--broker-disk-gb", func(w Workload) float64 { return w.Hardware.DiskGB }, 1e7, "10 PB"},
	{"--broker-nic-gbps", func(w Workload) float64 { return w.Hardware.NICGbps }, 1e4, "10 Tbit/s"},
	{"--broker-cores", func(w Workload) float64 { return w.Hardware.Cores }, 1e5, "a hundred thousand cores"},
	{"--broker-memory-gb", func(w Workload) float64 { return w.Hardware.MemoryGB }, 1e5, "100 TB"},
}

// checkLimits refuses a non-finite figure or one beyond its limit, and a
// peak rate (average x peak factor x (1 + headroom)) beyond maxMBps.
func checkLimits(w Workload) error {
	for _, l := range limits {
		if v := l.v(w); math.IsNaN(v) || math.IsInf(v, 0) || v > l.max {
			return fmt.Errorf("%s %v: must be a finite number up to %s (%s)", l.flag, v, units.Format(l.max), l.why)
		}
	}
	avg := w.AvgMBps
	if avg == 0 {
		avg = w.RecordsPerDay * w.RecordBytes / 86400 / 1e6
	}
	if peak := avg * w.PeakFactor * (1 + w.Headroom); peak > maxMBps {
		return fmt.Errorf("the peak rate (average %s MB/s x peak factor %v x (1 + headroom %v)) is %s MB/s: must be at most %s MB/s (1 TB/s, beyond any Kafka cluster)",
			units.Format(avg), w.PeakFactor, w.Headroom, units.Format(peak), units.Format(maxMBps))
	}
	return nil
}

// ValidateWorkload checks the workload as given, before any cluster is
// contacted or file written: no figure is negative, and with the assumed
// defaults filled in (on a copy) it is a workload the advisor can size.
// assumeAvg stands in for a missing rate, as in Input.AssumeAvgMBps.
func ValidateWorkload(w Workload, assumeAvg float64) error {
	// The figures validate does not range-check once defaults are in
	// (checkLimits refuses NaN and infinities).
	for _, f := range []struct {
		flag string
		v    float64
	}{
		{"--records-per-day", w.RecordsPerDay}, {"--avg-mbps", w.AvgMBps}, {"--record-size", w.RecordBytes}, {"--segment-bytes", w.SegmentBytes},
	} {
		if f.v < 0 {
			return fmt.Errorf("%s %v: must not be negative (0: the default)", f.flag, f.v)
		}
	}
	defaults(&w, assumeAvg)
	return validate(&w)
}
