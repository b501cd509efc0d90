package integration

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/result"
)

// adviseJSON runs ktune advise with args and decodes its -o json advice.
func adviseJSON(t *testing.T, args ...string) *result.Advice {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, ktuneBin, append(append([]string{"advise"}, args...), "-o", "json", "--out", "-")...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("ktune advise %v: %v\n%s", args, err, stderr.String())
	}
	a, err := result.DecodeAdvice(&stdout)
	if err != nil {
		t.Fatalf("ktune advise %v: %v", args, err)
	}
	return a
}

// produceAcksAll writes n records with acks=all and idempotence, each
// try bounded, and returns the first error.
func produceAcksAll(t *testing.T, conn *cluster.Conn, topic string, n int) error {
	t.Helper()
	cl, err := conn.NewClient(kgo.RequiredAcks(kgo.AllISRAcks()), kgo.RecordRetries(3), kgo.RequestTimeoutOverhead(5*time.Second),
		kgo.RecordDeliveryTimeout(30*time.Second), kgo.DefaultProduceTopic(topic))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Second)
	defer cancel()
	for i := range n {
		if err := cl.ProduceSync(ctx, &kgo.Record{Value: fmt.Appendf(nil, "record %d", i)}).FirstErr(); err != nil {
			return err
		}
	}
	return nil
}

// TestAdvicePredictsBrokerLosses asks ktune whether RF 3 /
// min.insync.replicas 2 survives one and two brokers lost, creates the
// topic as advised, stops one broker (acks=all writes go on), then a
// second (they fail with NOT_ENOUGH_REPLICAS), and checks that ktune
// predicted both. Both brokers are started again before it ends.
func TestAdvicePredictsBrokerLosses(t *testing.T) {
	if brokers() != 3 {
		t.Skip("needs exactly 3 brokers")
	}
	script := kafkaScriptPath(t)
	hw := []string{"--avg-mbps", "1", "--replication-factor", "3", "--min-insync-replicas", "2", "--broker-disk-mbps", "200", "--broker-nic-gbps", "1", "--broker-disk-gb", "10000"}
	one := adviseJSON(t, append(hw, "--failures", "1")...)
	two := adviseJSON(t, append(hw, "--failures", "2")...)
	// The advice is for this cluster: 3 brokers.
	if p := one.Sizing.Placement; p == nil || !p.Survives || one.Sizing.ReplicationChanged || one.Sizing.Replication != 3 || one.Sizing.MinInsync != 2 || one.Sizing.Brokers != 3 {
		t.Fatalf("one broker lost: ktune does not predict that RF 3 / min.insync 2 keeps writing: %+v", one.Sizing.Placement)
	}
	if !two.Sizing.ReplicationChanged || two.Sizing.Replication == 3 && two.Sizing.MinInsync == 2 {
		t.Fatalf("two brokers lost: ktune does not predict that RF 3 / min.insync 2 stops writing (sized RF %d / %d)", two.Sizing.Replication, two.Sizing.MinInsync)
	}
	t.Logf("ktune: one lost, %s; two lost, sized RF %d / min.insync %d instead", one.Sizing.Placement.Summary, two.Sizing.Replication, two.Sizing.MinInsync)

	conn := connect(t)
	name := topicName(t)
	if _, err := conn.EnsureTopic(context.Background(), cluster.TopicSpec{Name: name, Partitions: 3, ReplicationFactor: one.Sizing.Replication,
		Configs: map[string]string{"min.insync.replicas": fmt.Sprint(one.Sizing.MinInsync)}}); err != nil {
		t.Fatal(err)
	}
	if err := produceAcksAll(t, conn, name, 30); err != nil {
		t.Fatalf("all brokers up: %v", err)
	}
	run := func(args ...string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		out, err := exec.CommandContext(ctx, script, args...).CombinedOutput()
		if err != nil {
			return fmt.Errorf("kafka.sh %v: %w\n%s", args, err, out)
		}
		return nil
	}
	stopped := []string{}
	t.Cleanup(func() {
		// start-broker waits for every broker, so the stopped ones start
		// together; one that starts before the other is running is retried.
		var wg sync.WaitGroup
		for _, b := range stopped {
			wg.Add(1)
			go func() {
				defer wg.Done()
				var err error
				for try := 0; try < 3; try++ {
					if err = run("start-broker", b); err == nil {
						return
					}
					time.Sleep(2 * time.Second)
				}
				t.Errorf("restarting broker %s: %v", b, err)
			}()
		}
		wg.Wait()
	})
	stop := func(b string) {
		if err := run("stop-broker", b); err != nil {
			t.Fatal(err)
		}
		stopped = append(stopped, b)
	}
	stop("1")
	if err := produceAcksAll(t, conn, name, 30); err != nil {
		t.Fatalf("one broker lost: acks=all writes failed (%v), though ktune predicted they go on", err)
	}
	stop("2")
	err := produceAcksAll(t, conn, name, 5)
	if !errors.Is(err, kerr.NotEnoughReplicas) {
		t.Fatalf("two brokers lost: acks=all writes ended with %v, want NOT_ENOUGH_REPLICAS as ktune predicted", err)
	}
	t.Logf("two brokers lost: %v, as predicted", err)
}
