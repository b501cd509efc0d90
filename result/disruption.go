package result

import (
	"io"
	"os"
)

// KindDisruption is the kind of a `ktune disrupt` document.
const KindDisruption Kind = "disruption"

// Disruption is what one operation under load cost the clients: a steady
// workload (a producer at a set rate and a consumer group) ran a baseline
// window, ktune performed the operation, and kept measuring until the
// clients were back to the baseline or the wait ran out. Times (`_s`) are
// seconds since the workload started.
type Disruption struct {
	Header
	Setting
	// Action is the operation (broker-restart, reassign, consumer-join,
	// ...); Broker the broker it targeted, if any.
	Action string `json:"action"`
	Broker *int32 `json:"broker,omitempty"`
	// Settings are the operation's parameters as given (commands, throttle,
	// assignor, settle time, ...).
	Settings map[string]string `json:"settings,omitempty"`
	Baseline Baseline          `json:"baseline"`
	// Operation is when the operation ran and what it did.
	Operation Operation `json:"operation"`
	// Recovered is true when the clients were back to the baseline (p99
	// within the tolerance and no lag growth) for the settle time.
	Recovered bool `json:"recovered"`
	// TimeToRecoverS runs from the operation's start to the start of the
	// settled stretch (0: the clients never left the baseline); absent
	// when they did not recover within max-wait.
	TimeToRecoverS *float64 `json:"time_to_recover_s,omitempty"`
	// Windows are the stretches in which one partition got no
	// acknowledgement while records were being sent to it.
	Windows []Window `json:"unavailability_windows"`
	// Intervals is the time series of the whole run.
	Intervals    []PhaseInterval `json:"intervals"`
	Reassignment *Reassignment   `json:"reassignment,omitempty"`
	Rebalance    *Rebalance      `json:"rebalance,omitempty"`
	// Producer and Consumer are the totals of the whole run (the e2e
	// document's metrics, e2e latency included).
	Metrics Metrics `json:"metrics"`
	// Audit is the delivery audit of every record of the run.
	Audit *Audit   `json:"audit,omitempty"`
	Notes []string `json:"notes,omitempty"`
}

// Setting is how a disruption or drain ran and ended: the cluster, the
// steady workload and its clients, the host.
type Setting struct {
	Cluster  Cluster      `json:"cluster"`
	Workload Workload     `json:"workload"`
	Config   ClientConfig `json:"client_config"`
	Host     Host         `json:"host"`
}

// Baseline is the steady state before the operation.
type Baseline struct {
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`
	// ProducedPerSec and ConsumedPerSec are records/s: the records
	// acknowledged and read in the baseline's intervals over the time
	// those intervals span (not the mean of their rates, which would
	// weigh a stretched interval as much as a short one).
	ProducedPerSec float64 `json:"produced_per_sec"`
	ConsumedPerSec float64 `json:"consumed_per_sec"`
	// Producer is the intended-time latency of acknowledgements, Consumer
	// the end-to-end latency of receipt.
	Producer Latency `json:"producer_latency_ms"`
	Consumer Latency `json:"consumer_latency_ms"`
	// MaxLag is the largest lag (records acknowledged but not yet read)
	// sampled in the baseline.
	MaxLag int64 `json:"max_lag"`
	// LongestDeliveryGapMs is the longest time no consumer received a
	// record during the baseline: the noise floor of Rebalance.StopMs.
	LongestDeliveryGapMs float64 `json:"longest_delivery_gap_ms"`
}

// Operation is the performed operation.
type Operation struct {
	StartS    float64 `json:"start_s"`
	EndS      float64 `json:"end_s"`
	DurationS float64 `json:"duration_s"`
	// Steps are what ktune did, in order, with their times.
	Steps []Step `json:"steps"`
	// AffectedPartitions are the partitions the targeted broker led when
	// the operation started.
	AffectedPartitions []int32 `json:"affected_partitions,omitempty"`
	Error              string  `json:"error,omitempty"`
}

// Step is one step of an operation.
type Step struct {
	AtS  float64 `json:"at_s"`
	What string  `json:"what"`
}

// Window is one partition's unavailability window: no acknowledgement
// from StartS (the last one before) to EndS (the first one after).
type Window struct {
	Partition  int32   `json:"partition"`
	StartS     float64 `json:"start_s"`
	EndS       float64 `json:"end_s"`
	DurationMs float64 `json:"duration_ms"`
	// Open is true when the partition had not recovered when the run
	// ended.
	Open bool `json:"open,omitempty"`
}

// PhaseInterval is one point of a disruption's time series.
type PhaseInterval struct {
	// T is the end of the interval; Phase is baseline, operation or
	// recovery.
	T              float64 `json:"t_s"`
	Phase          string  `json:"phase"`
	ProducedPerSec float64 `json:"produced_per_sec"`
	ConsumedPerSec float64 `json:"consumed_per_sec"`
	// Lag is the records acknowledged but not yet read at T.
	Lag          int64   `json:"lag"`
	ProducerP50  float64 `json:"producer_p50_ms"`
	ProducerP99  float64 `json:"producer_p99_ms"`
	ProducerP999 float64 `json:"producer_p999_ms"`
	ConsumerP50  float64 `json:"consumer_p50_ms"`
	ConsumerP99  float64 `json:"consumer_p99_ms"`
	ConsumerP999 float64 `json:"consumer_p999_ms"`
	// AtBaseline is true when the interval was within the baseline's
	// tolerance.
	AtBaseline bool `json:"at_baseline"`
}

// Reassignment describes a partition reassignment (reassign, add-broker,
// decommission, increase-rf).
type Reassignment struct {
	Partitions int `json:"partitions"`
	// ReplicasAdded counts replicas created on brokers that did not hold
	// them; ReplicasRemoved those dropped.
	ReplicasAdded   int `json:"replicas_added"`
	ReplicasRemoved int `json:"replicas_removed"`
	// BytesMoved estimates the data copied: each moved partition's size
	// (its leader's log size at the start) per replica added.
	BytesMoved int64 `json:"bytes_moved"`
	// ThrottleBytesPerSec is the replication throttle applied (0: none);
	// it was removed when the reassignment ended.
	ThrottleBytesPerSec int64   `json:"throttle_bytes_per_sec,omitempty"`
	DurationS           float64 `json:"duration_s"`
	// Complete is true when every partition ended with its target
	// replicas.
	Complete bool `json:"complete"`
	// Before and After are the replica lists by partition.
	Before map[int32][]int32 `json:"before"`
	After  map[int32][]int32 `json:"after"`
}

// Rebalance describes a consumer group change (consumer-join,
// consumer-leave).
type Rebalance struct {
	Assignor      string `json:"assignor"`
	GroupProtocol string `json:"group_protocol"`
	MembersBefore int    `json:"members_before"`
	MembersAfter  int    `json:"members_after"`
	// StopMs is the longest time after the change in which no member
	// received a record, sampled every 10 ms: 0 when no sample passed
	// without a delivery (as a KIP-848 join can).
	StopMs float64 `json:"stop_ms"`
	// Redelivered counts records delivered again after the change.
	Redelivered int64 `json:"redelivered"`
}

// WriteDisruption writes d to path atomically.
func WriteDisruption(path string, d *Disruption) error { return WriteJSON(path, d) }

// DecodeDisruption reads a disruption document, rejecting other kinds and
// versions.
func DecodeDisruption(r io.Reader) (*Disruption, error) {
	var d Disruption
	if err := decodeKind(r, KindDisruption, &d); err != nil {
		return nil, err
	}
	return &d, nil
}

// ReadDisruption reads the disruption document at path.
func ReadDisruption(path string) (*Disruption, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return DecodeDisruption(f)
}

// KindDrain is the kind of a `ktune drain` document.
const KindDrain Kind = "drain"

// Drain is a backlog drain: a backlog was produced while no consumer read,
// then the consumers started while the producers kept their rate. Times
// (`_s`) are seconds since the backlog was complete.
type Drain struct {
	Header
	Setting
	// BacklogBytes and BacklogRecords are the backlog built before the
	// consumers started (key plus value bytes); BacklogS how long it took.
	BacklogBytes   int64   `json:"backlog_bytes"`
	BacklogRecords int64   `json:"backlog_records"`
	BacklogS       float64 `json:"backlog_s"`
	// ResumeS is when the consumers received their first record.
	ResumeS float64 `json:"resume_s"`
	// CaughtUp is true when the lag fell to CaughtUpLag records (one
	// second of production) within max-wait; TimeToCatchUpS runs from
	// ResumeS to that moment.
	CaughtUp       bool     `json:"caught_up"`
	CaughtUpLag    int64    `json:"caught_up_lag"`
	TimeToCatchUpS *float64 `json:"time_to_catch_up_s,omitempty"`
	// DrainBytesPerSec and DrainRecordsPerSec are how fast the lag fell
	// from ResumeS to the catch-up (or the end): the consumers' rate minus
	// the producers'.
	DrainBytesPerSec   float64 `json:"drain_bytes_per_sec"`
	DrainRecordsPerSec float64 `json:"drain_records_per_sec"`
	// ConsumedPerSec is the consumers' rate over the same stretch.
	ConsumedPerSec float64 `json:"consumed_per_sec"`
	// FinalLag is the lag when the producers stopped.
	FinalLag  int64           `json:"final_lag"`
	Intervals []PhaseInterval `json:"intervals"`
	Metrics   Metrics         `json:"metrics"`
	Audit     *Audit          `json:"audit,omitempty"`
	Notes     []string        `json:"notes,omitempty"`
}

// WriteDrain writes d to path atomically.
func WriteDrain(path string, d *Drain) error { return WriteJSON(path, d) }

// LongestWindow returns the longest unavailability window of the run, and
// whether there was one.
func (d *Disruption) LongestWindow() (Window, bool) {
	var w Window
	found := false
	for _, x := range d.Windows {
		if !found || x.DurationMs > w.DurationMs {
			w, found = x, true
		}
	}
	return w, found
}

// PeakP99 returns the highest producer and consumer (end-to-end) p99 of
// the intervals from the operation's start on (its operation and recovery
// phases), in ms.
func (d *Disruption) PeakP99() (producer, consumer float64) {
	for _, iv := range d.Intervals {
		if iv.Phase == "operation" || iv.Phase == "recovery" {
			producer, consumer = max(producer, iv.ProducerP99), max(consumer, iv.ConsumerP99)
		}
	}
	return producer, consumer
}
