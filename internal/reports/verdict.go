package reports

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/stats"
	"github.com/ktune/ktune/result"
)

// verdict is the top of a report: what was measured, the answer, the
// change to make and the sizing, in a few lines.
type verdict struct {
	Embedded bool
	Measured []labelled
	// MaxRate is the max sustainable rate within the SLO, in words.
	MaxRate string
	Goal    string
	// Changes are the recommended properties that differ from the
	// defaults; Effects the measured effect of the change.
	Changes  []change
	Effects  []string
	NoChange string
	// Sizing is the broker count with its binding constraint; Assumptions
	// what it rests on.
	Sizing      string
	Assumptions []string
	// Caution says when ktune's host, not Kafka, may have set the pace.
	Caution string
}

type labelled struct{ Label, Value string }

// change is one property the recommendation sets away from its default.
type change struct {
	Role, Property, Default, Value string
}

func buildVerdict(in Input) verdict {
	var v verdict
	var cl *result.Cluster
	var host *result.Host
	var when string
	see := func(c result.Cluster, h *result.Host, start string) {
		if c.Embedded {
			v.Embedded = true
		}
		if cl == nil && (c.Brokers > 0 || len(c.Bootstrap) > 0) {
			c := c
			cl, when = &c, start
		}
		if host == nil && h != nil && h.Cores > 0 {
			host = h
		}
	}
	for _, m := range in.MaxRate {
		see(m.Doc.Cluster, nil, m.Doc.Start.UTC().Format("2006-01-02 15:04 UTC"))
	}
	for _, r := range in.Results {
		see(r.Doc.Cluster, &r.Doc.Host, r.Doc.Start.UTC().Format("2006-01-02 15:04 UTC"))
	}
	for _, d := range in.Disruptions {
		see(d.Doc.Cluster, &d.Doc.Host, d.Doc.Start.UTC().Format("2006-01-02 15:04 UTC"))
	}
	for _, d := range in.Drains {
		see(d.Doc.Cluster, &d.Doc.Host, d.Doc.Start.UTC().Format("2006-01-02 15:04 UTC"))
	}
	for _, d := range in.DrainSweeps {
		see(d.Doc.Cluster, &d.Doc.Host, d.Doc.Start.UTC().Format("2006-01-02 15:04 UTC"))
	}
	for _, s := range in.Sweeps {
		for _, p := range s.Doc.Points {
			if p.Produce != nil {
				see(s.Doc.Cluster, &p.Produce.Host, s.Doc.Start.UTC().Format("2006-01-02 15:04 UTC"))
			}
		}
	}
	if c := in.Comparison; c != nil {
		for _, e := range c.Entries {
			for _, d := range e.Runs {
				see(d.Cluster, &d.Host, d.Start.UTC().Format("2006-01-02 15:04 UTC"))
			}
		}
	}
	if cl != nil {
		kind := "a real cluster"
		if cl.Embedded {
			kind = "the embedded kfake cluster (in memory, no disk, no replication: a demonstration, not a measurement of Kafka)"
		}
		ver := cl.KafkaVersion
		if ver == "" {
			ver = "unknown"
		}
		v.Measured = append(v.Measured,
			labelled{"cluster", fmt.Sprintf("%s at %s", kind, strings.Join(cl.Bootstrap, ", "))},
			labelled{"Kafka version, brokers", fmt.Sprintf("%s, %d brokers", ver, cl.Brokers)})
		if when != "" {
			v.Measured = append(v.Measured, labelled{"measured", when})
		}
	}
	if host != nil {
		h := fmt.Sprintf("%s: %d cores", orDefault(host.Hostname, "unnamed host"), host.Cores)
		if host.GoMaxProcs > 0 && host.GoMaxProcs != host.Cores {
			h += fmt.Sprintf(" (ktune could use %d)", host.GoMaxProcs)
		}
		if host.CPUModel != "" {
			h += ", " + host.CPUModel
		}
		if host.MemoryBytes > 0 {
			h += fmt.Sprintf(", %.1f GiB memory", float64(host.MemoryBytes)/(1<<30))
		}
		v.Measured = append(v.Measured, labelled{"client host", h})
	}
	for _, m := range in.MaxRate {
		d := m.Doc
		if d.RecordsPerSec > 0 {
			v.MaxRate = fmt.Sprintf("%.0f records/s (%.2f MiB/s) with p99 %s latency within %g ms, held in two confirming windows", d.RecordsPerSec, d.MiBPerSec, LatencyKinds[d.LatencyKind].Short, d.P99Ms)
		} else {
			v.MaxRate = fmt.Sprintf("no rate met p99 %s latency within %g ms", LatencyKinds[d.LatencyKind].Short, d.P99Ms)
		}
	}
	var bound *advisor.Finding
	if in.Advice != nil {
		for i, f := range in.Advice.Findings {
			if f.ID == "client-bottleneck" {
				bound = &in.Advice.Findings[i]
			}
		}
	} else {
		bound = advisor.ClientBottleneck(in.Results, in.Sweeps)
	}
	if bound != nil {
		runs, _, _ := strings.Cut(bound.Evidence, ":")
		v.Caution = "The client may have set the pace in " + runs + " (its CPU, its waits for a CPU, the host's, or a full producer buffer): those figures measure ktune's host, not Kafka. See the client-bottleneck finding."
	}
	if a := in.Advice; a != nil {
		v.Sizing = fmt.Sprintf("%d brokers", a.Sizing.Brokers)
		if a.Sizing.Mode == result.ModeTextbook {
			v.Sizing = "textbook sizing (no broker hardware given): " + v.Sizing
		}
		switch w := a.Workload; {
		case w.AvgMBps > 0:
			v.Sizing += fmt.Sprintf(" for an average of %g MB/s", w.AvgMBps)
		case w.RecordsPerDay > 0:
			v.Sizing += fmt.Sprintf(" for %g records a day", w.RecordsPerDay)
		}
		v.Sizing += "; binding constraint: " + a.Sizing.Binding
		v.Assumptions = a.Assumptions
		if c := a.Config; c != nil {
			v.Goal = "goal: " + c.Goal
			if c.Best == nil {
				v.NoChange = "No change recommended: " + c.Why + "."
			} else {
				v.Changes = changes(c)
				v.Effects = effects(c, in.Sweeps)
				if len(v.Changes) == 0 {
					v.NoChange = "Keep the defaults: the best swept point (" + c.Why + ") is the defaults point."
				}
			}
		}
	}
	return v
}

// changes lists the recommended client properties that differ from the
// defaults of the Java client line the advice is for, producer then
// consumer.
func changes(c *advisor.ConfigAdvice) []change {
	var out []change
	for _, role := range []struct {
		name string
		r    clientcfg.Role
		m    map[string]string
	}{{"producer", clientcfg.Producer, c.Producer}, {"consumer", clientcfg.Consumer, c.Consumer}} {
		if len(role.m) == 0 {
			continue
		}
		def, err := clientcfg.ResolveLine(nil, role.r, clientcfg.Line(c.ClientLine).OrCurrent())
		if err != nil {
			continue
		}
		var keys []string
		for k, v := range role.m {
			if v != "[hidden]" && def.Effective()[k] != v && strings.Contains(advisor.Properties(map[string]string{k: v}), k+"=") {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			d := def.Effective()[k]
			if d == "" {
				d = "(unset)"
			}
			out = append(out, change{Role: role.name, Property: k, Default: d, Value: role.m[k]})
		}
	}
	return out
}

// effects states the measured effect of the recommendation against the
// sweep's defaults point: with 95% confidence intervals and Welch's
// p-value when both were repeated.
func effects(c *advisor.ConfigAdvice, sweeps []advisor.Named[*result.Sweep]) []string {
	if c.Defaults == nil || c.Best == nil {
		return []string{"The sweep has no defaults point, so the effect of the change was not measured against the defaults."}
	}
	samples := func(key string, metric func(*result.Document) float64) []float64 {
		var x []float64
		for _, s := range sweeps {
			for _, p := range s.Doc.Points {
				if p.Produce != nil && p.Produce.Metrics.Records > 0 && strings.SplitN(p.Key, "#", 2)[0] == key {
					x = append(x, metric(p.Produce))
				}
			}
		}
		return x
	}
	var out []string
	for _, m := range []struct {
		name, unit string
		f          func(*result.Document) float64
	}{
		{"throughput", "MiB/s", func(d *result.Document) float64 { return d.Metrics.MiBPerSec }},
		{"p99 intended-time latency", "ms", func(d *result.Document) float64 { return d.Metrics.Latency[result.LatencyIntended].P99 }},
		{"client CPU per GiB", "s", func(d *result.Document) float64 { return d.Metrics.ClientCPUSPerGiB }},
	} {
		b, d := samples(c.Best.Key, m.f), samples(c.Defaults.Key, m.f)
		if len(b) == 0 || len(d) == 0 {
			continue
		}
		bm, bh := stats.MeanCI95(b)
		dm, dh := stats.MeanCI95(d)
		if bm == 0 && dm == 0 {
			continue
		}
		rel := ""
		if dm != 0 {
			rel = fmt.Sprintf("%+.0f%%: ", (bm/dm-1)*100)
		}
		if len(b) > 1 && len(d) > 1 {
			s := fmt.Sprintf("%s %s%.2f ± %.2f %s recommended vs %.2f ± %.2f defaults (95%% CI, %d and %d runs", m.name, rel, bm, bh, m.unit, dm, dh, len(b), len(d))
			if _, _, p := stats.Welch(b, d); !math.IsNaN(p) {
				s += fmt.Sprintf("; Welch p = %.3f", p)
				if p >= 0.05 {
					s += ", not significant"
				}
			}
			out = append(out, s+")")
			continue
		}
		out = append(out, fmt.Sprintf("%s %s%.2f %s recommended vs %.2f defaults (one run each: no confidence interval; sweep with --repeat for one)", m.name, rel, bm, m.unit, dm))
	}
	return out
}

// GenericTable lays out a slice of structs as a table from their JSON
// form: a column per field in order, nested values flattened, so fields
// added to the advice render without changes here. Nil for an empty
// slice.
func GenericTable(v any) *Table {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	var items []json.RawMessage
	if json.Unmarshal(raw, &items) != nil || len(items) == 0 {
		return nil
	}
	t := &Table{}
	col := map[string]int{}
	var rows []map[string]string
	for _, it := range items {
		keys, vals := orderedFields(it)
		row := map[string]string{}
		for i, k := range keys {
			if _, ok := col[k]; !ok {
				col[k] = len(t.Header)
				t.Header = append(t.Header, k)
			}
			row[k] = vals[i]
		}
		rows = append(rows, row)
	}
	for _, r := range rows {
		line := make([]string, len(t.Header))
		for i, h := range t.Header {
			line[i] = r[h]
		}
		t.Rows = append(t.Rows, line)
	}
	for i, h := range t.Header {
		t.Header[i] = strings.ReplaceAll(h, "_", " ")
	}
	return t
}

// orderedFields reads a JSON object's fields in document order, each
// value as text.
func orderedFields(obj json.RawMessage) ([]string, []string) {
	dec := json.NewDecoder(bytes.NewReader(obj))
	if t, err := dec.Token(); err != nil || t != json.Delim('{') {
		return []string{"value"}, []string{text(obj)}
	}
	var keys, vals []string
	for dec.More() {
		k, err := dec.Token()
		if err != nil {
			break
		}
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			break
		}
		keys, vals = append(keys, fmt.Sprint(k)), append(vals, text(v))
	}
	return keys, vals
}

// text renders a JSON value for a table cell: scalars as they are, a list
// of objects as "a = 1 unit [source]"-like lines, one per element.
func text(v json.RawMessage) string {
	var x any
	if json.Unmarshal(v, &x) != nil {
		return string(v)
	}
	return flatten(x)
}

func flatten(x any) string {
	switch t := x.(type) {
	case nil:
		return ""
	case string:
		return t
	case bool:
		if t {
			return "yes"
		}
		return "no"
	case float64:
		return num(t)
	case []any:
		var parts []string
		for _, e := range t {
			parts = append(parts, flatten(e))
		}
		return strings.Join(parts, "\n")
	case map[string]any:
		// A term: name = value unit [source]; otherwise key=value pairs.
		if n, ok := t["name"]; ok {
			s := flatten(n)
			if v, ok := t["value"]; ok {
				s += " = " + flatten(v)
			}
			if u, ok := t["unit"]; ok && u != "" {
				s += " " + flatten(u)
			}
			if src, ok := t["source"]; ok && src != "" {
				s += " [" + flatten(src) + "]"
			}
			return s
		}
		keys := make([]string, 0, len(t))
		for k := range t {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var parts []string
		for _, k := range keys {
			parts = append(parts, k+"="+flatten(t[k]))
		}
		return strings.Join(parts, ", ")
	}
	return fmt.Sprint(x)
}
