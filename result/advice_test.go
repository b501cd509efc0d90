package result

import (
	"bytes"
	"encoding/json"
	"testing"
)

func TestAdviceRoundTrip(t *testing.T) {
	one := 1
	a := &Advice{Header: Header{SchemaVersion: SchemaVersion, Kind: KindAdvice}, Workload: AdviceWorkload{AvgMBps: 10, Failures: &one},
		Assumed: []Assumed{{Input: "average", Value: 10, Unit: "MB/s", Flag: "--avg-mbps", Source: "assumption"}},
		Sizing:  Sizing{Mode: ModeFailureAware, Brokers: 4, Hardware: &BrokerHardware{DiskMBps: Sourced{Value: 300, Source: "input (--broker-disk-mbps)"}}}}
	data, err := json.Marshal(a)
	if err != nil {
		t.Fatal(err)
	}
	got, err := DecodeAdvice(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if got.Sizing.Brokers != 4 || !got.Sizing.Hardware.Known() || *got.Workload.Failures != 1 {
		t.Errorf("round trip: %+v", got)
	}
	if s := got.AssumedSummary(); s != "assumed: 10 MB/s average (pass --avg-mbps)" {
		t.Errorf("summary %q", s)
	}
	sw, _ := json.Marshal(Sweep{Header: NewHeader(KindSweep)})
	if _, err := DecodeAdvice(bytes.NewReader(sw)); err == nil {
		t.Error("a sweep decoded as advice")
	}
}

// TestAdviceVersion1Loads: an advice document written before the
// placement model (no advice_version, no placement) still loads, as
// version 1.
func TestAdviceVersion1Loads(t *testing.T) {
	v1 := `{"schema_version": 1, "kind": "advice", "workload": {"avg_mbps": 20, "replication_factor": 3, "min_insync_replicas": 2, "failures": 2},
		"sizing": {"mode": "failure-aware", "brokers": 7, "failures": 2, "binding_constraint": "availability",
		"constraints": [{"resource": "availability", "brokers": 7, "detail": "B - F >= min.insync.replicas", "measured": false, "holds": true}]}, "findings": []}`
	a, err := DecodeAdvice(bytes.NewReader([]byte(v1)))
	if err != nil {
		t.Fatal(err)
	}
	if a.AdviceVersion != 0 || a.Sizing.Brokers != 7 || a.Sizing.Placement != nil || len(a.Sizing.Constraints) != 1 {
		t.Errorf("version 1 advice: %+v", a.Sizing)
	}
	b, _ := json.Marshal(&Advice{Header: NewHeader(KindAdvice), AdviceVersion: AdviceVersion, Sizing: Sizing{Placement: &Placement{Survives: true}}})
	if got, err := DecodeAdvice(bytes.NewReader(b)); err != nil || got.AdviceVersion != 2 || got.Sizing.Placement == nil {
		t.Errorf("version 2 advice: %v %+v", err, got)
	}
}
