package livemetrics

import (
	"math"
	"sort"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/plugin/kprom"
	"google.golang.org/protobuf/proto"

	"github.com/ktune/ktune/result/hist"
)

// Labels name one client set's series: the run (a distributed run's
// --run-id, "local" for a single process), the worker (its --worker-id,
// "0" alone), the role (producer or consumer) and the topic. Every worker
// of a run has the same label names, so sum by (run_id) adds them up.
type Labels struct {
	RunID, Worker, Role, Topic string
}

// Latency kinds, the values of the kind label of ktune_latency_seconds.
const (
	LatencyIntended = "intended"
	LatencyService  = "service"
	LatencyE2E      = "e2e"
)

// Snapshot is what a run has counted so far, read from its own accounting
// when Prometheus scrapes: nothing is counted twice on the record path.
// Counts are cumulative over the run, warm-up included.
type Snapshot struct {
	// Producer side: records and bytes acknowledged, failed records by
	// error class, and records the clients hold (buffered, not yet
	// acknowledged or failed).
	Acked, AckedBytes int64
	Failed            map[string]int64
	Buffered          int64
	BufferedBytes     int64
	// Consumer side: records and bytes consumed, and the lag (records
	// behind the partitions' ends; -1 when not known).
	Consumed, ConsumedBytes int64
	Lag                     int64
	// Unavailability: windows without acknowledgements open now, and the
	// number that have opened since the run started.
	UnavailableOpen, UnavailableTotal int64
	// Audit counters (--verify), by outcome; nil when off.
	Audit map[string]int64
	// CPUSeconds is the process's CPU time (user and system) since the run
	// began; CPUWaitP99Seconds the 99th percentile of how long its
	// goroutines waited, runnable, for a CPU since then (-1: not known).
	CPUSeconds, CPUWaitP99Seconds float64
	// Latency holds the histograms by kind (LatencyIntended, ...).
	Latency map[string]*hist.Histogram
}

// Source returns a run's Snapshot; it is called once per scrape.
type Source func() Snapshot

// Roles, the values of the role label.
const (
	RoleProducer = "producer"
	RoleConsumer = "consumer"
)

// Run exposes runs' metrics on a registry; a nil *Run exposes nothing,
// so callers need not check whether --metrics-addr is on.
type Run struct {
	reg    prometheus.Registerer
	runID  string
	worker string

	mu      sync.Mutex
	watched map[Labels]prometheus.Collector
}

// NewRun returns a Run registering on reg with these run and worker ids.
func NewRun(reg prometheus.Registerer, runID, worker string) *Run {
	return &Run{reg: reg, runID: runID, worker: worker, watched: map[Labels]prometheus.Collector{}}
}

// Labels returns the labels of the run's series for role and topic.
func (r *Run) Labels(role, topic string) Labels {
	return Labels{RunID: r.runID, Worker: r.worker, Role: role, Topic: topic}
}

// Watch serves src's figures under role and topic from now on, also after
// the load ended, so the last scrape reads its final counts. A load
// watched under the same labels replaces the earlier one (a command that
// runs loads in turn shows the current; its counters restart, which
// rate() reads as a reset).
func (r *Run) Watch(role, topic string, src Source) {
	if r == nil {
		return
	}
	l := r.Labels(role, topic)
	c := newCollector(l, src)
	r.mu.Lock()
	defer r.mu.Unlock()
	if old, ok := r.watched[l]; ok {
		r.reg.Unregister(old)
	}
	r.watched[l] = c
	r.reg.MustRegister(c) // cannot fail: the labels' earlier collector is gone
}

// ClientHooks returns the franz-go hooks that serve a client's own
// metrics (kprom), labelled like the run's with the client's index (kprom
// labels the topic itself, where a series has one); nil for a nil Run.
// kprom unregisters them when the client closes.
func (r *Run) ClientHooks(role, topic string, client int) []kgo.Hook {
	if r == nil {
		return nil
	}
	l := r.Labels(role, topic)
	return []kgo.Hook{kprom.NewMetrics(Namespace, kprom.Subsystem("kgo"), kprom.Registerer(r.reg), kprom.WithStaticLabel(prometheus.Labels{
		"run_id": l.RunID, "worker": l.Worker, "role": l.Role, "client": strconv.Itoa(client),
	}))}
}

// The buckets of the latency histograms. Classic buckets, for Prometheus
// 2.x without native histograms: 100 µs times powers of 2^(1/2) up to
// about 105 s (41 buckets), so histogram_quantile is within a factor 2^(1/2)
// (41%). The native histogram beside them uses NativeSchema: buckets a
// factor 2^(1/2^NativeSchema) = 2^(1/8) wide, so a quantile Prometheus
// computes from it is within NativeRelativeError of the true value (the
// HDR histogram it comes from adds at most 0.1%).
const (
	classicLowest = 100e-6
	classicFactor = math.Sqrt2
	classicCount  = 41
	// NativeSchema is the native histograms' resolution.
	NativeSchema = 3
)

// NativeRelativeError bounds the relative error of a quantile from the
// native histogram: one bucket's width, 2^(1/8)-1.
var NativeRelativeError = math.Exp2(1.0/(1<<NativeSchema)) - 1

// ClassicBuckets are the classic buckets' upper bounds, in seconds.
func ClassicBuckets() []float64 {
	return prometheus.ExponentialBuckets(classicLowest, classicFactor, classicCount)
}

type collector struct {
	src     Source
	role    string
	classic []float64

	acked, ackedBytes, failed, buffered, bufferedBytes *prometheus.Desc
	consumed, consumedBytes, lag                       *prometheus.Desc
	unavailOpen, unavailTotal, audit                   *prometheus.Desc
	cpu, cpuWait, latency                              *prometheus.Desc
}

func newCollector(l Labels, src Source) *collector {
	// The run's labels are constant: each watched load is a collector of
	// its own, which the registry tells apart by them.
	run := prometheus.Labels{"run_id": l.RunID, "worker": l.Worker, "role": l.Role, "topic": l.Topic}
	d := func(name, help string, extra ...string) *prometheus.Desc {
		return prometheus.NewDesc(prometheus.BuildFQName(Namespace, "", name), help, extra, run)
	}
	return &collector{
		src: src, role: l.Role, classic: ClassicBuckets(),
		acked:         d("records_acknowledged_total", "Records the brokers acknowledged."),
		ackedBytes:    d("bytes_acknowledged_total", "Bytes (key and value) of the records the brokers acknowledged."),
		failed:        d("records_failed_total", "Records that failed, by error class.", "error"),
		buffered:      d("records_buffered", "Records the producer clients hold: buffered or in flight, not yet acknowledged or failed."),
		bufferedBytes: d("bytes_buffered", "Bytes of the records the producer clients hold."),
		consumed:      d("records_consumed_total", "Records consumed."),
		consumedBytes: d("bytes_consumed_total", "Bytes (key and value) of the records consumed."),
		lag:           d("consumer_lag_records", "Records between the consumers' positions and the partitions' ends."),
		unavailOpen:   d("unavailable_windows_open", "Windows without acknowledgements open now (1 or 0)."),
		unavailTotal:  d("unavailable_windows_total", "Windows without acknowledgements that opened since the run started."),
		audit:         d("audit_records_total", "Delivery audit (--verify): records by outcome.", "outcome"),
		cpu:           d("client_cpu_seconds_total", "CPU time (user and system) the process used since the run began."),
		cpuWait:       d("client_cpu_wait_p99_seconds", "99th percentile of how long the process's goroutines waited, runnable, for a CPU since the run began."),
		latency:       d("latency_seconds", "Record latency by kind: intended (from the intended send time, free of coordinated omission), service (from the hand-over to the client) and e2e (from the intended send time to consumption).", "kind"),
	}
}

func (c *collector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range []*prometheus.Desc{c.acked, c.ackedBytes, c.failed, c.buffered, c.bufferedBytes, c.consumed, c.consumedBytes, c.lag,
		c.unavailOpen, c.unavailTotal, c.audit, c.cpu, c.cpuWait, c.latency} {
		ch <- d
	}
}

func (c *collector) Collect(ch chan<- prometheus.Metric) {
	s := c.src()
	counter := func(d *prometheus.Desc, v float64, extra ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, v, extra...)
	}
	gauge := func(d *prometheus.Desc, v float64) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v)
	}
	if c.role == RoleProducer {
		counter(c.acked, float64(s.Acked))
		counter(c.ackedBytes, float64(s.AckedBytes))
		for _, class := range sortedKeys(s.Failed) {
			counter(c.failed, float64(s.Failed[class]), class)
		}
		gauge(c.buffered, float64(s.Buffered))
		gauge(c.bufferedBytes, float64(s.BufferedBytes))
		gauge(c.unavailOpen, float64(s.UnavailableOpen))
		counter(c.unavailTotal, float64(s.UnavailableTotal))
	} else {
		counter(c.consumed, float64(s.Consumed))
		counter(c.consumedBytes, float64(s.ConsumedBytes))
		if s.Lag >= 0 {
			gauge(c.lag, float64(s.Lag))
		}
	}
	for _, outcome := range sortedKeys(s.Audit) {
		counter(c.audit, float64(s.Audit[outcome]), outcome)
	}
	counter(c.cpu, s.CPUSeconds)
	if s.CPUWaitP99Seconds >= 0 {
		gauge(c.cpuWait, s.CPUWaitP99Seconds)
	}
	for _, kind := range sortedKeys(s.Latency) {
		ch <- newLatencyMetric(c.latency, []string{kind}, c.classic, s.Latency[kind])
	}
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

// latencyMetric is a histogram with both layouts, classic buckets and a
// native (sparse) histogram, converted from an HDR histogram: each HDR
// bar's values go in the bucket of the bar's upper end, which the HDR
// precision (0.1%) keeps within one bucket of the values themselves.
type latencyMetric struct {
	desc   *prometheus.Desc
	labels []*dto.LabelPair
	h      *dto.Histogram
}

func (l latencyMetric) Desc() *prometheus.Desc { return l.desc }

func (l latencyMetric) Write(m *dto.Metric) error {
	m.Label, m.Histogram = l.labels, l.h
	return nil
}

func newLatencyMetric(desc *prometheus.Desc, values []string, classic []float64, h *hist.Histogram) prometheus.Metric {
	cum := make([]uint64, len(classic))
	native := map[int]int64{}
	var count uint64
	for _, b := range h.Bars() {
		v := float64(b.To) / 1e6 // µs to s
		count += uint64(b.Count)
		if i := sort.SearchFloat64s(classic, v); i < len(classic) {
			cum[i] += uint64(b.Count)
		}
		native[nativeIndex(v)] += b.Count
	}
	buckets := make([]*dto.Bucket, len(classic))
	var run uint64
	for i, le := range classic {
		run += cum[i]
		buckets[i] = &dto.Bucket{CumulativeCount: proto.Uint64(run), UpperBound: proto.Float64(le)}
	}
	spans, deltas := nativeSpans(native)
	sum := h.MeanMs() / 1e3 * float64(count)
	return latencyMetric{desc: desc, labels: prometheus.MakeLabelPairs(desc, values), h: &dto.Histogram{
		SampleCount: proto.Uint64(count), SampleSum: proto.Float64(sum), Bucket: buckets,
		Schema: proto.Int32(NativeSchema), ZeroThreshold: proto.Float64(0), ZeroCount: proto.Uint64(0),
		PositiveSpan: spans, PositiveDelta: deltas,
	}}
}

// nativeIndex is the native bucket of v > 0 at NativeSchema: bucket i
// holds (2^((i-1)/8), 2^(i/8)].
func nativeIndex(v float64) int {
	frac, exp := math.Frexp(v) // v = frac * 2^exp, frac in [0.5, 1)
	const per = 1 << NativeSchema
	i := int(math.Ceil(math.Log2(frac)*per)) + exp*per
	// Guard the boundaries against rounding in Log2.
	if math.Exp2(float64(i)/per) < v {
		i++
	} else if math.Exp2(float64(i-1)/per) >= v {
		i--
	}
	return i
}

// nativeSpans encodes bucket counts as Prometheus' spans and deltas.
func nativeSpans(counts map[int]int64) ([]*dto.BucketSpan, []int64) {
	idx := make([]int, 0, len(counts))
	for i := range counts {
		idx = append(idx, i)
	}
	sort.Ints(idx)
	if len(idx) == 0 {
		return []*dto.BucketSpan{{Offset: proto.Int32(0), Length: proto.Uint32(0)}}, nil
	}
	var spans []*dto.BucketSpan
	deltas := make([]int64, 0, len(idx))
	var prevCount int64
	next := 0 // the index after the last span
	for k, i := range idx {
		if k == 0 || i != next {
			off := i
			if k > 0 {
				off = i - next
			}
			spans = append(spans, &dto.BucketSpan{Offset: proto.Int32(int32(off)), Length: proto.Uint32(0)})
		}
		sp := spans[len(spans)-1]
		*sp.Length++
		deltas = append(deltas, counts[i]-prevCount)
		prevCount = counts[i]
		next = i + 1
	}
	return spans, deltas
}
