package advisor

import (
	"fmt"
	"strconv"
)

// RuleInput is what the rules look at.
type RuleInput struct {
	Workload Workload
	Producer map[string]string // effective producer properties
	Consumer map[string]string // effective consumer properties
	Broker   map[string]string // broker configs (live audit), may be empty
	// TopicPartitions is the partition count consumers share (0: unknown).
	TopicPartitions int
}

type rule struct {
	id, severity, rationale, recommendation, source string
	check                                           func(in RuleInput) (bool, string)
}

const (
	srcProducerDocs  = "Apache Kafka documentation: producer configs"
	srcConsumerDocs  = "Apache Kafka documentation: consumer configs"
	srcConfluentDur  = "Confluent: optimizing for durability"
	srcKafkaOpsDocs  = "Apache Kafka documentation: operations"
	srcConfluentPost = "Confluent: post-deployment"
)

func num(m map[string]string, k string) (int64, bool) {
	v, ok := m[k]
	if !ok {
		return 0, false
	}
	n, err := strconv.ParseInt(v, 10, 64)
	return n, err == nil
}

func durable(w Workload) bool { return w.Durability != "at-most-once" }

// rules is every configuration rule, in report order.
var rules = []rule{
	{"idempotence-acks", "warn", "an idempotent producer needs acks=all; the client refuses or silently drops idempotence otherwise",
		"set acks=all, or enable.idempotence=false for acks 0/1", srcProducerDocs,
		func(in RuleInput) (bool, string) {
			return in.Producer["enable.idempotence"] == "true" && in.Producer["acks"] != "all", fmt.Sprintf("enable.idempotence=%s acks=%s", in.Producer["enable.idempotence"], in.Producer["acks"])
		}},
	{"idempotence-inflight", "warn", "idempotence keeps order only with at most 5 requests in flight per connection",
		"max.in.flight.requests.per.connection <= 5", srcProducerDocs,
		func(in RuleInput) (bool, string) {
			n, _ := num(in.Producer, "max.in.flight.requests.per.connection")
			return in.Producer["enable.idempotence"] == "true" && n > maxInFlightIdempotent, fmt.Sprintf("max.in.flight.requests.per.connection=%d", n)
		}},
	{"durability-acks", "warn", "a record acknowledged by the leader alone is lost if the leader dies before followers copy it",
		"acks=all with enable.idempotence=true", srcConfluentDur,
		func(in RuleInput) (bool, string) {
			return durable(in.Workload) && in.Producer["acks"] != "" && in.Producer["acks"] != "all", fmt.Sprintf("durability %s, acks=%s", in.Workload.Durability, in.Producer["acks"])
		}},
	{"durability-replication", "warn", "fewer than 3 replicas cannot survive a broker loss while keeping 2 in sync",
		"replication factor 3", srcConfluentDur,
		func(in RuleInput) (bool, string) {
			return durable(in.Workload) && in.Workload.Replication < 3, fmt.Sprintf("replication factor %d", in.Workload.Replication)
		}},
	{"durability-min-insync", "warn", "with min.insync.replicas=1, acks=all is acknowledged by the leader alone whenever followers lag",
		"min.insync.replicas=2 (with replication factor 3)", srcConfluentDur,
		func(in RuleInput) (bool, string) {
			return durable(in.Workload) && in.Workload.MinInsync < 2, fmt.Sprintf("min.insync.replicas %d", in.Workload.MinInsync)
		}},
	{"min-insync-equals-replication", "warn", "with min.insync.replicas equal to the replication factor, one broker down stops all acks=all writes",
		"min.insync.replicas = replication factor - 1 (2 of 3)", srcConfluentDur,
		func(in RuleInput) (bool, string) {
			return in.Workload.Replication > 1 && in.Workload.MinInsync >= in.Workload.Replication,
				fmt.Sprintf("min.insync.replicas %d, replication factor %d", in.Workload.MinInsync, in.Workload.Replication)
		}},
	{"large-records", "info", "records over 1 MB need every limit on their path raised together",
		"raise message.max.bytes (broker) or max.message.bytes (topic), replica.fetch.max.bytes, max.request.size (producer), fetch.max.bytes and max.partition.fetch.bytes (consumer) together; or keep records under 1 MB", srcConfluentPost,
		func(in RuleInput) (bool, string) {
			return in.Workload.RecordBytes > 1_000_000, fmt.Sprintf("record size %.0f bytes", in.Workload.RecordBytes)
		}},
	{"auto-create-topics", "warn", "a typo in a topic name creates a topic with default partitions and replication",
		"auto.create.topics.enable=false", srcConfluentDur,
		func(in RuleInput) (bool, string) {
			return in.Broker["auto.create.topics.enable"] == "true", "broker auto.create.topics.enable=true"
		}},
	{"unclean-leader-election", "warn", "an out-of-sync replica may become leader and drop acknowledged records",
		"unclean.leader.election.enable=false", srcConfluentDur,
		func(in RuleInput) (bool, string) {
			return durable(in.Workload) && in.Broker["unclean.leader.election.enable"] == "true", "broker unclean.leader.election.enable=true"
		}},
	{"leader-rebalance", "info", "automatic leader rebalancing moves leadership (and client traffic) every few minutes when leaders are skewed",
		"keep it on, or turn it off and rebalance leaders in maintenance windows; raise leader.imbalance.per.broker.percentage if it churns", srcKafkaOpsDocs,
		func(in RuleInput) (bool, string) {
			return in.Broker["auto.leader.rebalance.enable"] == "true", "auto.leader.rebalance.enable=true"
		}},
	{"consumer-heartbeat", "warn", "a heartbeat interval above a third of the session timeout risks spurious rebalances",
		"heartbeat.interval.ms <= session.timeout.ms / 3", srcConsumerDocs,
		func(in RuleInput) (bool, string) {
			hb, ok1 := num(in.Consumer, "heartbeat.interval.ms")
			st, ok2 := num(in.Consumer, "session.timeout.ms")
			return ok1 && ok2 && hb*3 > st, fmt.Sprintf("heartbeat.interval.ms=%d session.timeout.ms=%d", hb, st)
		}},
	{"consumer-poll-interval", "info", "processing slower than max.poll.interval.ms between polls triggers a rebalance",
		"max.poll.interval.ms above the slowest batch of max.poll.records; lower max.poll.records when processing is slow", srcConsumerDocs,
		func(in RuleInput) (bool, string) {
			pi, ok1 := num(in.Consumer, "max.poll.interval.ms")
			st, ok2 := num(in.Consumer, "session.timeout.ms")
			return ok1 && ok2 && pi < st, fmt.Sprintf("max.poll.interval.ms=%d below session.timeout.ms=%d", pi, st)
		}},
	{"consumers-over-partitions", "warn", "consumers beyond the partition count of a group sit idle",
		"at most one consumer per partition; add partitions and consumers together", srcConsumerDocs,
		func(in RuleInput) (bool, string) {
			return in.TopicPartitions > 0 && in.Workload.Consumers > in.TopicPartitions, fmt.Sprintf("%d consumers, %d partitions", in.Workload.Consumers, in.TopicPartitions)
		}},
	{"exactly-once", "info", "exactly-once needs transactions end to end",
		"set transactional.id on producers and isolation.level=read_committed on consumers", srcProducerDocs,
		func(in RuleInput) (bool, string) {
			return in.Workload.Durability == "exactly-once" && (in.Producer["transactional.id"] == "" || in.Consumer["isolation.level"] != "read_committed"),
				fmt.Sprintf("transactional.id=%q isolation.level=%s", in.Producer["transactional.id"], in.Consumer["isolation.level"])
		}},
}

// Rules runs every rule against in and returns the ones that fire.
func Rules(in RuleInput) []Finding {
	var out []Finding
	for _, r := range rules {
		if fires, evidence := r.check(in); fires {
			out = append(out, Finding{ID: r.id, Severity: r.severity, Rationale: r.rationale, Evidence: evidence, Recommendation: r.recommendation, Source: r.source})
		}
	}
	return out
}

// RuleIDs lists every rule's id.
func RuleIDs() []string {
	ids := make([]string, len(rules))
	for i, r := range rules {
		ids[i] = r.id
	}
	return ids
}
