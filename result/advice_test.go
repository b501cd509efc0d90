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
