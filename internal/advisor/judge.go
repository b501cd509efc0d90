package advisor

import (
	"fmt"
	"math"
	"strings"

	"github.com/ktune/ktune/result"
)

// Defaults of the placement model.
const (
	// assumedPartitionsPerBroker is placed when no partition count is
	// known (no --partitions, no partition rule): enough that leadership
	// spreads as it does on a real cluster; a stated assumption.
	assumedPartitionsPerBroker = 20
	// maxModelBrokers bounds the search on the placement model.
	maxModelBrokers = 5000
)

// model is the cluster the failure-aware sizing judges: everything but
// the broker count B.
type model struct {
	wc         float64 // compressed peak produce MB/s
	retainedGB float64 // local bytes kept over all replicas, with headroom
	R, M, F    int     // replication factor, min.insync.replicas, brokers lost
	racks      int
	C, L, T    float64 // consumer groups, lagging readers, remote-tier uploads (0 or 1)
	D, N, G    float64 // one broker's disk MB/s, NIC MB/s (0: unknown), disk GB (0: unknown)
	partitions func(B int) int
}

// resource is one check the placement model makes per surviving broker.
type resource struct {
	name, unit, formula string
	value               func(brokerLoad) float64
	limit               func(m model) float64 // 0: unknown, not checked
}

var resources = []resource{
	{"disk write", "MB/s", "worst surviving broker: replicas it holds x partition rate (+ lagging readers x leader rate) <= 0.8 D",
		func(l brokerLoad) float64 { return l.disk }, func(m model) float64 { return capacityThreshold * m.D }},
	{"network in", "MB/s", "worst surviving broker: produce to its leaders + follower fetches of its other replicas <= 0.8 NIC",
		func(l brokerLoad) float64 { return l.in }, func(m model) float64 { return capacityThreshold * m.N }},
	{"network out", "MB/s", "worst surviving broker: for each partition it leads, rate x (surviving followers + C + lagging readers + remote uploads) <= 0.8 NIC",
		func(l brokerLoad) float64 { return l.out }, func(m model) float64 { return capacityThreshold * m.N }},
	{"storage", "GB", "worst broker: bytes of the replicas it holds / 0.7 <= G (a failure moves no data)",
		func(l brokerLoad) float64 { return l.storeGB / fillLimit }, func(m model) float64 { return m.G }},
	{"replicas", "replicas", "worst broker: replicas it holds <= 4,000 (and partitions x R <= 200,000 in the cluster)",
		func(l brokerLoad) float64 { return float64(l.replicas) }, func(model) float64 { return replicasPerBroker }},
}

// worst is the highest value of one resource over every scenario and
// surviving broker.
type worst struct {
	value    float64
	broker   int
	scenario string
}

// judgment is the placement model's verdict at one broker count.
type judgment struct {
	B, P      int
	pl        placement
	f         flow
	base      outcome // no broker lost
	worst     []worst // per resource, in resources order
	scenarios []string
	// avail is the scenario leaving the fewest in-sync replicas.
	avail outcome
}

func (m model) flow(P int) flow {
	f := flow{readers: m.C + m.L + m.T, lagging: m.L}
	if P > 0 {
		f.rate, f.storeGB = m.wc/float64(P), m.retainedGB/float64(m.R)/float64(P)
	}
	return f
}

// judge places the partitions on B brokers and evaluates every scenario.
func (m model) judge(B int) judgment { return m.judgeScenarios(B, true) }

// judgeScenarios is judge; without failures it evaluates the intact
// cluster alone, which is enough for the checks a failure does not change
// (failureInvariant).
func (m model) judgeScenarios(B int, failures bool) judgment {
	P := m.partitions(B)
	j := judgment{B: B, P: P, pl: place(B, m.racks, P, m.R, placementSeed), f: m.flow(P)}
	j.base = j.pl.evaluate(scenario{name: "no broker lost"}, j.f, m.M)
	j.avail = j.base
	j.worst = make([]worst, len(resources))
	down := make([]bool, B)
	take := func(o outcome) {
		clear(down)
		for _, b := range o.lost {
			down[b] = true
		}
		for i, r := range resources {
			for b, l := range o.loads {
				if down[b] {
					continue
				}
				if v := r.value(l); v > j.worst[i].value {
					j.worst[i] = worst{value: v, broker: b, scenario: o.name}
				}
			}
		}
		if o.minLeft < j.avail.minLeft {
			j.avail = o
		}
	}
	take(j.base)
	if !failures {
		return j
	}
	for _, sc := range j.pl.scenarios(m.F, m.racks > 1) {
		j.scenarios = append(j.scenarios, sc.name)
		take(j.pl.evaluate(sc, j.f, m.M))
	}
	return j
}

// failureInvariant reports whether a failure leaves resource i of every
// surviving broker as it was: leadership moves, data does not, so only
// what leaders serve (network out, lagging readers' disk reads) changes.
func (m model) failureInvariant(i int) bool {
	switch resources[i].name {
	case "network out":
		return false
	case "disk write":
		return m.L == 0
	}
	return true
}

// holds reports whether resource i holds in j.
func (m model) holds(j judgment, i int) bool {
	lim := resources[i].limit(m)
	if lim <= 0 {
		return true
	}
	if resources[i].name == "replicas" && float64(j.P*m.R) > replicasPerCluster {
		return false
	}
	return j.worst[i].value <= lim*(1+1e-9)
}

// survives reports whether every scenario keeps min.insync replicas of
// every partition.
func (m model) survives(j judgment) bool { return j.avail.minLeft >= m.M }

// floor is the smallest broker count at all: 3, R, and a multiple of
// the racks.
func (m model) floor() int { return m.step(max(3, m.R)) }

// step rounds B up to a multiple of the racks.
func (m model) step(B int) int {
	if m.racks > 1 {
		return (B + m.racks - 1) / m.racks * m.racks
	}
	return B
}

func (m model) stride() int { return max(m.racks, 1) }

// lowerBound is the smallest B resource i could hold at when the load
// spread evenly and nothing failed: every broker count below it fails.
func (m model) lowerBound(i int) int {
	lim := resources[i].limit(m)
	if lim <= 0 {
		return m.floor()
	}
	var total float64
	switch resources[i].name {
	case "disk write":
		total = m.wc * (float64(m.R) + m.L)
	case "network in":
		total = m.wc * float64(m.R)
	case "network out":
		total = m.wc * (float64(m.R) - 1 + m.C + m.L + m.T)
	case "storage":
		total = m.retainedGB / fillLimit
	case "replicas":
		total = float64(m.partitions(m.floor()) * m.R)
	}
	b := math.Ceil(total/lim - 1e-9)
	if b > maxModelBrokers {
		return maxModelBrokers + 1
	}
	return m.step(max(m.floor(), int(b)))
}

// search finds the smallest B from start (a multiple of the racks) at
// which ok holds on the model: linear for a while, then doubling and a
// bisection. 0: none up to maxModelBrokers.
func (m model) search(start int, ok func(judgment) bool, memo map[int]judgment, failures bool) int {
	at := func(B int) bool {
		j, seen := memo[B]
		if !seen {
			j = m.judgeScenarios(B, failures)
			memo[B] = j
		}
		return ok(j)
	}
	st := m.stride()
	B := start
	for n := 0; n < 32 && B <= maxModelBrokers; n, B = n+1, B+st {
		if at(B) {
			return B
		}
	}
	lo := B - st // fails
	hi := 0
	for b := B * 2; ; b *= 2 {
		b = m.step(min(b, maxModelBrokers))
		if at(b) {
			hi = b
			break
		}
		if b >= maxModelBrokers {
			return 0
		}
		lo = b
	}
	for hi-lo > st {
		mid := m.step(lo + (hi-lo)/2)
		if mid >= hi {
			break
		}
		if at(mid) {
			hi = mid
		} else {
			lo = mid
		}
	}
	return hi
}

// sized is the failure-aware sizing's result on the placement model.
type sized struct {
	B           int
	constraints []Constraint
	final       judgment
	ok          bool
}

// sizeOnModel finds the smallest B at which every check holds on the
// placement model, and each check's own smallest B.
func (m model) size(inputs map[string][]Term, measured map[string]bool) sized {
	memo, intact := map[int]judgment{}, map[int]judgment{}
	var out sized
	B := m.floor()
	unsat := false
	for i, r := range resources {
		if r.limit(m) <= 0 {
			continue
		}
		lb := m.lowerBound(i)
		b := 0
		if lb <= maxModelBrokers {
			if m.failureInvariant(i) {
				b = m.search(lb, func(j judgment) bool { return m.holds(j, i) }, intact, false)
			} else {
				b = m.search(lb, func(j judgment) bool { return m.holds(j, i) }, memo, true)
			}
		}
		unsat = unsat || b == 0
		B = max(B, b)
		out.constraints = append(out.constraints, Constraint{Resource: r.name, Brokers: b, Formula: r.formula, Unit: r.unit, Inputs: inputs[r.name], Measured: measured[r.name], Unsatisfiable: b == 0})
	}
	out.constraints = append(out.constraints, Constraint{Resource: "availability", Brokers: m.floor(), Unit: "in-sync replicas", Inputs: inputs["availability"],
		Formula: "every scenario: each partition keeps in-sync replicas >= min.insync.replicas (and >= 1: no data lost); B >= max(3, R), a multiple of the racks"})
	if !unsat {
		// Checks that hold alone may fail together at a count none of
		// them chose (the placement changes with B): step until all hold.
		all := func(j judgment) bool {
			for i := range resources {
				if !m.holds(j, i) {
					return false
				}
			}
			return true
		}
		B = m.search(B, all, memo, true)
		out.ok = B > 0
	}
	if B == 0 || !out.ok {
		// Report the sides at the largest count searched that exists.
		B = max(B, m.floor())
	}
	out.B = B
	j, seen := memo[B]
	if !seen {
		j = m.judge(B)
	}
	out.final = j
	for k := range out.constraints {
		c := &out.constraints[k]
		if c.Resource == "availability" {
			c.Value, c.Limit, c.Holds = float64(j.avail.minLeft), float64(m.M), m.survives(j)
			c.Scenario = j.avail.name
			c.Detail = fmt.Sprintf("%s; fewest in-sync replicas left: %d (partition %d, scenario %s)", c.Formula, j.avail.minLeft, j.avail.partition, j.avail.name)
			continue
		}
		for i, r := range resources {
			if r.name != c.Resource {
				continue
			}
			wv := j.worst[i]
			c.Value, c.Limit, c.Holds = finite(round2(wv.value)), round2(r.limit(m)), m.holds(j, i)
			c.Scenario, c.Broker = wv.scenario, ptrInt(wv.broker)
			c.Detail = fmt.Sprintf("%s; worst: broker %d in scenario %s", r.formula, wv.broker, wv.scenario)
			if c.Unsatisfiable {
				c.Detail += fmt.Sprintf("; no broker count up to %d meets it", maxModelBrokers)
			}
		}
	}
	return out
}

func ptrInt(n int) *int { return &n }

// survivable is the per-partition rule: a scenario can take up to
// min(F, R) replicas of one partition (F brokers) and ceil(R / racks)
// (a whole rack, replicas striped over racks); writes continue while
// R - taken >= min.insync.
func taken(R, F, racks int) int {
	k := min(F, R)
	if racks > 1 {
		k = max(k, (R+racks-1)/racks)
	}
	return k
}

// survivableRF returns the replication factor and min.insync.replicas
// that survive the failures: as given when they do; else the smallest
// replication factor above R that does with min.insync kept as given.
// min.insync is never lowered: it is the durability asked for (how many
// replicas acknowledge an acks=all write), and the advice never trades it
// for availability.
func survivableRF(R, M, F, racks int) (int, int) {
	r := R
	for r-taken(r, F, racks) < M {
		r++
	}
	return r, M
}

// placementSummary is the document's account of the placement model.
func placementSummary(m model, j judgment, binding string, constraints []Constraint) *result.Placement {
	p := &result.Placement{Model: srcStripedPlacer, Brokers: j.B, Racks: m.racks, Partitions: j.P, Replication: m.R, MinInsync: m.M, Failures: m.F,
		Scenarios: j.scenarios, ScenarioCount: len(j.scenarios), Worst: j.avail.name, MinInsyncLeft: j.avail.minLeft, Partition: j.avail.partition,
		WritesStopped: j.avail.stopped, DataLost: j.avail.lostData, Survives: m.survives(j)}
	if len(p.Scenarios) > 50 {
		p.Scenarios = p.Scenarios[:50]
	}
	what := fmt.Sprintf("%d failure scenario(s) evaluated on %d partitions x RF %d placed on %d brokers", len(j.scenarios), j.P, m.R, j.B)
	if m.racks > 1 {
		what += fmt.Sprintf(" over %d racks", m.racks)
	}
	avail := fmt.Sprintf("every partition keeps >= %d in-sync replicas (worst: %d left, partition %d, scenario %s)", m.M, j.avail.minLeft, j.avail.partition, j.avail.name)
	if !p.Survives {
		avail = fmt.Sprintf("%d partition(s) stop acks=all writes in scenario %s (partition %d keeps %d of min.insync %d)", j.avail.stopped, j.avail.name, j.avail.partition, j.avail.minLeft, m.M)
	}
	bind := ""
	for _, c := range constraints {
		if c.Resource == binding && c.Broker != nil {
			bind = fmt.Sprintf("; binding: %s on broker %d in scenario %s (%.2f of %.2f %s)", c.Resource, *c.Broker, c.Scenario, c.Value, c.Limit, c.Unit)
		}
	}
	p.Summary = what + ": " + avail + bind
	p.Binding = strings.TrimPrefix(bind, "; binding: ")
	return p
}

func resourceIndex(name string) int {
	for i, r := range resources {
		if r.name == name {
			return i
		}
	}
	panic("advisor: no resource " + name)
}

// newModel is the cluster the failure-aware sizing judges. wc is the
// compressed peak produce MB/s, retained the local GB over all replicas.
func newModel(w Workload, wc, retained float64, hw BrokerHardware, rawPartitions int) model {
	m := model{wc: wc, retainedGB: retained, R: w.Replication, M: w.MinInsync, F: failuresOf(w), racks: w.Racks,
		C: float64(w.ConsumerGroups), L: float64(w.LaggingReaders), D: textbookDiskMBps, N: hw.NICMBps.Value, G: hw.DiskGB.Value}
	if w.LocalRetentionHours > 0 {
		m.T = 1 // the leader uploads each closed segment to the remote tier
	}
	if hw.DiskMBps.Known() {
		m.D = hw.DiskMBps.Value
	}
	m.partitions = func(B int) int {
		switch {
		case w.Partitions > 0:
			return w.Partitions
		case rawPartitions > 0:
			return planPartitions(rawPartitions, w.Consumers, B)
		}
		return assumedPartitionsPerBroker * B
	}
	return m
}

// failureInputs are each check's inputs with their sources.
func failureInputs(w Workload, m model, wc, retained float64, hw BrokerHardware, rawPartitions int, src func(string) string) (map[string][]Term, map[string]bool) {
	tWc := Term{Name: "W x c", Value: round2(wc), Unit: "MB/s", Source: "computed: peak produce x compression ratio"}
	tR := Term{Name: "R", Value: float64(m.R), Source: src("--replication-factor")}
	tM := Term{Name: "min.insync.replicas", Value: float64(m.M), Source: src("--min-insync-replicas")}
	tF := Term{Name: "F", Value: float64(m.F), Source: src("--failures")}
	tP := Term{Name: "partitions placed", Value: float64(w.Partitions), Source: "input (--partitions)"}
	switch {
	case w.Partitions > 0:
	case rawPartitions > 0:
		tP = Term{Name: "partitions placed", Value: float64(rawPartitions), Source: "computed: the partition plan, max(raw, consumers per group) rounded up to a multiple of B"}
	default:
		tP = Term{Name: "partitions placed per broker", Value: assumedPartitionsPerBroker, Source: srcAssumption + " (pass --partitions)"}
	}
	tPl := Term{Name: "placement", Value: placementSeed, Source: srcStripedPlacer + "; seed of its random starts"}
	base := []Term{tWc, tR, tF, tP, tPl}
	if m.racks > 1 {
		base = append(base, Term{Name: "racks", Value: float64(m.racks), Source: "input (--racks)"})
	}
	th := Term{Name: "threshold", Value: capacityThreshold, Source: srcCruiseControl}
	D := hw.DiskMBps
	if !D.Known() {
		D = Sourced{Value: textbookDiskMBps, Source: srcTextbook + " (no --broker-disk-mbps or probe: 100 MB/s per broker)"}
	}
	in := map[string][]Term{
		"disk write":   append(append([]Term{}, base...), Term{Name: "D", Value: round2(D.Value), Unit: "MB/s", Source: D.Source}, th, Term{Name: "lagging readers", Value: m.L, Source: "input (--lagging-readers; 0 unless given)"}),
		"availability": {tR, tM, tF, tPl},
	}
	if N := hw.NICMBps; N.Known() {
		tN := Term{Name: "NIC", Value: round2(N.Value), Unit: "MB/s", Source: N.Source}
		in["network in"] = append(append([]Term{}, base...), tN, th)
		in["network out"] = append(append([]Term{}, base...), tN, th, Term{Name: "C", Value: m.C, Source: src("--consumer-groups")})
	}
	if G := hw.DiskGB; G.Known() {
		in["storage"] = append(append([]Term{}, base...), Term{Name: "retained", Value: round2(retained), Unit: "GB", Source: "computed: daily GB x c x R x local retention days x (1 + headroom)"},
			Term{Name: "G", Value: round2(G.Value), Unit: "GB", Source: G.Source}, Term{Name: "fill limit", Value: fillLimit, Source: "textbook"})
	}
	in["replicas"] = append(append([]Term{}, base...), Term{Name: "per broker", Value: replicasPerBroker, Source: srcJunRao})
	measured := map[string]bool{"disk write": !strings.HasPrefix(D.Source, srcTextbook), "network in": true, "network out": true, "storage": true}
	return in, measured
}
