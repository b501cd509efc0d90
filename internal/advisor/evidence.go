package advisor

import (
	"fmt"
	"github.com/ktune/ktune/internal/clientcfg"
	"sort"
	"strings"

	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/result"
)

// Evidence from the right measurement: a sweep point carries a producer
// and a consumer measurement, and each setting is judged by its own side.
// Consumer settings are ranked by what the consumers measured, never by
// the producer's MB/s of the same point; codecs are ranked only on a
// payload they can shrink.

// consumerAcc sums a point's consumer measurements over repetitions.
type consumerAcc struct {
	n, np   int
	mb, p99 float64
}

// add counts one repetition's consume document, if it read anything.
func (c *consumerAcc) add(d *result.Document) {
	if d == nil || d.Metrics.Records == 0 {
		return
	}
	c.n++
	c.mb += d.Metrics.MiBPerSec * mibToMB
	if l, ok := d.Metrics.Latency[result.LatencyE2E]; ok && l.P99 > 0 {
		c.np++
		c.p99 += l.P99
	}
}

// mean is the mean consumer MB/s and p99 (0: not measured).
func (c consumerAcc) mean() (mbps, p99 float64) {
	if c.n > 0 {
		mbps = round2(c.mb / float64(c.n))
	}
	if c.np > 0 {
		p99 = round2(c.p99 / float64(c.np))
	}
	return mbps, p99
}

// consumerParams is the part of a point's parameters that sets the
// consumer, as a stable label ("" when no consumer setting was swept).
func consumerParams(p ParetoPoint) string {
	var kv []string
	for k, v := range p.Params {
		if name, ok := strings.CutPrefix(k, "consumer:"); ok {
			kv = append(kv, name+"="+v)
		}
	}
	sort.Strings(kv)
	return strings.Join(kv, ", ")
}

// consumerSetting is one swept consumer setting with its measurement:
// the mean over every point that used it, so the producer settings it
// was crossed with weigh the same for each.
type consumerSetting struct {
	label       string
	consumer    map[string]string
	points      int
	mbps, p99Ms float64
}

// consumerSettings groups the points with a consumer measurement by
// their consumer parameters, in first-seen order.
func consumerSettings(pts []ParetoPoint) []consumerSetting {
	type acc struct {
		s       consumerSetting
		mb, p99 float64
		n, np   int
	}
	by := map[string]*acc{}
	var order []string
	for _, p := range pts {
		if p.ConsumerMBps <= 0 {
			continue
		}
		l := consumerParams(p)
		a, ok := by[l]
		if !ok {
			a = &acc{s: consumerSetting{label: l, consumer: p.Consumer}}
			by[l] = a
			order = append(order, l)
		}
		a.n++
		a.mb += p.ConsumerMBps
		if p.ConsumerP99Ms > 0 {
			a.np++
			a.p99 += p.ConsumerP99Ms
		}
	}
	out := make([]consumerSetting, 0, len(order))
	for _, l := range order {
		a := by[l]
		a.s.points, a.s.mbps = a.n, round2(a.mb/float64(a.n))
		if a.np == a.n {
			a.s.p99Ms = round2(a.p99 / float64(a.np))
		}
		out = append(out, a.s)
	}
	return out
}

// chooseConsumer sets the recommended consumer settings from the
// consumers' own measurements: the swept consumer setting with the
// highest mean consumer MB/s, the lower consumer p99 breaking ties where
// both have one (a sweep consumes after producing, so its consumer p99
// is mostly the backlog's age: a tie-breaker, not a goal), and says why.
// With no consumer setting swept it leaves ca.Consumer as the chosen
// point's.
func chooseConsumer(ca *ConfigAdvice) {
	if ca == nil {
		return
	}
	set := consumerSettings(ca.Points)
	if len(set) < 2 {
		if len(set) == 1 && set[0].label != "" {
			ca.ConsumerWhy = fmt.Sprintf("one consumer setting measured (%s): nothing to rank", set[0].label)
		}
		return
	}
	sort.SliceStable(set, func(i, j int) bool {
		a, b := set[i], set[j]
		if a.mbps != b.mbps {
			return a.mbps > b.mbps
		}
		return a.p99Ms > 0 && b.p99Ms > 0 && a.p99Ms < b.p99Ms
	})
	best := set[0]
	ca.Consumer = best.consumer
	p99 := ""
	if best.p99Ms > 0 {
		p99 = fmt.Sprintf(", consumer p99 %.2f ms", best.p99Ms)
	}
	ca.ConsumerWhy = fmt.Sprintf("%s: the highest consumer throughput of the %d consumer settings measured (%.1f MB/s%s, mean over %d points; next %s at %.1f MB/s), ranked by the consumers' own measurement, not the producer's",
		best.label, len(set), best.mbps, p99, best.points, set[1].label, set[1].mbps)
}

// codecsRanked says which points the codec evidence allows to rank. A
// codec can only show its worth on records it can shrink: on ktune's
// default random payload (compressibility 0) every codec costs CPU and
// saves nothing, so the points keep only the Java client's default codec
// (else the first one swept) and the note says why.
func codecsRanked(pts []ParetoPoint) (func(ParetoPoint) bool, string) {
	all := func(ParetoPoint) bool { return true }
	codecs := map[string]bool{}
	compressible := false
	for _, p := range pts {
		codecs[codecOf(p)] = true
		compressible = compressible || payloadCompresses(p)
	}
	if len(codecs) < 2 || compressible || len(pts) == 0 {
		return all, ""
	}
	keep := defaultsOf(clientcfg.Producer, clientcfg.CurrentLine)["compression.type"] // the same on every line
	if !codecs[keep] {
		keep = codecOf(pts[0])
	}
	measured := ""
	for _, p := range pts {
		if c := codecOf(p); c != "none" && p.CompressionRatio > 0 {
			measured = fmt.Sprintf(" (measured: compression.type=%s kept %.3f of the bytes)", c, p.CompressionRatio)
			break
		}
	}
	note := fmt.Sprintf("compression.type not ranked: the sweep's payload was random with --compressibility 0, which no codec can shrink%s, so a codec only costs CPU there and none would win on any data; only the compression.type=%s points were ranked. Sweep codecs with --payload text, --payload file:PATH (records like yours) or --compressibility 0.5", measured, keep)
	return func(p ParetoPoint) bool { return codecOf(p) == keep }, note
}

// codecOf is a point's compression.type.
func codecOf(p ParetoPoint) string {
	if c, ok := p.Params["producer:compression.type"]; ok {
		return c
	}
	if c := p.Producer["compression.type"]; c != "" {
		return c
	}
	return "none"
}

// payloadCompresses reports whether a point's records could compress: a
// text or file payload, or a random one with a compressible fraction.
func payloadCompresses(p ParetoPoint) bool {
	switch payload.Kind(p.Payload) {
	case payload.Random, "":
		return p.Compressibility > 0
	}
	return true
}
