package loadgen

import (
	"context"
	"time"
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

// sleepUntil waits until the clock reads ns, or ctx ends.
func (c *Clock) sleepUntil(ctx context.Context, t *time.Timer, ns int64) error {
	d := time.Duration(ns - c.Now())
	if d <= 0 {
		return ctx.Err()
	}
	if d < 50*time.Microsecond {
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
