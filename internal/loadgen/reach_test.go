package loadgen

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"

	"github.com/ktune/ktune/result"
)

// TestReach feeds the consumers' broker hook answers (nil) and failures on
// a clock that advances one step per answer, and checks the outages it
// records and the errors it counts.
func TestReach(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	for _, tc := range []struct {
		name   string
		step   time.Duration
		events []error
		end    int64 // Clock ns the run ended
		want   []result.UnavailableWindow
		errs   map[string]int64
	}{
		{name: "answers only", step: time.Second, events: []error{nil, nil, nil}, end: 4e9},
		{name: "a failed dial between close answers is no outage", step: 300 * time.Millisecond,
			events: []error{nil, dial, nil}, end: 1e9, errs: map[string]int64{ClassUnreachable: 1}},
		{name: "lost and back", step: time.Second, events: []error{nil, dial, dial, nil}, end: 3e9,
			want: []result.UnavailableWindow{{Partition: result.AllPartitions, StartS: 1, LengthMs: 1000}},
			errs: map[string]int64{ClassUnreachable: 2}},
		{name: "lost at the end is open", step: time.Second, events: []error{nil, dial}, end: 3e9,
			want: []result.UnavailableWindow{{Partition: result.AllPartitions, StartS: 1, LengthMs: 2000, Open: true}},
			errs: map[string]int64{ClassUnreachable: 1}},
		{name: "closing is not an outage", step: time.Second, events: []error{nil, context.Canceled, nil}, end: 3e9},
	} {
		t.Run(tc.name, func(t *testing.T) {
			clock := &Clock{step: int64(tc.step)}
			h := newReach(clock, 0)
			for _, err := range tc.events {
				h.observe(err)
			}
			var c result.Consumer
			h.report(&c, 0, tc.end)
			if got := c.Unavailability.Windows; len(got) != len(tc.want) {
				t.Fatalf("windows %+v, want %+v", got, tc.want)
			}
			for i, w := range tc.want {
				if c.Unavailability.Windows[i] != w {
					t.Errorf("window %d: %+v, want %+v", i, c.Unavailability.Windows[i], w)
				}
			}
			if len(c.Errors) != len(tc.errs) {
				t.Fatalf("errors %v, want %v", c.Errors, tc.errs)
			}
			for k, v := range tc.errs {
				if c.Errors[k] != v {
					t.Errorf("errors %v, want %v", c.Errors, tc.errs)
				}
			}
		})
	}
}
