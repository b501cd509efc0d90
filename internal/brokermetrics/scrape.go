package brokermetrics

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// Sample is one scrape of one broker: each figure the endpoint had, at
// time At.
type Sample struct {
	At     time.Time
	Values map[Figure]float64
}

// maxBody bounds what one scrape reads: ktune's exporter configuration
// serves about 20 KB; a whole unfiltered JMX export of a broker is a few MB.
const maxBody = 16 << 20

// acceptText asks for Prometheus's text format 0.0.4, which expfmt's text
// parser reads (the agent would otherwise offer OpenMetrics).
const acceptText = "text/plain;version=0.0.4"

// Scrape reads url once, within ctx, and returns the figures of Table it
// found; missing lists the metrics of Table the endpoint lacked.
func Scrape(ctx context.Context, client *http.Client, url string) (s Sample, missing []string, err error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Sample{}, nil, err
	}
	req.Header.Set("Accept", acceptText)
	start := time.Now()
	resp, err := client.Do(req)
	if err != nil {
		return Sample{}, nil, err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return Sample{}, nil, fmt.Errorf("HTTP %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(io.LimitReader(resp.Body, maxBody))
	if err != nil {
		return Sample{}, nil, fmt.Errorf("not Prometheus text: %w", err)
	}
	// The exporter reads the MBeans while it answers: the middle of the
	// request is the best estimate of when.
	s = Sample{At: start.Add(time.Since(start) / 2), Values: map[Figure]float64{}}
	seen := map[string]bool{}
	for _, src := range Table {
		v, ok := read(families, src)
		if ok {
			s.Values[src.Figure] = v
		} else if !src.Optional && !seen[src.Metric] {
			seen[src.Metric] = true
			missing = append(missing, src.Metric)
		}
	}
	return s, missing, nil
}

// read is the value of src in families: the sum over the series whose
// labels include src.Labels.
func read(families map[string]*dto.MetricFamily, src Source) (float64, bool) {
	if src.Kind == TotalTime {
		n, ok1 := read(families, Source{Metric: src.Metric + "_count", Labels: src.Labels})
		mean, ok2 := read(families, Source{Metric: src.Metric + "_mean", Labels: src.Labels})
		return n * mean, ok1 && ok2
	}
	mf := families[src.Metric]
	if mf == nil {
		return 0, false
	}
	sum, found := 0.0, false
	for _, m := range mf.GetMetric() {
		if !hasLabels(m, src.Labels) {
			continue
		}
		v, ok := value(m)
		if ok {
			sum, found = sum+v, true
		}
	}
	return sum, found
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	n := 0
	for _, l := range m.GetLabel() {
		if v, ok := want[l.GetName()]; ok {
			if v != l.GetValue() {
				return false
			}
			n++
		}
	}
	return n == len(want)
}

// value is a series' number: a gauge's, counter's or untyped value, a
// summary's or histogram's sum.
func value(m *dto.Metric) (float64, bool) {
	switch {
	case m.Gauge != nil:
		return m.Gauge.GetValue(), true
	case m.Counter != nil:
		return m.Counter.GetValue(), true
	case m.Untyped != nil:
		return m.Untyped.GetValue(), true
	case m.Summary != nil:
		return m.Summary.GetSampleSum(), true
	case m.Histogram != nil:
		return m.Histogram.GetSampleSum(), true
	}
	return 0, false
}
