package loadgen

import (
	"context"
	"sync/atomic"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"
)

// Clock gives Unix-nanosecond times derived from one monotonic reading, so
// every timestamp of a run (intended send, ack, receipt) is on the same
// clock and no wall-clock step distorts a latency. Records carry these
// times in their ktune.ts header; another process on the same host reads
// them against its own Clock, which agrees with this one to within the
// host's wall-clock accuracy.
type Clock struct {
	base time.Time
	wall int64
	// step, when set (benchmarks only), makes Now a counter that advances
	// by step per call, to separate ktune's own per-record work from the
	// cost of reading the system clock.
	step int64
}

// NewClock returns a clock anchored now.
func NewClock() *Clock {
	now := time.Now()
	return &Clock{base: now, wall: now.UnixNano()}
}

// Now returns the current time in Unix nanoseconds.
func (c *Clock) Now() int64 {
	if c.step != 0 {
		c.wall += c.step
		return c.wall
	}
	return c.wall + int64(time.Since(c.base))
}

// Time converts a Clock reading to a time.Time.
func (c *Clock) Time(ns int64) time.Time { return c.base.Add(time.Duration(ns - c.wall)) }

// minSleep is the shortest wait a send loop sleeps for: timers cannot
// wait less, so a record due sooner goes now and the open model measures
// it from its intended time anyway.
const minSleep = 50 * time.Microsecond

// sleepUntil waits until the clock reads ns, or ctx ends.
func (c *Clock) sleepUntil(ctx context.Context, t *time.Timer, ns int64) error {
	d := time.Duration(ns - c.Now())
	if d <= 0 {
		return ctx.Err()
	}
	if d < minSleep {
		// Timers cannot wait this little; yield and let the schedule catch
		// up on the next record (the open model measures from ns anyway).
		return ctx.Err()
	}
	t.Reset(d)
	select {
	case <-ctx.Done():
		if !t.Stop() {
			<-t.C
		}
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// ackClock is when a producer client last read a produce response, for
// its promises: a record's acknowledgement time. kgo reads a response,
// calls this hook, parses the response and only then calls the promises of
// its batches, so the reading is at or after the record's response
// arrived and at or before its promise runs: as good a time as a clock
// read in the promise, and one reading serves every record of every batch
// in the response instead of one per record. The reading only moves
// forward, whichever broker's response comes first.
type ackClock struct {
	clock *Clock
	at    atomic.Int64
}

// OnBrokerRead implements kgo.HookBrokerRead.
func (a *ackClock) OnBrokerRead(_ kgo.BrokerMetadata, key int16, _ int, _, _ time.Duration, err error) {
	if key != int16(kmsg.Produce) || err != nil {
		return
	}
	now := a.clock.Now()
	for {
		old := a.at.Load()
		if now <= old || a.at.CompareAndSwap(old, now) {
			return
		}
	}
}
