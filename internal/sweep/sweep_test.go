package sweep

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
)

func TestExpand(t *testing.T) {
	dims := []result.Dimension{
		{Role: RoleProducer, Name: "batch.size", Values: []string{"16384", "65536"}},
		{Role: RoleProducer, Name: "linger.ms", Values: []string{"0", "5"}},
		{Role: RoleWorkload, Name: "partitions", Values: []string{"3", "6"}},
	}
	grid, err := Expand(dims, "grid")
	if err != nil || len(grid) != 8 {
		t.Fatalf("grid: %d points, %v", len(grid), err)
	}
	seen := map[string]bool{}
	for _, p := range grid {
		if len(p.Params) != 3 || seen[p.Key()] {
			t.Fatalf("bad or repeated point %v", p.Params)
		}
		seen[p.Key()] = true
	}
	one, _ := Expand(dims, "one-at-a-time")
	if len(one) != 7 || len(one[0].Params) != 0 || len(one[1].Params) != 1 {
		t.Fatalf("one-at-a-time: %d points: %v", len(one), one)
	}
	if _, err := Expand(dims, "random"); err == nil {
		t.Error("unknown mode accepted")
	}
}

func smallSweep() Config {
	return Config{
		Topic: "sw", Partitions: 2, Records: 2000, RecordSize: 200,
		Values: payload.ValueConfig{Kind: payload.Random},
		Dimensions: []result.Dimension{
			{Role: RoleProducer, Name: "linger.ms", Values: []string{"0", "5"}},
			{Role: RoleConsumer, Name: "max.poll.records", Values: []string{"100", "1000"}},
		},
	}
}

func TestSweepRunsResumesAndKeepsPoints(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	cfg := smallSweep()
	var saved int
	cfg.Save = func(*result.Sweep) error { saved++; return nil }
	doc, err := Run(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Complete || len(doc.Points) != 4 || saved != 5 {
		t.Fatalf("complete %v points %d saves %d", doc.Complete, len(doc.Points), saved)
	}
	for _, p := range doc.Points {
		if p.Produce == nil || p.Produce.Metrics.Records != 2000 || p.Consume == nil || p.Consume.Metrics.Records != 2200 {
			t.Fatalf("point %s: produce %+v consume %+v", p.Key, p.Produce, p.Consume)
		}
		if p.Produce.Config.Producer["linger.ms"] != p.Params["producer:linger.ms"] || p.Consume.Config.Consumer["max.poll.records"] != p.Params["consumer:max.poll.records"] {
			t.Fatalf("point %s ran with other settings", p.Key)
		}
		if p.OverheadS < 0 || p.WallS <= 0 {
			t.Errorf("timing of %s: wall %v overhead %v", p.Key, p.WallS, p.OverheadS)
		}
	}
	// Resume from a document holding two finished points: only two run.
	partial := *doc
	partial.Points = doc.Points[:2]
	cfg = smallSweep()
	cfg.Resume = &partial
	ran := 0
	cfg.Progress = func(done, total int, _ time.Duration, key string) {
		if key != "" {
			ran++
		}
	}
	again, err := Run(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if ran != 2 || len(again.Points) != 4 || again.Points[0].Produce != doc.Points[0].Produce {
		t.Fatalf("resume ran %d points, kept %d", ran, len(again.Points))
	}
}

func TestSweepInterruptKeepsFinishedPoints(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	cfg := smallSweep()
	ctx, cancel := context.WithCancel(context.Background())
	var last *result.Sweep
	var mu sync.Mutex
	cfg.Save = func(d *result.Sweep) error {
		mu.Lock()
		defer mu.Unlock()
		c := *d
		c.Points = append([]result.SweepPoint(nil), d.Points...)
		last = &c
		if len(d.Points) == 2 {
			cancel()
		}
		return nil
	}
	doc, err := Run(ctx, conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Complete || doc.StopReason != "interrupted" || len(doc.Points) != 2 || len(last.Points) != 2 {
		t.Fatalf("complete %v reason %q points %d saved %d", doc.Complete, doc.StopReason, len(doc.Points), len(last.Points))
	}
}

func TestBudget(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	cfg := smallSweep()
	cfg.Rate = 1000 // 2.2 s per point, estimated 4.3 s each with consumers
	cfg.Budget = 5 * time.Second
	if _, err := Run(context.Background(), conn, cfg); !errors.Is(err, ErrOverBudget) || !strings.Contains(err.Error(), "--trim") {
		t.Fatalf("over budget: %v", err)
	}
	cfg.Trim = true
	cfg.Rate = 0
	cfg.Budget = 3 * time.Second // about 2 of the 4 points at the default estimate
	doc, err := Run(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Trimmed == 0 || len(doc.Points)+doc.Trimmed != 4 || doc.StopReason != "trimmed to budget" {
		t.Fatalf("trimmed %d kept %d (%s)", doc.Trimmed, len(doc.Points), doc.StopReason)
	}
}
