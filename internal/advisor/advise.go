package advisor

import (
	"fmt"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/result"
)

// Input is everything the advisor reads.
type Input struct {
	Workload Workload
	// Probes are probe documents of broker hosts: they give the broker
	// hardware unless the workload states it. Never a load machine's.
	Probes  []Named[*result.Probe]
	Results []Named[*result.Document]
	Sweeps  []Named[*result.Sweep]
	// MaxRates are `ktune maxrate` ceilings; each whose traffic fills the
	// network or the disks says so (CeilingFindings).
	MaxRates []Named[*result.MaxRate]
	// Disruptions and Drains are operations measured under load; each
	// becomes evidence (OperationFindings).
	Disruptions []Named[*result.Disruption]
	Drains      []Named[*result.Drain]
	// DrainSweeps are drains over consumer settings; each names its
	// fastest setting (DrainSweepFindings).
	DrainSweeps []Named[*result.DrainSweep]
	// Audit, when set, holds a live cluster audit.
	Audit *Audit
	// AssumeAvgMBps, when positive, stands in for a workload without a
	// rate; the advice names it as an assumption.
	AssumeAvgMBps float64
	// ClientLine is the Java client line the configuration is written
	// for (--client-line); 0 is the current line.
	ClientLine clientcfg.Line
}

// Advise sizes the workload and recommends a configuration.
func Advise(in Input) (*Advice, error) {
	w := in.Workload
	assumed := defaults(&w, in.AssumeAvgMBps)
	if err := validate(&w); err != nil {
		return nil, err
	}
	a := &Advice{Header: result.NewHeader(result.KindAdvice), AdviceVersion: result.AdviceVersion, Workload: w, Assumed: assumed}
	// The per-partition rule: size for a replication factor and
	// min.insync.replicas that survive the failures asked for (sized,
	// below).
	isAssumed := map[string]bool{}
	for _, x := range assumed {
		a.Assumptions = append(a.Assumptions, x.String())
		isAssumed[x.Flag] = true
	}
	sized := w
	sized.Replication, sized.MinInsync = survivableRF(w.Replication, w.MinInsync, failuresOf(w), w.Racks)
	raised := map[string]string{}
	if sized.Replication != w.Replication {
		raised["--replication-factor"] = fmt.Sprintf("computed: the smallest replication factor that survives %s (%d given)", failuresText(w), w.Replication)
	}
	if sized.MinInsync != w.MinInsync {
		raised["--min-insync-replicas"] = fmt.Sprintf("computed: min.insync.replicas that survives %s (%d given)", failuresText(w), w.MinInsync)
	}
	src := func(flag string) string {
		if r, ok := raised[flag]; ok {
			return r
		}
		if isAssumed[flag] {
			return srcAssumption + " (pass " + flag + ")"
		}
		return "input (" + flag + ")"
	}
	runs, notes := gatherPartitionRuns(in.Results)
	a.Notes = append(a.Notes, notes...)
	hw := brokerHardware(w.Hardware, in.Probes)
	if !hw.Known() {
		a.Assumptions = append(a.Assumptions, "no broker hardware (--broker-disk-mbps, --broker-disk-gb, --broker-nic-gbps, --broker-cores, --broker-memory-gb, or --probe of a broker host): textbook sizing, 100 MB/s per broker assumed, as the textbook does")
	} else {
		if !hw.DiskMBps.Known() {
			a.Assumptions = append(a.Assumptions, "no broker disk bandwidth: 100 MB/s per broker assumed (textbook) in the disk write check")
		}
		if !hw.NICMBps.Known() {
			a.Assumptions = append(a.Assumptions, "no broker NIC speed: the network checks are skipped; the NIC figure is a recommendation")
		}
		if !hw.DiskGB.Known() {
			a.Assumptions = append(a.Assumptions, "no broker disk size: the storage check is skipped; disk per broker is a recommendation")
		}
	}
	if runs.tp == 0 && w.ProducerPartitionMBps == 0 || runs.tc == 0 && w.ConsumerPartitionMBps == 0 {
		a.Assumptions = append(a.Assumptions, "no single-partition producer and consumer throughput: partitions per topic not computed (run ktune produce and consume on a 1-partition topic without --rate, or pass --producer-partition-mbps and --consumer-partition-mbps)")
	}
	if w.HeapGB == 0 && !hw.MemoryGB.Known() {
		a.Assumptions = append(a.Assumptions, "JVM heap 6 GB assumed (Kafka docs: -Xms6g -Xmx6g with G1)")
	}
	for _, s := range in.Sweeps {
		if s.Doc.Cluster.Embedded {
			a.Notes = append(a.Notes, s.Path+": a sweep on the embedded cluster; its configuration advice says nothing about a real broker")
		}
	}
	a.Config = recommend(sized, in.Sweeps, in.ClientLine.OrCurrent())
	chooseConsumer(a.Config)
	a.Sizing = size(sized, sizeInput{hw: hw, runs: runs, compression: compression(w, a.Config), src: src})
	a.Sizing.Replication, a.Sizing.MinInsync = sized.Replication, sized.MinInsync
	a.Sizing.ReplicationChanged = sized.Replication != w.Replication || sized.MinInsync != w.MinInsync

	ri := RuleInput{Workload: w, TopicPartitions: a.Sizing.Partitions}
	switch {
	case a.Config != nil && a.Config.Producer != nil:
		ri.Producer, ri.Consumer = a.Config.Producer, a.Config.Consumer
	case len(in.Results) > 0:
		ri.Producer, ri.Consumer = in.Results[0].Doc.Config.Producer, in.Results[0].Doc.Config.Consumer
	}
	if ri.Producer == nil {
		ri.Producer = defaultsOf(clientcfg.Producer, in.ClientLine.OrCurrent())
	}
	if ri.Consumer == nil {
		ri.Consumer = defaultsOf(clientcfg.Consumer, in.ClientLine.OrCurrent())
	}
	if in.Audit != nil {
		ri.Broker = in.Audit.BrokerConfig
		a.Audit = in.Audit
		a.Findings = append(a.Findings, in.Audit.Findings...)
	}
	a.Findings = append(append(Rules(ri), sizingFindings(a.Sizing, w)...), a.Findings...)
	a.Findings = append(a.Findings, CeilingFindings(w, in.MaxRates, hw)...)
	if f := roundTripFinding(in.Probes, ri.Producer, a.Sizing); f != nil {
		a.Findings = append(a.Findings, *f)
	}
	if c := a.Config; c != nil && c.Best == nil {
		a.Findings = append(a.Findings, Finding{ID: "no-qualifying-point", Severity: "warn", Rationale: "the advice never recommends a measured point that breaks the delivery guarantee or the SLO",
			Evidence: c.Why, Recommendation: "re-run the sweep with the settings named, or relax the SLO", Source: srcConfluentDur})
	}
	a.Findings = append(a.Findings, OperationFindings(w, in.Disruptions, in.Drains)...)
	a.Findings = append(a.Findings, DrainSweepFindings(w, in.DrainSweeps)...)
	if f := ClientBottleneck(in.Results, in.Sweeps); f != nil {
		a.Findings = append(a.Findings, *f)
	}
	if f := BrokerBottleneck(in.Results, in.Sweeps); f != nil {
		a.Findings = append(a.Findings, *f)
	}
	for _, p := range in.Probes {
		for _, c := range p.Doc.Checks {
			if c.Severity == result.SeverityWarn {
				a.Findings = append(a.Findings, Finding{ID: "probe-" + c.ID, Severity: "warn", Rationale: "host check from ktune probe",
					Evidence: fmt.Sprintf("%s (%s)", c.Finding, p.Path), Recommendation: c.Recommended, Source: c.Source})
			}
		}
	}
	a.Done(result.StopDone)
	return a, nil
}

// compression is the ratio the sizing applies: stated, else measured in
// the recommended sweep point (never on the embedded cluster), else 1.
func compression(w Workload, c *ConfigAdvice) Sourced {
	if w.CompressionRatio > 0 {
		return Sourced{Value: w.CompressionRatio, Source: "input (--compression-ratio)"}
	}
	if c != nil && c.Best != nil && !c.Best.Embedded && c.Best.CompressionRatio > 0 {
		codec := c.Best.Producer["compression.type"]
		return Sourced{Value: c.Best.CompressionRatio, Source: fmt.Sprintf("measured: %s (point %s, compression.type=%s, on ktune's payload: pass --compression-ratio for your data)", c.Best.From, c.Best.Key, codec)}
	}
	return Sourced{Value: 1, Source: srcAssumption + " (no compression; pass --compression-ratio)"}
}
