package advisor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/result"
)

// ParetoPoint is one sweep point on the throughput-latency plane.
type ParetoPoint struct {
	Key      string            `json:"key"`
	Params   map[string]string `json:"params"`
	MBps     float64           `json:"mb_per_sec"`
	P99Ms    float64           `json:"p99_ms"`
	Producer map[string]string `json:"-"`
	Consumer map[string]string `json:"-"`
}

// ConfigAdvice is the configuration recommended from sweep results.
type ConfigAdvice struct {
	Goal     string        `json:"goal"`
	From     []string      `json:"from"`
	Pareto   []ParetoPoint `json:"pareto_front"`
	Points   []ParetoPoint `json:"points"`
	Best     *ParetoPoint  `json:"best,omitempty"`
	Defaults *ParetoPoint  `json:"defaults_point,omitempty"`
	// GainOverDefaults is best MB/s over the defaults point's, minus 1.
	GainOverDefaults *float64          `json:"gain_over_defaults,omitempty"`
	Producer         map[string]string `json:"producer"`
	Consumer         map[string]string `json:"consumer,omitempty"`
	Topic            map[string]string `json:"topic"`
	Why              string            `json:"why"`
}

// points reads every point of the sweeps, averaging repetitions.
func points(sweeps []Named[*result.Sweep]) []ParetoPoint {
	type acc struct {
		p   ParetoPoint
		n   int
		mb  float64
		p99 float64
	}
	byKey := map[string]*acc{}
	var order []string
	for _, s := range sweeps {
		for _, pt := range s.Doc.Points {
			if pt.Produce == nil || pt.Produce.Metrics.Records == 0 {
				continue
			}
			key := strings.SplitN(pt.Key, "#", 2)[0]
			a, ok := byKey[key]
			if !ok {
				a = &acc{p: ParetoPoint{Key: key, Params: pt.Params, Producer: pt.Produce.Config.Producer}}
				if pt.Consume != nil {
					a.p.Consumer = pt.Consume.Config.Consumer
				}
				byKey[key] = a
				order = append(order, key)
			}
			a.n++
			a.mb += pt.Produce.Metrics.MiBPerSec * mibToMB
			a.p99 += pt.Produce.Metrics.Latency[result.LatencyIntended].P99
		}
	}
	out := make([]ParetoPoint, 0, len(order))
	for _, k := range order {
		a := byKey[k]
		a.p.MBps, a.p.P99Ms = round2(a.mb/float64(a.n)), round2(a.p99/float64(a.n))
		out = append(out, a.p)
	}
	return out
}

// Pareto returns the points no other point beats on both throughput and
// p99, by descending throughput.
func Pareto(pts []ParetoPoint) []ParetoPoint {
	var front []ParetoPoint
	for i, p := range pts {
		dominated := false
		for j, q := range pts {
			if i != j && q.MBps >= p.MBps && q.P99Ms <= p.P99Ms && (q.MBps > p.MBps || q.P99Ms < p.P99Ms) {
				dominated = true
				break
			}
		}
		if !dominated {
			front = append(front, p)
		}
	}
	sort.Slice(front, func(a, b int) bool { return front[a].MBps > front[b].MBps })
	return front
}

// defaultsProducer is the Java client's default producer configuration.
func defaultsProducer() map[string]string {
	r, _ := clientcfg.Resolve(nil, clientcfg.Producer)
	return r.Effective()
}

// recommend picks the configuration for the goal from the sweeps.
func recommend(w Workload, sweeps []Named[*result.Sweep]) *ConfigAdvice {
	pts := points(sweeps)
	if len(pts) == 0 {
		return nil
	}
	ca := &ConfigAdvice{Goal: w.Goal, Pareto: Pareto(pts), Points: pts, Topic: map[string]string{
		"replication.factor": fmt.Sprint(w.Replication), "min.insync.replicas": fmt.Sprint(w.MinInsync),
	}}
	for _, s := range sweeps {
		ca.From = append(ca.From, s.Path)
	}
	durableOnly := w.Goal == "durability" || w.Goal == "balanced" || (w.Durability != "at-most-once" && w.Goal != "throughput" && w.Goal != "latency")
	eligible := func(p ParetoPoint) bool {
		if durableOnly && p.Producer["acks"] != "all" {
			return false
		}
		return w.SLOp99Ms <= 0 || p.P99Ms <= w.SLOp99Ms
	}
	var best *ParetoPoint
	for i := range pts {
		p := &pts[i]
		if !eligible(*p) {
			continue
		}
		if best == nil || (w.Goal == "latency" && p.P99Ms < best.P99Ms) || (w.Goal != "latency" && p.MBps > best.MBps) {
			best = p
		}
	}
	def := defaultsProducer()
	for i := range pts {
		match := true
		for k, v := range pts[i].Params {
			role, name, _ := strings.Cut(k, ":")
			if role == "producer" && def[name] != v {
				match = false
			}
		}
		if match {
			ca.Defaults = &pts[i]
			break
		}
	}
	if best == nil {
		ca.Why = fmt.Sprintf("no swept point meets the goal %q", w.Goal)
		if w.SLOp99Ms > 0 {
			ca.Why += fmt.Sprintf(" within p99 <= %.1f ms", w.SLOp99Ms)
		}
		return ca
	}
	ca.Best = best
	ca.Producer = best.Producer
	ca.Consumer = best.Consumer
	switch w.Goal {
	case "latency":
		ca.Why = fmt.Sprintf("lowest p99 (%.2f ms) among the swept points", best.P99Ms)
	default:
		ca.Why = fmt.Sprintf("highest throughput (%.1f MB/s)", best.MBps)
		if durableOnly {
			ca.Why += " among acks=all points"
		}
		if w.SLOp99Ms > 0 {
			ca.Why += fmt.Sprintf(" with p99 <= %.1f ms", w.SLOp99Ms)
		}
	}
	if ca.Defaults != nil && ca.Defaults.MBps > 0 {
		g := round2(best.MBps/ca.Defaults.MBps - 1)
		ca.GainOverDefaults = &g
	}
	return ca
}
