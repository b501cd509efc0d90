package result

import (
	"fmt"
	"io"
	"strings"
)

// KindAdvice is the kind of an advice document: what ktune advise and
// ktune tune conclude (sizing, configuration, findings), every number
// with its formula, inputs and their sources.
const KindAdvice Kind = "advice"

// Sizing modes: textbook (no broker hardware known: the tuning notes'
// method) or failure-aware (each resource by its own limit with brokers
// lost).
const (
	ModeTextbook     = "textbook"
	ModeFailureAware = "failure-aware"
)

// AdviceVersion is the advice document's own version within the schema:
// 2 added the placement model (Sizing.Placement, Constraint.Scenario and
// Broker, the sized replication factor, MemoryNeededGB, Unsatisfiable).
// A document without advice_version is version 1 and loads as it is.
const AdviceVersion = 2

// Advice is the advisor's output document.
type Advice struct {
	Header
	AdviceVersion int            `json:"advice_version,omitempty"`
	Workload      AdviceWorkload `json:"workload"`
	Assumptions   []string       `json:"assumptions"`
	// Assumed are the workload inputs nobody stated, one by one.
	Assumed  []Assumed     `json:"assumed,omitempty"`
	Notes    []string      `json:"notes,omitempty"`
	Sizing   Sizing        `json:"sizing"`
	Config   *ConfigAdvice `json:"config,omitempty"`
	Findings []Finding     `json:"findings"`
	Audit    *ClusterAudit `json:"audit,omitempty"`
}

// AssumedSummary is the one-line list of assumed inputs for summaries.
func (a *Advice) AssumedSummary() string {
	var s []string
	for _, x := range a.Assumed {
		s = append(s, x.String())
	}
	return strings.Join(s, "; ")
}

// AdviceWorkload is what the cluster must carry. Sizes are decimal: 1 KB = 1000
// bytes, 1 MB = 10^6, 1 GB = 10^9, as the sizing method uses them.
type AdviceWorkload struct {
	RecordsPerDay float64 `yaml:"records_per_day" json:"records_per_day,omitempty"`
	// AvgMBps is the average produce rate; an alternative to RecordsPerDay.
	AvgMBps        float64 `yaml:"avg_mbps" json:"avg_mbps,omitempty"`
	RecordBytes    float64 `yaml:"record_size" json:"record_size_bytes"`
	PeakFactor     float64 `yaml:"peak_factor" json:"peak_factor"`
	Replication    int     `yaml:"replication_factor" json:"replication_factor"`
	MinInsync      int     `yaml:"min_insync_replicas" json:"min_insync_replicas"`
	RetentionHours float64 `yaml:"retention_hours" json:"retention_hours"`
	ConsumerGroups int     `yaml:"consumer_groups" json:"consumer_groups"`
	LaggingReaders int     `yaml:"lagging_readers" json:"lagging_readers"`
	// LagHours is how far behind lagging readers may be, for page cache.
	LagHours float64 `yaml:"lag_hours" json:"lag_hours,omitempty"`
	SLOp99Ms float64 `yaml:"slo_p99_ms" json:"slo_p99_ms,omitempty"`
	// Durability is the delivery guarantee: at-most-once, at-least-once
	// or exactly-once. It filters the swept points; it is never traded.
	Durability string `yaml:"durability" json:"durability"`
	// IdempotenceOptional lets at-least-once accept acks=all points
	// without idempotence (duplicates on retry are acceptable).
	IdempotenceOptional bool `yaml:"idempotence_optional" json:"idempotence_optional,omitempty"`
	// Goal ranks the points that meet Durability: throughput, latency,
	// durability or balanced.
	Goal string `yaml:"goal" json:"goal"`
	// Headroom is growth to plan for, as a fraction (0.3 = 30%).
	Headroom float64 `yaml:"headroom" json:"headroom"`
	// Partitions is the planned total, for the page-cache rule.
	Partitions int `yaml:"partitions" json:"partitions,omitempty"`
	// TargetMBps and the per-partition figures feed the partition rule;
	// given, they beat measurements unless PreferMeasured.
	TargetMBps            float64 `yaml:"target_mbps" json:"target_mbps,omitempty"`
	ProducerPartitionMBps float64 `yaml:"producer_partition_mbps" json:"producer_partition_mbps,omitempty"`
	ConsumerPartitionMBps float64 `yaml:"consumer_partition_mbps" json:"consumer_partition_mbps,omitempty"`
	PreferMeasured        bool    `yaml:"prefer_measured" json:"prefer_measured,omitempty"`
	// HeapGB is the broker JVM heap (default: by broker memory, else 6).
	HeapGB float64 `yaml:"heap_gb" json:"heap_gb"`
	// SegmentBytes is log.segment.bytes (default 1 GB).
	SegmentBytes float64 `yaml:"segment_bytes" json:"segment_bytes"`
	// SegmentMs is segment.ms (0: Kafka's default, 7 days): a segment
	// rolls at whichever of the two comes first.
	SegmentMs float64 `yaml:"segment_ms" json:"segment_ms,omitempty"`
	// Consumers is the planned consumers per group.
	Consumers int `yaml:"consumers_per_group" json:"consumers_per_group,omitempty"`
	// Failures is how many brokers the sizing survives (default 1);
	// with Racks, a whole rack (ceil(B / racks) brokers) is lost instead.
	Failures *int `yaml:"failures" json:"failures,omitempty"`
	Racks    int  `yaml:"racks" json:"racks,omitempty"`
	// CompressionRatio is compressed / uncompressed bytes (default: the
	// recommended sweep point's, else 1).
	CompressionRatio float64 `yaml:"compression_ratio" json:"compression_ratio,omitempty"`
	// RecoveryMBps is the re-replication rate per receiving broker
	// (default: the spare disk or network bandwidth at peak).
	RecoveryMBps float64 `yaml:"recovery_mbps" json:"recovery_mbps,omitempty"`
	// MaxRecoveryHours is the longest acceptable recovery (default 4).
	MaxRecoveryHours float64 `yaml:"max_recovery_hours" json:"max_recovery_hours,omitempty"`
	// LocalRetentionHours, with a remote tier, is what brokers keep on
	// their own disks (local.retention.ms).
	LocalRetentionHours float64 `yaml:"local_retention_hours" json:"local_retention_hours,omitempty"`
	// DedicatedControllers asks for dedicated KRaft controllers at any
	// size (they are recommended above 9 brokers anyway).
	DedicatedControllers bool `yaml:"dedicated_controllers" json:"dedicated_controllers,omitempty"`
	// Hardware is the broker hardware as stated; it beats probes.
	Hardware Hardware `yaml:"broker" json:"broker_hardware,omitempty"`
}

// Hardware is one broker's hardware as the operator states it (0: not
// stated).
type Hardware struct {
	DiskMBps float64 `yaml:"disk_mbps" json:"disk_mbps,omitempty"`
	DiskGB   float64 `yaml:"disk_gb" json:"disk_gb,omitempty"`
	NICGbps  float64 `yaml:"nic_gbps" json:"nic_gbps,omitempty"`
	Cores    float64 `yaml:"cores" json:"cores,omitempty"`
	MemoryGB float64 `yaml:"memory_gb" json:"memory_gb,omitempty"`
}

// Assumed is one workload input nobody stated; the advice names it and
// the flag that would state it.
type Assumed struct {
	Input  string  `json:"input"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
	Flag   string  `json:"flag"`
	Source string  `json:"source"` // always "assumption"
	Why    string  `json:"why,omitempty"`
}

// String is the summary line: "assumed: 10 MB/s average (pass --avg-mbps)".
func (a Assumed) String() string {
	s := "assumed: " + a.Input
	if a.Value != 0 || a.Unit != "" {
		v := fmt.Sprintf("%g", a.Value)
		if a.Unit != "" {
			v += " " + a.Unit
		}
		s = fmt.Sprintf("assumed: %s %s", v, a.Input)
	}
	s += " (pass " + a.Flag + ")"
	if a.Why != "" {
		s += "; " + a.Why
	}
	return s
}

// Sourced is one number and where it came from: "input (--flag)",
// "measured: FILE (...)", "nominal: FILE (...)" or "textbook assumption".
type Sourced struct {
	Value  float64 `json:"value"`
	Source string  `json:"source,omitempty"`
}

// Known reports whether the number is known (above 0).
func (s Sourced) Known() bool { return s.Value > 0 }

// BrokerHardware is what one broker of the cluster has: the slowest of
// the probed brokers unless a flag states it. Zero values are unknown.
type BrokerHardware struct {
	DiskMBps Sourced `json:"disk_mbps"`
	DiskGB   Sourced `json:"disk_gb"`
	NICMBps  Sourced `json:"nic_mbps"`
	Cores    Sourced `json:"cores"`
	MemoryGB Sourced `json:"memory_gb"`
}

// Known reports whether any broker hardware is known; without it the
// advisor sizes by the textbook.
func (h BrokerHardware) Known() bool {
	return h.DiskMBps.Known() || h.DiskGB.Known() || h.NICMBps.Known() || h.Cores.Known() || h.MemoryGB.Known()
}

// Term is one input of a figure and where it came from.
type Term struct {
	Name   string  `json:"name"`
	Value  float64 `json:"value"`
	Unit   string  `json:"unit,omitempty"`
	Source string  `json:"source"`
}

// Figure is one computed number with its formula and inputs.
type Figure struct {
	Name    string  `json:"name"`
	Value   float64 `json:"value"`
	Unit    string  `json:"unit,omitempty"`
	Formula string  `json:"formula"`
	Inputs  []Term  `json:"inputs"`
}

// Constraint is what one resource asks of the broker count: Brokers is
// the smallest count this check alone allows. In failure-aware sizing,
// Value and Limit are the check's two sides at the recommended count.
type Constraint struct {
	Resource string  `json:"resource"`
	Brokers  int     `json:"brokers"`
	Detail   string  `json:"detail"`
	Measured bool    `json:"measured"`
	Formula  string  `json:"formula,omitempty"`
	Inputs   []Term  `json:"inputs,omitempty"`
	Value    float64 `json:"value,omitempty"`
	Limit    float64 `json:"limit,omitempty"`
	Unit     string  `json:"unit,omitempty"`
	Holds    bool    `json:"holds"`
	// Unsatisfiable is set when no broker count meets the check.
	Unsatisfiable bool `json:"unsatisfiable,omitempty"`
	// Scenario and Broker say where the placement model found the
	// check's value: the failure scenario and the surviving broker
	// (advice version 2).
	Scenario string `json:"scenario,omitempty"`
	Broker   *int   `json:"broker,omitempty"`
}

// Placement is the placement model the failure-aware sizing was judged
// on (advice version 2): the recommended brokers over the racks, the
// partitions placed as Kafka places them, and every failure scenario
// the sizing claims to survive evaluated per partition and per broker.
type Placement struct {
	Model       string `json:"model"`
	Brokers     int    `json:"brokers"`
	Racks       int    `json:"racks"`
	Partitions  int    `json:"partitions"`
	Replication int    `json:"replication_factor"`
	MinInsync   int    `json:"min_insync_replicas"`
	Failures    int    `json:"failures"`
	// Scenarios are the scenarios evaluated (the first 50 named),
	// ScenarioCount all of them.
	Scenarios     []string `json:"scenarios"`
	ScenarioCount int      `json:"scenario_count"`
	// Worst is the scenario leaving the fewest in-sync replicas of one
	// partition: MinInsyncLeft of them, in Partition.
	Worst         string `json:"worst_scenario"`
	MinInsyncLeft int    `json:"min_insync_left"`
	Partition     int    `json:"partition"`
	WritesStopped int    `json:"partitions_writes_stopped"`
	DataLost      int    `json:"partitions_data_lost"`
	Survives      bool   `json:"survives"`
	// Binding names the binding check's broker and scenario.
	Binding string `json:"binding,omitempty"`
	// Summary is the one-line account the human output prints.
	Summary string `json:"summary"`
}

// Controllers is the recommended dedicated KRaft controller quorum.
type Controllers struct {
	Count    int     `json:"count"`
	Cores    int     `json:"cores"`
	MemoryGB float64 `json:"memory_gb"`
	HeapGB   float64 `json:"heap_gb"`
	DiskGB   float64 `json:"disk_gb"`
	Why      string  `json:"why"`
	Source   string  `json:"source"`
}

// Sizing is the recommended hardware, in decimal units.
type Sizing struct {
	// Mode is textbook (no broker hardware known: the tuning notes'
	// method) or failure-aware (each resource by its own limit with
	// Failures brokers lost).
	Mode              string  `json:"mode"`
	Brokers           int     `json:"brokers"`
	Failures          int     `json:"failures"`
	Racks             int     `json:"racks,omitempty"`
	DiskTotalGB       float64 `json:"disk_total_gb"`
	DiskPerBrokerGB   float64 `json:"disk_per_broker_gb"`
	RemoteStorageGB   float64 `json:"remote_storage_gb,omitempty"`
	MemoryPerBrokerGB float64 `json:"memory_per_broker_gb"`
	HeapGB            float64 `json:"heap_gb"`
	PageCacheGB       float64 `json:"page_cache_gb"`
	Partitions        int     `json:"partitions,omitempty"`
	// PartitionsRaw is ceil(Tt / min(Tp, Tc)); PartitionsPlan rounds it up
	// to a multiple of the brokers and at least the consumers.
	PartitionsRaw     int          `json:"partitions_raw,omitempty"`
	PartitionsPlan    int          `json:"partitions_plan,omitempty"`
	NICGbps           float64      `json:"nic_gbps"`
	NumIOThreads      int          `json:"num_io_threads"`
	NumNetworkThreads int          `json:"num_network_threads"`
	NumReplicaFetch   int          `json:"num_replica_fetchers"`
	Binding           string       `json:"binding_constraint"`
	Constraints       []Constraint `json:"constraints"`
	// TextbookBrokers is the classic formula with 100 MB/s per broker,
	// shown beside the sizing.
	TextbookBrokers  int             `json:"textbook_brokers"`
	Hardware         *BrokerHardware `json:"broker_hardware,omitempty"`
	CompressionRatio Sourced         `json:"compression_ratio"`
	// RecoveryHours is the time to re-replicate one failed broker's data.
	RecoveryHours *float64 `json:"recovery_hours,omitempty"`
	// Replication and MinInsync are what the sizing is for: the
	// workload's, or the smallest that survive its failures when those do
	// not (ReplicationChanged) (advice version 2).
	Replication        int        `json:"replication_factor,omitempty"`
	MinInsync          int        `json:"min_insync_replicas,omitempty"`
	ReplicationChanged bool       `json:"replication_changed,omitempty"`
	Placement          *Placement `json:"placement,omitempty"`
	// MemoryNeededGB is heap plus page cache as computed; the headline
	// MemoryPerBrokerGB never exceeds the broker's memory (version 2).
	MemoryNeededGB float64 `json:"memory_needed_gb,omitempty"`
	// Unsatisfiable names the check no broker count meets; Brokers is
	// then not a recommendation (version 2).
	Unsatisfiable string       `json:"unsatisfiable,omitempty"`
	Controllers   *Controllers `json:"controllers,omitempty"`
	Figures       []Figure     `json:"figures"`
}

// ParetoPoint is one sweep point on the throughput-latency plane.
type ParetoPoint struct {
	Key    string            `json:"key"`
	Params map[string]string `json:"params"`
	MBps   float64           `json:"mb_per_sec"`
	P99Ms  float64           `json:"p99_ms"`
	// CompressionRatio is the achieved compressed / uncompressed ratio.
	CompressionRatio float64 `json:"compression_ratio,omitempty"`
	// ConsumerMBps and ConsumerP99Ms are the point's consumer measurement
	// (mean over repetitions; 0: none), what consumer settings are ranked by.
	ConsumerMBps  float64 `json:"consumer_mb_per_sec,omitempty"`
	ConsumerP99Ms float64 `json:"consumer_p99_ms,omitempty"`
	// Payload and Compressibility are the produced values' kind (random,
	// text, file) and, for random ones, the fraction that compresses away:
	// codecs are ranked only on a compressible payload.
	Payload         string  `json:"payload,omitempty"`
	Compressibility float64 `json:"compressibility,omitempty"`
	// From is the sweep file; Embedded marks a sweep on kfake.
	From     string `json:"from,omitempty"`
	Embedded bool   `json:"embedded,omitempty"`
	// ClientLine is the Java client line whose defaults the point ran
	// with (absent: 3.x, see ClientConfig.ClientLine).
	ClientLine int               `json:"client_line,omitempty"`
	Producer   map[string]string `json:"-"`
	Consumer   map[string]string `json:"-"`
	// Cluster is the cluster the point was measured on.
	Cluster Cluster `json:"-"`
}

// ConfigAdvice is the configuration recommended from sweep results.
type ConfigAdvice struct {
	Goal string `json:"goal"`
	// Durability is the delivery guarantee every candidate met.
	Durability string        `json:"durability"`
	From       []string      `json:"from"`
	Pareto     []ParetoPoint `json:"pareto_front"`
	Points     []ParetoPoint `json:"points"`
	// Candidates are the keys of the points that meet Durability.
	Candidates []string     `json:"candidates"`
	Best       *ParetoPoint `json:"best,omitempty"`
	// Closest, when no point qualifies, is the measured point closest to
	// qualifying; Changes are the settings it needs (not measured).
	Closest  *ParetoPoint      `json:"closest,omitempty"`
	Changes  map[string]string `json:"changes,omitempty"`
	Defaults *ParetoPoint      `json:"defaults_point,omitempty"`
	// GainOverDefaults is best MB/s over the defaults point's, minus 1.
	GainOverDefaults *float64 `json:"gain_over_defaults,omitempty"`
	// ClientLine is the Java client line (3 or 4) the recommendation is
	// written for: the written files set what differs from its defaults.
	// The defaults point is the one at the defaults of the line its
	// sweep ran with (ParetoPoint.ClientLine).
	ClientLine int `json:"client_line,omitempty"`
	// Cluster is the cluster the recommended (or closest) point was
	// measured on.
	Cluster  *Cluster          `json:"cluster,omitempty"`
	Producer map[string]string `json:"producer"`
	Consumer map[string]string `json:"consumer,omitempty"`
	Topic    map[string]string `json:"topic"`
	Why      string            `json:"why"`
	// ConsumerWhy says how the consumer settings were chosen: by the
	// consumers' own throughput (and p99), not the producer's.
	ConsumerWhy string `json:"consumer_why,omitempty"`
	// Notes say what the sweep could not rank and why (codecs on a
	// payload that does not compress).
	Notes []string `json:"notes,omitempty"`
}

// Finding is one rule's verdict.
type Finding struct {
	ID             string `json:"id"`
	Severity       string `json:"severity"` // info or warn
	Rationale      string `json:"rationale"`
	Evidence       string `json:"evidence"`
	Recommendation string `json:"recommendation"`
	Source         string `json:"source"`
}

// ClusterAudit is what a live cluster showed.
type ClusterAudit struct {
	Brokers    int `json:"brokers"`
	Topics     int `json:"topics"`
	Partitions int `json:"partitions"`
	// BrokerConfig holds the first broker's settings the rules check;
	// BrokerConfigs every broker's (a finding says where they differ).
	BrokerConfig  map[string]string           `json:"broker_config"`
	BrokerConfigs map[int32]map[string]string `json:"broker_configs,omitempty"`
	// TopicOverrides are topic-level settings that override the broker's.
	TopicOverrides    map[string]map[string]string `json:"topic_overrides,omitempty"`
	ReplicasPerBroker map[int32]int                `json:"replicas_per_broker"`
	LeadersPerBroker  map[int32]int                `json:"leaders_per_broker"`
	UnderReplicated   []string                     `json:"under_replicated,omitempty"`
	UnderMinISR       []string                     `json:"under_min_isr,omitempty"`
	Offline           []string                     `json:"offline_partitions,omitempty"`
	LowReplication    []string                     `json:"low_replication_topics,omitempty"`
	Findings          []Finding                    `json:"findings"`
}

// DecodeAdvice reads an advice document, rejecting other kinds and
// versions.
func DecodeAdvice(r io.Reader) (*Advice, error) {
	var a Advice
	if err := decodeKind(r, KindAdvice, &a); err != nil {
		return nil, err
	}
	return &a, nil
}
