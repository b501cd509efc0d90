package result

// BrokerMetricsVersion is the version of the broker_metrics section; a
// document without the section (older ktune, or no --broker-metrics)
// loads as before.
const BrokerMetricsVersion = 1

// BrokerMetrics is what the brokers' own metrics endpoints (the Prometheus
// JMX exporter, scripts/kafka/jmx-exporter.yaml) said during a run, per
// broker. internal/brokermetrics/table.go names the exporter metric behind
// each figure.
type BrokerMetrics struct {
	Version int `json:"version"`
	// IntervalS is the scrape interval; every scrape was bounded by it.
	IntervalS float64 `json:"interval_s"`
	// ScrapedBy says which process scraped: "" for a single process,
	// "worker 0" in a distributed run (the other workers scrape nothing,
	// so the brokers are scraped once).
	ScrapedBy string `json:"scraped_by,omitempty"`
	// Missing lists the exporter metrics some endpoint did not have: their
	// figures are 0 for that broker.
	Missing []string       `json:"missing_metrics,omitempty"`
	Brokers []BrokerSeries `json:"brokers"`
}

// BrokerSeries is one broker's figures.
type BrokerSeries struct {
	Endpoint string `json:"endpoint"`
	// Window covers the run from the scrape just before it started to the
	// one just after it ended (warm-up included); absent when fewer than
	// two scrapes succeeded.
	Window *BrokerFigures `json:"window,omitempty"`
	// Intervals are consecutive pairs of successful scrapes.
	Intervals []BrokerInterval `json:"intervals,omitempty"`
	// Scrapes counts the scrapes tried; Gaps lists those that failed or
	// did not answer within the interval.
	Scrapes int         `json:"scrapes"`
	Gaps    []ScrapeGap `json:"gaps,omitempty"`
}

// ScrapeGap is a scrape that failed.
type ScrapeGap struct {
	// T is seconds since the run started, as Interval.T.
	T     float64 `json:"t_s"`
	Error string  `json:"error"`
}

// BrokerInterval is one point of a broker's time series; T is its end.
type BrokerInterval struct {
	T float64 `json:"t_s"`
	BrokerFigures
}

// BrokerFigures are one broker's figures over a span of time. Counts are
// differences of the broker's cumulative counters over the span; levels
// (idle of network threads, queue size, under-replicated partitions) are
// the scrapes' values.
type BrokerFigures struct {
	// StartS and EndS bound the span in seconds since the run started
	// (negative: a scrape just before the start).
	StartS float64 `json:"start_s"`
	EndS   float64 `json:"end_s"`
	// RequestHandlerIdle is the share of the span the request handler
	// (I/O) threads were idle: the idle nanoseconds per thread over the
	// span's nanoseconds, 0..1. Absent when unknown: Kafka before 4.0
	// adds the broker's and the controller's pools of a combined
	// (process.roles=broker,controller) node into one meter.
	RequestHandlerIdle *float64 `json:"request_handler_idle,omitempty"`
	// NetworkProcessorIdle is the mean, over the span's scrapes, of the
	// network threads' idle share (Kafka's own moving average), 0..1;
	// NetworkProcessorIdleMin its lowest.
	NetworkProcessorIdle    float64 `json:"network_processor_idle"`
	NetworkProcessorIdleMin float64 `json:"network_processor_idle_min"`
	// RequestQueueMean and RequestQueueMax are the request queue's size
	// over the span's scrapes.
	RequestQueueMean float64 `json:"request_queue_mean"`
	RequestQueueMax  float64 `json:"request_queue_max"`
	// Produce and Fetch are the produce and consumer fetch requests the
	// broker completed in the span and where their time went.
	Produce RequestTimes `json:"produce"`
	Fetch   RequestTimes `json:"fetch"`
	// Bytes from clients (in) and to consumers (out), and between brokers.
	BytesIn             int64 `json:"bytes_in"`
	BytesOut            int64 `json:"bytes_out"`
	ReplicationBytesIn  int64 `json:"replication_bytes_in"`
	ReplicationBytesOut int64 `json:"replication_bytes_out"`
	// UnderReplicatedMax is the most under-replicated partitions a scrape
	// saw.
	UnderReplicatedMax int64 `json:"under_replicated_max"`
	IsrShrinks         int64 `json:"isr_shrinks"`
	IsrExpands         int64 `json:"isr_expands"`
	// LogFlushes and LogFlushMs are the log flushes and their total time.
	LogFlushes int64   `json:"log_flushes"`
	LogFlushMs float64 `json:"log_flush_ms"`
	// ProcessCPUS and GCS are the broker JVM's CPU seconds and garbage
	// collection seconds in the span.
	ProcessCPUS float64 `json:"process_cpu_s"`
	GCS         float64 `json:"gc_s"`
}

// ElapsedS is the span's length in seconds.
func (f BrokerFigures) ElapsedS() float64 { return f.EndS - f.StartS }

// RequestTimes are requests of one kind completed in a span and their
// total time in each part, in milliseconds (Kafka's RequestMetrics):
// waiting in the request queue, local work (append, read), remote (waiting
// for followers under acks=all, or a fetch's long poll), waiting in the
// response queue, sending the response; Total is their sum as the broker
// measured it.
type RequestTimes struct {
	Requests        int64   `json:"requests"`
	RequestQueueMs  float64 `json:"request_queue_ms"`
	LocalMs         float64 `json:"local_ms"`
	RemoteMs        float64 `json:"remote_ms"`
	ResponseQueueMs float64 `json:"response_queue_ms"`
	ResponseSendMs  float64 `json:"response_send_ms"`
	TotalMs         float64 `json:"total_ms"`
}

// Mean is the mean time of one request in each part (ms), in the order
// request queue, local, remote, response queue, send, total.
func (r RequestTimes) Mean() [6]float64 {
	var m [6]float64
	if r.Requests <= 0 {
		return m
	}
	for i, v := range [6]float64{r.RequestQueueMs, r.LocalMs, r.RemoteMs, r.ResponseQueueMs, r.ResponseSendMs, r.TotalMs} {
		m[i] = Round(v / float64(r.Requests))
	}
	return m
}

// Total sums the brokers' windows: counts and times add up, idle shares
// are averaged over the brokers (that know theirs), maxima kept. False when no broker has a
// window.
func (b *BrokerMetrics) Total() (BrokerFigures, bool) {
	var t BrokerFigures
	n, withIdle, idle := 0, 0, 0.0
	for _, s := range b.Brokers {
		w := s.Window
		if w == nil {
			continue
		}
		if n == 0 {
			t.StartS, t.EndS, t.NetworkProcessorIdleMin = w.StartS, w.EndS, w.NetworkProcessorIdleMin
		}
		n++
		t.StartS, t.EndS = min(t.StartS, w.StartS), max(t.EndS, w.EndS)
		if w.RequestHandlerIdle != nil {
			idle += *w.RequestHandlerIdle
			withIdle++
		}
		t.NetworkProcessorIdle += w.NetworkProcessorIdle
		t.NetworkProcessorIdleMin = min(t.NetworkProcessorIdleMin, w.NetworkProcessorIdleMin)
		t.RequestQueueMean += w.RequestQueueMean
		t.RequestQueueMax = max(t.RequestQueueMax, w.RequestQueueMax)
		t.Produce = t.Produce.add(w.Produce)
		t.Fetch = t.Fetch.add(w.Fetch)
		t.BytesIn += w.BytesIn
		t.BytesOut += w.BytesOut
		t.ReplicationBytesIn += w.ReplicationBytesIn
		t.ReplicationBytesOut += w.ReplicationBytesOut
		t.UnderReplicatedMax = max(t.UnderReplicatedMax, w.UnderReplicatedMax)
		t.IsrShrinks += w.IsrShrinks
		t.IsrExpands += w.IsrExpands
		t.LogFlushes += w.LogFlushes
		t.LogFlushMs += w.LogFlushMs
		t.ProcessCPUS += w.ProcessCPUS
		t.GCS += w.GCS
	}
	if n == 0 {
		return t, false
	}
	if withIdle > 0 {
		idle = Round(idle / float64(withIdle))
		t.RequestHandlerIdle = &idle
	}
	t.NetworkProcessorIdle = Round(t.NetworkProcessorIdle / float64(n))
	t.RequestQueueMean = Round(t.RequestQueueMean / float64(n))
	return t, true
}

func (r RequestTimes) add(o RequestTimes) RequestTimes {
	return RequestTimes{
		Requests:        r.Requests + o.Requests,
		RequestQueueMs:  r.RequestQueueMs + o.RequestQueueMs,
		LocalMs:         r.LocalMs + o.LocalMs,
		RemoteMs:        r.RemoteMs + o.RemoteMs,
		ResponseQueueMs: r.ResponseQueueMs + o.ResponseQueueMs,
		ResponseSendMs:  r.ResponseSendMs + o.ResponseSendMs,
		TotalMs:         r.TotalMs + o.TotalMs,
	}
}

// Shifted returns a copy of b with every time moved by s seconds: a
// merged document carries the scraping worker's section, its times moved
// to the merged start.
func (b *BrokerMetrics) Shifted(s float64) *BrokerMetrics {
	out := *b
	out.Brokers = make([]BrokerSeries, len(b.Brokers))
	shift := func(f *BrokerFigures) { f.StartS, f.EndS = Round(f.StartS+s), Round(f.EndS+s) }
	for i, bs := range b.Brokers {
		if bs.Window != nil {
			w := *bs.Window
			shift(&w)
			bs.Window = &w
		}
		bs.Intervals = append([]BrokerInterval(nil), bs.Intervals...)
		for j := range bs.Intervals {
			shift(&bs.Intervals[j].BrokerFigures)
			bs.Intervals[j].T = bs.Intervals[j].EndS
		}
		bs.Gaps = append([]ScrapeGap(nil), bs.Gaps...)
		for j := range bs.Gaps {
			bs.Gaps[j].T = Round(bs.Gaps[j].T + s)
		}
		out.Brokers[i] = bs
	}
	return &out
}
