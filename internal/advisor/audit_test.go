package advisor

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/testkit"
)

func TestAuditEmbedded(t *testing.T) {
	conn := testkit.Embedded(t, 3)
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

func TestAuditAnalysis(t *testing.T) {
	str := func(s string) *string { return &s }
	md := kadm.Metadata{
		Brokers: kadm.BrokerDetails{{NodeID: 1}, {NodeID: 2}, {NodeID: 3}},
		Topics: kadm.TopicDetails{
			"t3": {Topic: "t3", Partitions: kadm.PartitionDetails{
				0: {Partition: 0, Leader: 1, Replicas: []int32{1, 2, 3}, ISR: []int32{1, 2, 3}},
				1: {Partition: 1, Leader: -1, Replicas: []int32{1, 2, 3}, ISR: []int32{}},
			}},
			"ovr":    {Topic: "ovr", Partitions: kadm.PartitionDetails{0: {Partition: 0, Leader: 2, Replicas: []int32{1, 2, 3}, ISR: []int32{1, 2, 3}}}},
			"broken": {Topic: "broken", Err: errors.New("UNKNOWN_TOPIC_OR_PARTITION")},
		},
	}
	broker := func(id, autoCreate string) kadm.ResourceConfig {
		return kadm.ResourceConfig{Name: id, Configs: []kadm.Config{{Key: "auto.create.topics.enable", Value: str(autoCreate)}, {Key: "min.insync.replicas", Value: str("1")}}}
	}
	brokers := kadm.ResourceConfigs{broker("1", "false"), broker("2", "true"), {Name: "3", Err: errors.New("CLUSTER_AUTHORIZATION_FAILED")}}
	topics := kadm.ResourceConfigs{
		{Name: "t3", Configs: []kadm.Config{{Key: "min.insync.replicas", Value: str("1"), Source: kmsg.ConfigSourceDefaultConfig}}},
		{Name: "ovr", Configs: []kadm.Config{{Key: "min.insync.replicas", Value: str("2"), Source: kmsg.ConfigSourceDynamicTopicConfig},
			{Key: "retention.ms", Value: str("60000"), Source: kmsg.ConfigSourceDynamicTopicConfig}}},
	}
	a := analyze(md, brokers, nil, topics, nil)
	if len(a.BrokerConfigs) != 2 || a.BrokerConfigs[2]["auto.create.topics.enable"] != "true" {
		t.Errorf("broker configs %v", a.BrokerConfigs)
	}
	if a.TopicOverrides["ovr"]["retention.ms"] != "60000" || len(a.TopicOverrides) != 1 {
		t.Errorf("overrides %v", a.TopicOverrides)
	}
	if len(a.Offline) != 1 || a.Offline[0] != "t3-1" || a.LeadersPerBroker[-1] != 0 {
		t.Errorf("offline %v leaders %v", a.Offline, a.LeadersPerBroker)
	}
	for _, id := range []string{"audit-describe-failed", "audit-broker-config-differs", "audit-topic-overrides", "audit-offline-partitions", "audit-min-insync-1"} {
		if !hasFinding(a.Findings, id) {
			t.Errorf("no %s finding: %+v", id, a.Findings)
		}
	}
	describeFailed := 0
	for _, f := range a.Findings {
		if f.ID == "audit-describe-failed" {
			describeFailed++
		}
		if f.ID == "audit-min-insync-1" && (!strings.Contains(f.Evidence, "t3") || strings.Contains(f.Evidence, "ovr")) {
			t.Errorf("min.insync=1 evidence %q", f.Evidence)
		}
	}
	if describeFailed != 2 { // broker 3 and the broken topic
		t.Errorf("%d describe failures reported, want 2", describeFailed)
	}
	a = analyze(md, nil, errors.New("timeout"), nil, errors.New("timeout"))
	if !hasFinding(a.Findings, "audit-describe-failed") || a.Topics != 2 {
		t.Errorf("failed describes: %+v", a)
	}
}
