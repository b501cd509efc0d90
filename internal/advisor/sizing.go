package advisor

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ktune/ktune/internal/stats"
	"github.com/ktune/ktune/result"
)

// Thresholds of the failure-aware checks.
const (
	capacityThreshold  = 0.8    // Cruise Control's default disk and network capacity thresholds
	fillLimit          = 0.7    // the textbook disk fill limit
	replicasPerBroker  = 4000   // Jun Rao; MSK's largest brokers
	replicasPerCluster = 200000 // Jun Rao (KRaft raises it; ZooKeeper-era guidance)
	textbookDiskMBps   = 100.0
	maxBrokersSearched = 100000
)

const (
	srcCruiseControl = "Cruise Control default capacity threshold (0.8)"
	srcJunRao        = "Jun Rao: how to choose the number of partitions (4,000 per broker, 200,000 per cluster)"
	srcTextbook      = "textbook assumption"
)

// partitionRuns are the single-partition throughputs read from results.
type partitionRuns struct {
	tp, tc         float64 // medians, MB/s
	tpFrom, tcFrom string
}

// gatherPartitionRuns reads Tp and Tc from complete, unpaced 1-partition
// produce and consume runs on a real cluster: the median over repeats.
func gatherPartitionRuns(results []Named[*result.Document]) (partitionRuns, []string) {
	var m partitionRuns
	var notes []string
	var tp, tc []float64
	var tpFiles, tcFiles []string
	for _, r := range results {
		d := r.Doc
		if d.Cluster.Embedded {
			notes = append(notes, r.Path+": from the embedded cluster; not used for sizing")
			continue
		}
		if d.Workload.Partitions != 1 {
			continue
		}
		if !d.Complete {
			notes = append(notes, r.Path+": incomplete run; not used for the partition rule")
			continue
		}
		if d.Workload.Rate > 0 {
			notes = append(notes, fmt.Sprintf("%s: paced at %g records/s, so it shows the rate asked, not a partition's capacity; not used for the partition rule", r.Path, d.Workload.Rate))
			continue
		}
		mb := d.Metrics.MiBPerSec * mibToMB
		switch d.Kind {
		case result.KindProduce:
			tp, tpFiles = append(tp, mb), append(tpFiles, r.Path)
		case result.KindConsume:
			tc, tcFiles = append(tc, mb), append(tcFiles, r.Path)
		}
	}
	from := func(files []string, what string) string {
		if len(files) == 1 {
			return "measured: " + files[0] + " (1-partition " + what + ")"
		}
		return fmt.Sprintf("measured: median of %d 1-partition %s runs (%s)", len(files), what, strings.Join(files, ", "))
	}
	if len(tp) > 0 {
		m.tp, m.tpFrom = stats.Median(tp), from(tpFiles, "produce")
	}
	if len(tc) > 0 {
		m.tc, m.tcFrom = stats.Median(tc), from(tcFiles, "consume")
	}
	return m, notes
}

// mibToMB converts MiB/s to MB/s.
const mibToMB = 1.048576

// Named is a document with the file it came from (result.Named).
type Named[T any] = result.Named[T]

// sizeInput is what size reads besides the workload.
type sizeInput struct {
	hw          BrokerHardware
	runs        partitionRuns
	compression Sourced
	// src returns the source of a workload input: "input (--flag)" or
	// "assumption".
	src func(flag string) string
}

// size computes the sizing of w.
func size(w Workload, in sizeInput) Sizing {
	s := Sizing{Mode: ModeTextbook, Racks: w.Racks, CompressionRatio: in.compression}
	avg := w.AvgMBps
	avgFrom := in.src("--avg-mbps")
	if w.RecordsPerDay > 0 {
		avg = w.RecordsPerDay * w.RecordBytes / 86400 / 1e6
		avgFrom = "input (--records-per-day x --record-size / 86,400 s)"
	}
	peak := avg * w.PeakFactor * (1 + w.Headroom)
	R, C, L := float64(w.Replication), float64(w.ConsumerGroups), float64(w.LaggingReaders)
	c := in.compression.Value
	dailyGB := avg * 86400 / 1000
	fig := func(name string, v float64, unit, formula string, in ...Term) {
		s.Figures = append(s.Figures, Figure{Name: name, Value: round2(v), Unit: unit, Formula: formula, Inputs: in})
	}
	tW := Term{Name: "peak produce W", Value: round2(peak), Unit: "MB/s", Source: "computed: average x peak factor x (1 + headroom)"}
	tR := Term{Name: "replication factor R", Value: R, Source: in.src("--replication-factor")}
	tC := Term{Name: "consumer groups C", Value: C, Source: in.src("--consumer-groups")}
	tc := Term{Name: "compression ratio c", Value: round2(c), Source: in.compression.Source}
	fig("average produce", avg, "MB/s", "records/day x record size / 86,400 s", Term{Name: "average", Value: round2(avg), Unit: "MB/s", Source: avgFrom})
	fig("peak produce W", peak, "MB/s", "average x peak factor x (1 + headroom)",
		Term{Name: "peak factor", Value: w.PeakFactor, Source: in.src("--peak-factor")}, Term{Name: "headroom", Value: w.Headroom, Source: "input (--headroom; 0 unless given)"})
	fig("compression ratio c", c, "", "compressed / uncompressed bytes, applied to disk and network", tc)

	// Textbook: 2 x ceil(W x R / 100) + 1, 100 MB/s standing for one
	// broker's disks.
	s.TextbookBrokers = 2*int(math.Ceil(peak*R/textbookDiskMBps-1e-9)) + 1
	fig("brokers (textbook)", float64(s.TextbookBrokers), "", "2 x ceil(W x R / 100) + 1", tW, tR,
		Term{Name: "disk MB/s per broker", Value: textbookDiskMBps, Unit: "MB/s", Source: srcTextbook + " (no primary source)"})

	// Storage: what the brokers keep locally; with a remote tier only the
	// local retention, and the remote tier holds one copy of everything.
	days := w.RetentionHours / 24
	localDays, localFrom := days, in.src("--retention")
	if w.LocalRetentionHours > 0 {
		localDays, localFrom = w.LocalRetentionHours/24, "input (--local-retention)"
		s.RemoteStorageGB = round2(dailyGB * c * days)
		fig("remote storage", s.RemoteStorageGB, "GB", "daily GB x c x retention days (one copy: the remote store keeps its own redundancy)",
			Term{Name: "daily volume", Value: round2(dailyGB), Unit: "GB", Source: "computed from the average"}, tc, Term{Name: "retention", Value: round2(days), Unit: "days", Source: in.src("--retention")})
	}
	// Headroom is growth: it applies to what is kept as to the rate.
	retained := dailyGB * c * R * localDays * (1 + w.Headroom)
	tRet := Term{Name: "retained bytes", Value: round2(retained), Unit: "GB", Source: "computed: daily GB x c x R x local retention days x (1 + headroom)"}
	s.DiskTotalGB = round2(retained / fillLimit)
	fig("cluster disk", s.DiskTotalGB, "GB", "daily GB x c x R x retention days x (1 + headroom) / 0.7", Term{Name: "daily volume", Value: round2(dailyGB), Unit: "GB", Source: "computed from the average"}, tc, tR,
		Term{Name: "retention (local)", Value: round2(localDays), Unit: "days", Source: localFrom}, Term{Name: "headroom", Value: w.Headroom, Source: "input (--headroom; 0 unless given)"},
		Term{Name: "fill limit", Value: fillLimit, Source: "textbook (Cruise Control uses 0.8)"})

	// Partition rule, before the broker count (replicas need it).
	tt, ttFrom := w.TargetMBps, "input (--target-mbps)"
	if tt == 0 {
		tt, ttFrom = peak, "computed: peak produce W"
	}
	tp, tpFrom := pick(w.ProducerPartitionMBps, "input (--producer-partition-mbps)", in.runs.tp, in.runs.tpFrom, w.PreferMeasured)
	tcons, tcFrom := pick(w.ConsumerPartitionMBps, "input (--consumer-partition-mbps)", in.runs.tc, in.runs.tcFrom, w.PreferMeasured)
	if tp > 0 && tcons > 0 {
		s.PartitionsRaw = int(math.Ceil(tt/math.Min(tp, tcons) - 1e-9))
		fig("partitions per topic (raw)", float64(s.PartitionsRaw), "", "ceil(Tt / min(Tp, Tc))",
			Term{Name: "target Tt", Value: round2(tt), Unit: "MB/s", Source: ttFrom}, Term{Name: "producer per partition Tp", Value: round2(tp), Unit: "MB/s", Source: tpFrom},
			Term{Name: "consumer per partition Tc", Value: round2(tcons), Unit: "MB/s", Source: tcFrom})
	}

	hw := in.hw
	var fa *sized
	var m model
	if hw.Known() {
		s.Mode = ModeFailureAware
		s.Hardware = &hw
		m = newModel(w, peak*c, retained, hw, s.PartitionsRaw)
		r := m.size(failureInputs(w, m, peak*c, retained, hw, s.PartitionsRaw, in.src))
		fa = &r
		s.Constraints = r.constraints
	} else {
		bDisk := 2*int(math.Ceil(peak*c*(R+L)/textbookDiskMBps-1e-9)) + 1
		s.Constraints = append(s.Constraints, Constraint{Resource: "disk bandwidth", Brokers: bDisk, Holds: true,
			Detail: fmt.Sprintf("2 x ceil(W x c x (R + lagging readers) / D) + 1 with D = %.0f MB/s (%s); no broker hardware known: pass --broker-disk-mbps etc. or --probe of a broker", textbookDiskMBps, srcTextbook)})
		if w.Partitions > 0 {
			b := int(math.Ceil(float64(w.Partitions) * R / replicasPerBroker))
			s.Constraints = append(s.Constraints, Constraint{Resource: "partitions", Brokers: b, Holds: true, Detail: "ceil(partitions x R / 4,000 replicas per broker) (Jun Rao's guidance)"})
		}
		s.Constraints = append(s.Constraints, Constraint{Resource: "durability", Brokers: int(math.Max(3, R)), Holds: true, Detail: "at least 3 brokers and at least R (R=3 with min.insync.replicas=2 needs 3)"})
		if w.Racks > 1 {
			most := 0
			for _, c := range s.Constraints {
				most = max(most, c.Brokers)
			}
			s.Constraints = append(s.Constraints, Constraint{Resource: "racks", Brokers: (most + w.Racks - 1) / w.Racks * w.Racks, Holds: true,
				Detail: fmt.Sprintf("the count above rounded up to a multiple of the %d racks, so each rack holds as many brokers (Kafka's placement stripes replicas over racks)", w.Racks)})
		}
	}
	sort.SliceStable(s.Constraints, func(i, j int) bool {
		ci, cj := s.Constraints[i], s.Constraints[j]
		if ci.Unsatisfiable != cj.Unsatisfiable {
			return ci.Unsatisfiable
		}
		return ci.Brokers > cj.Brokers
	})
	s.Brokers, s.Binding = s.Constraints[0].Brokers, s.Constraints[0].Resource
	if s.Constraints[0].Unsatisfiable {
		s.Unsatisfiable = s.Binding
	}
	if fa != nil {
		s.Brokers, s.Failures = fa.B, m.F
		s.Placement = placementSummary(m, fa.final, s.Binding, s.Constraints)
	}
	B := float64(s.Brokers)
	s.DiskPerBrokerGB = round2(s.DiskTotalGB / B)
	if fa != nil {
		s.DiskPerBrokerGB = round2(fa.final.worst[resourceIndex("storage")].value)
		fig("disk per broker", s.DiskPerBrokerGB, "GB", "the largest broker's replica bytes on the placement model / 0.7 (a failure moves no data)", tRet,
			Term{Name: "brokers B", Value: B, Source: "binding constraint: " + s.Binding}, Term{Name: "partitions placed", Value: float64(fa.final.P), Source: srcStripedPlacer})
	}

	// Partition plan: a multiple of B (leaders spread evenly), at least
	// the consumers of a group.
	if s.PartitionsRaw > 0 {
		s.PartitionsPlan = planPartitions(s.PartitionsRaw, w.Consumers, s.Brokers)
		fig("partitions per topic (plan)", float64(s.PartitionsPlan), "", "max(raw, consumers per group) rounded up to a multiple of B",
			Term{Name: "raw", Value: float64(s.PartitionsRaw), Source: "computed: ceil(Tt / min(Tp, Tc))"},
			Term{Name: "consumers per group", Value: float64(w.Consumers), Source: "input (--consumers-per-group; 0 unless given)"},
			Term{Name: "brokers B", Value: B, Source: "binding constraint: " + s.Binding})
		s.Partitions = s.PartitionsPlan
		if s.Mode == ModeTextbook {
			s.Partitions = s.PartitionsRaw // the textbook method's own figure
		}
	}

	if fa != nil {
		sizeMemoryOnModel(&s, w, in, m, fa.final)
		sizeNICAndRecovery(&s, w, m, fa.final)
	} else {
		sizeMemory(&s, w, in, peak*c, R, B)
		// NIC: the smallest standard link that carries each broker's share.
		need := peak * c * math.Max(R, R-1+C) / B
		s.NICGbps = smallestLink(func(g float64) bool { return need <= capacityThreshold*g*125 })
		fig("NIC", s.NICGbps, "Gbit/s", "smallest of 1/10/25/40/100/200/400 Gbit/s with W x c x max(R, R-1+C) / B <= 80% of the link", tW, tc, tR, tC,
			Term{Name: "per-broker traffic", Value: round2(need), Unit: "MB/s", Source: "computed"})
		sizeRecovery(&s, w, peak*c, R, C, retained, hw)
	}

	// Threads: io about half the cores, network 2/3 of the other half,
	// replica fetchers 1/3 of it, never under Kafka's defaults.
	s.NumIOThreads, s.NumNetworkThreads, s.NumReplicaFetch = 8, 3, 1
	if cores := hw.Cores.Value; cores > 0 {
		s.NumIOThreads = max(8, int(cores)/2)
		s.NumNetworkThreads = max(3, int(math.Round(cores/2*2/3)))
		s.NumReplicaFetch = max(1, int(math.Round(cores/2/3)))
		fig("broker threads", cores, "cores", "num.io.threads ~ cores/2, num.network.threads ~ 2/3 of the rest, num.replica.fetchers ~ 1/3 of the rest",
			Term{Name: "cores", Value: cores, Source: hw.Cores.Source})
	}

	if s.Brokers > 9 || w.DedicatedControllers {
		why := "above 9 brokers, KRaft controllers on their own hosts keep metadata work off busy brokers"
		if s.Brokers <= 9 {
			why = "asked for (--dedicated-controllers)"
		}
		s.Controllers = &Controllers{Count: 3, Cores: 4, MemoryGB: 8, HeapGB: 2, DiskGB: 64, Why: why,
			Source: "assumption: a 3-voter quorum survives one controller loss (Kafka docs: KRaft); the per-controller size is a small-host rule of thumb, not measured"}
	}
	return s
}

// planPartitions is the partition plan: max(raw, consumers per group)
// rounded up to a multiple of B, so leaders spread evenly.
func planPartitions(raw, consumers, B int) int {
	n := max(raw, consumers)
	return (n + B - 1) / B * B
}

// links are the standard NIC speeds, Gbit/s.
var links = []float64{1, 10, 25, 40, 100, 200, 400}

// smallestLink is the smallest standard link for which ok holds (0:
// none).
func smallestLink(ok func(gbps float64) bool) float64 {
	for _, g := range links {
		if ok(g) {
			return g
		}
	}
	return 0
}

// pick chooses between a stated value and a measured one: the stated one
// wins unless preferMeasured.
func pick(stated float64, statedFrom string, measured float64, measuredFrom string, preferMeasured bool) (float64, string) {
	switch {
	case stated > 0 && (measured == 0 || !preferMeasured):
		return stated, statedFrom
	case measured > 0:
		return measured, measuredFrom
	}
	return 0, ""
}

func finite(f float64) float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0
	}
	return f
}
