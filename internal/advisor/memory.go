package advisor

import (
	"fmt"
	"math"
)

// heapFor is the heap default that follows the broker's size: 4 GB for
// small brokers, 6 GB (the Kafka docs' G1 setup) for mid-size, 10 GB for
// large ones (the tuning notes: 4-6 GB small, 10-15 GB large).
func heapFor(memGB float64) float64 {
	switch {
	case memGB < 32:
		return 4
	case memGB < 64:
		return 6
	}
	return 10
}

// sizeMemory sets heap and page cache per broker. Wc is the compressed
// peak produce MB/s, B the broker count.
func sizeMemory(s *Sizing, w Workload, in sizeInput, Wc, R, B float64) {
	heap, heapFrom := w.HeapGB, "input (--heap-gb)"
	if heap == 0 {
		heap, heapFrom = 6, "assumption (Kafka docs: -Xms6g -Xmx6g with G1; pass --heap-gb or --broker-memory-gb)"
		if m := in.hw.MemoryGB; m.Known() {
			heap, heapFrom = heapFor(m.Value), fmt.Sprintf("computed from broker memory %.0f GB (%s): 4 GB under 32 GB, 6 GB under 64 GB, else 10 GB", m.Value, m.Source)
		}
	}
	// Page cache per broker: the largest of the Kafka docs' 30 s of
	// writes, a quarter of each active segment, and the catch-up window
	// of lagging readers. The textbook counts partitions (leaders); with
	// broker hardware known, every replica's active segment counts.
	wb := Wc * R / B
	pc := wb * 30 / 1000
	pcWhy := "W x c x R / B x 30 s (Kafka docs)"
	if w.Partitions > 0 {
		if s.Mode == ModeTextbook {
			if tb := float64(w.Partitions) * w.SegmentBytes / 1e9 * 0.25 / B; tb > pc {
				pc, pcWhy = tb, "partitions x segment size x 0.25 / B (textbook)"
			}
		} else if rb := float64(w.Partitions) * R / B * w.SegmentBytes / 1e9 * 0.25; rb > pc {
			pc, pcWhy = rb, "replicas per broker (partitions x R / B) x segment size x 0.25"
		}
	}
	if w.LagHours > 0 {
		if lag := wb * w.LagHours * 3600 / 1000; lag > pc {
			pc, pcWhy = lag, "W x c x R / B x lag hours (serve catch-up reads from memory)"
		}
	}
	s.HeapGB, s.PageCacheGB = heap, round2(pc)
	s.MemoryPerBrokerGB = heap + math.Ceil(pc-1e-9)
	s.Figures = append(s.Figures, Figure{Name: "memory per broker", Value: s.MemoryPerBrokerGB, Unit: "GB", Formula: "heap + page cache rounded up to whole GB; page cache = " + pcWhy,
		Inputs: []Term{{Name: "heap", Value: heap, Unit: "GB", Source: heapFrom}, {Name: "page cache", Value: round2(pc), Unit: "GB", Source: "computed: " + pcWhy},
			{Name: "brokers B", Value: B, Source: "binding constraint: " + s.Binding}}})
}

// sizeRecovery sets the time to re-replicate one failed broker's data
// onto the B - 1 others, each receiving at the recovery rate.
func sizeRecovery(s *Sizing, w Workload, Wc, R, C, retained float64, hw BrokerHardware) {
	B := float64(s.Brokers)
	if B < 2 {
		return
	}
	data := retained / B
	rate, rateFrom := w.RecoveryMBps, "input (--recovery-mbps)"
	if rate == 0 {
		D := hw.DiskMBps
		if !D.Known() {
			D = Sourced{Value: textbookDiskMBps, Source: srcTextbook}
		}
		spareDisk := D.Value - Wc*(R+float64(w.LaggingReaders))/(B-1)
		rate, rateFrom = spareDisk, fmt.Sprintf("computed: spare disk bandwidth at peak on B - 1 brokers, D - W x c x R / (B - 1) with D from %s", D.Source)
		if N := hw.NICMBps; N.Known() {
			if spareNIC := N.Value - Wc*math.Max(R, R-1+C)/(B-1); spareNIC < rate {
				rate, rateFrom = spareNIC, fmt.Sprintf("computed: spare network bandwidth at peak on B - 1 brokers, NIC - W x c x max(R, R - 1 + C) / (B - 1) with NIC from %s", N.Source)
			}
		}
	}
	in := []Term{{Name: "data of one broker", Value: round2(data), Unit: "GB", Source: "computed: retained / B"},
		{Name: "recovery rate per receiving broker", Value: round2(rate), Unit: "MB/s", Source: rateFrom}, {Name: "receiving brokers", Value: B - 1, Source: "B - 1"}}
	if rate <= 0 {
		s.Figures = append(s.Figures, Figure{Name: "recovery time", Value: -1, Unit: "h", Formula: "no spare bandwidth at peak: a failed broker's data cannot be re-replicated (-1 stands for never)", Inputs: in})
		never := -1.0
		s.RecoveryHours = &never
		return
	}
	h := round2(data * 1000 / (rate * (B - 1)) / 3600)
	s.RecoveryHours = &h
	s.Figures = append(s.Figures, Figure{Name: "recovery time", Value: h, Unit: "h", Formula: "data of one broker / (recovery rate x (B - 1))", Inputs: in})
}

// sizingFindings turns what the sizing found into findings.
func sizingFindings(s Sizing, w Workload) []Finding {
	var out []Finding
	add := func(id, why, ev, rec, src string) {
		out = append(out, Finding{ID: id, Severity: "warn", Rationale: why, Evidence: ev, Recommendation: rec, Source: src})
	}
	for _, c := range s.Constraints {
		if c.Unsatisfiable {
			add("sizing-unsatisfiable", "no broker count meets this check", fmt.Sprintf("%s: %s", c.Resource, c.Formula), "reduce partitions or the load per broker (bigger brokers)", srcJunRao)
		}
	}
	if r := s.RecoveryHours; r != nil {
		switch {
		case *r < 0:
			add("recovery-never", "at peak load no broker has bandwidth to spare for re-replicating a failed broker's data", "spare disk or network bandwidth at peak <= 0",
				"add brokers or faster disks/NICs, or pass --recovery-mbps with a throttle you accept", "ktune sizing (recovery time)")
		case *r > w.MaxRecoveryHours:
			add("recovery-slow", "while a failed broker's data is re-replicated the cluster runs with fewer replicas", fmt.Sprintf("recovery %.1f h > --max-recovery %.1f h", *r, w.MaxRecoveryHours),
				"add brokers (less data per broker) or bandwidth; raise the replication throttle", "ktune sizing (recovery time)")
		case *r > w.RetentionHours:
			add("recovery-exceeds-retention", "recovery takes longer than the data is kept", fmt.Sprintf("recovery %.1f h > retention %.1f h", *r, w.RetentionHours),
				"add brokers or bandwidth", "ktune sizing (recovery time)")
		}
	}
	if h := s.Hardware; h != nil && h.MemoryGB.Known() && s.MemoryPerBrokerGB > h.MemoryGB.Value {
		add("memory-short", "a broker needs heap plus page cache; less memory means reads from disk", fmt.Sprintf("needs %.0f GB, has %.0f GB (%s)", s.MemoryPerBrokerGB, h.MemoryGB.Value, h.MemoryGB.Source),
			"more memory per broker or more brokers", "Apache Kafka documentation: operations (memory)")
	}
	return out
}
