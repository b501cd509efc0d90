package disrupt

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
)

func TestParseVary(t *testing.T) {
	dims, err := ParseVary([]string{"max.poll.records=50, 2000", "consumers=1,3", "fetch.max.bytes=1MiB,50m"})
	if err != nil {
		t.Fatal(err)
	}
	want := []result.Dimension{
		{Role: "consumer", Name: "max.poll.records", Values: []string{"50", "2000"}},
		{Role: "workload", Name: "consumers", Values: []string{"1", "3"}},
		{Role: "consumer", Name: "fetch.max.bytes", Values: []string{"1048576", "52428800"}},
	}
	if len(dims) != len(want) {
		t.Fatalf("dimensions %+v", dims)
	}
	for i := range want {
		if dims[i].Role != want[i].Role || dims[i].Name != want[i].Name || !slices.Equal(dims[i].Values, want[i].Values) {
			t.Errorf("dimension %d: %+v, want %+v", i, dims[i], want[i])
		}
	}
	for _, tt := range []struct {
		vary []string
		want string
	}{
		{[]string{"max.pol.records=5,6"}, `--vary unknown client property "max.pol.records" (did you mean max.poll.records?)`},
		{[]string{"linger.ms=0,5"}, "--vary linger.ms: not a consumer property"},
		{[]string{"max.poll.records=50,abc"}, `--vary max.poll.records: "abc" is not a whole number`},
		{[]string{"fetch.max.bytes=1x"}, `--vary fetch.max.bytes: "1x" is not a size`},
		{[]string{"consumers=0,2"}, `--vary consumers: "0" is not a whole number of at least 1`},
		{[]string{"max.poll.records"}, "want NAME=v1,v2"},
		{[]string{"consumers=1", "consumers=2"}, "--vary consumers: given twice"},
	} {
		_, err := ParseVary(tt.vary)
		if err == nil || !strings.HasPrefix(err.Error(), "--vary") || !strings.Contains(err.Error(), tt.want) || strings.Contains(err.Error(), "\n") {
			t.Errorf("%v: error %v, want one line with %q", tt.vary, err, tt.want)
		}
	}
}

// TestDrainSweepPlan: the points are every combination, each with its
// consumer configuration (the base under the point's settings) and
// consumer count; too many points and a refused value fail before
// anything runs.
func TestDrainSweepPlan(t *testing.T) {
	dims, err := ParseVary([]string{"max.poll.records=50,2000", "consumers=1,3"})
	if err != nil {
		t.Fatal(err)
	}
	cfg := DrainSweepConfig{Dimensions: dims, Consumer: []clientcfg.Property{{Key: "fetch.max.bytes", Value: "1048576"}, {Key: "max.poll.records", Value: "7"}}}
	cfg.Drain.Workload.Consume.Consumers = 2
	points, err := cfg.plan()
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, p := range points {
		eff := p.consumer.Effective()
		got = append(got, result.ParamsLabel(p.params)+" -> "+eff["max.poll.records"]+"/"+eff["fetch.max.bytes"]+"/"+fmt.Sprint(p.consumers))
	}
	want := []string{
		"consumers=1 max.poll.records=50 -> 50/1048576/1", "consumers=3 max.poll.records=50 -> 50/1048576/3",
		"consumers=1 max.poll.records=2000 -> 2000/1048576/1", "consumers=3 max.poll.records=2000 -> 2000/1048576/3",
	}
	if !slices.Equal(got, want) {
		t.Errorf("points:\n%q\nwant\n%q", got, want)
	}
	// Without a consumers dimension every point keeps the base count.
	one, _ := ParseVary([]string{"max.poll.records=50"})
	cfg.Dimensions = one
	if points, err := cfg.plan(); err != nil || len(points) != 1 || points[0].consumers != 2 {
		t.Errorf("one point: %+v, %v", points, err)
	}

	big, _ := ParseVary([]string{"max.poll.records=1,2,3,4,5", "consumers=1,2,3,4"})
	cfg.Dimensions = big
	if err := cfg.Validate(); err == nil || err.Error() != "--vary: 5 x 4 = 20 drains; at most 16 in one run: give fewer values" {
		t.Errorf("20 points: %v", err)
	}
	// A combination the client refuses fails with the point named.
	cfg.Dimensions, cfg.Consumer = one, []clientcfg.Property{{Key: "fetch.max.bytes", Value: "x"}}
	if err := cfg.Validate(); err == nil || !strings.Contains(err.Error(), "point max.poll.records=50: ") {
		t.Errorf("bad base: %v", err)
	}
	cfg.Consumer, cfg.Topic.NoCreate = nil, true
	if err := cfg.Validate(); err == nil || !strings.HasPrefix(err.Error(), "--no-create") {
		t.Errorf("--no-create: %v", err)
	}
}

// TestDrainSweepOnEmbeddedBroker runs a 2-point drain sweep on the
// embedded cluster: each point drains its own topic and catches up, and
// the document lists both with their settings.
func TestDrainSweepOnEmbeddedBroker(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	conn := testkit.Embedded(t, 1)
	dims, err := ParseVary([]string{"max.poll.records=50,2000"})
	if err != nil {
		t.Fatal(err)
	}
	prod := testkit.Resolve(t, clientcfg.Producer)
	saves := 0
	doc, err := DrainSweep(ctx, conn, DrainSweepConfig{
		Dimensions: dims, Topic: cluster.TopicSpec{Name: "drain-sweep", Partitions: 3},
		Drain: DrainConfig{
			Backlog: 2 << 20, MaxWait: 20 * time.Second, After: 500 * time.Millisecond, Interval: 250 * time.Millisecond,
			Workload: loadgen.E2EConfig{Produce: loadgen.ProduceConfig{Rate: 200, Values: payload.ValueConfig{Size: 1024}, Client: prod}},
		},
		Save: func(*result.DrainSweep) error { saves++; return nil },
	})
	if err != nil {
		t.Fatal(err)
	}
	if !doc.Complete || doc.StopReason != result.StopDone || len(doc.Points) != 2 || saves != 3 {
		t.Fatalf("sweep: complete %v (%s), %d points, %d saves", doc.Complete, doc.StopReason, len(doc.Points), saves)
	}
	for i, want := range []string{"max.poll.records=50", "max.poll.records=2000"} {
		p := doc.Points[i]
		d := p.Drain
		if p.Label != want || d.Config.Consumer["max.poll.records"] != strings.TrimPrefix(want, "max.poll.records=") {
			t.Errorf("point %d: %s, consumer max.poll.records %s", i, p.Label, d.Config.Consumer["max.poll.records"])
		}
		if !d.CaughtUp || d.TimeToCatchUpS == nil || d.DrainBytesPerSec <= 0 || d.BacklogBytes != 2<<20 || d.Workload.Topic != fmt.Sprintf("drain-sweep-%d", i+1) {
			t.Errorf("point %s: caught up %v (time set: %v), %.0f bytes/s, backlog %d, topic %s; resume %v s, intervals %+v", p.Label, d.CaughtUp, d.TimeToCatchUpS != nil, d.DrainBytesPerSec, d.BacklogBytes, d.Workload.Topic, d.ResumeS, d.Intervals)
		}
		if a := d.Audit; a == nil || !a.Clean() || a.Read != a.Acknowledged {
			t.Errorf("point %s: audit %+v", p.Label, d.Audit)
		}
	}
	if doc.Workload.Topic != "drain-sweep" || doc.Config.Consumer != nil || doc.Config.Producer == nil || doc.BacklogBytes != 2<<20 {
		t.Errorf("document setting: %+v", doc.Setting)
	}

	// Interrupted as the second point starts: the first is kept.
	ictx, stop := context.WithCancel(ctx)
	defer stop()
	doc, err = DrainSweep(ictx, conn, DrainSweepConfig{
		Dimensions: dims, Topic: cluster.TopicSpec{Name: "drain-sweep-cut", Partitions: 3},
		Drain: DrainConfig{
			Backlog: 256 << 10, MaxWait: 20 * time.Second, After: 250 * time.Millisecond, Interval: 250 * time.Millisecond,
			Workload: loadgen.E2EConfig{Produce: loadgen.ProduceConfig{Rate: 200, Values: payload.ValueConfig{Size: 1024}, Client: prod}},
		},
		OnPoint: func(i, _ int, _ string) {
			if i == 1 {
				stop()
			}
		},
	})
	if err != nil || doc.Complete || doc.StopReason != result.StopInterrupted || len(doc.Points) != 1 || len(doc.Notes) == 0 ||
		!strings.Contains(doc.Notes[len(doc.Notes)-1], "point max.poll.records=2000 was cut short") {
		t.Fatalf("interrupted sweep: err %v, complete %v (%s), %d points, notes %q", err, doc.Complete, doc.StopReason, len(doc.Points), doc.Notes)
	}
}

// TestDrainFiguresKeepTheCatchUpInterval: the interval in which the lag
// fell counts although rounding puts its end (0.251 s) after ResumeS +
// TimeToCatchUpS (0.25 s), as a run on the embedded broker had it.
func TestDrainFiguresKeepTheCatchUpInterval(t *testing.T) {
	ttc := 0.21
	d := &result.Drain{BacklogRecords: 2048, ResumeS: 0.04, TimeToCatchUpS: &ttc, Intervals: []result.PhaseInterval{
		{T: 0.251, Phase: phaseCatchUp, ConsumedPerSec: 8355, Lag: 0},
		{T: 0.503, Phase: phaseCaughtUp, ConsumedPerSec: 202, Lag: 0},
	}}
	drainFigures(d, 1024)
	if d.DrainRecordsPerSec != result.Round(2048/0.21) || d.DrainBytesPerSec != result.Round(2048*1024/0.21) || d.ConsumedPerSec != 8355 {
		t.Errorf("drain %.3f records/s, %.3f bytes/s, consumed %.0f/s", d.DrainRecordsPerSec, d.DrainBytesPerSec, d.ConsumedPerSec)
	}
}

// TestDrainConsumedRateWeighsIntervalsByLength: a stretched interval
// counts for its length: 1000/s over 1 s and 4000/s over 0.25 s read 2000
// records in 1.25 s, 1600/s (the mean of the rates would say 2500).
func TestDrainConsumedRateWeighsIntervalsByLength(t *testing.T) {
	d := &result.Drain{BacklogRecords: 2000, ResumeS: 0.5, Intervals: []result.PhaseInterval{
		{T: 0.5, Phase: phaseDrain, Lag: 2000},
		{T: 1.5, Phase: phaseCatchUp, ConsumedPerSec: 1000, Lag: 1000},
		{T: 1.75, Phase: phaseCatchUp, ConsumedPerSec: 4000, Lag: 0},
	}}
	drainFigures(d, 100)
	if d.ConsumedPerSec != 1600 || d.DrainRecordsPerSec != 1600 {
		t.Errorf("consumed %v/s, drain %v/s; want 1600 and 1600", d.ConsumedPerSec, d.DrainRecordsPerSec)
	}
}

func TestCoarse(t *testing.T) {
	at := func(s float64) *result.Drain { return &result.Drain{TimeToCatchUpS: &s} }
	if got := coarse(at(0.4), 250*time.Millisecond); got != "caught up in 0.40 s, less than 5 sampling intervals of 250ms: the time is known to within one interval, so its drain rate is a lower bound; a larger --backlog or a shorter --interval tells the points apart" {
		t.Errorf("0.4 s at 250 ms: %q", got)
	}
	if got := coarse(at(1.25), 250*time.Millisecond); got != "" {
		t.Errorf("1.25 s at 250 ms: %q", got)
	}
	if got := coarse(&result.Drain{}, time.Second); got != "" {
		t.Errorf("not caught up: %q", got)
	}
}
