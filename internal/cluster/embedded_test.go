package cluster

import (
	"context"
	"crypto/rand"
	"strconv"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

func TestRetentionConfigs(t *testing.T) {
	for _, tc := range []struct {
		max      int64
		parts    int
		per, seg int64
	}{
		{128 << 20, 1, 128 << 20, 8 << 20},
		{96 << 20, 6, 16 << 20, 1 << 20},
		{128 << 20, 1000, 134217, 1 << 20},
		{4 << 20, 2, 2 << 20, 1 << 20},
	} {
		got := retentionConfigs(tc.max, tc.parts)
		if got["log.retention.bytes"] != strconv.FormatInt(tc.per, 10) || got["log.segment.bytes"] != strconv.FormatInt(tc.seg, 10) || got["log.retention.ms"] != "-1" {
			t.Errorf("retentionConfigs(%d, %d) = %v, want retention %d, segment %d", tc.max, tc.parts, got, tc.per, tc.seg)
		}
	}
}

// TestEmbeddedKeepsItsBudget writes five times the budget into two topics
// and checks that the cluster holds about the budget, not everything, and
// that the newest records are still read back.
func TestEmbeddedKeepsItsBudget(t *testing.T) {
	const budget = 8 << 20
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	conn, err := Open(ctx, Config{EmbeddedBrokers: 1, EmbeddedMaxBytes: budget})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	topics := []string{"a", "b"}
	for _, tp := range topics {
		if _, err := conn.EnsureTopic(ctx, TopicSpec{Name: tp, Partitions: 2}); err != nil {
			t.Fatal(err)
		}
	}
	cl, err := conn.NewClient(kgo.ProducerLinger(0), kgo.ProducerBatchMaxBytes(64<<10), kgo.RecordPartitioner(kgo.ManualPartitioner()))
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	const n = 5 * budget / 1024
	for i := 0; i < n; i++ {
		key := []byte(strconv.Itoa(i))
		value := make([]byte, 1024)
		rand.Read(value) // incompressible: the bytes stored are the bytes written
		cl.Produce(ctx, &kgo.Record{Topic: topics[i%2], Key: key, Value: value, Partition: int32(i % 4 / 2)}, nil)
	}
	if err := cl.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	// The loop runs every 100 ms; leave it a few passes.
	var held int64
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		held = 0
		for _, tp := range topics {
			for _, pi := range conn.Fake.PartitionInfos(tp) {
				held += pi.NumBytes
			}
		}
		if held <= budget {
			break
		}
	}
	if held > budget || held < budget/2 {
		t.Fatalf("the cluster holds %d bytes of records after %d were written; want at most the budget %d and at least half of it", held, n*1024, budget)
	}

	// The newest record of each partition is still there.
	rd, err := conn.NewClient(kgo.ConsumeTopics(topics...), kgo.FetchMaxWait(100*time.Millisecond))
	if err != nil {
		t.Fatal(err)
	}
	defer rd.Close()
	want := map[string]bool{}
	for i := n - 4; i < n; i++ {
		want[strconv.Itoa(i)] = true
	}
	read := 0
	for len(want) > 0 {
		fs := rd.PollFetches(ctx)
		if err := fs.Err0(); err != nil {
			t.Fatalf("reading back after %d records: %v", read, err)
		}
		fs.EachRecord(func(r *kgo.Record) {
			read++
			delete(want, string(r.Key))
		})
	}
	if read*1024 > budget+budget/2 {
		t.Errorf("read back %d records (%d bytes), more than the budget kept", read, read*1024)
	}
	t.Logf("held %d bytes, read back %d records of %d", held, read, n)
}
