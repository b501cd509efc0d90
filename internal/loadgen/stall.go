package loadgen

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// errClusterUnreachable ends a run whose cluster stopped answering.
var errClusterUnreachable = errors.New("cluster unreachable")

// abortGrace bounds each wait of a client's shutdown once its cluster no
// longer answers: a producer's failing of its buffered records at a safe
// point, then its wait for the promises of what closing the client failed;
// a consumer's leaving of its group.
const abortGrace = 2 * time.Second

// stallLimit is how long records may wait with no acknowledgement before a
// producer's cluster counts as unreachable: max(delivery.timeout.ms, the
// reporting interval). With idempotence (the default) franz-go fails a
// record that was sent only once its request is answered, so with every
// broker gone neither RecordDeliveryTimeout nor a context ends the wait:
// this limit is the delivery timeout the Java client would have enforced.
func stallLimit(delivery, interval time.Duration) time.Duration {
	return max(delivery, interval)
}

// stallWatch ends a producer run (cancel with errClusterUnreachable) when
// records waited stallLimit and no client got any acknowledgement. It polls
// the clients' buffered counts, so it costs nothing per record.
type stallWatch struct {
	stop chan struct{}
	done sync.WaitGroup
	// from is the Clock ns the outage that ended the run began; 0: none.
	from int64
}

// watchStall starts the watch over clients; lastAck reads the run's last
// acknowledgement (Clock ns, 0 before the first). When ctx (the run's) ends
// for another reason while records wait unacknowledged for at least floor
// ns, that outage is the one returned by close too.
func watchStall(ctx context.Context, clock *Clock, limit time.Duration, floor int64, clients []*kgo.Client, lastAck func() int64, cancel context.CancelCauseFunc) *stallWatch {
	w := &stallWatch{stop: make(chan struct{})}
	tick := min(max(limit/20, 10*time.Millisecond), time.Second)
	w.done.Add(1)
	go func() {
		defer w.done.Done()
		t := time.NewTicker(tick)
		defer t.Stop()
		var waiting int64 // Clock ns records were first seen waiting; 0: none wait
		for {
			var ended bool
			select {
			case <-w.stop:
				return
			case <-ctx.Done():
				ended = true
			case <-t.C:
			}
			now := clock.Now()
			if ended {
				if waiting != 0 && anyBuffered(clients) && now-max(waiting, lastAck()) >= floor {
					w.from = max(waiting, lastAck())
				}
				return
			}
			if !anyBuffered(clients) {
				waiting = 0
				continue
			}
			if waiting == 0 {
				waiting = now
			}
			from := max(waiting, lastAck())
			if now-from >= int64(limit) {
				w.from = from
				cancel(fmt.Errorf("%w: no broker acknowledged a record for %s while records waited (max of delivery.timeout.ms and the interval)", errClusterUnreachable, limit))
				return
			}
		}
	}()
	return w
}

func anyBuffered(clients []*kgo.Client) bool {
	for _, cl := range clients {
		if cl.BufferedProduceRecords() > 0 {
			return true
		}
	}
	return false
}

// close stops the watch and returns the start of the outage that ended the
// run (Clock ns), 0 if none did.
func (w *stallWatch) close() int64 {
	close(w.stop)
	w.done.Wait()
	return w.from
}

// abandon ends a producer client's flush that its context cut short:
// unless the cluster is known unreachable, buffered records are failed at
// a safe point if one comes within abortGrace; what is still in flight to
// a broker that does not answer is failed by closing the client, and the
// promises of it all are waited for (within abortGrace), so every record
// is accounted before the result is written. It reports whether it closed
// the client.
func abandon(cl *kgo.Client, unreachable bool) (closed bool) {
	if !unreachable {
		ctx, cancel := context.WithTimeout(context.Background(), abortGrace)
		err := cl.AbortBufferedRecords(ctx)
		cancel()
		if err == nil {
			return false
		}
	}
	cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), abortGrace)
	defer cancel()
	_ = cl.Flush(ctx)
	return true
}
