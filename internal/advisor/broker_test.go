package advisor

import (
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

func TestBrokerBottleneck(t *testing.T) {
	idle := func(v float64) *float64 { return &v }
	calm := result.BrokerFigures{RequestHandlerIdle: idle(0.9), NetworkProcessorIdle: 0.9, NetworkProcessorIdleMin: 0.8,
		Produce: result.RequestTimes{Requests: 100, RequestQueueMs: 10, LocalMs: 30, RemoteMs: 40, ResponseQueueMs: 10, ResponseSendMs: 10, TotalMs: 100}}
	tests := []struct {
		name     string
		acks     string
		change   func(*result.BrokerFigures)
		severity string
		want     string
	}{
		{"below capacity", "all", func(*result.BrokerFigures) {}, "info", "no broker limit reached"},
		{"handlers", "all", func(f *result.BrokerFigures) { f.RequestHandlerIdle = idle(0.1) }, "warn", "request handler threads saturated"},
		{"network", "all", func(f *result.BrokerFigures) { f.NetworkProcessorIdleMin = 0.05 }, "warn", "network threads saturated"},
		{"replication", "all", func(f *result.BrokerFigures) { f.Produce.RemoteMs, f.Produce.LocalMs = 60, 10 }, "warn", "replication-bound"},
		{"remote under acks=1 is not replication", "1", func(f *result.BrokerFigures) { f.Produce.RemoteMs, f.Produce.LocalMs = 60, 10 }, "info", "no broker limit"},
		{"disk", "all", func(f *result.BrokerFigures) { f.Produce.LocalMs, f.Produce.RemoteMs, f.LogFlushes = 70, 0, 3 }, "warn", "disk-bound"},
		{"queued", "all", func(f *result.BrokerFigures) { f.Produce.RequestQueueMs, f.Produce.RemoteMs = 60, 10 }, "warn", "queued"},
		{"unknown idle is no finding", "all", func(f *result.BrokerFigures) { f.RequestHandlerIdle = nil }, "info", "no broker limit"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := calm
			tt.change(&w)
			d := &result.Document{Config: result.ClientConfig{Producer: map[string]string{"acks": tt.acks}},
				Brokers: &result.BrokerMetrics{Brokers: []result.BrokerSeries{{Endpoint: "b1", Window: &w}}}}
			f := BrokerBottleneck([]Named[*result.Document]{{Path: "r.json", Doc: d}}, nil)
			if f == nil || f.Severity != tt.severity || !strings.Contains(f.Evidence, tt.want) {
				t.Errorf("finding %+v, want %s with %q", f, tt.severity, tt.want)
			}
		})
	}
	if f := BrokerBottleneck([]Named[*result.Document]{{Path: "r.json", Doc: &result.Document{}}}, nil); f != nil {
		t.Errorf("a run without broker metrics: %+v", f)
	}
}
