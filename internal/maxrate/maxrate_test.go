package maxrate

import (
	"context"
	"encoding/binary"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
)

// capacity makes the embedded broker accept at most perSec records a second
// in all, by pausing its single request loop before each produce request.
func capacity(conn *cluster.Conn, perSec float64) {
	var mu sync.Mutex
	next := time.Now()
	conn.Fake.ControlKey(int16(kmsg.Produce), func(req kmsg.Request) (kmsg.Response, error, bool) {
		conn.Fake.KeepControl()
		n := 0
		for _, t := range req.(*kmsg.ProduceRequest).Topics {
			for _, p := range t.Partitions {
				if len(p.Records) >= 61 {
					n += int(binary.BigEndian.Uint32(p.Records[57:61]))
				}
			}
		}
		mu.Lock()
		now := time.Now()
		if next.Before(now) {
			next = now
		}
		next = next.Add(time.Duration(float64(n) / perSec * float64(time.Second)))
		wait := time.Until(next)
		mu.Unlock()
		time.Sleep(wait)
		return nil, nil, false
	})
}

func TestMaxRateFindsTheCapacity(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	const limit = 4000.0
	capacity(conn, limit)
	client, _ := clientcfg.Resolve(nil, clientcfg.Producer)
	var steps []result.MaxRateStep
	doc, err := Run(context.Background(), conn, Config{
		Produce: loadgen.ProduceConfig{Topic: "mr", Values: payload.ValueConfig{Size: 100}, Client: client, Interval: time.Hour},
		// A generous objective: the cap is what decides; above it the
		// achieved rate falls short, whatever the machine's load.
		P99: 500 * time.Millisecond, Window: 1500 * time.Millisecond, Warmup: 300 * time.Millisecond, MaxSteps: 6, Partitions: 1,
		OnStep: func(s result.MaxRateStep) { steps = append(steps, s) },
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range doc.Steps {
		t.Logf("%-8s target %6.0f achieved %6.0f p99 %7.1f ms pass %v", s.Phase, s.Target, s.Achieved, s.P99Ms, s.Pass)
	}
	if doc.RecordsPerSec < 0.5*limit || doc.RecordsPerSec > 1.05*limit {
		t.Fatalf("found %.0f records/s for a broker that takes %.0f", doc.RecordsPerSec, limit)
	}
	if len(steps) != len(doc.Steps) || len(doc.Steps) > 1+6+10 || doc.Steps[0].Phase != "discover" {
		t.Fatalf("steps: %d", len(doc.Steps))
	}
	confirms := 0
	for _, s := range doc.Steps[len(doc.Steps)-2:] {
		if s.Phase == "confirm" && s.Pass && s.Target == doc.RecordsPerSec {
			confirms++
		}
	}
	if confirms != 2 {
		t.Errorf("the answer is not confirmed by the last two windows")
	}
}
