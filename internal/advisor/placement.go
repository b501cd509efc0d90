package advisor

import (
	"fmt"
	"math/rand"
	"slices"
	"sort"
)

// srcStripedPlacer names what the placement model follows.
const srcStripedPlacer = "Apache Kafka (KRaft controller): org.apache.kafka.metadata.placement.StripedReplicaPlacer, 3.x and 4.x"

// placementSeed makes the model's random starts repeatable: the same
// workload gives the same advice.
const placementSeed = 23

// placement is a cluster of brokers over racks with partitions placed the
// way Kafka's KRaft controller places a new topic's partitions: racks
// taken round-robin from a random start that advances one rack per
// partition, brokers within a rack round-robin from a random start, the
// broker and rack lists reshuffled after as many partitions as brokers
// (StripedReplicaPlacer). The first replica is the preferred leader.
type placement struct {
	brokers, racks int
	rackOf         []int   // broker -> rack; brokers are interleaved by rack (broker i in rack i mod racks)
	replicas       [][]int // partition -> its replicas, leader first
}

// brokerList is one rack's brokers iterated from an offset that moves
// with each partition (StripedReplicaPlacer.BrokerList).
type brokerList struct {
	brokers              []int
	index, offset, epoch int
}

func (l *brokerList) next(epoch int) int {
	if len(l.brokers) == 0 {
		return -1
	}
	if l.epoch != epoch {
		l.epoch, l.index = epoch, 0
		l.offset = (l.offset + 1) % len(l.brokers)
	}
	if l.index >= len(l.brokers) {
		return -1
	}
	b := l.brokers[(l.index+l.offset)%len(l.brokers)]
	l.index++
	return b
}

// place places P partitions of R replicas on B brokers over racks racks
// (0: no racks, one rack). R must not exceed B.
func place(B, racks, P, R int, seed int64) placement {
	nr := max(racks, 1)
	pl := placement{brokers: B, racks: nr, rackOf: make([]int, B), replicas: make([][]int, P)}
	rnd := rand.New(rand.NewSource(seed))
	lists := make([]*brokerList, nr)
	for r := range lists {
		lists[r] = &brokerList{}
	}
	for b := range B {
		pl.rackOf[b] = b % nr
		lists[b%nr].brokers = append(lists[b%nr].brokers, b)
	}
	for _, l := range lists {
		if len(l.brokers) > 0 {
			l.offset = rnd.Intn(len(l.brokers))
		}
	}
	order := make([]int, nr) // the sorted rack names
	for i := range order {
		order[i] = i
	}
	offset, epoch := rnd.Intn(nr), 0
	for p := range P {
		if epoch == B && B > 1 { // every broker has led once: reshuffle
			rnd.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
			for _, l := range lists {
				rnd.Shuffle(len(l.brokers), func(i, j int) { l.brokers[i], l.brokers[j] = l.brokers[j], l.brokers[i] })
			}
			epoch = 0
		}
		if offset == nr {
			offset = 0
		}
		reps := make([]int, 0, R)
		first := offset
		for {
			if b := lists[order[first]].next(epoch); b >= 0 {
				reps = append(reps, b)
				break
			}
			first = (first + 1) % nr
		}
		ri := offset
		for len(reps) < R {
			b := -1
			for b < 0 {
				if ri == first {
					first = -1
				} else {
					b = lists[order[ri]].next(epoch)
				}
				ri = (ri + 1) % nr
			}
			reps = append(reps, b)
		}
		pl.replicas[p] = reps
		epoch++
		offset++
	}
	return pl
}

// flow is what each partition carries, spread evenly over the partitions.
type flow struct {
	rate    float64 // MB/s written to each replica (compressed)
	storeGB float64 // GB each replica keeps
	readers float64 // reads served by the leader besides its followers: consumer groups + lagging readers (+ 1 remote-tier upload)
	lagging float64 // lagging readers: they read the leader's disk
}

// brokerLoad is one broker's load in one scenario.
type brokerLoad struct {
	disk, in, out, storeGB float64 // disk MB/s written and read by lagging readers, network MB/s in and out, GB kept
	replicas, leaders      int
}

// scenario is a set of brokers lost together.
type scenario struct {
	name string
	lost []int
}

// outcome is a scenario evaluated on a placement.
type outcome struct {
	scenario
	// minLeft is the fewest in-sync replicas any partition keeps, and
	// partition the first partition keeping that few.
	minLeft, partition int
	stopped, lostData  int // partitions below min.insync, partitions with no replica left
	loads              []brokerLoad
}

// evaluate loses the scenario's brokers: leadership moves to the first
// surviving replica of each partition (Kafka elects the first live
// in-sync replica in assignment order); no data moves.
func (pl placement) evaluate(sc scenario, f flow, minInsync int) outcome {
	down := make([]bool, pl.brokers)
	for _, b := range sc.lost {
		down[b] = true
	}
	o := outcome{scenario: sc, minLeft: -1, loads: make([]brokerLoad, pl.brokers)}
	alive := make([]int, 0, 8)
	for p, reps := range pl.replicas {
		alive = alive[:0]
		for _, b := range reps {
			o.loads[b].storeGB += f.storeGB
			o.loads[b].replicas++
			if !down[b] {
				alive = append(alive, b)
			}
		}
		if o.minLeft < 0 || len(alive) < o.minLeft {
			o.minLeft, o.partition = len(alive), p
		}
		if len(alive) < minInsync {
			o.stopped++
		}
		if len(alive) == 0 {
			o.lostData++
			continue
		}
		for _, b := range alive {
			o.loads[b].disk += f.rate
			o.loads[b].in += f.rate
		}
		l := &o.loads[alive[0]]
		l.leaders++
		l.disk += f.rate * f.lagging
		l.out += f.rate * (float64(len(alive)-1) + f.readers)
	}
	for _, b := range sc.lost {
		o.loads[b] = brokerLoad{} // a lost broker carries nothing
	}
	return o
}

// maxScenarioSets is how many broker sets are evaluated exhaustively;
// above it the model takes the worst cases by construction and a seeded
// random sample of sampledSets.
const (
	maxScenarioSets = 2000
	sampledSets     = 200
	maxConstructed  = 64
)

// scenarios lists the failures the sizing claims to survive: every set
// of F brokers (or the worst by construction and a sample) and each whole
// rack.
func (pl placement) scenarios(F int, racks bool) []scenario {
	var out []scenario
	if F > 0 && F < pl.brokers {
		if binomial(pl.brokers, F) <= maxScenarioSets {
			comb := make([]int, F)
			var rec func(start, k int)
			rec = func(start, k int) {
				if k == F {
					out = append(out, scenario{name: brokersName(comb), lost: slices.Clone(comb)})
					return
				}
				for b := start; b <= pl.brokers-(F-k); b++ {
					comb[k] = b
					rec(b+1, k+1)
				}
			}
			rec(0, 0)
		} else {
			out = append(out, pl.constructed(F)...)
			rnd := rand.New(rand.NewSource(placementSeed))
			for range sampledSets {
				set := rnd.Perm(pl.brokers)[:F]
				sort.Ints(set)
				out = append(out, scenario{name: brokersName(set) + " (sampled)", lost: set})
			}
		}
	}
	if racks && pl.racks > 1 {
		for r := range pl.racks {
			var set []int
			for b, rb := range pl.rackOf {
				if rb == r {
					set = append(set, b)
				}
			}
			out = append(out, scenario{name: fmt.Sprintf("rack %d (brokers %s)", r, brokersName(set)), lost: set})
		}
	}
	return out
}

// constructed are the worst sets of F brokers by construction: the first
// F replicas of a partition (as many of its replicas as F can take), and
// for each broker x (up to maxConstructed of them) the F brokers chosen
// greedily so that x becomes leader of the most partitions: each step
// adds the broker whose loss makes x the first surviving replica of the
// most further partitions.
func (pl placement) constructed(F int) []scenario {
	var out []scenario
	if len(pl.replicas) > 0 {
		r := pl.replicas[0]
		set := slices.Clone(r[:min(F, len(r))])
		for b := 0; len(set) < F; b++ {
			if !slices.Contains(set, b) {
				set = append(set, b)
			}
		}
		sort.Ints(set)
		out = append(out, scenario{name: brokersName(set) + " (holding partition 0's replicas)", lost: set})
	}
	// Each broker's partitions, for its load as leader once brokers are
	// down.
	mine := make([][]int, pl.brokers)
	for p, reps := range pl.replicas {
		for _, b := range reps {
			mine[b] = append(mine[b], p)
		}
	}
	stride := max(1, pl.brokers/maxConstructed)
	down := make([]bool, pl.brokers)
	for x := 0; x < pl.brokers; x += stride {
		// lead is x's leader load with down: the fetches and reads it
		// serves, each partition weighing 1 + its surviving followers.
		lead := func() int {
			n := 0
			for _, p := range mine[x] {
				first, alive := true, 0
				for _, b := range pl.replicas[p] {
					if down[b] {
						continue
					}
					if alive == 0 && b != x {
						first = false
					}
					alive++
				}
				if first {
					n += pl.brokers + alive // leading outweighs followers
				}
			}
			return n
		}
		clear(down)
		set := make([]int, 0, F)
		for len(set) < F { // greedy
			best, bestV := -1, -1
			for b := range pl.brokers {
				if b == x || down[b] {
					continue
				}
				down[b] = true
				if v := lead(); v > bestV {
					best, bestV = b, v
				}
				down[b] = false
			}
			down[best] = true
			set = append(set, best)
		}
		for pass := 0; pass < 1; pass++ { // then one round of swaps that help
			cur := lead()
			for i := range set {
				for b := range pl.brokers {
					if b == x || down[b] {
						continue
					}
					old := set[i]
					down[old], down[b] = false, true
					if v := lead(); v > cur {
						set[i], cur = b, v
					} else {
						down[old], down[b] = true, false
					}
				}
			}
		}
		set = slices.Clone(set)
		sort.Ints(set)
		out = append(out, scenario{name: brokersName(set) + fmt.Sprintf(" (most leadership onto broker %d)", x), lost: set})
	}
	return out
}

func brokersName(set []int) string {
	s := ""
	for i, b := range set {
		if i > 0 {
			s += ","
		}
		s += fmt.Sprint(b)
	}
	return s
}

// binomial is n choose k, saturating above 1e9.
func binomial(n, k int) float64 {
	v := 1.0
	for i := 1; i <= k; i++ {
		v = v * float64(n-k+i) / float64(i)
		if v > 1e9 {
			return v
		}
	}
	return v
}
