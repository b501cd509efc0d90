// Package result owns ktune's result document: the plain, versioned JSON
// that every run writes and everything after a run (advice, plots,
// comparisons, merges) reads. Nothing else in ktune defines its shape.
package result

import (
	"context"
	"errors"
	"math"
	"time"

	"github.com/ktune/ktune/result/hist"
)

// SchemaVersion is the major version of the document this package writes.
// Decode rejects documents of any other major version.
const SchemaVersion = 1

// Kind says which run produced a document.
type Kind string

// The kinds of result document.
const (
	KindProduce Kind = "produce"
	KindConsume Kind = "consume"
	KindE2E     Kind = "e2e"
)

// Latency kinds: the keys of Metrics.Latency and Metrics.HDR.
const (
	// LatencyIntended runs from a record's intended send time (start +
	// i/rate in an open-model run) to its acknowledgement, so broker stalls
	// are not hidden by coordinated omission. Without a set rate the
	// intended time is the moment the record was handed to the client.
	LatencyIntended = "intended"
	// LatencyService runs from the moment the client accepted the record
	// into its buffer to the acknowledgement: what closed-loop tools report.
	LatencyService = "service"
	// LatencyE2E runs from the record's intended send time (carried in its
	// ktune.ts header) to its receipt by a consumer.
	LatencyE2E = "e2e"
)

// MainLatency is the latency kind that best describes a run of kind: the
// intended-time latency for produce, end-to-end for consume and e2e.
func MainLatency(kind Kind) string {
	if kind == KindProduce {
		return LatencyIntended
	}
	return LatencyE2E
}

// MainLatency returns the document's main latency kind and its summary
// (false when the run recorded none).
func (d *Document) MainLatency() (string, Latency, bool) {
	kind := MainLatency(d.Kind)
	l, ok := d.Metrics.Latency[kind]
	return kind, l, ok
}

// Header is what every ktune document starts with.
type Header struct {
	SchemaVersion int       `json:"schema_version"`
	Kind          Kind      `json:"kind"`
	KtuneVersion  string    `json:"ktune_version"`
	Start         time.Time `json:"start"`
	End           time.Time `json:"end"`
	// CommandLine is the command as run, with secret values removed.
	CommandLine []string `json:"command_line"`
	// Complete is false when the run was cut short (Ctrl-C, SIGTERM, an
	// error, a budget); the document then holds what was measured.
	Complete bool `json:"complete"`
	// StopReason says why the run ended.
	StopReason StopReason `json:"stop_reason,omitempty"`
	// Error is the error that ended the run, if any.
	Error string `json:"error,omitempty"`
}

// NewHeader starts the header of a document of kind, now.
func NewHeader(kind Kind) Header {
	return Header{SchemaVersion: SchemaVersion, Kind: kind, Start: time.Now()}
}

// Head returns the header itself: every document kind embeds Header, so
// code that finishes any document (stamps, names, writes it) takes a Doc.
func (h *Header) Head() *Header { return h }

// EndRuns stamps how a document of several runs (a sweep, a drain sweep)
// ended: Complete and StopDone when every planned run finished and
// ctxErr, the run's context error, is nil; otherwise StopTimeout when the
// context hit its deadline and StopInterrupted when it was cancelled or
// the runs stopped early.
func (h *Header) EndRuns(ctxErr error, allRan bool) {
	h.End = time.Now()
	h.Complete = allRan && ctxErr == nil
	switch {
	case h.Complete:
		h.StopReason = StopDone
	case errors.Is(ctxErr, context.DeadlineExceeded):
		h.StopReason, h.Error = StopTimeout, "the run hit its --timeout"
	default:
		h.StopReason = StopInterrupted
	}
}

// Done marks a document that finished what it planned: ended now,
// complete, for reason.
func (h *Header) Done(reason StopReason) {
	h.End, h.Complete, h.StopReason = time.Now(), true, reason
}

// Doc is any ktune document: it embeds Header.
type Doc interface {
	Head() *Header
}

// StopReason says why a run ended. Every document kind uses these.
type StopReason string

// The reasons a run ends.
const (
	// StopRecords: the record bound was reached.
	StopRecords StopReason = "records"
	// StopDuration: the time bound was reached.
	StopDuration StopReason = "duration"
	// StopIdle: a consumer saw no record for its idle timeout.
	StopIdle StopReason = "idle"
	// StopDone: a document of several runs (sweep, comparison, max rate,
	// advice) finished every run it planned.
	StopDone StopReason = "done"
	// StopTrimmed: a sweep ran the points that fitted its budget.
	StopTrimmed StopReason = "trimmed to budget"
	// StopInterrupted: Ctrl-C or SIGTERM; the document keeps what was
	// measured and the command exits 130.
	StopInterrupted StopReason = "interrupted"
	// StopTimeout: the run hit --timeout; the command exits 1.
	StopTimeout StopReason = "timeout"
	// StopMaxErrors: more records failed than --max-errors allows.
	StopMaxErrors StopReason = "max-errors"
	// StopError: an error ended the run (Header.Error says which).
	StopError StopReason = "error"
	// StopRecovered: a disruption's clients were back at their baseline
	// for the settle time.
	StopRecovered StopReason = "recovered"
	// StopMaxWait: a disruption or drain ran out of --max-wait before the
	// clients recovered or caught up.
	StopMaxWait StopReason = "max-wait"
	// StopCaughtUp: a drain's consumers caught up with the producers.
	StopCaughtUp StopReason = "caught-up"
	// StopClusterUnreachable: no broker answered for the run's stall limit
	// (producers: no acknowledgement for max(delivery.timeout.ms, the
	// reporting interval) while records waited; consumers: no record for
	// --idle-timeout while no broker answered). The outage is the
	// document's open unavailability window (the consumers' in
	// Consumer.Unavailability); the command exits 1.
	StopClusterUnreachable StopReason = "cluster-unreachable"
)

// Document is one run's result.
type Document struct {
	Header
	Cluster  Cluster      `json:"cluster"`
	Workload Workload     `json:"workload"`
	Config   ClientConfig `json:"client_config"`
	Host     Host         `json:"host"`
	// Metrics covers the measured window, warm-up excluded.
	Metrics Metrics `json:"metrics"`
	// Warmup covers the warm-up, when there was one.
	Warmup *Metrics `json:"warmup,omitempty"`
	// Worker is set on one worker's share of a distributed run.
	Worker *Worker `json:"worker,omitempty"`
	// Merge is set on a result merged from the workers of a distributed
	// run (ktune merge).
	Merge *Merge `json:"merge,omitempty"`
	// Audit is the delivery audit of a run with --verify.
	Audit *Audit `json:"audit,omitempty"`
	// Brokers is what the brokers' metrics endpoints said during the run
	// (--broker-metrics).
	Brokers *BrokerMetrics `json:"broker_metrics,omitempty"`
	Notes   []string       `json:"notes,omitempty"`
}

// Worker identifies one worker's share of a distributed run: the worker
// ran its even share of the run's records, rate, producers and consumers.
type Worker struct {
	RunID   string `json:"run_id"`
	ID      int    `json:"id"`
	Workers int    `json:"workers"`
	// ConfigDigest is a digest of the run's whole workload (before it was
	// split) and client configuration: workers of one run share it, and
	// merging refuses workers whose digests differ.
	ConfigDigest string `json:"config_digest"`
	// StartAt is the common start time the workers agreed on through the
	// control topic.
	StartAt time.Time `json:"start_at"`
	// ControlTopic is the topic the workers met on.
	ControlTopic string `json:"control_topic,omitempty"`
}

// Merge describes a result merged from the workers of one run. Its
// Metrics hold the sums and the exactly merged histograms; Workers keep
// each worker's own figures, to show skew.
type Merge struct {
	RunID        string      `json:"run_id"`
	Workers      int         `json:"workers"`
	ConfigDigest string      `json:"config_digest"`
	Missing      []int       `json:"missing_workers,omitempty"`
	PerWorker    []WorkerRow `json:"per_worker"`
}

// WorkerRow is one worker's figures in a merged result.
type WorkerRow struct {
	ID            int        `json:"id"`
	Hostname      string     `json:"hostname,omitempty"`
	Complete      bool       `json:"complete"`
	StopReason    StopReason `json:"stop_reason"`
	Error         string     `json:"error,omitempty"`
	Records       int64      `json:"records"`
	Bytes         int64      `json:"bytes"`
	ErrorsTotal   int64      `json:"errors_total"`
	ElapsedS      float64    `json:"elapsed_s"`
	RecordsPerSec float64    `json:"records_per_sec"`
	MiBPerSec     float64    `json:"mib_per_sec"`
	// Latency is the worker's summary of the merged result's main latency
	// kind (LatencyName).
	LatencyName string  `json:"latency,omitempty"`
	Latency     Latency `json:"latency_ms"`
}

// EmbeddedLabel labels every figure measured on ktune's embedded kfake
// cluster, wherever it is shown (documents, tables, reports).
const EmbeddedLabel = "embedded kfake cluster (in memory, no disk, no replication): not a measurement of a real broker, never used for sizing"

// Cluster describes the cluster a run used.
type Cluster struct {
	Bootstrap    []string `json:"bootstrap"`
	Brokers      int      `json:"brokers"`
	KafkaVersion string   `json:"kafka_version,omitempty"`
	// Embedded is true for ktune's in-process kfake cluster: such results
	// say nothing about a real broker and are never used for sizing.
	Embedded      bool   `json:"embedded"`
	TLS           bool   `json:"tls"`
	SASLMechanism string `json:"sasl_mechanism,omitempty"`
}

// Workload is what the run was asked to do.
type Workload struct {
	Topic             string            `json:"topic"`
	Partitions        int               `json:"partitions,omitempty"`
	ReplicationFactor int               `json:"replication_factor,omitempty"`
	TopicConfig       map[string]string `json:"topic_config,omitempty"`
	TopicCreated      bool              `json:"topic_created,omitempty"`
	// Records is the record bound of the measured window (0: none).
	Records int64 `json:"records,omitempty"`
	// DurationS is the time bound of the measured window (0: none).
	DurationS float64 `json:"duration_s,omitempty"`
	// WarmupRecords and WarmupS describe the warm-up excluded from Metrics.
	WarmupRecords int64   `json:"warmup_records,omitempty"`
	WarmupS       float64 `json:"warmup_s,omitempty"`
	// Rate is the target rate in records/s (0: as fast as possible).
	Rate            float64 `json:"rate"`
	Producers       int     `json:"producers,omitempty"`
	Consumers       int     `json:"consumers,omitempty"`
	RecordSize      int     `json:"record_size,omitempty"`
	Payload         string  `json:"payload,omitempty"`
	Compressibility float64 `json:"compressibility,omitempty"`
	Key             string  `json:"key,omitempty"`
	KeySpace        uint64  `json:"key_space,omitempty"`
	Headers         int     `json:"headers,omitempty"`
	Group           string  `json:"group,omitempty"`
	From            string  `json:"from,omitempty"`
	MaxErrors       int64   `json:"max_errors,omitempty"`
}

// ClientConfig is the effective client configuration, every default filled
// in, in Kafka's Java property names; secrets are never included.
type ClientConfig struct {
	Producer map[string]string `json:"producer,omitempty"`
	Consumer map[string]string `json:"consumer,omitempty"`
	// ClientLine is the major version of the Java client whose defaults
	// filled in what was not set (3 or 4: they differ in linger.ms). It
	// is absent from documents written before ktune recorded it, which
	// used the 3.x defaults (clientcfg.LineOf reads it so). An added
	// field: the schema version stays.
	ClientLine int `json:"client_line,omitempty"`
	// Notes say where franz-go behaves differently from the Java client for
	// these values.
	Notes []string `json:"notes,omitempty"`
}

// Host summarises the machine the client ran on.
type Host struct {
	Hostname string `json:"hostname,omitempty"`
	OS       string `json:"os"`
	Arch     string `json:"arch"`
	Cores    int    `json:"cores"`
	// GoMaxProcs is how many cores ktune could use at once (GOMAXPROCS,
	// which follows a container's CPU limit).
	GoMaxProcs  int    `json:"gomaxprocs,omitempty"`
	CPUModel    string `json:"cpu_model,omitempty"`
	MemoryBytes uint64 `json:"memory_bytes,omitempty"`
	GoVersion   string `json:"go_version"`
}

// Metrics are the measurements of one window of a run.
type Metrics struct {
	// Records and Bytes count acknowledged (produce) or received (consume)
	// records and their key plus value bytes.
	Records int64 `json:"records"`
	Bytes   int64 `json:"bytes"`
	// Errors counts failed records by class (the Kafka error name, or
	// timeout, aborted, ...).
	Errors        map[string]int64 `json:"errors,omitempty"`
	ErrorsTotal   int64            `json:"errors_total"`
	ElapsedS      float64          `json:"elapsed_s"`
	RecordsPerSec float64          `json:"records_per_sec"`
	MiBPerSec     float64          `json:"mib_per_sec"`
	// Latency holds a summary per latency kind (LatencyIntended, ...).
	Latency map[string]Latency `json:"latency_ms,omitempty"`
	// HDR holds each latency kind's histogram (µs) in HdrHistogram's
	// compressed base64 form, so results merge exactly.
	HDR map[string]string `json:"hdr,omitempty"`
	// IntervalLatency names the latency kind the intervals report.
	IntervalLatency string     `json:"interval_latency,omitempty"`
	Intervals       []Interval `json:"intervals,omitempty"`
	Producer        *Producer  `json:"producer,omitempty"`
	Consumer        *Consumer  `json:"consumer,omitempty"`
	// ClientCPUS is the user plus system CPU time the ktune process used
	// over the window (getrusage), in seconds: the load generator's own
	// cost (and, on the embedded cluster, the broker's too).
	// ClientCPUSPerGiB divides it by the window's GiB of keys and values.
	ClientCPUS       float64 `json:"client_cpu_s,omitempty"`
	ClientCPUSPerGiB float64 `json:"client_cpu_s_per_gib,omitempty"`
	// HostCPUBusy is the busy share of the whole host's CPU time (every
	// core, every process) over the window; 0 when unknown.
	HostCPUBusy float64 `json:"host_cpu_busy,omitempty"`
	// ClientCPUWaitP99Ms is the 99th percentile of how long the ktune
	// process's runnable goroutines waited for a CPU over the window, in
	// milliseconds (Go's /sched/latencies, a bucket's lower bound): long
	// waits say the client was short of CPU, whether its GOMAXPROCS, a
	// container's CPU quota or a busy or slow host held it back. A merged
	// document holds the largest of its workers'.
	ClientCPUWaitP99Ms float64 `json:"client_cpu_wait_p99_ms,omitempty"`
}

// GiB is 2^30 bytes.
const GiB = 1 << 30

// SetClientCPU stores the client's CPU seconds over the window and the
// seconds per GiB of the window's bytes.
func (m *Metrics) SetClientCPU(seconds float64) {
	m.ClientCPUS = Round(seconds)
	if m.Bytes > 0 {
		m.ClientCPUSPerGiB = Round(seconds / (float64(m.Bytes) / GiB))
	}
}

// ClientCores is the average number of cores the client kept busy over
// the window (0 when not measured).
func (m *Metrics) ClientCores() float64 {
	if m.ElapsedS <= 0 {
		return 0
	}
	return m.ClientCPUS / m.ElapsedS
}

// Latency summarises one latency distribution, in milliseconds.
type Latency struct {
	Count int64   `json:"count"`
	Min   float64 `json:"min"`
	Mean  float64 `json:"mean"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P95   float64 `json:"p95"`
	P99   float64 `json:"p99"`
	P999  float64 `json:"p999"`
	Max   float64 `json:"max"`
	// Overflow counts values above the histogram's 10-minute range,
	// recorded as 10 minutes.
	Overflow int64 `json:"overflow,omitempty"`
}

// Interval is one point of a run's time series.
type Interval struct {
	// T is the end of the interval in seconds since the run started.
	T             float64 `json:"t_s"`
	Records       int64   `json:"records"`
	Bytes         int64   `json:"bytes"`
	Errors        int64   `json:"errors"`
	RecordsPerSec float64 `json:"records_per_sec"`
	MiBPerSec     float64 `json:"mib_per_sec"`
	P50           float64 `json:"p50_ms"`
	P99           float64 `json:"p99_ms"`
	Max           float64 `json:"max_ms"`
	Warmup        bool    `json:"warmup,omitempty"`
	// HDR is the interval's latency histogram (µs, compressed base64),
	// kept by workers of a distributed run so merged intervals have exact
	// percentiles.
	HDR string `json:"hdr,omitempty"`
}

// Producer holds producer-side statistics.
type Producer struct {
	Batches           int64   `json:"batches"`
	UncompressedBytes int64   `json:"uncompressed_bytes"`
	CompressedBytes   int64   `json:"compressed_bytes"`
	CompressionRatio  float64 `json:"compression_ratio"`
	AvgBatchRecords   float64 `json:"avg_batch_records"`
	AvgBatchBytes     float64 `json:"avg_batch_bytes"`
	// LongestAckGapMs is the longest time during the run in which no
	// record was acknowledged: the unavailability window when a broker is
	// lost. AckGapStartS is when it began, in seconds since the start.
	LongestAckGapMs float64 `json:"longest_ack_gap_ms"`
	AckGapStartS    float64 `json:"ack_gap_start_s"`
	// LongestPartitionAckGapMs is the longest time one partition went
	// without an acknowledgement while records were sent to it: the
	// unavailability window of a partition whose leader was lost, even
	// while other partitions were acknowledged. Low-rate runs with sticky
	// partitioning see gaps of the partitioner's switch interval too.
	LongestPartitionAckGapMs float64 `json:"longest_partition_ack_gap_ms"`
	PartitionAckGapStartS    float64 `json:"partition_ack_gap_start_s"`
	PartitionAckGapPartition int32   `json:"partition_ack_gap_partition"`
	// BufferFullFraction is the share of the measured window (sampled
	// every 10 ms per producer) in which a producer's buffer
	// (buffer.memory) had no room for another record.
	BufferFullFraction float64 `json:"buffer_full_fraction"`
	// Unavailability lists every window in which a partition, or the
	// whole producer, had no acknowledgement for longer than a threshold.
	Unavailability *Unavailability `json:"unavailability,omitempty"`
}

// Derive fills the figures derived from the counts: records and bytes per
// batch, and the compression ratio (compressed over uncompressed bytes),
// given the records the batches held.
func (p *Producer) Derive(batchRecords float64) {
	if p.Batches > 0 {
		p.AvgBatchRecords = Round(batchRecords / float64(p.Batches))
		p.AvgBatchBytes = Round(float64(p.CompressedBytes) / float64(p.Batches))
	}
	if p.UncompressedBytes > 0 {
		p.CompressionRatio = Round(float64(p.CompressedBytes) / float64(p.UncompressedBytes))
	}
}

// Unavailability is the timeline of a producer's unavailability windows.
type Unavailability struct {
	// ThresholdMs is the shortest window listed: by default the larger of
	// 500 ms and 10 times the run's usual p99 service latency: the lowest
	// p99 of the intervals after every partition's first acknowledgement
	// that overlap no gap of 500 ms or more, so that the records that
	// waited through an outage or the start-up do not raise the threshold
	// above the outage.
	ThresholdMs float64 `json:"threshold_ms"`
	// Windows are in order of start.
	Windows []UnavailableWindow `json:"windows"`
	// Longest is the longest of Windows, absent when there are none.
	Longest *UnavailableWindow `json:"longest,omitempty"`
}

// UnavailableWindow is a time in which records waited and none was
// acknowledged: by one partition, or by any partition when Partition is
// AllPartitions. A window starts at the later of the last acknowledgement
// and the moment the waiting record was accepted, so a partition that got
// no records opens none; a partition's first acknowledgement of a run
// (start-up) opens none either.
type UnavailableWindow struct {
	Partition int32 `json:"partition"`
	// StartS is the start in seconds since the run started, as Interval.T.
	StartS   float64 `json:"start_s"`
	LengthMs float64 `json:"length_ms"`
	// Warmup marks a window that started before the measured window.
	Warmup bool `json:"warmup,omitempty"`
	// Open marks a window that had not ended when the run did: the cluster
	// was still unreachable (LengthMs runs to the run's end).
	Open bool `json:"open,omitempty"`
}

// AddOpen adds w as a window that had not ended when the run did: the
// outage that ended it. It is the longest if no window was longer.
func (u *Unavailability) AddOpen(w UnavailableWindow) {
	w.Open = true
	u.Windows = append(u.Windows, w)
	if u.Longest == nil || w.LengthMs > u.Longest.LengthMs {
		l := w
		u.Longest = &l
	}
}

// AllPartitions is the Partition of a window of the whole producer.
const AllPartitions = -1

// Consumer holds consumer-side statistics.
type Consumer struct {
	Records             int64   `json:"records"`
	Bytes               int64   `json:"bytes"`
	RecordsPerSec       float64 `json:"records_per_sec"`
	MiBPerSec           float64 `json:"mib_per_sec"`
	TimeToFirstRecordMs float64 `json:"time_to_first_record_ms"`
	GroupJoinMs         float64 `json:"group_join_ms,omitempty"`
	Rebalances          int64   `json:"rebalances,omitempty"`
	Polls               int64   `json:"polls"`
	AvgRecordsPerPoll   float64 `json:"avg_records_per_poll"`
	Batches             int64   `json:"batches"`
	AvgBatchRecords     float64 `json:"avg_batch_records"`
	CompressedBytes     int64   `json:"compressed_bytes"`
	UncompressedBytes   int64   `json:"uncompressed_bytes"`
	// Unavailability lists the times the consumers lost every broker: from
	// the last answer before a failed dial or request to the next answer
	// (Partition AllPartitions; Open if no broker answered again before the
	// run ended). Absent in documents written before it was recorded.
	Unavailability *Unavailability `json:"unavailability,omitempty"`
	// Errors counts the consumers' failed dials and requests by class.
	Errors map[string]int64 `json:"errors,omitempty"`
}

// Summarize returns the summary of h.
func Summarize(h *hist.Histogram) Latency {
	if h.Count() == 0 {
		return Latency{}
	}
	return Latency{
		Count:    h.Count(),
		Min:      h.MinMs(),
		Mean:     round3(h.MeanMs()),
		P50:      h.QuantileMs(0.50),
		P90:      h.QuantileMs(0.90),
		P95:      h.QuantileMs(0.95),
		P99:      h.QuantileMs(0.99),
		P999:     h.QuantileMs(0.999),
		Max:      h.MaxMs(),
		Overflow: h.Overflow(),
	}
}

// SetLatency stores the summary and the encoded histogram of one kind.
func (m *Metrics) SetLatency(kind string, h *hist.Histogram) error {
	if m.Latency == nil {
		m.Latency = map[string]Latency{}
		m.HDR = map[string]string{}
	}
	m.Latency[kind] = Summarize(h)
	enc, err := h.Encode()
	if err != nil {
		return err
	}
	m.HDR[kind] = enc
	return nil
}

// Histogram decodes the histogram of one latency kind.
func (m *Metrics) Histogram(kind string) (*hist.Histogram, bool, error) {
	s, ok := m.HDR[kind]
	if !ok {
		return nil, false, nil
	}
	h, err := hist.Decode(s)
	return h, true, err
}

// MiB is 2^20 bytes: throughput in results is MiB/s, as
// kafka-producer-perf-test reports it.
const MiB = 1 << 20

// SetRates fills RecordsPerSec and MiBPerSec from the counts and ElapsedS.
func (m *Metrics) SetRates() {
	if m.ElapsedS <= 0 {
		return
	}
	m.RecordsPerSec = round3(float64(m.Records) / m.ElapsedS)
	m.MiBPerSec = round3(float64(m.Bytes) / MiB / m.ElapsedS)
}

// Round rounds f to 3 decimals, half away from zero: how ktune's
// documents keep figures readable.
func Round(f float64) float64 { return math.Round(f*1000) / 1000 }

func round3(f float64) float64 {
	const k = 1000
	if f < 0 {
		return -float64(int64(-f*k+0.5)) / k
	}
	return float64(int64(f*k+0.5)) / k
}
