package advisor

import (
	"fmt"
	"math"
	"sort"

	"github.com/ktune/ktune/result"
)

// Term is one input of a figure and where it came from.
type Term struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
	Source string  `json:"source"`
}

// Figure is one computed number with its formula and inputs.
type Figure struct {
	Name    string  `json:"name"`
	Value   float64 `json:"value"`
	Unit    string  `json:"unit,omitempty"`
	Formula string  `json:"formula"`
	Inputs  []Term  `json:"inputs"`
}

// Constraint is what one resource asks of the broker count.
type Constraint struct {
	Resource string `json:"resource"`
	Brokers  int    `json:"brokers"`
	Detail   string `json:"detail"`
	Measured bool   `json:"measured"`
}

// Sizing is the recommended hardware, in decimal units.
type Sizing struct {
	Brokers           int          `json:"brokers"`
	DiskTotalGB       float64      `json:"disk_total_gb"`
	DiskPerBrokerGB   float64      `json:"disk_per_broker_gb"`
	MemoryPerBrokerGB float64      `json:"memory_per_broker_gb"`
	HeapGB            float64      `json:"heap_gb"`
	PageCacheGB       float64      `json:"page_cache_gb"`
	Partitions        int          `json:"partitions,omitempty"`
	NICGbps           float64      `json:"nic_gbps"`
	NumIOThreads      int          `json:"num_io_threads"`
	NumNetworkThreads int          `json:"num_network_threads"`
	NumReplicaFetch   int          `json:"num_replica_fetchers"`
	Binding           string       `json:"binding_constraint"`
	Constraints       []Constraint `json:"constraints"`
	// TextbookBrokers is the classic formula with 100 MB/s per broker,
	// shown beside the measured sizing.
	TextbookBrokers int      `json:"textbook_brokers"`
	Figures         []Figure `json:"figures"`
}

// measurements are the inputs read from probe and result files.
type measurements struct {
	diskMBps       float64 // slowest measured sequential write, MB/s
	diskFrom       string
	diskPerBroker  float64 // GB of log dirs on the probed host
	diskSizeFrom   string
	nicMbps        float64
	nicFrom        string
	cores          int
	coresFrom      string
	tp, tc         float64 // single-partition producer and consumer MB/s
	tpFrom, tcFrom string
}

// mibToMB converts MiB/s to MB/s.
const mibToMB = 1.048576

func gatherMeasurements(probes []Named[*result.Probe], results []Named[*result.Document]) (measurements, []string) {
	var m measurements
	var notes []string
	for _, p := range probes {
		for _, d := range p.Doc.Disks {
			if d.SeqWriteMiBps != nil && (m.diskMBps == 0 || *d.SeqWriteMiBps*mibToMB < m.diskMBps) {
				m.diskMBps, m.diskFrom = *d.SeqWriteMiBps*mibToMB, fmt.Sprintf("measured: %s (%s, O_DIRECT sequential write)", p.Path, d.LogDir)
			}
		}
		var total float64
		for _, d := range p.Doc.Disks {
			total += float64(d.TotalBytes) / 1e9
		}
		if total > 0 && (m.diskPerBroker == 0 || total < m.diskPerBroker) {
			m.diskPerBroker, m.diskSizeFrom = total, "measured: "+p.Path+" (log dir sizes)"
		}
		for _, i := range p.Doc.Network.Interfaces {
			if !i.Loopback && i.Up && i.SpeedMbps != nil && float64(*i.SpeedMbps) > m.nicMbps {
				m.nicMbps, m.nicFrom = float64(*i.SpeedMbps), fmt.Sprintf("measured: %s (%s link speed)", p.Path, i.Name)
			}
		}
		if c := p.Doc.CPU.LogicalCores; c > 0 {
			m.cores, m.coresFrom = c, "measured: "+p.Path
		}
	}
	for _, r := range results {
		d := r.Doc
		if d.Cluster.Embedded {
			notes = append(notes, r.Path+": from the embedded cluster; not used for sizing")
			continue
		}
		if d.Workload.Partitions != 1 || !d.Complete {
			continue
		}
		mb := d.Metrics.MiBPerSec * mibToMB
		switch d.Kind {
		case result.KindProduce:
			if mb > m.tp {
				m.tp, m.tpFrom = mb, "measured: "+r.Path+" (1-partition produce)"
			}
		case result.KindConsume:
			if mb > m.tc {
				m.tc, m.tcFrom = mb, "measured: "+r.Path+" (1-partition consume)"
			}
		}
	}
	return m, notes
}

// Named is a document with the file it came from (result.Named).
type Named[T any] = result.Named[T]

// size computes the sizing of w from the measurements.
func size(w Workload, m measurements) Sizing {
	var s Sizing
	avg := w.AvgMBps
	avgFrom := "input (--avg-mbps)"
	if w.RecordsPerDay > 0 {
		avg = w.RecordsPerDay * w.RecordBytes / 86400 / 1e6
		avgFrom = "input (--records-per-day x --record-size / 86,400 s)"
	}
	peak := avg * w.PeakFactor * (1 + w.Headroom)
	R, C, L := float64(w.Replication), float64(w.ConsumerGroups), float64(w.LaggingReaders)
	dailyGB := avg * 86400 / 1000
	fig := func(name string, v float64, unit, formula string, in ...Term) {
		s.Figures = append(s.Figures, Figure{Name: name, Value: round2(v), Unit: unit, Formula: formula, Inputs: in})
	}
	tW := Term{Name: "peak produce W", Value: round2(peak), Unit: "MB/s", Source: "computed: average x peak factor x (1 + headroom)"}
	tR := Term{Name: "replication factor R", Value: R, Source: "input or assumption"}
	fig("average produce", avg, "MB/s", "records/day x record size / 86,400 s", Term{Name: "average", Value: round2(avg), Unit: "MB/s", Source: avgFrom})
	fig("peak produce W", peak, "MB/s", "average x peak factor x (1 + headroom)",
		Term{Name: "peak factor", Value: w.PeakFactor, Source: "input or assumption"}, Term{Name: "headroom", Value: w.Headroom, Source: "input"})

	// Textbook: 2 x ceil(W x R / 100) + 1, 100 MB/s standing for one
	// broker's disks; with a measured bandwidth, that replaces 100.
	s.TextbookBrokers = 2*int(math.Ceil(peak*R/100)) + 1
	fig("brokers (textbook)", float64(s.TextbookBrokers), "", "2 x ceil(W x R / 100) + 1", tW, tR,
		Term{Name: "disk MB/s per broker", Value: 100, Unit: "MB/s", Source: "textbook assumption (no primary source)"})
	disk, diskFrom, measured := 100.0, "textbook assumption", false
	if m.diskMBps > 0 {
		disk, diskFrom, measured = m.diskMBps, m.diskFrom, true
	}
	bDisk := 2*int(math.Ceil(peak*(R+L)/disk)) + 1
	s.Constraints = append(s.Constraints, Constraint{Resource: "disk bandwidth", Brokers: bDisk, Measured: measured,
		Detail: fmt.Sprintf("2 x ceil(W x (R + lagging readers) / D) + 1 with D = %.0f MB/s (%s)", disk, diskFrom)})

	// Storage: daily bytes x R x retention days / 0.7 (disks at most 70% full).
	days := w.RetentionHours / 24
	s.DiskTotalGB = round2(dailyGB * R * days / 0.7)
	fig("cluster disk", s.DiskTotalGB, "GB", "daily GB x R x retention days / 0.7", Term{Name: "daily volume", Value: round2(dailyGB), Unit: "GB", Source: "computed from the average"}, tR,
		Term{Name: "retention", Value: round2(days), Unit: "days", Source: "input or assumption"}, Term{Name: "fill limit", Value: 0.7, Source: "textbook (Cruise Control uses 0.8)"})
	if m.diskPerBroker > 0 {
		b := int(math.Ceil(s.DiskTotalGB / m.diskPerBroker))
		s.Constraints = append(s.Constraints, Constraint{Resource: "storage", Brokers: b, Measured: true,
			Detail: fmt.Sprintf("ceil(%.0f GB / %.0f GB per broker (%s))", s.DiskTotalGB, m.diskPerBroker, m.diskSizeFrom)})
	}

	// Network: in = W x R / B, out = W x (R - 1 + C) / B, at most 80% of the link.
	fan := math.Max(R, R-1+C)
	if m.nicMbps > 0 {
		b := int(math.Ceil(peak * fan / (0.8 * m.nicMbps / 8)))
		s.Constraints = append(s.Constraints, Constraint{Resource: "network", Brokers: b, Measured: true,
			Detail: fmt.Sprintf("ceil(W x max(R, R - 1 + C) / (0.8 x %.0f MB/s)) (%s)", m.nicMbps/8, m.nicFrom)})
	}
	// Partitions: at most 4,000 replicas per broker.
	if w.Partitions > 0 {
		b := int(math.Ceil(float64(w.Partitions) * R / 4000))
		s.Constraints = append(s.Constraints, Constraint{Resource: "partitions", Brokers: b, Detail: "ceil(partitions x R / 4,000 replicas per broker) (Jun Rao's guidance)"})
	}
	s.Constraints = append(s.Constraints, Constraint{Resource: "durability", Brokers: int(math.Max(3, R)), Detail: "at least 3 brokers and at least R (R=3 with min.insync.replicas=2 needs 3)"})
	sort.SliceStable(s.Constraints, func(i, j int) bool { return s.Constraints[i].Brokers > s.Constraints[j].Brokers })
	s.Brokers, s.Binding = s.Constraints[0].Brokers, s.Constraints[0].Resource
	B := float64(s.Brokers)
	s.DiskPerBrokerGB = round2(s.DiskTotalGB / B)

	// Memory: heap + page cache; page cache per broker is the largest of
	// the textbook 25% of each partition's active segment, the Kafka docs'
	// 30 s of writes, and the catch-up window of lagging readers.
	wb := peak * R / B
	pc := wb * 30 / 1000
	pcWhy := "W x R / B x 30 s (Kafka docs)"
	if w.Partitions > 0 {
		if tb := float64(w.Partitions) * w.SegmentBytes / 1e9 * 0.25 / B; tb > pc {
			pc, pcWhy = tb, "partitions x segment size x 0.25 / B (textbook)"
		}
	}
	if w.LagHours > 0 {
		if lag := wb * w.LagHours * 3600 / 1000; lag > pc {
			pc, pcWhy = lag, "W x R / B x lag hours (serve catch-up reads from memory)"
		}
	}
	s.HeapGB, s.PageCacheGB = w.HeapGB, round2(pc)
	s.MemoryPerBrokerGB = w.HeapGB + math.Ceil(pc)
	fig("memory per broker", s.MemoryPerBrokerGB, "GB", "heap + page cache rounded up to whole GB; page cache = "+pcWhy,
		Term{Name: "heap", Value: w.HeapGB, Unit: "GB", Source: "input or assumption"}, Term{Name: "page cache", Value: round2(pc), Unit: "GB", Source: "computed: " + pcWhy},
		Term{Name: "brokers B", Value: B, Source: "binding constraint: " + s.Binding})

	// Partitions per topic: ceil(Tt / min(Tp, Tc)) from single-partition runs.
	tt, tp, tc := w.TargetMBps, w.ProducerPartitionMBps, w.ConsumerPartitionMBps
	ttFrom, tpFrom, tcFrom := "input (--target-mbps)", "input (--producer-partition-mbps)", "input (--consumer-partition-mbps)"
	if tt == 0 {
		tt, ttFrom = peak, "computed: peak produce"
	}
	if m.tp > 0 {
		tp, tpFrom = m.tp, m.tpFrom
	}
	if m.tc > 0 {
		tc, tcFrom = m.tc, m.tcFrom
	}
	if tp > 0 && tc > 0 {
		s.Partitions = int(math.Ceil(tt/math.Min(tp, tc) - 1e-9))
		fig("partitions per topic", float64(s.Partitions), "", "ceil(Tt / min(Tp, Tc))",
			Term{Name: "target Tt", Value: round2(tt), Unit: "MB/s", Source: ttFrom}, Term{Name: "producer per partition Tp", Value: round2(tp), Unit: "MB/s", Source: tpFrom},
			Term{Name: "consumer per partition Tc", Value: round2(tc), Unit: "MB/s", Source: tcFrom})
	}

	// NIC: the smallest standard link that keeps each broker under 80%.
	need := peak * fan / B
	for _, g := range []float64{1, 10, 25, 40, 100} {
		if need <= 0.8*g*1000/8 {
			s.NICGbps = g
			break
		}
	}
	fig("NIC", s.NICGbps, "Gbit/s", "smallest of 1/10/25/40/100 Gbit/s with W x max(R, R-1+C) / B <= 80% of the link", tW, tR,
		Term{Name: "consumer groups C", Value: C, Source: "input or assumption"}, Term{Name: "per-broker traffic", Value: round2(need), Unit: "MB/s", Source: "computed"})

	// Threads: io about half the cores, network 2/3 of the other half,
	// replica fetchers 1/3 of it, never under Kafka's defaults.
	cores := m.cores
	s.NumIOThreads, s.NumNetworkThreads, s.NumReplicaFetch = 8, 3, 1
	if cores > 0 {
		s.NumIOThreads = max(8, cores/2)
		s.NumNetworkThreads = max(3, int(math.Round(float64(cores)/2*2/3)))
		s.NumReplicaFetch = max(1, int(math.Round(float64(cores)/2/3)))
		fig("broker threads", float64(cores), "cores", "num.io.threads ~ cores/2, num.network.threads ~ 2/3 of the rest, num.replica.fetchers ~ 1/3 of the rest",
			Term{Name: "logical cores", Value: float64(cores), Source: m.coresFrom})
	}
	return s
}

func round2(f float64) float64 { return math.Round(f*100) / 100 }
