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

// failureModel gives the brokers lost at a cluster of B brokers.
type failureModel struct{ failures, racks int }

func (f failureModel) lost(B int) int {
	if f.racks > 0 {
		return (B + f.racks - 1) / f.racks
	}
	return f.failures
}

func (f failureModel) describe() string {
	if f.racks > 0 {
		return fmt.Sprintf("F = ceil(B / %d racks): a whole rack lost", f.racks)
	}
	return fmt.Sprintf("F = %d broker(s) lost", f.failures)
}

// check is one failure-aware check: at B brokers, value must stay within
// limit.
type check struct {
	resource, formula, unit string
	inputs                  []Term
	measured                bool
	eval                    func(B int) (value, limit float64, holds bool)
}

// minBrokers is the smallest B at which c holds (0: none up to the cap).
func (c check) minBrokers() int {
	for B := 1; B <= maxBrokersSearched; B++ {
		if _, _, ok := c.eval(B); ok {
			return B
		}
	}
	return 0
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
	retained := dailyGB * c * R * localDays
	tRet := Term{Name: "retained bytes", Value: round2(retained), Unit: "GB", Source: "computed: daily GB x c x R x local retention days"}
	s.DiskTotalGB = round2(retained / fillLimit)
	fig("cluster disk", s.DiskTotalGB, "GB", "daily GB x c x R x retention days / 0.7", Term{Name: "daily volume", Value: round2(dailyGB), Unit: "GB", Source: "computed from the average"}, tc, tR,
		Term{Name: "retention (local)", Value: round2(localDays), Unit: "days", Source: localFrom}, Term{Name: "fill limit", Value: fillLimit, Source: "textbook (Cruise Control uses 0.8)"})

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
	survivors := func(B int) int { return B }
	if hw.Known() {
		s.Mode = ModeFailureAware
		s.Hardware = &hw
		fm := failureModel{failures: failuresOf(w), racks: w.Racks}
		survivors = func(B int) int { return B - fm.lost(B) }
		s.Constraints = constraints(failureChecks(w, peak, c, retained, hw, fm, s.PartitionsRaw, in.src), fm)
	} else {
		bDisk := 2*int(math.Ceil(peak*c*(R+L)/textbookDiskMBps-1e-9)) + 1
		s.Constraints = append(s.Constraints, Constraint{Resource: "disk bandwidth", Brokers: bDisk, Holds: true,
			Detail: fmt.Sprintf("2 x ceil(W x c x (R + lagging readers) / D) + 1 with D = %.0f MB/s (%s); no broker hardware known: pass --broker-disk-mbps etc. or --probe of a broker", textbookDiskMBps, srcTextbook)})
		if w.Partitions > 0 {
			b := int(math.Ceil(float64(w.Partitions) * R / replicasPerBroker))
			s.Constraints = append(s.Constraints, Constraint{Resource: "partitions", Brokers: b, Holds: true, Detail: "ceil(partitions x R / 4,000 replicas per broker) (Jun Rao's guidance)"})
		}
		s.Constraints = append(s.Constraints, Constraint{Resource: "durability", Brokers: int(math.Max(3, R)), Holds: true, Detail: "at least 3 brokers and at least R (R=3 with min.insync.replicas=2 needs 3)"})
	}
	sort.SliceStable(s.Constraints, func(i, j int) bool { return s.Constraints[i].Brokers > s.Constraints[j].Brokers })
	s.Brokers, s.Binding = s.Constraints[0].Brokers, s.Constraints[0].Resource
	if s.Mode == ModeFailureAware {
		s.Failures = failureModel{failures: failuresOf(w), racks: w.Racks}.lost(s.Brokers)
	}
	B := float64(s.Brokers)
	S := float64(survivors(s.Brokers))
	s.DiskPerBrokerGB = round2(s.DiskTotalGB / B)
	if s.Mode == ModeFailureAware {
		need := math.Max(retained/B/fillLimit, retained/S/capacityThreshold)
		s.DiskPerBrokerGB = round2(need)
		fig("disk per broker", s.DiskPerBrokerGB, "GB", "max(retained / B / 0.7, retained / (B - F) / 0.8)", tRet,
			Term{Name: "brokers B", Value: B, Source: "binding constraint: " + s.Binding}, Term{Name: "failures F", Value: B - S, Source: in.src("--failures")})
	}

	// Partition plan: a multiple of B (leaders spread evenly), at least
	// the consumers of a group.
	if s.PartitionsRaw > 0 {
		n := max(s.PartitionsRaw, w.Consumers)
		s.PartitionsPlan = (n + s.Brokers - 1) / s.Brokers * s.Brokers
		fig("partitions per topic (plan)", float64(s.PartitionsPlan), "", "max(raw, consumers per group) rounded up to a multiple of B",
			Term{Name: "raw", Value: float64(s.PartitionsRaw), Source: "computed: ceil(Tt / min(Tp, Tc))"},
			Term{Name: "consumers per group", Value: float64(w.Consumers), Source: "input (--consumers-per-group; 0 unless given)"},
			Term{Name: "brokers B", Value: B, Source: "binding constraint: " + s.Binding})
		s.Partitions = s.PartitionsPlan
		if s.Mode == ModeTextbook {
			s.Partitions = s.PartitionsRaw // the textbook method's own figure
		}
	}

	sizeMemory(&s, w, in, peak*c, R, B)

	// NIC: the smallest standard link that keeps each surviving broker
	// under 80%.
	fan := math.Max(R, R-1+C)
	need := peak * c * fan / S
	for _, g := range []float64{1, 10, 25, 40, 100, 200, 400} {
		if need <= capacityThreshold*g*125 {
			s.NICGbps = g
			break
		}
	}
	per := "B"
	if s.Mode == ModeFailureAware {
		per = "(B - F)"
	}
	fig("NIC", s.NICGbps, "Gbit/s", "smallest of 1/10/25/40/100/200/400 Gbit/s with W x c x max(R, R-1+C) / "+per+" <= 80% of the link", tW, tc, tR, tC,
		Term{Name: "per-broker traffic", Value: round2(need), Unit: "MB/s", Source: "computed"})

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

	sizeRecovery(&s, w, peak*c, R, C, retained, hw)

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

// failureChecks builds every check of the failure-aware sizing. W is the
// peak produce MB/s before compression.
func failureChecks(w Workload, W, c, retained float64, hw BrokerHardware, fm failureModel, rawPartitions int, src func(string) string) []check {
	R, C, L := float64(w.Replication), float64(w.ConsumerGroups), float64(w.LaggingReaders)
	Wc := W * c
	tWc := Term{Name: "W x c", Value: round2(Wc), Unit: "MB/s", Source: "computed: peak produce x compression ratio"}
	tR := Term{Name: "R", Value: R, Source: src("--replication-factor")}
	tF := Term{Name: "F", Value: float64(fm.failures), Source: src("--failures")}
	if fm.racks > 0 {
		tF = Term{Name: "racks", Value: float64(fm.racks), Source: "input (--racks)"}
	}
	surv := func(B int) float64 { return float64(B - fm.lost(B)) }
	perSurvivor := func(total float64, B int) float64 {
		if surv(B) <= 0 {
			return math.Inf(1)
		}
		return total / surv(B)
	}
	measured := func(s Sourced) bool { return !strings.HasPrefix(s.Source, srcTextbook) }
	var checks []check

	D := hw.DiskMBps
	if !D.Known() {
		D = Sourced{Value: textbookDiskMBps, Source: srcTextbook + " (no --broker-disk-mbps or probe: 100 MB/s per broker)"}
	}
	writeFactor := R + L
	writeFormula := "W x c x R / (B - F) <= 0.8 D"
	if L > 0 {
		writeFormula = "W x c x (R + lagging readers) / (B - F) <= 0.8 D"
	}
	checks = append(checks, check{resource: "disk write", formula: writeFormula, unit: "MB/s", measured: measured(D),
		inputs: []Term{tWc, tR, tF, {Name: "D", Value: round2(D.Value), Unit: "MB/s", Source: D.Source}, {Name: "threshold", Value: capacityThreshold, Source: srcCruiseControl}},
		eval: func(B int) (float64, float64, bool) {
			v := perSurvivor(Wc*writeFactor, B)
			return v, capacityThreshold * D.Value, v <= capacityThreshold*D.Value
		}})
	if N := hw.NICMBps; N.Known() {
		tN := Term{Name: "NIC", Value: round2(N.Value), Unit: "MB/s", Source: N.Source}
		th := Term{Name: "threshold", Value: capacityThreshold, Source: srcCruiseControl}
		checks = append(checks, check{resource: "network in", formula: "W x c x R / (B - F) <= 0.8 NIC", unit: "MB/s", measured: true,
			inputs: []Term{tWc, tR, tF, tN, th},
			eval: func(B int) (float64, float64, bool) {
				v := perSurvivor(Wc*R, B)
				return v, capacityThreshold * N.Value, v <= capacityThreshold*N.Value
			}},
			check{resource: "network out", formula: "W x c x (R - 1 + C) / (B - F) <= 0.8 NIC", unit: "MB/s", measured: true,
				inputs: []Term{tWc, tR, {Name: "C", Value: C, Source: src("--consumer-groups")}, tF, tN, th},
				eval: func(B int) (float64, float64, bool) {
					v := perSurvivor(Wc*(R-1+C), B)
					return v, capacityThreshold * N.Value, v <= capacityThreshold*N.Value
				}})
	}
	if G := hw.DiskGB; G.Known() {
		checks = append(checks, check{resource: "storage", formula: "retained / B <= 0.7 G and retained / (B - F) <= 0.8 G (retained = daily x c x R x retention days)", unit: "GB", measured: true,
			inputs: []Term{{Name: "retained", Value: round2(retained), Unit: "GB", Source: "computed: daily GB x c x R x local retention days"}, tF,
				{Name: "G", Value: round2(G.Value), Unit: "GB", Source: G.Source}, {Name: "fill limit", Value: fillLimit, Source: "textbook"}, {Name: "threshold", Value: capacityThreshold, Source: srcCruiseControl}},
			eval: func(B int) (float64, float64, bool) {
				// value: the disk a broker needs, against G
				need := math.Max(retained/float64(B)/fillLimit, perSurvivor(retained, B)/capacityThreshold)
				return need, G.Value, need <= G.Value
			}})
	}
	P, pFrom := float64(w.Partitions), "input (--partitions)"
	if P == 0 && rawPartitions > 0 {
		P, pFrom = float64(rawPartitions), "computed: partitions per topic (raw), one topic"
	}
	if P > 0 {
		checks = append(checks, check{resource: "replicas", formula: "partitions x R / (B - F) <= 4,000 (and partitions x R <= 200,000 in the cluster)", unit: "replicas",
			inputs: []Term{{Name: "partitions", Value: P, Source: pFrom}, tR, tF, {Name: "per broker", Value: replicasPerBroker, Source: srcJunRao}},
			eval: func(B int) (float64, float64, bool) {
				v := perSurvivor(P*R, B)
				return v, replicasPerBroker, v <= replicasPerBroker && P*R <= replicasPerCluster
			}})
	}
	M := float64(w.MinInsync)
	floor := math.Max(3, R)
	checks = append(checks, check{resource: "availability", formula: "B - F >= min.insync.replicas and B >= max(3, R)", unit: "brokers",
		inputs: []Term{{Name: "min.insync.replicas", Value: M, Source: src("--min-insync-replicas")}, tR, tF},
		eval: func(B int) (float64, float64, bool) {
			// value: surviving brokers, limit: what they must be at least
			return surv(B), M, surv(B) >= M && float64(B) >= floor
		}})

	return checks
}

// constraints evaluates every check: the smallest B each allows, and both
// sides at the count all of them allow.
func constraints(checks []check, fm failureModel) []Constraint {
	out := make([]Constraint, 0, len(checks))
	B := 0
	for _, ch := range checks {
		b := ch.minBrokers()
		B = max(B, b)
		ct := Constraint{Resource: ch.resource, Brokers: b, Formula: ch.formula, Inputs: ch.inputs, Unit: ch.unit, Measured: ch.measured,
			Detail: ch.formula + "; " + fm.describe(), Unsatisfiable: b == 0}
		if b == 0 {
			ct.Detail += "; no broker count up to 100,000 meets it"
		}
		out = append(out, ct)
	}
	for i, ch := range checks {
		v, l, holds := ch.eval(B)
		out[i].Value, out[i].Limit, out[i].Holds = finite(round2(v)), finite(round2(l)), holds
	}
	return out
}

func finite(f float64) float64 {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return 0
	}
	return f
}
