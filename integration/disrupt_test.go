package integration

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/disrupt"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
)

// scriptedRestart skips the test unless the cluster has 3 brokers (one
// down leaves 2 in sync) and its kafka.sh is known; it returns what makes
// a disruption's broker restart stop the broker with that kafka.sh and
// start it again 2 s later.
func scriptedRestart(t *testing.T) func(*disrupt.Config) {
	t.Helper()
	if brokers() < 3 {
		t.Skip("needs 3 brokers")
	}
	script := kafkaScriptPath(t)
	return func(cfg *disrupt.Config) {
		cfg.Exec, cfg.ExecStart, cfg.Down = script+" stop-broker {broker}", script+" start-broker {broker}", 2*time.Second
	}
}

// disruptCfg is a short disruption run of action on topic at 200
// records/s, bounded to about a minute besides the operation.
func disruptCfg(t *testing.T, topic string, partitions int, action string, producerKV ...string) disrupt.Config {
	return disrupt.Config{
		Action: action, Broker: -1,
		Warmup: time.Second, Baseline: 3 * time.Second, Settle: 3 * time.Second, MaxWait: 20 * time.Second,
		OpTimeout: 3 * time.Minute, Interval: 500 * time.Millisecond, WindowMin: 250 * time.Millisecond,
		Workload: loadgen.E2EConfig{
			Produce: loadgen.ProduceConfig{
				Topic: topic, Rate: 200, Values: payload.ValueConfig{Size: 512},
				Keys:   payload.KeyConfig{Kind: payload.RandomKey, Space: 1000, Size: 8},
				Client: testkit.Resolve(t, clientcfg.Producer, producerKV...),
			},
			Consume: loadgen.ConsumeConfig{Topic: topic, Partitions: partitions, Client: testkit.Resolve(t, clientcfg.Consumer)},
		},
	}
}

// checkAuditExact reads the whole topic again with a fresh, independent
// consumer and its own audit, and compares with the run's audit.
func checkAuditExact(t *testing.T, conn *cluster.Conn, topic string, a *result.Audit) {
	t.Helper()
	second := audit.New()
	if _, err := loadgen.Consume(context.Background(), conn, loadgen.ConsumeConfig{
		Topic: topic, Assign: true, IdleTimeout: 5 * time.Second, Interval: time.Second,
		Client: testkit.Resolve(t, clientcfg.Consumer), Audit: second,
	}); err != nil {
		t.Fatal(err)
	}
	b := second.Report()
	if b.Read != a.Read || b.Duplicated != a.Duplicated || b.Reordered != a.Reordered {
		t.Fatalf("the audit is not exact: run read %d (dup %d, reord %d), a second read found %d (dup %d, reord %d)",
			a.Read, a.Duplicated, a.Reordered, b.Read, b.Duplicated, b.Reordered)
	}
}

// TestDisruptBrokerRestart restarts the leader of partition 0 under
// acks=all with idempotence: nothing is lost or duplicated, the audit
// agrees with a second read, and the broker's partitions show a window.
func TestDisruptBrokerRestart(t *testing.T) {
	restart := scriptedRestart(t)
	conn := connect(t)
	topic := newTopic(t, conn, 3, nil)
	cfg := disruptCfg(t, topic, 3, "broker-restart", "acks=all", "enable.idempotence=true", "request.timeout.ms=5000")
	restart(&cfg)
	d, err := disrupt.Run(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	a := d.Audit
	ttr := -1.0
	if d.TimeToRecoverS != nil {
		ttr = *d.TimeToRecoverS
	}
	t.Logf("broker %d (led %v): operation %.1f-%.1f s, recovered %v (%.1f s), %d windows, audit %+v",
		*d.Broker, d.Operation.AffectedPartitions, d.Operation.StartS, d.Operation.EndS, d.Recovered, ttr, len(d.Windows), *a)
	if a.Acknowledged < 1000 || a.Lost != 0 || a.Duplicated != 0 {
		t.Fatalf("acks=all with idempotence under a broker restart: %d acknowledged, %d lost, %d duplicated", a.Acknowledged, a.Lost, a.Duplicated)
	}
	found := false
	for _, w := range d.Windows {
		if slices.Contains(d.Operation.AffectedPartitions, w.Partition) && w.EndS >= d.Operation.StartS && w.StartS <= d.Operation.EndS {
			found = true
		}
	}
	if !found {
		t.Errorf("no unavailability window on the stopped broker's partitions %v during the operation: %+v", d.Operation.AffectedPartitions, d.Windows)
	}
	checkAuditExact(t, conn, topic, a)
}

// TestDisruptReassignWithThrottle moves every replica of a replication
// factor 2 topic under a throttle, which is removed after.
func TestDisruptReassignWithThrottle(t *testing.T) {
	if brokers() < 3 {
		t.Skip("needs 3 brokers")
	}
	conn := connect(t)
	topic := topicName(t)
	if _, err := conn.EnsureTopic(context.Background(), cluster.TopicSpec{Name: topic, Partitions: 3, ReplicationFactor: 2}); err != nil {
		t.Fatal(err)
	}
	cfg := disruptCfg(t, topic, 3, "reassign", "acks=all")
	cfg.Throttle = 1 << 20
	d, err := disrupt.Run(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	r := d.Reassignment
	if r == nil {
		t.Fatal("no reassignment in the document")
	}
	t.Logf("reassignment %+v; audit %+v", *r, *d.Audit)
	if !r.Complete || r.Partitions != 3 || r.ReplicasAdded != 3 || r.ReplicasRemoved != 3 || r.DurationS <= 0 || r.BytesMoved <= 0 {
		t.Fatalf("reassignment: %+v", *r)
	}
	if d.Audit.Lost != 0 {
		t.Errorf("%d records lost during a reassignment", d.Audit.Lost)
	}
	// The throttle is gone from the topic.
	cl, err := conn.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	rcs, err := kadm.NewClient(cl).DescribeTopicConfigs(context.Background(), topic)
	if err != nil {
		t.Fatal(err)
	}
	for _, rc := range rcs {
		for _, c := range rc.Configs {
			if c.Key == "leader.replication.throttled.replicas" && c.Value != nil && *c.Value != "" {
				t.Errorf("throttle left on the topic: %s=%s", c.Key, *c.Value)
			}
		}
	}
}

// TestDisruptConsumerJoin adds a member to the workload's group: the
// document reports the rebalance and its stop time.
func TestDisruptConsumerJoin(t *testing.T) {
	conn := connect(t)
	topic := newTopic(t, conn, 4, nil)
	cfg := disruptCfg(t, topic, 4, "consumer-join")
	d, err := disrupt.Run(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	rb := d.Rebalance
	if rb == nil {
		t.Fatal("no rebalance in the document")
	}
	t.Logf("rebalance %+v; baseline gap %.0f ms; audit %+v", *rb, d.Baseline.LongestDeliveryGapMs, *d.Audit)
	if rb.MembersBefore != 1 || rb.MembersAfter != 2 || rb.StopMs <= 0 || rb.Assignor == "" {
		t.Fatalf("rebalance: %+v", *rb)
	}
	if d.Audit.Lost != 0 || d.Audit.Duplicated != 0 {
		t.Errorf("audit: %+v", *d.Audit)
	}
}

// TestDrain drains a 4 MiB backlog while the producer keeps 200
// records/s: the consumers catch up and the time is reported.
func TestDrain(t *testing.T) {
	conn := connect(t)
	topic := newTopic(t, conn, 3, nil)
	d, err := disrupt.Drain(context.Background(), conn, disrupt.DrainConfig{
		Backlog: 4 << 20, MaxWait: 60 * time.Second, After: time.Second, Interval: 500 * time.Millisecond,
		Workload: loadgen.E2EConfig{
			Produce: loadgen.ProduceConfig{Topic: topic, Rate: 200, Values: payload.ValueConfig{Size: 1024}, Client: testkit.Resolve(t, clientcfg.Producer)},
			Consume: loadgen.ConsumeConfig{Topic: topic, Partitions: 3, Client: testkit.Resolve(t, clientcfg.Consumer)},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if d.TimeToCatchUpS == nil {
		t.Fatalf("the consumers did not catch up: lag %d, drain %.0f bytes/s", d.FinalLag, d.DrainBytesPerSec)
	}
	t.Logf("backlog %d records (%d bytes) in %.1f s; caught up in %.2f s, drain %.2f MiB/s, consumers %.0f records/s; audit %+v",
		d.BacklogRecords, d.BacklogBytes, d.BacklogS, *d.TimeToCatchUpS, d.DrainBytesPerSec/result.MiB, d.ConsumedPerSec, *d.Audit)
	if d.BacklogBytes != 4<<20 || d.DrainBytesPerSec <= 0 || !d.Audit.Clean() {
		t.Fatalf("drain %+v", d)
	}
}

// TestDrainSweep drains a 2 MiB backlog twice while the producer keeps
// 200 records/s, with max.poll.records 50 and 2000, each point on its own
// topic: both catch up and report the time.
func TestDrainSweep(t *testing.T) {
	conn := connect(t)
	dims, err := disrupt.ParseVary([]string{"max.poll.records=50,2000"})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	doc, err := disrupt.DrainSweep(ctx, conn, disrupt.DrainSweepConfig{
		Dimensions: dims, Topic: cluster.TopicSpec{Name: topicName(t), Partitions: 3},
		Drain: disrupt.DrainConfig{
			Backlog: 2 << 20, MaxWait: 20 * time.Second, After: 500 * time.Millisecond, Interval: 250 * time.Millisecond,
			Workload: loadgen.E2EConfig{Produce: loadgen.ProduceConfig{Rate: 200, Values: payload.ValueConfig{Size: 1024}, Client: testkit.Resolve(t, clientcfg.Producer)}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Complete || len(doc.Points) != 2 {
		t.Fatalf("sweep: complete %v (%s), %d points", doc.Complete, doc.StopReason, len(doc.Points))
	}
	for _, p := range doc.Points {
		d := p.Drain
		if d.TimeToCatchUpS == nil {
			t.Fatalf("%s: the consumers did not catch up: lag %d, drain %.0f bytes/s", p.Label, d.FinalLag, d.DrainBytesPerSec)
		}
		t.Logf("%s: backlog %d records in %.1f s; caught up in %.2f s, drain %.2f MiB/s, consumers %.0f records/s; audit %+v",
			p.Label, d.BacklogRecords, d.BacklogS, *d.TimeToCatchUpS, d.DrainBytesPerSec/result.MiB, d.ConsumedPerSec, *d.Audit)
		if d.BacklogBytes != 2<<20 || d.DrainBytesPerSec <= 0 || !d.Audit.Clean() {
			t.Errorf("%s: drain %+v", p.Label, d)
		}
	}
	f, _, _ := doc.Fastest()
	t.Logf("fastest: %s; notes %q", doc.Points[f].Label, doc.Notes)
}
