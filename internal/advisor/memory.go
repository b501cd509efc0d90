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

// heapOf is the stated heap, else the one that follows broker memory,
// else the Kafka docs' 6 GB.
func heapOf(w Workload, hw BrokerHardware) (float64, string) {
	if w.HeapGB > 0 {
		return w.HeapGB, "input (--heap-gb)"
	}
	if m := hw.MemoryGB; m.Known() {
		return heapFor(m.Value), fmt.Sprintf("computed from broker memory %.0f GB (%s): 4 GB under 32 GB, 6 GB under 64 GB, else 10 GB", m.Value, m.Source)
	}
	return 6, "assumption (Kafka docs: -Xms6g -Xmx6g with G1; pass --heap-gb or --broker-memory-gb)"
}

// defaultSegmentMs is Kafka's segment.ms default (log.roll.hours = 168).
const defaultSegmentMs = 7 * 24 * 3600 * 1000.0

// sizeMemoryOnModel sets heap and page cache per broker from the bytes
// each broker of the placement model actually writes: the largest, over
// the brokers, of the Kafka docs' 30 s of its writes; a quarter of each
// replica's active segment, min(segment.bytes, the partition's rate x
// segment.ms); and, for lagging readers (who read leaders only), lagging
// readers x its leaders' writes over the lag window. The headline never
// exceeds the broker's memory; a finding says what is missing.
func sizeMemoryOnModel(s *Sizing, w Workload, in sizeInput, m model, j judgment) {
	heap, heapFrom := heapOf(w, in.hw)
	segMs, segFrom := w.SegmentMs, "input (segment_ms)"
	if segMs <= 0 {
		segMs, segFrom = defaultSegmentMs, "Kafka's default segment.ms (7 days)"
	}
	activeGB := math.Min(w.SegmentBytes/1e9, j.f.rate*segMs/1000/1000)
	var pc float64
	pcWhy := "30 s of the broker's writes (Kafka docs)"
	for b, l := range j.base.loads {
		if v := l.in * 30 / 1000; v > pc {
			pc, pcWhy = v, fmt.Sprintf("30 s of broker %d's writes, %.2f MB/s (Kafka docs)", b, l.in)
		}
		if v := float64(l.replicas) * activeGB * 0.25; v > pc {
			pc, pcWhy = v, fmt.Sprintf("broker %d: %d replicas x 0.25 x active segment min(segment.bytes, partition rate x segment.ms) = %.3f GB (tuning notes: 25%% of active segments)", b, l.replicas, activeGB)
		}
		if w.LagHours > 0 {
			readers := math.Max(m.L, 1)
			if v := readers * float64(l.leaders) * j.f.rate * w.LagHours * 3600 / 1000; v > pc {
				pc, pcWhy = v, fmt.Sprintf("broker %d: %g lagging reader(s) x its %d leaders' writes over %g h (readers read leaders)", b, readers, l.leaders, w.LagHours)
			}
		}
	}
	setMemory(s, heap, pc, in.hw)
	s.Figures = append(s.Figures, Figure{Name: "memory per broker", Value: s.MemoryPerBrokerGB, Unit: "GB", Formula: "heap + page cache rounded up to whole GB, at most the broker's memory; page cache = " + pcWhy,
		Inputs: []Term{{Name: "heap", Value: heap, Unit: "GB", Source: heapFrom}, {Name: "page cache", Value: round2(pc), Unit: "GB", Source: "computed on the placement model: " + pcWhy},
			{Name: "segment.ms", Value: segMs, Unit: "ms", Source: segFrom}, {Name: "brokers B", Value: float64(j.B), Source: "binding constraint: " + s.Binding}}})
}

// setMemory sets the memory figures: what is needed, and in the
// headline at most the broker's memory.
func setMemory(s *Sizing, heap, pc float64, hw BrokerHardware) {
	s.HeapGB, s.PageCacheGB = heap, round2(pc)
	s.MemoryPerBrokerGB = heap + math.Ceil(pc-1e-9)
	s.MemoryNeededGB = s.MemoryPerBrokerGB
	if mem := hw.MemoryGB; mem.Known() && s.MemoryPerBrokerGB > mem.Value {
		s.MemoryPerBrokerGB = mem.Value
		s.PageCacheGB = round2(math.Max(mem.Value-heap, 0))
	}
}

// sizeMemory sets heap and page cache per broker in textbook mode. Wc is
// the compressed peak produce MB/s, B the broker count.
func sizeMemory(s *Sizing, w Workload, in sizeInput, Wc, R, B float64) {
	heap, heapFrom := heapOf(w, in.hw)
	// Page cache per broker (textbook: no placement): the largest of the
	// Kafka docs' 30 s of writes, a quarter of each partition's active
	// segment, and the catch-up window of lagging readers.
	wb := Wc * R / B
	pc := wb * 30 / 1000
	pcWhy := "W x c x R / B x 30 s (Kafka docs)"
	if w.Partitions > 0 {
		if tb := float64(w.Partitions) * w.SegmentBytes / 1e9 * 0.25 / B; tb > pc {
			pc, pcWhy = tb, "partitions x segment size x 0.25 / B (textbook)"
		}
	}
	if w.LagHours > 0 {
		// Lagging readers read leaders: each broker leads 1/B of the
		// writes, and each reader needs its own window.
		if lag := math.Max(float64(w.LaggingReaders), 1) * Wc / B * w.LagHours * 3600 / 1000; lag > pc {
			pc, pcWhy = lag, "lagging readers x W x c / B x lag hours (readers read leaders; serve catch-up reads from memory)"
		}
	}
	setMemory(s, heap, pc, in.hw)
	s.Figures = append(s.Figures, Figure{Name: "memory per broker", Value: s.MemoryPerBrokerGB, Unit: "GB", Formula: "heap + page cache rounded up to whole GB; page cache = " + pcWhy,
		Inputs: []Term{{Name: "heap", Value: heap, Unit: "GB", Source: heapFrom}, {Name: "page cache", Value: round2(pc), Unit: "GB", Source: "computed: " + pcWhy},
			{Name: "brokers B", Value: B, Source: "binding constraint: " + s.Binding}}})
}

// recovery is how long a replaced broker (same id) takes to catch up
// alone: Kafka does not re-replicate a lost broker's partitions by
// itself, the replacement fetches its replicas' data from their leaders,
// bounded by its own disk write left after its share of the peak, its
// NIC in left, and the replication throttle.
type recovery struct {
	hours              float64 // -1: never (nothing spare)
	dataGB, rate       float64
	broker             int
	bound, throttleSrc string
}

// recoveryOf is the slowest catch-up over the brokers of loads. nic is the
// link in MB/s (0: unknown, no bound).
func recoveryOf(loads []brokerLoad, D, nic, throttle float64) recovery {
	worst := recovery{hours: 0}
	for b, l := range loads {
		data := l.storeGB
		if data <= 0 {
			continue
		}
		rate, bound := D-l.disk, fmt.Sprintf("disk write left, %s - %s MB/s", figure(D), figure(l.disk))
		if nic > 0 && nic-l.in < rate {
			rate, bound = nic-l.in, fmt.Sprintf("NIC in left, %s - %s MB/s", figure(nic), figure(l.in))
		}
		if throttle > 0 && throttle < rate {
			rate, bound = throttle, fmt.Sprintf("replication throttle %g MB/s", throttle)
		}
		r := recovery{hours: -1, dataGB: data, rate: rate, broker: b, bound: bound}
		if rate > 0 {
			r.hours = data * 1000 / rate / 3600
		}
		if r.hours < 0 || worst.hours >= 0 && r.hours > worst.hours {
			worst = r
			if r.hours < 0 {
				return worst
			}
		}
	}
	return worst
}

// throttleOf is the replication throttle: --recovery-mbps, else none
// (Kafka's default: leader/follower.replication.throttled.rate unset).
func throttleOf(w Workload) (float64, string) {
	if w.RecoveryMBps > 0 {
		return w.RecoveryMBps, "input (--recovery-mbps)"
	}
	return 0, "Kafka's default: no replication throttle (--recovery-mbps sets one)"
}

// setRecovery records r as the recovery figure.
func setRecovery(s *Sizing, r recovery, throttle float64, throttleSrc string, nic float64, nicSrc string) {
	h := round2(r.hours)
	if r.hours < 0 {
		h = -1
	}
	s.RecoveryHours = &h
	formula := "a replaced broker catches up alone: its data / min(disk write left after its share of the peak, NIC in left, replication throttle); the slowest broker"
	if h < 0 {
		formula += "; nothing is spare at peak (-1 stands for never)"
	}
	inputs := []Term{{Name: "data of the broker", Value: round2(r.dataGB), Unit: "GB", Source: fmt.Sprintf("computed: broker %d's replicas", r.broker)},
		{Name: "catch-up rate", Value: round2(r.rate), Unit: "MB/s", Source: "computed: " + r.bound}}
	// A bound that is not there (no throttle, no NIC known) is said in
	// the formula, never printed as a rate of 0 MB/s.
	if throttle > 0 {
		inputs = append(inputs, Term{Name: "replication throttle", Value: throttle, Unit: "MB/s", Source: throttleSrc})
	} else {
		formula += "; replication throttle: none (" + throttleSrc + ")"
	}
	if nic > 0 {
		inputs = append(inputs, Term{Name: "NIC", Value: round2(nic), Unit: "MB/s", Source: nicSrc})
	} else {
		formula += "; NIC: " + nicSrc
	}
	s.Figures = append(s.Figures, Figure{Name: "recovery time", Value: h, Unit: "h", Formula: formula, Inputs: inputs})
}

// sizeRecovery is the textbook mode's recovery: B brokers sharing the
// load evenly, the textbook 100 MB/s disk, no NIC known.
func sizeRecovery(s *Sizing, w Workload, Wc, R, C, retained float64, hw BrokerHardware) {
	B := float64(s.Brokers)
	if B < 2 {
		return
	}
	D := textbookDiskMBps
	if hw.DiskMBps.Known() {
		D = hw.DiskMBps.Value
	}
	share := brokerLoad{storeGB: retained / B, disk: Wc * (R + float64(w.LaggingReaders)) / B, in: Wc * R / B}
	th, thFrom := throttleOf(w)
	setRecovery(s, recoveryOf([]brokerLoad{share}, D, 0, th), th, thFrom, 0, "unknown: not a bound")
}

// sizeNICAndRecovery sets the NIC figure and the recovery time on the
// placement model. The NIC is the one given when it carries the worst
// scenario and keeps recovery within --max-recovery; else the smallest
// standard link that does both (recovery may be bound by disk or the
// throttle, which no link changes).
func sizeNICAndRecovery(s *Sizing, w Workload, m model, j judgment) {
	th, thFrom := throttleOf(w)
	net := math.Max(j.worst[resourceIndex("network in")].value, j.worst[resourceIndex("network out")].value)
	timeAt := func(nic float64) float64 { return recoveryOf(j.base.loads, m.D, nic, th).hours }
	noNIC := timeAt(0)
	fits := func(nic float64) bool {
		t := timeAt(nic)
		return net <= capacityThreshold*nic && (t >= 0 && t <= w.MaxRecoveryHours || t == noNIC)
	}
	why := "the NIC given carries the worst failure scenario at 80% and keeps recovery within --max-recovery"
	if m.N > 0 && fits(m.N) {
		s.NICGbps = round2(m.N / 125)
	} else {
		s.NICGbps = smallestLink(func(g float64) bool { return fits(g * 125) })
		why = "smallest of 1/10/25/40/100/200/400 Gbit/s carrying the worst surviving broker's network in and out at 80% and keeping a replaced broker's catch-up within --max-recovery"
		if s.NICGbps == 0 {
			s.NICGbps = smallestLink(func(g float64) bool { return net <= capacityThreshold*g*125 })
			why = "smallest standard link carrying the worst surviving broker at 80%; no link keeps recovery within --max-recovery"
		}
	}
	s.Figures = append(s.Figures, Figure{Name: "NIC", Value: s.NICGbps, Unit: "Gbit/s", Formula: why,
		Inputs: []Term{{Name: "worst surviving broker's network in or out", Value: round2(net), Unit: "MB/s", Source: "computed on the placement model"},
			{Name: "longest acceptable recovery", Value: w.MaxRecoveryHours, Unit: "h", Source: "input (--max-recovery; 4 h unless given)"}}})
	nic, nicSrc := m.N, "input (--broker-nic-gbps or probe)"
	if nic <= 0 {
		nic, nicSrc = s.NICGbps*125, "the recommended NIC"
	}
	setRecovery(s, recoveryOf(j.base.loads, m.D, nic, th), th, thFrom, nic, nicSrc)
}

// sizingFindings turns what the sizing found into findings.
func sizingFindings(s Sizing, w Workload) []Finding {
	var out []Finding
	add := func(id, why, ev, rec, src string) {
		out = append(out, Finding{ID: id, Severity: "warn", Rationale: why, Evidence: ev, Recommendation: rec, Source: src})
	}
	for _, c := range s.Constraints {
		if c.Unsatisfiable {
			add("sizing-unsatisfiable", "no broker count meets this check: the hardware is too small for the load, or one partition carries more than a broker can",
				fmt.Sprintf("%s: %s", c.Resource, c.Formula), "bigger brokers (disk, NIC, disk size), more partitions, or less load", srcCruiseControl)
		}
	}
	if s.ReplicationChanged {
		add("replication-changed", "a failure the sizing must survive can take more of one partition's replicas than min.insync.replicas leaves room for: acks=all writes to it would stop",
			fmt.Sprintf("replication factor %d / min.insync.replicas %d with %s: a scenario takes %d replica(s) of one partition, leaving %d", w.Replication, w.MinInsync, failuresText(w), taken(w.Replication, failuresOf(w), w.Racks), w.Replication-taken(w.Replication, failuresOf(w), w.Racks)),
			fmt.Sprintf("sized for replication factor %d / min.insync.replicas %d instead, the smallest that survives; or survive fewer failures", s.Replication, s.MinInsync), "Kafka docs: min.insync.replicas; per-partition rule (ktune placement model)")
	}
	if s.Replication == 2 && durable(w) {
		add("replication-2", "RF 2 cannot both survive a broker loss and keep acks=all writes on two replicas: with min.insync.replicas 1 a write is acknowledged by one replica while a broker is down; with 2 one broker down stops acks=all writes",
			fmt.Sprintf("replication factor 2, min.insync.replicas %d", s.MinInsync), "replication factor 3 with min.insync.replicas 2", srcConfluentDur)
	}
	if r := s.RecoveryHours; r != nil {
		switch {
		case *r < 0:
			add("recovery-never", "at peak load a replaced broker has no bandwidth to spare to catch up", "spare disk or network bandwidth at peak <= 0",
				"add brokers or faster disks/NICs, or pass --recovery-mbps with a throttle you accept", "ktune sizing (recovery time)")
		case *r > w.MaxRecoveryHours:
			add("recovery-slow", "while a replaced broker catches up its partitions run with fewer in-sync replicas", fmt.Sprintf("recovery %.1f h > --max-recovery %.1f h", *r, w.MaxRecoveryHours),
				"add brokers (less data per broker), faster disks or NICs; raise --recovery-mbps (the replication throttle)", "ktune sizing (recovery time)")
		case *r > w.RetentionHours:
			add("recovery-exceeds-retention", "recovery takes longer than the data is kept", fmt.Sprintf("recovery %.1f h > retention %.1f h", *r, w.RetentionHours),
				"add brokers or bandwidth", "ktune sizing (recovery time)")
		}
	}
	if h := s.Hardware; h != nil && h.MemoryGB.Known() && s.MemoryNeededGB > h.MemoryGB.Value {
		add("memory-short", "a broker needs heap plus page cache; less memory means reads from disk", fmt.Sprintf("needs %.0f GB, has %.0f GB (%s)", s.MemoryNeededGB, h.MemoryGB.Value, h.MemoryGB.Source),
			"more memory per broker or more brokers", "Apache Kafka documentation: operations (memory)")
	}
	return out
}
