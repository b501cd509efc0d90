package loadgen

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/testkit"
)

// TestPartitionSubset checks that records go only to the given partitions
// under each partitioner, keyed and not, and that a consumer assigned the
// same partitions reads all of them.
func TestPartitionSubset(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	for _, tc := range []struct {
		partitioner string
		key         payload.KeyKind
	}{
		{"", payload.NoKey},       // Java's built-in: uniform sticky, adaptive
		{"", payload.RandomKey},   // built-in with keys: murmur2 over the subset
		{"sticky", payload.NoKey}, // OnNewBatch
		{"round-robin", payload.NoKey},
	} {
		t.Run(fmt.Sprintf("%s-%s", tc.partitioner, tc.key), func(t *testing.T) {
			topic := fmt.Sprintf("subset-%s-%s-%d", tc.partitioner, tc.key, time.Now().UnixNano())
			makeTopic(t, conn, topic, 7)
			kvs := []string{"linger.ms=1"}
			if tc.partitioner != "" {
				kvs = append(kvs, "partitioner="+tc.partitioner)
			}
			cfg := produceCfg(topic, 3000)
			cfg.Client = testkit.Resolve(t, clientcfg.Producer, kvs...)
			cfg.Keys = payload.KeyConfig{Kind: tc.key, Space: 1000, Size: 8}
			cfg.Partitions = []int32{5, 1, 3}
			if _, err := Produce(context.Background(), conn, cfg); err != nil {
				t.Fatal(err)
			}
			cl, err := conn.NewClient()
			if err != nil {
				t.Fatal(err)
			}
			defer cl.Close()
			ends, err := kadm.NewClient(cl).ListEndOffsets(context.Background(), topic)
			if err != nil {
				t.Fatal(err)
			}
			var total int64
			ends.Each(func(o kadm.ListedOffset) {
				total += o.Offset
				in := o.Partition == 1 || o.Partition == 3 || o.Partition == 5
				if !in && o.Offset != 0 {
					t.Errorf("partition %d got %d records", o.Partition, o.Offset)
				}
				if in && o.Offset == 0 {
					t.Errorf("partition %d of the subset got nothing", o.Partition)
				}
			})
			if total != 3000 {
				t.Errorf("%d records in the topic, want 3000", total)
			}
			doc, err := Consume(context.Background(), conn, ConsumeConfig{
				Topic: topic, Assign: true, AssignPartitions: []int32{1, 3, 5}, Records: 3000, IdleTimeout: 5 * time.Second,
			})
			if err != nil || doc.Metrics.Records != 3000 {
				t.Errorf("consumer of the subset read %d: %v", doc.Metrics.Records, err)
			}
		})
	}
}
