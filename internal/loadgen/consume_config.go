package loadgen

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/livemetrics"
	"github.com/ktune/ktune/result"
)

// ConsumeConfig describes a consumer stress test.
type ConsumeConfig struct {
	// Topic is read; it must exist.
	Topic string
	// Partitions is the topic's partition count (e2e waits until the group
	// owns all of them before producing). 0: unknown.
	Partitions int
	// Group is the consumer group; empty makes a fresh one. Ignored with
	// Assign.
	Group string
	// Assign reads every partition directly, without a group.
	Assign bool
	// AssignPartitions, with Assign, reads only these partitions.
	// Default: every partition.
	AssignPartitions []int32
	// StartAt, if set, is the wall-clock time the run starts: the clients
	// are created then. Workers of a distributed run start together this
	// way.
	StartAt time.Time
	// IntervalHistograms keeps each interval's latency histogram in the
	// result (Interval.HDR), so merged intervals have exact percentiles.
	IntervalHistograms bool
	// From is where a partition without a committed offset starts:
	// "earliest" (the default, as kafka-consumer-perf-test) or "latest".
	From string
	// Records ends the run after this many records (0: no count bound).
	Records int64
	// Duration ends the run after this long (0: no time bound).
	Duration time.Duration
	// IdleTimeout ends the run when no record arrived for this long once
	// the consumers were assigned their partitions: by the group, or with
	// Assign when a consumer's first fetch is answered (its partitions'
	// leaders and offsets found), not when it was created. Until then a
	// consumer gets IdleTimeout plus 30 s. Default 10 s.
	IdleTimeout time.Duration
	// Consumers is the number of clients in the group. Default 1.
	Consumers int
	// Client is the resolved consumer configuration.
	Client *clientcfg.Resolved
	// Interval is the reporting interval. Default 5 s.
	Interval time.Duration
	// OnInterval, if set, is called with each interval as it closes.
	OnInterval func(result.Interval)
	// Clock is the run's clock; nil makes one.
	Clock *Clock
	// Logger receives progress logs. Default: discard.
	Logger *slog.Logger
	// Audit, if set, receives every record read (--verify).
	Audit *audit.Ledger
	// Live, if set, serves the run's metrics while it runs (--metrics-addr).
	Live *livemetrics.Run
}

func (c *ConsumeConfig) defaults() error {
	if c.From == "" {
		c.From = "earliest"
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = 10 * time.Second
	}
	if c.Consumers == 0 {
		c.Consumers = 1
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if c.Interval <= 0 {
		c.Interval = 5 * time.Second
	}
	if c.Clock == nil {
		c.Clock = NewClock()
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Client == nil {
		r, err := clientcfg.Resolve(nil, clientcfg.Consumer)
		if err != nil {
			return err
		}
		c.Client = r
	}
	if !c.Assign && c.Group == "" {
		c.Group = c.Client.Effective()["group.id"]
	}
	if !c.Assign && c.Group == "" {
		c.Group = fmt.Sprintf("ktune-%d", time.Now().UnixNano())
	}
	return nil
}

// Workload returns the workload c describes, as a result records it.
func (c *ConsumeConfig) Workload() result.Workload {
	w := result.Workload{
		Topic: c.Topic, Partitions: c.Partitions, Records: c.Records,
		DurationS: c.Duration.Seconds(), Consumers: c.Consumers, From: c.From,
	}
	if !c.Assign {
		w.Group = c.Group
	}
	return w
}
