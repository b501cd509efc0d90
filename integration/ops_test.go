package integration

import (
	"context"
	"fmt"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/disrupt"
	"github.com/ktune/ktune/internal/testkit"
)

// kafkaMajor is the major version of the cluster under test, from
// KTUNE_KAFKA_VERSION (kafka.sh's env file); 0 when unknown.
func kafkaMajor() int {
	var major int
	v := os.Getenv("KTUNE_KAFKA_VERSION")
	if i := strings.IndexByte(v, '.'); i > 0 {
		v = v[:i]
	}
	if _, err := fmt.Sscan(v, &major); err != nil {
		return 0
	}
	return major
}

// TestDisruptConsumerJoinKIP848 runs the same consumer-join with the
// classic group protocol and with KIP-848's (group.protocol=consumer) side
// by side: both report a rebalance with its stop time (a stop under
// classic; none may be measurable under KIP-848) and member counts,
// record the protocol that ran, the broker lists the group under that
// protocol, and the audit is clean.
func TestDisruptConsumerJoinKIP848(t *testing.T) {
	if m := kafkaMajor(); m < 4 {
		t.Skipf("KIP-848 consumer groups need Kafka 4.x; the cluster is %q (KTUNE_KAFKA_VERSION)", os.Getenv("KTUNE_KAFKA_VERSION"))
	}
	conn := connect(t)
	cl, err := conn.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)
	for _, protocol := range []string{"classic", "consumer"} {
		topic := newTopic(t, conn, 4, nil)
		cfg := disruptCfg(t, topic, 4, "consumer-join")
		cfg.Workload.Consume.Client = testkit.Resolve(t, clientcfg.Consumer, "group.protocol="+protocol)
		d, err := disrupt.Run(context.Background(), conn, cfg)
		if err != nil {
			t.Fatalf("%s: %v", protocol, err)
		}
		rb := d.Rebalance
		if rb == nil || d.Audit == nil {
			t.Fatalf("%s: no rebalance or audit in the document", protocol)
		}
		t.Logf("group.protocol=%s: stop %.0f ms (baseline gap %.0f ms), members %d -> %d, re-delivered %d; audit %d read, %d lost, %d duplicated, %d reordered",
			protocol, rb.StopMs, d.Baseline.LongestDeliveryGapMs, rb.MembersBefore, rb.MembersAfter, rb.Redelivered, d.Audit.Read, d.Audit.Lost, d.Audit.Duplicated, d.Audit.Reordered)
		if rb.GroupProtocol != protocol || rb.MembersBefore != 1 || rb.MembersAfter != 2 || rb.StopMs < 0 {
			t.Errorf("%s: rebalance %+v", protocol, *rb)
		}
		// The classic protocol's eager range rebalance revokes every
		// partition until the join completes: deliveries stop. Under
		// KIP-848 the member that stays keeps fetching while the new one
		// takes its share, so a stop shorter than the 10 ms sampling tick,
		// 0, is the protocol working (one CI run measured 0).
		if protocol == "classic" && rb.StopMs <= 0 {
			t.Errorf("classic: no stop in deliveries measured: rebalance %+v", *rb)
		}
		if !d.Audit.Clean() || d.Audit.Read == 0 {
			t.Errorf("%s: audit %+v", protocol, *d.Audit)
		}
		// The broker ran the group under the protocol the document names
		// (franz-go falls back to classic silently when misconfigured).
		groups, err := adm.ListGroupsByType(context.Background(), []string{protocol})
		if err != nil {
			t.Fatal(err)
		}
		if _, ok := groups[d.Workload.Group]; !ok {
			t.Errorf("%s: group %s is not a %s group on the broker (%v)", protocol, d.Workload.Group, protocol, groups.Groups())
		}
	}
}

// TestDisruptBrokerRestartNoIdempotence restarts a broker under acks=all
// with retries and idempotence off: the duplicates it leaves, if any, are
// reported, and the audit is exact: its lost and duplicated counts equal
// those of an independent recount (every acknowledgement seen by a franz-go
// hook, every record of the topic read again by a fresh client, counted
// per producer id and sequence number).
func TestDisruptBrokerRestartNoIdempotence(t *testing.T) {
	restart := scriptedRestart(t)
	conn := connect(t)
	topic := newTopic(t, conn, 3, nil)
	cfg := disruptCfg(t, topic, 3, "broker-restart", "acks=all", "enable.idempotence=false", "retries=2147483647",
		"max.in.flight.requests.per.connection=5", "request.timeout.ms=3000")
	restart(&cfg)
	acked := newAckLog(func(r *kgo.Record) (seqKey, bool, bool) {
		p, s, ok := audit.Of(r)
		return seqKey{p, s}, true, ok
	})
	cfg.Workload.Produce.Hooks = []kgo.Hook{acked}
	start := time.Now()
	d, err := disrupt.Run(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := d.Audit
	var dupAt []string
	for _, r := range a.DuplicatedAt {
		dupAt = append(dupAt, fmt.Sprintf("%d@%d (first copy at %d)", r.Partition, r.Offset, *r.FirstOffset))
	}
	t.Logf("broker-restart of broker %d without idempotence in %.0f s: %d acknowledged, %d read, %d lost, %d duplicated %v, %d reordered, %d windows",
		*d.Broker, time.Since(start).Seconds(), a.Acknowledged, a.Read, a.Lost, a.Duplicated, dupAt, a.Reordered, len(d.Windows))
	if a.Acknowledged < 1000 {
		t.Fatalf("only %d records acknowledged", a.Acknowledged)
	}
	lost, dups, read := recount(t, conn, topic, acked.records())
	t.Logf("independent recount: %d acknowledged, %d records read, %d lost, %d duplicated", len(acked.records()), read, lost, dups)
	if int64(len(acked.records())) != a.Acknowledged {
		t.Errorf("the audit counted %d acknowledgements, the hook saw %d", a.Acknowledged, len(acked.records()))
	}
	if lost != a.Lost || dups != a.Duplicated || read != a.Read {
		t.Errorf("the audit is not exact: it says %d lost, %d duplicated, %d read; the recount finds %d, %d, %d", a.Lost, a.Duplicated, a.Read, lost, dups, read)
	}
}

// seqKey is a record's producer id and sequence number (audit.Of).
type seqKey struct{ producer, seq uint64 }

// recount reads every partition of topic from its start to its end offset
// with a fresh client and counts, per producer id and sequence number, the
// acknowledged records never read (lost), the extra copies (duplicated)
// and the records read.
func recount(t *testing.T, conn *cluster.Conn, topic string, acked map[seqKey]bool) (lost, dups, read int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	admCl, err := conn.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer admCl.Close()
	ends, err := kadm.NewClient(admCl).ListEndOffsets(ctx, topic)
	if err != nil {
		t.Fatal(err)
	}
	want := map[int32]int64{}
	parts := map[int32]kgo.Offset{}
	ends.Each(func(o kadm.ListedOffset) {
		if o.Offset > 0 {
			want[o.Partition] = o.Offset
			parts[o.Partition] = kgo.NewOffset().AtStart()
		}
	})
	cl, err := conn.NewClient(kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: parts}))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	seen := map[seqKey]int{}
	next := map[int32]int64{}
	for done := 0; done < len(want); {
		fs := cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			t.Fatalf("reading %s again: %v (at %v of %v)", topic, err, next, want)
		}
		fs.EachRecord(func(r *kgo.Record) {
			if r.Offset < next[r.Partition] {
				return // a re-fetch
			}
			next[r.Partition] = r.Offset + 1
			if next[r.Partition] == want[r.Partition] {
				done++
			}
			if p, s, ok := audit.Of(r); ok {
				k := seqKey{p, s}
				if seen[k] > 0 {
					dups++
				}
				seen[k]++
				read++
			}
		})
	}
	for k := range acked {
		if seen[k] == 0 {
			lost++
		}
	}
	return lost, dups, read
}
