package loadgen

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
)

const ms = int64(time.Millisecond)

func TestAckGapsOpenWindowsOnlyWhileRecordsWait(t *testing.T) {
	type ack struct {
		part          int32
		now, accepted int64
	}
	tests := []struct {
		name string
		acks []ack
		want []window
	}{
		{
			name: "a partition's first acknowledgement is start-up, not a window",
			acks: []ack{{0, 2000 * ms, 0}},
		},
		{
			name: "a record that waited with no acknowledgement opens a window from the last one",
			acks: []ack{{0, 100 * ms, 90 * ms}, {0, 900 * ms, 95 * ms}},
			want: []window{{0, 100 * ms, 900 * ms}},
		},
		{
			name: "a partition that got no records opens none (sticky partitioning at a low rate)",
			acks: []ack{{0, 100 * ms, 90 * ms}, {0, 2000 * ms, 1990 * ms}},
		},
		{
			name: "the window starts when the waiting record was sent, if later than the last acknowledgement",
			acks: []ack{{1, 100 * ms, 90 * ms}, {1, 1500 * ms, 700 * ms}},
			want: []window{{1, 700 * ms, 1500 * ms}},
		},
		{
			name: "gaps under the floor are not kept",
			acks: []ack{{2, 100 * ms, 90 * ms}, {2, 500 * ms, 100 * ms}},
		},
		{
			name: "partitions are apart",
			acks: []ack{{0, 100 * ms, 0}, {1, 200 * ms, 0}, {1, 400 * ms, 200 * ms}, {0, 1000 * ms, 150 * ms}},
			want: []window{{0, 150 * ms, 1000 * ms}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			g := ackGaps{floor: 500 * ms}
			for _, a := range tt.acks {
				g.observe(a.part, a.now, a.accepted)
			}
			if len(g.windows) != len(tt.want) {
				t.Fatalf("windows %v, want %v", g.windows, tt.want)
			}
			for i := range tt.want {
				if g.windows[i] != tt.want[i] {
					t.Errorf("window %d = %v, want %v", i, g.windows[i], tt.want[i])
				}
			}
		})
	}
}

func TestUnavailabilityListsWindowsOverThreshold(t *testing.T) {
	const start = 1000 * ms
	whole := []window{{allPartitions, start + 3000*ms, start + 4000*ms}}
	perClient := [][]window{
		{{2, start + 2900*ms, start + 4200*ms}, {0, start + 100*ms, start + 500*ms}},
		{{2, start + 3000*ms, start + 4500*ms}, {1, start + 5000*ms, start + 5600*ms}},
	}
	u := unavailability(600*ms, start, start+50*ms, whole, perClient)
	want := []result.UnavailableWindow{
		{Partition: 2, StartS: 2.9, LengthMs: 1600}, // two clients' windows, merged
		{Partition: result.AllPartitions, StartS: 3, LengthMs: 1000},
		{Partition: 1, StartS: 5, LengthMs: 600},
	}
	if u.ThresholdMs != 600 || len(u.Windows) != len(want) {
		t.Fatalf("threshold %.0f ms, windows %+v; want %+v", u.ThresholdMs, u.Windows, want)
	}
	for i := range want {
		if u.Windows[i] != want[i] {
			t.Errorf("window %d = %+v, want %+v", i, u.Windows[i], want[i])
		}
	}
	if u.Longest == nil || *u.Longest != want[0] {
		t.Errorf("longest = %+v, want %+v", u.Longest, want[0])
	}
	if u := unavailability(600*ms, start, start, nil, nil); len(u.Windows) != 0 || u.Longest != nil {
		t.Errorf("no windows: %+v", u)
	}
}

// TestStallIsAnUnavailabilityWindow stalls the broker for a second in a
// fixed-rate run on a fresh topic: the result lists one window of the
// whole producer at the stall, and the topic's start-up opens none.
func TestStallIsAnUnavailabilityWindow(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	makeTopic(t, conn, "gaps", 3)
	var start atomic.Int64
	var stalledAt atomic.Int64
	const stall = time.Second
	conn.Fake.ControlKey(int16(kmsg.Produce), func(kmsg.Request) (kmsg.Response, error, bool) {
		conn.Fake.KeepControl()
		if s := start.Load(); s > 0 && time.Since(time.Unix(0, s)) > 1500*time.Millisecond && stalledAt.CompareAndSwap(0, time.Now().UnixNano()) {
			conn.Fake.SleepControl(func() { time.Sleep(stall) })
		}
		return nil, nil, false
	})
	cfg := produceCfg("gaps", 0)
	cfg.Duration, cfg.Rate = 3500*time.Millisecond, 1000
	start.Store(time.Now().UnixNano())
	doc, err := Produce(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if stalledAt.Load() == 0 {
		t.Fatal("the broker was never stalled")
	}
	u := doc.Metrics.Producer.Unavailability
	at := time.Unix(0, stalledAt.Load()).Sub(doc.Start).Seconds()
	t.Logf("stalled at %.2f s: %+v", at, u)
	if u == nil || u.ThresholdMs < float64(minUnavailable.Milliseconds()) {
		t.Fatalf("no timeline, or a threshold under %s: %+v", minUnavailable, u)
	}
	// Records sent just before the stall wait through it, so a window may
	// start a little before the stalled request; a partition the sticky
	// partitioner turns to during the stall starts later.
	atStall := func(w result.UnavailableWindow) bool {
		return w.StartS >= at-0.2 && w.StartS <= at+stall.Seconds()
	}
	// A pause of this host (not of the broker) is a window of the whole
	// producer too, and the partitions' windows lie within it; a partition's
	// window with no such cover (the topic's start-up, say) is wrong.
	for _, w := range u.Windows {
		if w.Partition == result.AllPartitions && !atStall(w) {
			t.Logf("this host paused the client: %+v", w)
		}
	}
	var whole int
	for _, w := range u.Windows {
		switch {
		case atStall(w) && w.Partition == result.AllPartitions:
			whole++
			if w.LengthMs < 0.8*float64(stall.Milliseconds()) || w.LengthMs > 3*float64(stall.Milliseconds()) {
				t.Errorf("whole-producer window of %.0f ms for a %s stall", w.LengthMs, stall)
			}
		case !atStall(w) && w.Partition != result.AllPartitions && !testkit.InHostPause(u, w, 0.2):
			t.Errorf("window away from the stall at %.2f s: %+v", at, w)
		}
	}
	if whole != 1 || u.Longest == nil {
		t.Errorf("want one whole-producer window at the stall and a longest, got %+v", u)
	}
}
