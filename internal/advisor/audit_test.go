package advisor

import (
	"context"
	"testing"

	"github.com/ktune/ktune/internal/cluster"
)

func TestAuditEmbedded(t *testing.T) {
	conn, err := cluster.Open(context.Background(), cluster.Config{EmbeddedBrokers: 3})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	for _, name := range []string{"a", "b"} {
		if _, err := conn.EnsureTopic(context.Background(), cluster.TopicSpec{Name: name, Partitions: 4, ReplicationFactor: 2}); err != nil {
			t.Fatal(err)
		}
	}
	cl, err := conn.NewClient()
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	a, err := RunAudit(context.Background(), cl)
	if err != nil {
		t.Fatal(err)
	}
	replicas := 0
	for _, n := range a.ReplicasPerBroker {
		replicas += n
	}
	if a.Brokers != 3 || a.Topics != 2 || a.Partitions != 8 || replicas != 16 || len(a.LowReplication) != 2 {
		t.Fatalf("audit: %+v", a)
	}
	found := false
	for _, f := range a.Findings {
		if f.ID == "audit-low-replication" {
			found = true
		}
	}
	if !found {
		t.Errorf("replication 2 not flagged: %+v", a.Findings)
	}
}
