package advisor

import (
	"context"
	"fmt"
	"sort"
	"strconv"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
)

// Audit is what a live cluster showed.
type Audit struct {
	Brokers    int `json:"brokers"`
	Topics     int `json:"topics"`
	Partitions int `json:"partitions"`
	// BrokerConfig holds the first broker's settings the rules check.
	BrokerConfig      map[string]string `json:"broker_config"`
	ReplicasPerBroker map[int32]int     `json:"replicas_per_broker"`
	LeadersPerBroker  map[int32]int     `json:"leaders_per_broker"`
	UnderReplicated   []string          `json:"under_replicated,omitempty"`
	UnderMinISR       []string          `json:"under_min_isr,omitempty"`
	LowReplication    []string          `json:"low_replication_topics,omitempty"`
	Findings          []Finding         `json:"findings"`
}

// auditedBrokerConfigs are the broker settings the rules read.
var auditedBrokerConfigs = []string{"auto.create.topics.enable", "unclean.leader.election.enable", "auto.leader.rebalance.enable",
	"min.insync.replicas", "default.replication.factor", "message.max.bytes", "num.io.threads", "num.network.threads", "num.replica.fetchers", "log.flush.interval.messages"}

// RunAudit reads a live cluster's configuration, partition layout and
// replica health.
func RunAudit(ctx context.Context, cl *kgo.Client) (*Audit, error) {
	adm := kadm.NewClient(cl)
	md, err := adm.Metadata(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: reading metadata: %w", err)
	}
	a := &Audit{Brokers: len(md.Brokers), BrokerConfig: map[string]string{}, ReplicasPerBroker: map[int32]int{}, LeadersPerBroker: map[int32]int{}}
	for _, b := range md.Brokers {
		a.ReplicasPerBroker[b.NodeID], a.LeadersPerBroker[b.NodeID] = 0, 0
	}
	if len(md.Brokers) > 0 {
		rc, err := adm.DescribeBrokerConfigs(ctx, md.Brokers[0].NodeID)
		if err != nil {
			return nil, fmt.Errorf("audit: describing broker configs: %w", err)
		}
		for _, r := range rc {
			for _, c := range r.Configs {
				for _, want := range auditedBrokerConfigs {
					if c.Key == want && c.Value != nil {
						a.BrokerConfig[c.Key] = *c.Value
					}
				}
			}
		}
	}
	var topics []string
	for name, t := range md.Topics {
		if t.IsInternal || t.Err != nil {
			continue
		}
		topics = append(topics, name)
	}
	sort.Strings(topics)
	minISR := map[string]int{}
	if len(topics) > 0 {
		rc, err := adm.DescribeTopicConfigs(ctx, topics...)
		if err == nil {
			for _, r := range rc {
				for _, c := range r.Configs {
					if c.Key == "min.insync.replicas" && c.Value != nil {
						minISR[r.Name], _ = strconv.Atoi(*c.Value)
					}
				}
			}
		}
	}
	for _, name := range topics {
		t := md.Topics[name]
		a.Topics++
		rf := 0
		for _, p := range t.Partitions {
			a.Partitions++
			rf = len(p.Replicas)
			a.LeadersPerBroker[p.Leader]++
			for _, r := range p.Replicas {
				a.ReplicasPerBroker[r]++
			}
			id := fmt.Sprintf("%s-%d", name, p.Partition)
			if len(p.ISR) < len(p.Replicas) {
				a.UnderReplicated = append(a.UnderReplicated, id)
			}
			if mi := minISR[name]; mi > 0 && len(p.ISR) < mi {
				a.UnderMinISR = append(a.UnderMinISR, id)
			}
		}
		if rf > 0 && rf < 3 {
			a.LowReplication = append(a.LowReplication, fmt.Sprintf("%s (replication %d)", name, rf))
		}
		if mi := minISR[name]; rf > 1 && mi >= rf {
			a.Findings = append(a.Findings, Finding{ID: "audit-min-insync-equals-replication", Severity: "warn",
				Rationale: "one broker down stops acks=all writes to this topic", Evidence: fmt.Sprintf("%s: min.insync.replicas %d, replication %d", name, mi, rf),
				Recommendation: "min.insync.replicas = replication factor - 1", Source: srcConfluentDur})
		}
	}
	a.findings()
	return a, nil
}

// findings turns the audit's observations into findings.
func (a *Audit) findings() {
	add := func(id, sev, why, ev, rec, src string) {
		a.Findings = append(a.Findings, Finding{ID: id, Severity: sev, Rationale: why, Evidence: ev, Recommendation: rec, Source: src})
	}
	if n := len(a.UnderReplicated); n > 0 {
		add("audit-under-replicated", "warn", "partitions whose followers are not in sync lose redundancy", fmt.Sprintf("%d partitions, e.g. %s", n, a.UnderReplicated[0]), "find the lagging or down broker; raise num.replica.fetchers if followers cannot keep up", srcKafkaOpsDocs)
	}
	if n := len(a.UnderMinISR); n > 0 {
		add("audit-under-min-isr", "warn", "partitions below min.insync.replicas reject acks=all writes", fmt.Sprintf("%d partitions, e.g. %s", n, a.UnderMinISR[0]), "bring the missing replicas back into sync", srcKafkaOpsDocs)
	}
	if n := len(a.LowReplication); n > 0 {
		add("audit-low-replication", "warn", "topics with fewer than 3 replicas cannot lose a broker and keep 2 in sync", fmt.Sprintf("%d topics, e.g. %s", n, a.LowReplication[0]), "replication factor 3 (kafka-reassign-partitions)", srcConfluentDur)
	}
	maxLead, minLead, maxRep := 0, -1, 0
	for b, n := range a.LeadersPerBroker {
		maxLead = max(maxLead, n)
		if minLead < 0 || n < minLead {
			minLead = n
		}
		maxRep = max(maxRep, a.ReplicasPerBroker[b])
	}
	if a.Brokers > 1 && maxLead > 0 && float64(maxLead-minLead)/float64(maxLead) > 0.1 && maxLead-minLead > 1 {
		add("audit-leader-imbalance", "info", "skewed leadership concentrates client traffic on some brokers", fmt.Sprintf("leaders per broker %v", a.LeadersPerBroker), "run a preferred leader election (kafka-leader-election) or check auto.leader.rebalance.enable", srcKafkaOpsDocs)
	}
	if maxRep > 4000 {
		add("audit-replicas-per-broker", "warn", "more than 4,000 replicas per broker slow recovery and leader election", fmt.Sprintf("up to %d replicas on one broker", maxRep), "add brokers or reduce partitions", "Jun Rao: how to choose the number of partitions")
	}
}
