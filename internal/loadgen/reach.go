package loadgen

import (
	"net"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/result"
)

// reach records, as they happen, when a run's consumers lost every broker
// and when they got one back. It is a kgo hook on every consumer client:
// a failed dial or request marks the cluster lost from the last answer
// before it; the next answer of any broker (a response read, a connection
// made) ends the outage. A gap of answers shorter than minUnavailable is
// not an outage (one broker of several failing while the others answer
// never is). Its cost is per request, not per record.
type reach struct {
	clock *Clock

	mu      sync.Mutex
	lastOK  int64 // Clock ns of the last answer (the run's start before one)
	failed  bool  // a dial or request failed since lastOK
	windows []window
	errors  errorCounts
}

func newReach(clock *Clock, start int64) *reach {
	return &reach{clock: clock, lastOK: start, errors: errorCounts{}}
}

func (h *reach) OnBrokerConnect(_ kgo.BrokerMetadata, _ time.Duration, _ net.Conn, err error) {
	h.observe(err)
}

func (h *reach) OnBrokerRead(_ kgo.BrokerMetadata, _ int16, _ int, _, _ time.Duration, err error) {
	h.observe(err)
}

func (h *reach) observe(err error) {
	if err != nil {
		class, _ := classify(err)
		if class == ClassAborted { // the client closing, not the cluster
			return
		}
		h.mu.Lock()
		h.failed = true
		h.errors.add(class)
		h.mu.Unlock()
		return
	}
	now := h.clock.Now()
	h.mu.Lock()
	if h.failed && now-h.lastOK >= int64(minUnavailable) {
		h.windows = append(h.windows, window{part: allPartitions, from: h.lastOK, to: now})
	}
	h.failed, h.lastOK = false, now
	h.mu.Unlock()
}

// lostSince returns the start of the current outage (Clock ns) and
// whether one is going on.
func (h *reach) lostSince() (int64, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.lastOK, h.failed
}

// report fills c's outages, closing an open one at end (Clock ns), and its
// error counts.
func (h *reach) report(c *result.Consumer, startNs, end int64) {
	h.mu.Lock()
	defer h.mu.Unlock()
	u := unavailability(int64(minUnavailable), startNs, startNs, h.windows, nil)
	if h.failed && end-h.lastOK >= int64(minUnavailable) {
		u.AddOpen(result.UnavailableWindow{
			Partition: allPartitions,
			StartS:    result.Round(float64(h.lastOK-startNs) / 1e9),
			LengthMs:  result.Round(float64(end-h.lastOK) / 1e6),
		})
	}
	c.Unavailability = u
	c.Errors = h.errors.mergeInto(nil)
}
