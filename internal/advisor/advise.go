package advisor

import (
	"fmt"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/result"
)

// KindAdvice is the kind of an advice document.
const KindAdvice result.Kind = "advice"

// Input is everything the advisor reads.
type Input struct {
	Workload Workload
	Probes   []Named[*result.Probe]
	Results  []Named[*result.Document]
	Sweeps   []Named[*result.Sweep]
	// Audit, when set, holds a live cluster audit.
	Audit *Audit
}

// Advice is the advisor's output document.
type Advice struct {
	result.Header
	Workload    Workload      `json:"workload"`
	Assumptions []string      `json:"assumptions"`
	Notes       []string      `json:"notes,omitempty"`
	Sizing      Sizing        `json:"sizing"`
	Config      *ConfigAdvice `json:"config,omitempty"`
	Findings    []Finding     `json:"findings"`
	Audit       *Audit        `json:"audit,omitempty"`
}

// Advise sizes the workload and recommends a configuration.
func Advise(in Input) (*Advice, error) {
	w := in.Workload
	assumptions := w.defaults()
	if err := w.validate(); err != nil {
		return nil, err
	}
	a := &Advice{Header: result.NewHeader(KindAdvice), Workload: w, Assumptions: assumptions}
	m, notes := gatherMeasurements(in.Probes, in.Results)
	a.Notes = append(a.Notes, notes...)
	if m.diskMBps == 0 {
		a.Assumptions = append(a.Assumptions, "no measured disk bandwidth (ktune probe): 100 MB/s per broker assumed, as the textbook does")
	}
	if m.nicMbps == 0 {
		a.Assumptions = append(a.Assumptions, "no NIC link speed measured: network capacity is not a constraint here; the NIC figure is a recommendation")
	}
	if m.tp == 0 && w.ProducerPartitionMBps == 0 || m.tc == 0 && w.ConsumerPartitionMBps == 0 {
		a.Assumptions = append(a.Assumptions, "no single-partition producer and consumer throughput: partitions per topic not computed (run ktune produce and consume on a 1-partition topic, or pass --producer-partition-mbps and --consumer-partition-mbps)")
	}
	a.Sizing = size(w, m)
	for _, s := range in.Sweeps {
		if s.Doc.Cluster.Embedded {
			a.Notes = append(a.Notes, s.Path+": a sweep on the embedded cluster; its configuration advice says nothing about a real broker")
		}
	}
	a.Config = recommend(w, in.Sweeps)

	ri := RuleInput{Workload: w, TopicPartitions: a.Sizing.Partitions}
	switch {
	case a.Config != nil && a.Config.Best != nil:
		ri.Producer, ri.Consumer = a.Config.Producer, a.Config.Consumer
	case len(in.Results) > 0:
		ri.Producer, ri.Consumer = in.Results[0].Doc.Config.Producer, in.Results[0].Doc.Config.Consumer
	}
	if ri.Producer == nil {
		ri.Producer = defaultsProducer()
	}
	if ri.Consumer == nil {
		r, _ := clientcfg.Resolve(nil, clientcfg.Consumer)
		ri.Consumer = r.Effective()
	}
	if in.Audit != nil {
		ri.Broker = in.Audit.BrokerConfig
		a.Audit = in.Audit
		a.Findings = append(a.Findings, in.Audit.Findings...)
	}
	a.Findings = append(Rules(ri), a.Findings...)
	if f := ClientBottleneck(in.Results, in.Sweeps); f != nil {
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
