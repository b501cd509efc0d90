package advisor

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// auditedBrokerConfigs are the broker settings the rules read.
var auditedBrokerConfigs = []string{"auto.create.topics.enable", "unclean.leader.election.enable", "auto.leader.rebalance.enable",
	"min.insync.replicas", "default.replication.factor", "message.max.bytes", "num.io.threads", "num.network.threads", "num.replica.fetchers", "log.flush.interval.messages"}

// RunAudit reads a live cluster's configuration (every broker's, and
// every topic's overrides), partition layout and replica health. Only a
// failed metadata read is an error; a failed describe becomes a finding.
func RunAudit(ctx context.Context, cl *kgo.Client) (*Audit, error) {
	adm := kadm.NewClient(cl)
	md, err := adm.Metadata(ctx)
	if err != nil {
		return nil, fmt.Errorf("audit: reading metadata: %w", err)
	}
	var brokerCfgs kadm.ResourceConfigs
	var brokerErr error
	if ids := md.Brokers.NodeIDs(); len(ids) > 0 {
		brokerCfgs, brokerErr = adm.DescribeBrokerConfigs(ctx, ids...)
	}
	var topics []string
	for name, t := range md.Topics {
		if !t.IsInternal && t.Err == nil {
			topics = append(topics, name)
		}
	}
	var topicCfgs kadm.ResourceConfigs
	var topicErr error
	if len(topics) > 0 {
		topicCfgs, topicErr = adm.DescribeTopicConfigs(ctx, topics...)
	}
	return analyze(md, brokerCfgs, brokerErr, topicCfgs, topicErr), nil
}

// analyze turns what the cluster answered into an audit.
func analyze(md kadm.Metadata, brokerCfgs kadm.ResourceConfigs, brokerErr error, topicCfgs kadm.ResourceConfigs, topicErr error) *Audit {
	a := &Audit{Brokers: len(md.Brokers), BrokerConfig: map[string]string{}, BrokerConfigs: map[int32]map[string]string{},
		TopicOverrides: map[string]map[string]string{}, ReplicasPerBroker: map[int32]int{}, LeadersPerBroker: map[int32]int{}}
	for _, b := range md.Brokers {
		a.ReplicasPerBroker[b.NodeID], a.LeadersPerBroker[b.NodeID] = 0, 0
	}
	add := func(id, sev, why, ev, rec, src string) {
		a.Findings = append(a.Findings, Finding{ID: id, Severity: sev, Rationale: why, Evidence: ev, Recommendation: rec, Source: src})
	}
	failed := func(what string, err error) {
		add("audit-describe-failed", "warn", "part of the cluster could not be read, so the audit is incomplete", fmt.Sprintf("%s: %v", what, err),
			"grant DescribeConfigs (and Describe) on the cluster and topics to this principal, or check the broker named", srcKafkaOpsDocs)
	}
	if brokerErr != nil {
		failed("describing broker configs", brokerErr)
	}
	for _, r := range brokerCfgs {
		if r.Err != nil {
			failed("broker "+r.Name+" configs", r.Err)
			continue
		}
		id, _ := strconv.Atoi(r.Name)
		m := map[string]string{}
		for _, c := range r.Configs {
			if slices.Contains(auditedBrokerConfigs, c.Key) && c.Value != nil {
				m[c.Key] = *c.Value
			}
		}
		a.BrokerConfigs[int32(id)] = m
	}
	if ids := slices.Sorted(maps.Keys(a.BrokerConfigs)); len(ids) > 0 {
		a.BrokerConfig = a.BrokerConfigs[ids[0]]
		for _, k := range auditedBrokerConfigs {
			var vals []string
			for _, id := range ids {
				vals = append(vals, fmt.Sprintf("%d=%s", id, a.BrokerConfigs[id][k]))
			}
			for _, id := range ids[1:] {
				if a.BrokerConfigs[id][k] != a.BrokerConfig[k] {
					add("audit-broker-config-differs", "warn", "brokers with different settings behave differently as leadership moves", k+": "+strings.Join(vals, ", "),
						"set it the same on every broker", srcKafkaOpsDocs)
					break
				}
			}
		}
	}

	if topicErr != nil {
		failed("describing topic configs", topicErr)
	}
	minISR, minISRFromBroker := map[string]int{}, map[string]bool{}
	for _, r := range topicCfgs {
		if r.Err != nil {
			failed("topic "+r.Name+" configs", r.Err)
			continue
		}
		for _, c := range r.Configs {
			if c.Value == nil {
				continue
			}
			if c.Source == kmsg.ConfigSourceDynamicTopicConfig {
				if a.TopicOverrides[r.Name] == nil {
					a.TopicOverrides[r.Name] = map[string]string{}
				}
				a.TopicOverrides[r.Name][c.Key] = *c.Value
			}
			if c.Key == "min.insync.replicas" {
				minISR[r.Name], _ = strconv.Atoi(*c.Value)
				minISRFromBroker[r.Name] = c.Source != kmsg.ConfigSourceDynamicTopicConfig
			}
		}
	}
	if n := len(a.TopicOverrides); n > 0 {
		var ev []string
		for _, name := range slices.Sorted(maps.Keys(a.TopicOverrides)) {
			ev = append(ev, fmt.Sprintf("%s: %s", name, describeMap(a.TopicOverrides[name])))
		}
		add("audit-topic-overrides", "info", "topic-level settings override the broker's; the broker settings alone do not describe these topics", strings.Join(ev, "; "),
			"check each override is intended", srcKafkaOpsDocs)
	}

	var names []string
	for name, t := range md.Topics {
		if t.IsInternal {
			continue
		}
		if t.Err != nil {
			failed("topic "+name+" metadata", t.Err)
			continue
		}
		names = append(names, name)
	}
	sort.Strings(names)
	var weakMinISR []string
	for _, name := range names {
		t := md.Topics[name]
		a.Topics++
		rf := 0
		for _, p := range t.Partitions.Sorted() {
			a.Partitions++
			rf = max(rf, len(p.Replicas))
			id := fmt.Sprintf("%s-%d", name, p.Partition)
			if p.Leader < 0 {
				a.Offline = append(a.Offline, id)
			} else {
				a.LeadersPerBroker[p.Leader]++
			}
			for _, r := range p.Replicas {
				a.ReplicasPerBroker[r]++
			}
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
		mi, known := minISR[name]
		if !known && a.BrokerConfig["min.insync.replicas"] != "" {
			mi, _ = strconv.Atoi(a.BrokerConfig["min.insync.replicas"])
			known, minISRFromBroker[name] = true, true
		}
		if known && rf >= 3 && mi == 1 {
			from := "topic override"
			if minISRFromBroker[name] {
				from = "broker default"
			}
			weakMinISR = append(weakMinISR, fmt.Sprintf("%s (replication %d, min.insync.replicas=1 from the %s)", name, rf, from))
		}
		if rf > 1 && mi >= rf {
			add("audit-min-insync-equals-replication", "warn", "one broker down stops acks=all writes to this topic", fmt.Sprintf("%s: min.insync.replicas %d, replication %d", name, mi, rf),
				"min.insync.replicas = replication factor - 1", srcConfluentDur)
		}
	}
	if n := len(weakMinISR); n > 0 {
		add("audit-min-insync-1", "warn", "with min.insync.replicas=1, acks=all is acknowledged by the leader alone whenever followers lag: replication 3 buys no durability",
			fmt.Sprintf("%d topics, e.g. %s", n, weakMinISR[0]), "min.insync.replicas=2 on the brokers (and on topics that override it)", srcConfluentDur)
	}
	auditFindings(a)
	return a
}

// findings turns the audit's observations into findings.
func auditFindings(a *Audit) {
	add := func(id, sev, why, ev, rec, src string) {
		a.Findings = append(a.Findings, Finding{ID: id, Severity: sev, Rationale: why, Evidence: ev, Recommendation: rec, Source: src})
	}
	if n := len(a.Offline); n > 0 {
		add("audit-offline-partitions", "warn", "partitions without a leader accept no reads or writes", fmt.Sprintf("%d partitions, e.g. %s", n, a.Offline[0]),
			"bring the brokers holding their replicas back; consider unclean election only if data loss is acceptable", srcKafkaOpsDocs)
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
	if maxRep > replicasPerBroker {
		add("audit-replicas-per-broker", "warn", "more than 4,000 replicas per broker slow recovery and leader election", fmt.Sprintf("up to %d replicas on one broker", maxRep), "add brokers or reduce partitions", "Jun Rao: how to choose the number of partitions")
	}
}
