package advisor

import (
	"fmt"
	"sort"
	"strings"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/result"
)

// points reads every point of the sweeps, averaging repetitions.
func points(sweeps []Named[*result.Sweep]) []ParetoPoint {
	type acc struct {
		p        ParetoPoint
		n, nc    int
		mb, p99  float64
		compress float64
		cons     consumerAcc
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
				a = &acc{p: ParetoPoint{Key: key, Params: pt.Params, Producer: pt.Produce.Config.Producer, From: s.Path, Embedded: s.Doc.Cluster.Embedded,
					Payload: pt.Produce.Workload.Payload, Compressibility: pt.Produce.Workload.Compressibility,
					ClientLine: pt.Produce.Config.ClientLine, Cluster: pt.Produce.Cluster}}
				if pt.Consume != nil {
					a.p.Consumer = pt.Consume.Config.Consumer
				}
				byKey[key] = a
				order = append(order, key)
			}
			a.n++
			a.mb += pt.Produce.Metrics.MiBPerSec * mibToMB
			a.p99 += pt.Produce.Metrics.Latency[result.LatencyIntended].P99
			if pr := pt.Produce.Metrics.Producer; pr != nil && pr.CompressionRatio > 0 {
				a.nc++
				a.compress += pr.CompressionRatio
			}
			a.cons.add(pt.Consume)
		}
	}
	out := make([]ParetoPoint, 0, len(order))
	for _, k := range order {
		a := byKey[k]
		a.p.MBps, a.p.P99Ms = round2(a.mb/float64(a.n)), round2(a.p99/float64(a.n))
		if a.nc > 0 {
			a.p.CompressionRatio = round2(a.compress / float64(a.nc))
		}
		a.p.ConsumerMBps, a.p.ConsumerP99Ms = a.cons.mean()
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

// defaultsOf is the Java client's default configuration of role on line.
func defaultsOf(role clientcfg.Role, line clientcfg.Line) map[string]string {
	r, _ := clientcfg.ResolveLine(nil, role, line)
	return r.Effective()
}

// acksOf normalises acks (-1 is all).
func acksOf(p map[string]string) string {
	if a := p["acks"]; a != "-1" {
		return a
	}
	return "all"
}

// missing lists the producer settings a point lacks for the delivery
// guarantee of w: empty when it qualifies. Guarantees:
//   - at-most-once: any acks (0, 1, all);
//   - at-least-once: acks=all, and enable.idempotence=true unless
//     IdempotenceOptional;
//   - exactly-once: acks=all, enable.idempotence=true and a
//     transactional.id.
func missing(w Workload, producer map[string]string) map[string]string {
	need := map[string]string{}
	if w.Durability == "at-most-once" {
		return need
	}
	if acksOf(producer) != "all" {
		need["acks"] = "all"
	}
	if producer["enable.idempotence"] != "true" && (w.Durability == "exactly-once" || !w.IdempotenceOptional) {
		need["enable.idempotence"] = "true"
	}
	if w.Durability == "exactly-once" && producer["transactional.id"] == "" {
		need["transactional.id"] = "<a stable id per producer instance>"
	}
	return need
}

// durabilityScore orders points by how much they protect records: acks
// all > 1 > 0, then idempotence, then transactions.
func durabilityScore(p map[string]string) int {
	s := map[string]int{"all": 4, "1": 2}[acksOf(p)]
	if p["enable.idempotence"] == "true" {
		s++
	}
	if p["transactional.id"] != "" {
		s++
	}
	return s
}

// rank orders candidates for a goal, best first.
//   - throughput: highest MB/s (lower p99 on ties);
//   - latency: lowest p99 (higher MB/s on ties);
//   - durability: the most protective settings among the candidates
//     (durabilityScore), then the highest MB/s;
//   - balanced: the knee of the candidates' Pareto front (see knee).
func rank(goal string, cands []ParetoPoint) []ParetoPoint {
	out := append([]ParetoPoint(nil), cands...)
	byThroughput := func(a, b ParetoPoint) bool {
		if a.MBps != b.MBps {
			return a.MBps > b.MBps
		}
		return a.P99Ms < b.P99Ms
	}
	switch goal {
	case "latency":
		sort.SliceStable(out, func(i, j int) bool {
			if out[i].P99Ms != out[j].P99Ms {
				return out[i].P99Ms < out[j].P99Ms
			}
			return out[i].MBps > out[j].MBps
		})
	case "durability":
		sort.SliceStable(out, func(i, j int) bool {
			if a, b := durabilityScore(out[i].Producer), durabilityScore(out[j].Producer); a != b {
				return a > b
			}
			return byThroughput(out[i], out[j])
		})
	case "balanced":
		k := knee(out)
		sort.SliceStable(out, func(i, j int) bool {
			if (out[i].Key == k) != (out[j].Key == k) {
				return out[i].Key == k
			}
			return byThroughput(out[i], out[j])
		})
	default:
		sort.SliceStable(out, func(i, j int) bool { return byThroughput(out[i], out[j]) })
	}
	return out
}

// knee is the balanced point: on the Pareto front of the candidates,
// with throughput and p99 each scaled to [0, 1] over the front, the point
// that maximises scaled throughput minus scaled p99, i.e. the farthest
// from the line joining the front's two ends (the most throughput for
// the latency it costs). Ties go to the higher throughput; a front of one
// or two points has no knee and yields its fastest point.
func knee(cands []ParetoPoint) string {
	front := Pareto(cands)
	if len(front) == 0 {
		return ""
	}
	lo, hi := front[len(front)-1], front[0] // slowest and fastest
	dx, dy := hi.MBps-lo.MBps, hi.P99Ms-lo.P99Ms
	best, bestScore := front[0].Key, 0.0
	for i, p := range front {
		x, y := 0.0, 0.0
		if dx > 0 {
			x = (p.MBps - lo.MBps) / dx
		}
		if dy > 0 {
			y = (p.P99Ms - lo.P99Ms) / dy
		}
		if score := x - y; i == 0 || score > bestScore+1e-9 {
			best, bestScore = p.Key, score
		}
	}
	return best
}

// recommend picks the configuration, for the Java client line line:
// durability filters the points, the SLO bounds them, the goal ranks what
// is left.
func recommend(w Workload, sweeps []Named[*result.Sweep], line clientcfg.Line) *ConfigAdvice {
	pts := points(sweeps)
	if len(pts) == 0 {
		return nil
	}
	ca := &ConfigAdvice{Goal: w.Goal, Durability: w.Durability, Pareto: Pareto(pts), Points: pts, ClientLine: int(line), Topic: map[string]string{
		"replication.factor": fmt.Sprint(w.Replication), "min.insync.replicas": fmt.Sprint(w.MinInsync),
	}}
	for _, s := range sweeps {
		ca.From = append(ca.From, s.Path)
	}
	ranks, note := codecsRanked(pts)
	if note != "" {
		ca.Notes = append(ca.Notes, note)
	}
	var durable, cands []ParetoPoint
	for _, p := range pts {
		if len(missing(w, p.Producer)) == 0 && ranks(p) {
			durable = append(durable, p)
			ca.Candidates = append(ca.Candidates, p.Key)
			if w.SLOp99Ms <= 0 || p.P99Ms <= w.SLOp99Ms {
				cands = append(cands, p)
			}
		}
	}
	ca.Defaults = defaultsPoint(pts)
	slo := ""
	if w.SLOp99Ms > 0 {
		slo = fmt.Sprintf(" within p99 <= %.1f ms", w.SLOp99Ms)
	}
	switch {
	case len(durable) == 0:
		// The point closest to qualifying: fewest settings to change,
		// then the goal's order.
		ranked := rank(w.Goal, pts)
		sort.SliceStable(ranked, func(i, j int) bool { return len(missing(w, ranked[i].Producer)) < len(missing(w, ranked[j].Producer)) })
		c := ranked[0]
		ca.Closest, ca.Changes, ca.Cluster = &c, missing(w, c.Producer), &c.Cluster
		ca.Producer = withChanges(c.Producer, ca.Changes)
		ca.Consumer = withGuarantee(c.Consumer, w.Durability)
		ca.Why = fmt.Sprintf("no swept point meets the delivery guarantee %s; the closest measured point is %s, with %s changed (not measured: re-run the sweep with these settings)",
			w.Durability, result.ParamsLabel(c.Params), describeMap(ca.Changes))
		return ca
	case len(cands) == 0:
		ranked := rank("latency", durable)
		c := ranked[0]
		ca.Closest, ca.Cluster = &c, &c.Cluster
		ca.Producer, ca.Consumer = c.Producer, withGuarantee(c.Consumer, w.Durability)
		ca.Why = fmt.Sprintf("no %s point meets the SLO%s; the closest is %s at p99 %.2f ms", w.Durability, slo, result.ParamsLabel(c.Params), c.P99Ms)
		return ca
	}
	best := rank(w.Goal, cands)[0]
	ca.Best, ca.Cluster = &best, &best.Cluster
	ca.Producer, ca.Consumer = best.Producer, withGuarantee(best.Consumer, w.Durability)
	among := fmt.Sprintf(" among the %d of %d points that meet %s%s", len(cands), len(pts), w.Durability, slo)
	switch w.Goal {
	case "latency":
		ca.Why = fmt.Sprintf("lowest p99 (%.2f ms)%s", best.P99Ms, among)
	case "durability":
		ca.Why = fmt.Sprintf("most protective settings (acks=%s, enable.idempotence=%s), then highest throughput (%.1f MB/s)%s", acksOf(best.Producer), best.Producer["enable.idempotence"], best.MBps, among)
	case "balanced":
		ca.Why = fmt.Sprintf("knee of the Pareto front (%.1f MB/s at p99 %.2f ms: the most throughput for its latency)%s", best.MBps, best.P99Ms, among)
	default:
		ca.Why = fmt.Sprintf("highest throughput (%.1f MB/s)%s", best.MBps, among)
	}
	if ca.Defaults != nil && ca.Defaults.MBps > 0 {
		g := round2(best.MBps/ca.Defaults.MBps - 1)
		ca.GainOverDefaults = &g
	}
	return ca
}

// defaultsPoint is the point whose swept producer settings are the
// defaults of the Java client line it ran with (a sweep on the 3.x line
// has its defaults point at linger.ms=0, one on 4.x at 5).
func defaultsPoint(pts []ParetoPoint) *ParetoPoint {
	for i := range pts {
		def := defaultsOf(clientcfg.Producer, clientcfg.LineOf(pts[i].ClientLine))
		match := true
		for k, v := range pts[i].Params {
			role, name, _ := strings.Cut(k, ":")
			if role == "producer" && def[name] != v {
				match = false
			}
		}
		if match {
			return &pts[i]
		}
	}
	return nil
}

// consumerGuarantee is what a delivery guarantee asks of the consumer,
// beyond the producer's settings (missing), and why.
//   - at-least-once: offsets committed by the application after it has
//     processed the records, not in the background: auto commit commits
//     what poll returned, so a crash loses records polled but not yet
//     processed;
//   - exactly-once: the same, the offsets going into the producer's
//     transaction (sendOffsetsToTransaction), and only committed
//     transactions' records read.
func consumerGuarantee(durability string) []setting {
	switch durability {
	case "at-least-once":
		return []setting{{"enable.auto.commit", "false", "at-least-once: commit offsets yourself after processing the records (commitSync after each poll's records are handled); auto commit can commit records not yet processed, which a crash then loses"}}
	case "exactly-once":
		return []setting{
			{"enable.auto.commit", "false", "exactly-once: offsets are committed in the producer's transaction (sendOffsetsToTransaction), never in the background"},
			{"isolation.level", "read_committed", "exactly-once: read only records of committed transactions, never those of aborted ones"},
		}
	}
	return nil
}

// withGuarantee is the consumer configuration m with what durability
// asks of the consumer set.
func withGuarantee(m map[string]string, durability string) map[string]string {
	req := consumerGuarantee(durability)
	if m == nil && len(req) == 0 {
		return nil
	}
	out := withChanges(m, nil)
	for _, s := range req {
		out[s.key] = s.value
	}
	return out
}

func withChanges(m, changes map[string]string) map[string]string {
	out := make(map[string]string, len(m)+len(changes))
	for k, v := range m {
		out[k] = v
	}
	for k, v := range changes {
		out[k] = v
	}
	return out
}

func describeMap(m map[string]string) string {
	var kv []string
	for k, v := range m {
		kv = append(kv, k+"="+v)
	}
	sort.Strings(kv)
	return strings.Join(kv, ", ")
}
