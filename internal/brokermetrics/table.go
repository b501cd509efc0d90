// Package brokermetrics scrapes the brokers' Prometheus endpoints (the JMX
// exporter Java agent with scripts/kafka/jmx-exporter.yaml) during a run
// and turns the samples into the per-broker figures of the result
// document. The load never waits for it: each scrape is bounded by the
// interval, and one that fails or hangs is recorded as a gap.
package brokermetrics

// Figure names one value a scrape reads from a broker.
type Figure string

// The figures a scrape reads.
const (
	HandlerIdleNs     Figure = "request_handler_idle_ns"
	AllHandlersIdleNs Figure = "all_request_handlers_idle_ns"
	NetworkIdle       Figure = "network_processor_idle"
	RequestQueue      Figure = "request_queue_size"
	BytesIn           Figure = "bytes_in"
	BytesOut          Figure = "bytes_out"
	ReplicationIn     Figure = "replication_bytes_in"
	ReplicationOut    Figure = "replication_bytes_out"
	UnderReplicated   Figure = "under_replicated_partitions"
	IsrShrinks        Figure = "isr_shrinks"
	IsrExpands        Figure = "isr_expands"
	LogFlushes        Figure = "log_flushes"
	LogFlushMs        Figure = "log_flush_ms"
	ProcessCPUS       Figure = "process_cpu_s"
	GCS               Figure = "gc_s"
	ProduceRequests   Figure = "produce_requests"
	FetchRequests     Figure = "fetch_requests"
	produceTimePrefix        = "produce_time_ms:"
	fetchTimePrefix          = "fetch_time_ms:"
)

// Parts of a request's total time, as Kafka's RequestMetrics name them
// (the part label of kafka_network_request_time_ms).
var Parts = []string{"RequestQueue", "Local", "Remote", "ResponseQueue", "ResponseSend", "Total"}

// ProduceTime and FetchTime name the total milliseconds produce and
// consumer fetch requests spent in part.
func ProduceTime(part string) Figure { return Figure(produceTimePrefix + part) }

// FetchTime is ProduceTime for consumer fetch requests.
func FetchTime(part string) Figure { return Figure(fetchTimePrefix + part) }

// Kind says how a figure is read and how two samples of it combine.
type Kind int

const (
	// Level is a gauge: its value at the scrape.
	Level Kind = iota
	// Cumulative only grows while the broker runs (a counter, or a
	// summary's sum): a window's figure is the difference between its
	// first and last sample.
	Cumulative
	// TotalTime is a Yammer histogram exported as Metric_count and
	// Metric_mean over the broker's life: Count x Mean is the cumulative
	// total, combined as Cumulative.
	TotalTime
)

// Source is where one figure comes from.
type Source struct {
	Figure Figure
	// Metric is the exporter's metric name; series with other labels
	// than Labels are summed.
	Metric string
	Labels map[string]string
	Kind   Kind
	// Optional: an endpoint without it is not warned about (another
	// figure stands in).
	Optional bool
}

// Table maps every figure to the metric that feeds it: the one place
// that says which exporter metric is which figure. The names are those
// scripts/kafka/jmx-exporter.yaml exports (the MBean each comes from is
// named there); process_cpu_seconds_total and jvm_gc_collection_seconds
// are the JVM metrics the agent always adds.
var Table = buildTable()

func buildTable() []Source {
	t := []Source{
		// KafkaRequestHandlerPool BrokerRequestHandlerAvgIdlePercent
		// (Kafka 4.x) and RequestHandlerAvgIdlePercent (every pool of the
		// process): a meter's Count grows by idle nanoseconds per thread.
		{HandlerIdleNs, "kafka_server_request_handler_idle_ns", map[string]string{"pool": "broker"}, Cumulative, true},
		{AllHandlersIdleNs, "kafka_server_request_handler_idle_ns", map[string]string{"pool": "all"}, Cumulative, false},
		// SocketServer NetworkProcessorAvgIdlePercent: 0..1.
		{NetworkIdle, "kafka_network_processor_idle_ratio", nil, Level, false},
		{RequestQueue, "kafka_network_request_queue_size", nil, Level, false},
		{BytesIn, "kafka_server_bytesin", nil, Cumulative, false},
		{BytesOut, "kafka_server_bytesout", nil, Cumulative, false},
		{ReplicationIn, "kafka_server_replicationbytesin", nil, Cumulative, false},
		{ReplicationOut, "kafka_server_replicationbytesout", nil, Cumulative, false},
		{UnderReplicated, "kafka_server_under_replicated_partitions", nil, Level, false},
		{IsrShrinks, "kafka_server_isr_shrinks", nil, Cumulative, false},
		{IsrExpands, "kafka_server_isr_expands", nil, Cumulative, false},
		{LogFlushes, "kafka_log_flush_time_ms_count", nil, Cumulative, false},
		{LogFlushMs, "kafka_log_flush_time_ms", nil, TotalTime, false},
		{ProcessCPUS, "process_cpu_seconds_total", nil, Cumulative, false},
		{GCS, "jvm_gc_collection_seconds", nil, Cumulative, false},
		{ProduceRequests, "kafka_network_request_time_ms_count", map[string]string{"part": "Total", "request": "Produce"}, Cumulative, false},
		{FetchRequests, "kafka_network_request_time_ms_count", map[string]string{"part": "Total", "request": "FetchConsumer"}, Cumulative, false},
	}
	for _, p := range Parts {
		t = append(t,
			Source{ProduceTime(p), "kafka_network_request_time_ms", map[string]string{"part": p, "request": "Produce"}, TotalTime, false},
			Source{FetchTime(p), "kafka_network_request_time_ms", map[string]string{"part": p, "request": "FetchConsumer"}, TotalTime, false})
	}
	return t
}
