package loadgen

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/livemetrics"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/result"
)

// ProduceConfig describes a producer stress test.
type ProduceConfig struct {
	// Topic receives the records; it must exist (see cluster.EnsureTopic).
	Topic string
	// Records bounds the measured window by count (0: no count bound).
	Records int64
	// Duration bounds the measured window by time (0: no time bound). At
	// least one of Records and Duration must be set.
	Duration time.Duration
	// WarmupRecords and WarmupDuration precede the measured window; their
	// records are reported apart and excluded from the statistics.
	WarmupRecords  int64
	WarmupDuration time.Duration
	// Rate is the total target rate in records/s, spread evenly over the
	// producers (0: as fast as possible). With a rate each record has an
	// intended send time, start + i/rate, and latency runs from it.
	Rate float64
	// Producers is the number of independent clients. Default 1.
	Producers int
	// Values and Keys configure the payloads.
	Values payload.ValueConfig
	Keys   payload.KeyConfig
	// Headers adds this many extra headers of HeaderSize bytes to every
	// record, besides ktune's own timestamp header.
	Headers    int
	HeaderSize int
	// Client is the resolved producer configuration.
	Client *clientcfg.Resolved
	// TransactionInterval commits a transaction this often when
	// transactional.id is set. Default 100 ms.
	TransactionInterval time.Duration
	// Interval is the reporting interval. Default 5 s.
	Interval time.Duration
	// MaxErrors ends the run after this many failed records (0: no limit).
	MaxErrors int64
	// OnInterval, if set, is called with each interval as it closes.
	OnInterval func(result.Interval)
	// Clock is the run's clock; nil makes one.
	Clock *Clock
	// Logger receives progress logs. Default: discard.
	Logger *slog.Logger
	// StartAt, if set, is the wall-clock time the run (warm-up included)
	// starts: clients connect before it and the first record is intended
	// for it. Workers of a distributed run start together this way.
	StartAt time.Time
	// Partitions, if set, confines records to these partitions of the
	// topic; the configured partitioner chooses among them as if the topic
	// had only these. Default: every partition.
	Partitions []int32
	// IntervalHistograms keeps each interval's latency histogram in the
	// result (Interval.HDR), so merged intervals have exact percentiles.
	IntervalHistograms bool
	// UnavailableAfter is the shortest unavailability window the result
	// lists (Producer.Unavailability). Default: the larger of 500 ms and
	// 10 times the run's p99 service latency.
	UnavailableAfter time.Duration
	// LeaderWait bounds the wait, before the run starts, for every
	// partition to have a leader. Default 10 s.
	LeaderWait time.Duration
	// Acks, if set, makes every record carry its producer's id and
	// sequence number (audit.Header) and receives each acknowledgement
	// (an *audit.Ledger, for --verify).
	Acks AckHook
	// Hooks are franz-go hooks added to every producer client (tests
	// watch acknowledgements with them).
	Hooks []kgo.Hook
	// Live, if set, serves the run's metrics while it runs (--metrics-addr).
	Live *livemetrics.Run
	// Stop, if set, ends the sending when it is closed, as the end of
	// Duration would: records sent are still acknowledged and counted.
	Stop <-chan struct{}
	// onMeasuredStart, if set, is called with the intended time of the
	// first measured (not warm-up) record of each producer.
	onMeasuredStart func(ns int64)
}

func (c *ProduceConfig) defaults() error {
	if c.Producers == 0 {
		c.Producers = 1
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Interval <= 0 {
		c.Interval = 5 * time.Second
	}
	if c.TransactionInterval <= 0 {
		c.TransactionInterval = 100 * time.Millisecond
	}
	if c.UnavailableAfter < 0 {
		return fmt.Errorf("unavailability threshold %s: must not be negative", c.UnavailableAfter)
	}
	if c.LeaderWait <= 0 {
		c.LeaderWait = 10 * time.Second
	}
	if c.Clock == nil {
		c.Clock = NewClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Client == nil {
		r, err := clientcfg.Resolve(nil, clientcfg.Producer)
		if err != nil {
			return err
		}
		c.Client = r
	}
	return nil
}

// Workload returns the workload c describes, as a result records it.
func (c *ProduceConfig) Workload() result.Workload { return produceWorkload(c) }

func produceWorkload(c *ProduceConfig) result.Workload {
	return result.Workload{
		Topic:           c.Topic,
		Records:         c.Records,
		DurationS:       c.Duration.Seconds(),
		WarmupRecords:   c.WarmupRecords,
		WarmupS:         c.WarmupDuration.Seconds(),
		Rate:            c.Rate,
		Producers:       c.Producers,
		RecordSize:      c.Values.Size,
		Payload:         string(c.Values.Kind),
		Compressibility: c.Values.Compressibility,
		Key:             string(c.Keys.Kind),
		KeySpace:        c.Keys.Space,
		Headers:         c.Headers,
		MaxErrors:       c.MaxErrors,
	}
}
