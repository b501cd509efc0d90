package worker

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/kmsg"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/merge"
	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

func TestSpecValidate(t *testing.T) {
	for _, tc := range []struct {
		spec Spec
		want string
	}{
		{Spec{RunID: "r1", ID: 0, Workers: 1}, ""},
		{Spec{RunID: "r1", ID: 3, Workers: 4}, ""},
		{Spec{RunID: "r1", ID: 4, Workers: 4}, "--worker-id 4 is out of range for --workers 4: ids run from 0 to 3"},
		{Spec{RunID: "r1", ID: -1, Workers: 4}, "out of range"},
		{Spec{RunID: "r1", Workers: 0}, "--workers 0: must be at least 1"},
		{Spec{Workers: 2}, "--workers needs --run-id"},
		{Spec{RunID: "a b", Workers: 2}, `--run-id "a b"`},
		{Spec{RunID: "-x", Workers: 2}, "starting with a letter or digit"},
	} {
		err := tc.spec.Validate()
		if (err == nil) != (tc.want == "") || (err != nil && !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: error %v, want %q", tc.spec, err, tc.want)
		}
	}
	s := Spec{RunID: "r", Workers: 2}
	if err := s.Validate(); err != nil || s.ControlTopic != DefaultControlTopic || s.JoinTimeout != 2*time.Minute || s.StartDelay != 3*time.Second {
		t.Errorf("defaults: %+v %v", s, err)
	}
}

func TestSplitsAreEvenAndAddUp(t *testing.T) {
	total := loadgen.ProduceConfig{Records: 10, WarmupRecords: 5, Rate: 900, Producers: 4}
	var records, warm, producers int64
	var rate float64
	seeds := map[uint64]bool{}
	for id := 0; id < 3; id++ {
		s := Spec{RunID: "r", ID: id, Workers: 3}
		c, err := s.Produce(total)
		if err != nil {
			t.Fatal(err)
		}
		records, warm, producers, rate = records+c.Records, warm+c.WarmupRecords, producers+int64(c.Producers), rate+c.Rate
		seeds[c.Values.Seed] = true
		if !c.IntervalHistograms {
			t.Error("workers keep interval histograms")
		}
		if want := []int64{4, 3, 3}[id]; c.Records != want {
			t.Errorf("worker %d records %d, want %d", id, c.Records, want)
		}
	}
	if records != 10 || warm != 5 || producers != 4 || rate != 900 || len(seeds) != 3 {
		t.Errorf("shares add to records %d warm-up %d producers %d rate %v; %d distinct seeds", records, warm, producers, rate, len(seeds))
	}
	s := Spec{RunID: "r", ID: 0, Workers: 3}
	if _, err := s.Produce(loadgen.ProduceConfig{Records: 10, Producers: 2}); err == nil || !strings.Contains(err.Error(), "--producers 2 is fewer than --workers 3") {
		t.Errorf("too few producers: %v", err)
	}
	if _, err := s.Produce(loadgen.ProduceConfig{Records: 2, Producers: 3}); err == nil || !strings.Contains(err.Error(), "--records 2 is fewer than --workers 3") {
		t.Errorf("too few records: %v", err)
	}
	c, err := s.Consume(loadgen.ConsumeConfig{Consumers: 3}, 6)
	if err != nil || c.Group != "ktune-r" || c.Consumers != 1 {
		t.Errorf("consume share: %+v %v", c, err)
	}
	c, err = Spec{RunID: "r", ID: 1, Workers: 3}.Consume(loadgen.ConsumeConfig{Consumers: 3, Assign: true}, 7)
	if err != nil || fmt.Sprint(c.AssignPartitions) != "[1 4]" {
		t.Errorf("assigned partitions %v %v", c.AssignPartitions, err)
	}
	if _, err := s.Partitions(2); err == nil || !strings.Contains(err.Error(), "the topic has 2 partitions, fewer than --workers 3") {
		t.Errorf("too few partitions: %v", err)
	}
}

func TestDigest(t *testing.T) {
	w := result.Workload{Topic: "t", Records: 100, Rate: 10}
	cfg := result.ClientConfig{Producer: map[string]string{"acks": "all"}, Notes: []string{"a"}}
	d := Digest(result.KindProduce, w, cfg)
	if d != Digest(result.KindProduce, w, result.ClientConfig{Producer: map[string]string{"acks": "all"}}) {
		t.Error("notes changed the digest")
	}
	w2 := w
	w2.Rate = 20
	cfg2 := result.ClientConfig{Producer: map[string]string{"acks": "1"}}
	for name, other := range map[string]string{
		"rate": Digest(result.KindProduce, w2, cfg),
		"acks": Digest(result.KindProduce, w, cfg2),
		"kind": Digest(result.KindE2E, w, cfg),
	} {
		if other == d {
			t.Errorf("a different %s gave the same digest", name)
		}
	}
}

// joinAll joins n workers of run concurrently and returns their controls,
// start times and errors, by worker id.
func joinAll(t *testing.T, conn *cluster.Conn, specs []Spec, digests []string) ([]*Control, []time.Time, []error) {
	t.Helper()
	ctls := make([]*Control, len(specs))
	starts := make([]time.Time, len(specs))
	errs := make([]error, len(specs))
	var wg sync.WaitGroup
	for i := range specs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctls[i], starts[i], errs[i] = Join(context.Background(), conn, specs[i], digests[i])
		}()
	}
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range ctls {
			if c != nil {
				c.Close()
			}
		}
	})
	return ctls, starts, errs
}

func specs(run string, n int, timeout time.Duration) []Spec {
	s := make([]Spec, n)
	for i := range s {
		s[i] = Spec{RunID: run, ID: i, Workers: n, JoinTimeout: timeout, StartDelay: 500 * time.Millisecond}
	}
	return s
}

// TestWorkersMatchOneProcess runs three workers coordinated through the
// control topic, merges what they published and compares it with one
// process running the same total workload.
func TestWorkersMatchOneProcess(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	const n, records, rate = 3, 6000, 6000
	if _, err := conn.EnsureTopic(context.Background(), cluster.TopicSpec{Name: "load", Partitions: 6}); err != nil {
		t.Fatal(err)
	}
	total := loadgen.ProduceConfig{
		Topic: "load", Records: records, Rate: rate, Producers: n, Interval: 300 * time.Millisecond,
		Values: payload.ValueConfig{Kind: payload.Random, Size: 100, Seed: 1},
	}
	sp := specs("same", n, 30*time.Second)
	digest := Digest(result.KindProduce, total.Workload(), result.ClientConfig{})
	before := time.Now()
	ctls, starts, errs := joinAll(t, conn, sp, []string{digest, digest, digest})
	after := time.Now()
	for i, err := range errs {
		if err != nil {
			t.Fatalf("worker %d: %v", i, err)
		}
		if !starts[i].Equal(starts[0]) {
			t.Fatalf("start times differ: %v", starts)
		}
	}
	// The common start is the last join's send time plus the start delay,
	// and every join was sent while joinAll ran. (How far ahead of now it
	// lies depends on how fast the joins were read back: not checked.)
	if delay := sp[0].StartDelay; starts[0].Before(before.Add(delay)) || starts[0].After(after.Add(delay)) {
		t.Errorf("common start %v, want the last join's send time plus %v: within [%v, %v]", starts[0], delay, before.Add(delay), after.Add(delay))
	}
	var wg sync.WaitGroup
	docs := make([]*result.Document, n)
	for i := range sp {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg, err := sp[i].Produce(total)
			if err != nil {
				errs[i] = err
				return
			}
			cfg.StartAt = starts[i]
			docs[i], errs[i] = loadgen.Produce(context.Background(), conn, cfg)
			if errs[i] == nil {
				sp[i].Stamp(docs[i], digest, starts[i])
				errs[i] = ctls[i].Publish(context.Background(), docs[i])
			}
		}()
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		t.Fatal(err)
	}
	// No worker starts before the common start, and the workers ran side
	// by side: the last to start started before the first to end ended.
	// (How late after the common start a worker starts depends on the
	// machine's speed, and the product does not bound it: not checked.)
	lastStart, firstEnd := docs[0].Start, docs[0].End
	for i, d := range docs {
		if lag := d.Start.Sub(starts[i]); lag < 0 {
			t.Errorf("worker %d started %v before the common start", i, -lag)
		}
		if d.Start.After(lastStart) {
			lastStart = d.Start
		}
		if d.End.Before(firstEnd) {
			firstEnd = d.End
		}
	}
	if !lastStart.Before(firstEnd) {
		t.Errorf("the workers did not run side by side: one started at %v, after another ended at %v", lastStart, firstEnd)
	}

	got, err := Collect(context.Background(), conn, DefaultControlTopic, "same", 0, 10*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	if got.Workers != n || len(got.Documents) != n || len(got.Missing) != 0 {
		t.Fatalf("collected %d documents of %d workers, missing %v", len(got.Documents), got.Workers, got.Missing)
	}
	in := make([]merge.Input, n)
	pooled := hist.New()
	for i, d := range got.Documents {
		in[i] = merge.Input{Source: fmt.Sprint("worker ", i), Doc: d}
		h, _, err := d.Metrics.Histogram(result.LatencyIntended)
		if err != nil {
			t.Fatal(err)
		}
		pooled.Merge(h)
	}
	merged, err := merge.Merge(in, merge.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if merged.Metrics.Records != records || merged.Metrics.ErrorsTotal != 0 || merged.Workload.Records != records || merged.Workload.Rate != rate {
		t.Errorf("merged: %d records, %d errors, workload %+v", merged.Metrics.Records, merged.Metrics.ErrorsTotal, merged.Workload)
	}
	if l := merged.Metrics.Latency[result.LatencyIntended]; l != result.Summarize(pooled) || l.Count != records {
		t.Errorf("merged latency %+v, pooled %+v", l, result.Summarize(pooled))
	}
	var ivRecords int64
	for _, iv := range merged.Metrics.Intervals {
		ivRecords += iv.Records
	}
	if ivRecords != records {
		t.Errorf("merged intervals hold %d records, want %d", ivRecords, records)
	}

	// One process, the same total workload.
	single := total
	single.Topic = "load"
	doc, err := loadgen.Produce(context.Background(), conn, single)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Metrics.Records != merged.Metrics.Records || doc.Metrics.Bytes != merged.Metrics.Bytes {
		t.Errorf("one process: %d records %d bytes; merged workers: %d records %d bytes", doc.Metrics.Records, doc.Metrics.Bytes, merged.Metrics.Records, merged.Metrics.Bytes)
	}
	// The merged throughput is the total over the longest worker's window.
	// Slowness only lowers it; above the run's rate, the workers would not
	// have kept to their shares of it.
	var longest float64
	for _, d := range got.Documents {
		longest = max(longest, d.Metrics.ElapsedS)
	}
	if m := merged.Metrics; m.ElapsedS != longest || math.Abs(m.RecordsPerSec-records/longest) > 0.001 {
		t.Errorf("merged %v records/s over %v s, want %d records over the longest worker's %v s", m.RecordsPerSec, m.ElapsedS, records, longest)
	}
	if merged.Metrics.RecordsPerSec > 1.2*rate {
		t.Errorf("merged rate %v, want at most about %d: each worker keeps to its share of the rate", merged.Metrics.RecordsPerSec, rate)
	}
}

func TestJoinRefuses(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	t.Run("different configuration", func(t *testing.T) {
		_, _, errs := joinAll(t, conn, specs("cfg", 2, 10*time.Second), []string{"aaa", "bbb"})
		for i, err := range errs {
			if err == nil || !strings.Contains(err.Error(), "with a different configuration") {
				t.Errorf("worker %d: %v", i, err)
			}
		}
	})
	t.Run("worker that never joins", func(t *testing.T) {
		sp := specs("lonely", 3, 1500*time.Millisecond)
		_, _, errs := joinAll(t, conn, sp[:1], []string{"d"})
		if err := errs[0]; err == nil || !strings.Contains(err.Error(), `only 1 of 3 workers joined run "lonely" within 1.5s; missing worker ids: 1, 2`) {
			t.Errorf("%v", err)
		}
	})
	t.Run("worker id taken", func(t *testing.T) {
		// Two processes both pass --worker-id 0: the one that joined
		// second is told, and aborts the run, so the first fails at once
		// instead of waiting for its join timeout.
		sp := specs("dup", 2, 20*time.Second)
		start := time.Now()
		_, _, errs := joinAll(t, conn, []Spec{sp[0], sp[0]}, []string{"d", "d"})
		var taken, aborted int
		for _, err := range errs {
			switch {
			case err != nil && strings.HasPrefix(err.Error(), `worker id 0 of run "dup" already joined from host`):
				taken++
			case err != nil && strings.Contains(err.Error(), `aborted run "dup": worker id 0 of run "dup" already joined`):
				aborted++
			default:
				t.Errorf("unexpected: %v", err)
			}
		}
		if taken != 1 || aborted != 1 {
			t.Errorf("%d told the id was taken, %d told of the abort; want 1 and 1", taken, aborted)
		}
		if d := time.Since(start); d > 10*time.Second {
			t.Errorf("took %v: the abort should end the wait", d)
		}
	})
	t.Run("run id used before", func(t *testing.T) {
		sp := specs("used", 1, 5*time.Second)
		ctls, _, errs := joinAll(t, conn, sp, []string{"d"})
		if errs[0] != nil {
			t.Fatal(errs[0])
		}
		if err := ctls[0].Publish(context.Background(), &result.Document{Header: result.NewHeader(result.KindProduce)}); err != nil {
			t.Fatal(err)
		}
		_, _, errs = joinAll(t, conn, sp, []string{"d"})
		if err := errs[0]; err == nil || !strings.Contains(err.Error(), `run id "used" was used before`) {
			t.Errorf("%v", err)
		}
	})
	t.Run("collect a run that never was", func(t *testing.T) {
		_, err := Collect(context.Background(), conn, DefaultControlTopic, "nothing", 2, time.Second)
		if err == nil || !strings.Contains(err.Error(), `no message of run "nothing"`) {
			t.Errorf("%v", err)
		}
	})
}

// TestJoinTimeoutCountsOwnJoin times a join out before the worker has read
// anything back from the control topic (the broker holds every fetch): its
// own join was acknowledged, so the error counts it and names only the
// others missing, however slowly the topic reads back.
func TestJoinTimeoutCountsOwnJoin(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	release := make(chan struct{})
	t.Cleanup(func() { close(release) }) // before the cluster closes
	conn.Fake.ControlKey(int16(kmsg.Fetch), func(kmsg.Request) (kmsg.Response, error, bool) {
		conn.Fake.KeepControl()
		conn.Fake.SleepControl(func() { <-release })
		return nil, nil, false
	})
	sp := specs("unread", 3, 300*time.Millisecond)
	_, _, errs := joinAll(t, conn, sp[1:2], []string{"d"})
	err := errs[0]
	for _, want := range []string{
		`only 1 of 3 workers joined run "unread" within 300ms; missing worker ids: 0, 2 (start them`,
		`this worker had not read its own join back from control topic "__ktune_control" yet`,
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%v\nwant %q", err, want)
		}
	}

	// Every other id read, its own join not: nothing is missing, the
	// reading was too slow.
	c := &Control{spec: sp[1]}
	c.spec.ControlTopic = DefaultControlTopic
	err = c.joinTimedOut(map[int]message{0: {}, 2: {}}, false)
	if want := `every worker id of run "unread" joined, but this worker had not read its own join back from control topic "__ktune_control" within 300ms`; !strings.Contains(err.Error(), want) {
		t.Errorf("%v\nwant %q", err, want)
	}
}

// TestTransactionalWorkersDoNotFence runs two workers of a transactional
// run side by side, one producer each (the default): each must use a
// transactional.id of its own, or the second fences the first.
func TestTransactionalWorkersDoNotFence(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	// The transactional ids the broker is asked for, as it sees them.
	var mu sync.Mutex
	asked := map[string]bool{}
	conn.Fake.ControlKey(int16(kmsg.InitProducerID), func(req kmsg.Request) (kmsg.Response, error, bool) {
		conn.Fake.KeepControl()
		if id := req.(*kmsg.InitProducerIDRequest).TransactionalID; id != nil {
			mu.Lock()
			asked[*id] = true
			mu.Unlock()
		}
		return nil, nil, false
	})
	if _, err := conn.EnsureTopic(context.Background(), cluster.TopicSpec{Name: "txn", Partitions: 2}); err != nil {
		t.Fatal(err)
	}
	props, err := clientcfg.ParseAssignments([]string{"transactional.id=ktune-txn"})
	if err != nil {
		t.Fatal(err)
	}
	client, err := clientcfg.Resolve(props, clientcfg.Producer)
	if err != nil {
		t.Fatal(err)
	}
	const n, records = 2, 4000
	// Producers is --workers unless given: one producer per worker.
	total := loadgen.ProduceConfig{
		Topic: "txn", Records: records, Rate: 4000, Producers: n, Client: client, TransactionInterval: 20 * time.Millisecond,
		Interval: time.Hour, Values: payload.ValueConfig{Size: 100},
	}
	sp := specs("txn", n, 30*time.Second)
	cfgs := make([]loadgen.ProduceConfig, n)
	ids := make([]any, n)
	for i := range sp {
		if cfgs[i], err = sp[i].Produce(total); err != nil {
			t.Fatal(err)
		}
		if cfgs[i].Producers != 1 {
			t.Fatalf("worker %d runs %d producers, want the default one", i, cfgs[i].Producers)
		}
		cl, err := kgo.NewClient(append(cfgs[i].Client.ProducerOpts(0, cfgs[i].Producers), kgo.SeedBrokers("127.0.0.1:1"))...)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = cl.OptValue(kgo.TransactionalID)
		cl.Close()
	}
	if ids[0] == ids[1] || ids[0] == "" {
		t.Fatalf("the workers' producers have transactional.id %v and %v: they fence each other", ids[0], ids[1])
	}
	if client.TransactionalID() != "ktune-txn" {
		t.Errorf("splitting the run changed the run's configuration: transactional.id %q", client.TransactionalID())
	}

	docs := make([]*result.Document, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range cfgs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			docs[i], errs[i] = loadgen.Produce(context.Background(), conn, cfgs[i])
		}()
	}
	wg.Wait()
	for i := range docs {
		if errs[i] != nil {
			t.Fatalf("worker %d: %v", i, errs[i])
		}
		if d := docs[i]; !d.Complete || d.Metrics.Records != records/n || d.Metrics.ErrorsTotal != 0 {
			t.Errorf("worker %d: complete %v, %d records, %d errors", i, d.Complete, d.Metrics.Records, d.Metrics.ErrorsTotal)
		}
		if got := docs[i].Config.Producer["transactional.id"]; got != ids[i] {
			t.Errorf("worker %d records transactional.id %q, its client used %v", i, got, ids[i])
		}
	}
	mu.Lock()
	defer mu.Unlock()
	for i, id := range ids {
		if !asked[id.(string)] {
			t.Errorf("the broker never saw worker %d's transactional.id %v; it saw %v", i, id, asked)
		}
	}
}

func TestValidateCollect(t *testing.T) {
	for _, tc := range []struct {
		topic, runID string
		workers      int
		wait         time.Duration
		want         string
	}{
		{DefaultControlTopic, "r1", 0, time.Minute, ""},
		{DefaultControlTopic, "", 3, time.Minute, ""},
		{"", "r1", 0, time.Minute, "--control-topic must not be empty"},
		{DefaultControlTopic, "r1", -1, time.Minute, "--workers -1"},
		{DefaultControlTopic, "r1", 0, 0, "--wait 0s: must be positive"},
		{DefaultControlTopic, "bad id!", 0, time.Minute, `--run-id "bad id!"`},
	} {
		err := ValidateCollect(tc.topic, tc.runID, tc.workers, tc.wait)
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v", tc, err)
		}
	}
}

// TestCollectNamesMissingWorkers runs a three-worker run in which worker 2
// never starts and workers 0 and 1 are stopped while they wait: the merge
// must name each missing worker with what the control topic shows of it,
// wait for a control topic that no worker has created yet, and end once
// both have aborted (the run has failed: worker 2 can no longer join it),
// not at the end of its wait. Each step waits for the event it needs, not
// for a time.
func TestCollectNamesMissingWorkers(t *testing.T) {
	conn := testkit.Embedded(t, 1)
	const topic = "late-control"
	sp := specs("partial", 3, time.Minute)
	for i := range sp {
		sp[i].ControlTopic = topic
	}

	// The merge starts first, and looks for the control topic before it
	// exists: the workers start once the broker has seen it ask.
	looked := make(chan struct{})
	conn.Fake.ControlKey(int16(kmsg.Metadata), func(req kmsg.Request) (kmsg.Response, error, bool) {
		conn.Fake.KeepControl()
		for _, rt := range req.(*kmsg.MetadataRequest).Topics {
			if rt.Topic != nil && *rt.Topic == topic {
				conn.Fake.DropControl()
				close(looked)
				break
			}
		}
		return nil, nil, false
	})
	type collected struct {
		got *Collected
		err error
	}
	done := make(chan collected, 1)
	const wait = 5 * time.Minute
	began := time.Now()
	go func() {
		got, err := Collect(context.Background(), conn, topic, "partial", 0, wait)
		done <- collected{got, err}
	}()
	select {
	case <-looked:
	case r := <-done:
		t.Fatalf("collect returned before it looked for the control topic: %+v %v", r.got, r.err)
	}

	// Workers 0 and 1 join and, once both joins are on the topic, are
	// stopped (their context cancelled, as SIGTERM does) while they wait
	// for worker 2.
	ctx, stop := context.WithCancel(context.Background())
	defer stop()
	errs := make(chan error, 2)
	for i := range 2 {
		go func() {
			c, _, err := Join(ctx, conn, sp[i], "d")
			if c != nil {
				c.Close()
			}
			errs <- err
		}()
	}
	awaitJoins(t, conn, topic, "partial", 2)
	stop()
	for range 2 {
		if err := <-errs; err == nil {
			t.Fatal("a join succeeded without worker 2")
		}
	}

	r := <-done
	if r.err != nil {
		t.Fatalf("collect: %v", r.err)
	}
	if took := time.Since(began); took >= wait {
		t.Errorf("collect waited all of its %s though both workers that joined had aborted", took)
	}
	if r.got.Workers != 3 || !slices.Equal(r.got.Missing, []int{0, 1, 2}) {
		t.Fatalf("workers %d, missing %v; want 3 and [0 1 2]", r.got.Workers, r.got.Missing)
	}
	reasons := r.got.Reasons()
	want := []string{
		"worker 0 aborted: stopped while waiting for the other workers to join",
		"worker 1 aborted: stopped while waiting for the other workers to join",
		"worker 2 never joined",
	}
	if len(reasons) != len(want) {
		t.Fatalf("reasons %q", reasons)
	}
	for i, w := range want {
		if !strings.HasPrefix(reasons[i], w) {
			t.Errorf("reason %d: %q, want prefix %q", i, reasons[i], w)
		}
	}
}

// awaitJoins returns once n workers of run have joined on topic, reading
// it as the workers do; it fails t after a minute.
func awaitJoins(t *testing.T, conn *cluster.Conn, topic, run string, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	if err := awaitTopic(ctx, conn, topic); err != nil {
		t.Fatalf("control topic %q: %v", topic, err)
	}
	cl, err := newControlClient(conn, topic)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	joined := map[int]bool{}
	for len(joined) < n {
		fs := cl.PollFetches(ctx)
		if ctx.Err() != nil {
			t.Fatalf("%d of %d workers of run %q joined within a minute", len(joined), n, run)
		}
		for it := fs.RecordIter(); !it.Done(); {
			if m, ok := decode(it.Next(), run); ok && m.Type == typeJoin {
				joined[m.Worker] = true
			}
		}
	}
}

func TestRunFailed(t *testing.T) {
	doc := &result.Document{}
	for _, tc := range []struct {
		name    string
		joined  []int
		docs    []int
		aborted []int
		want    bool
	}{
		{"nothing yet", nil, nil, nil, false},
		{"results, no abort", []int{0, 1}, []int{0}, nil, false},
		{"an abort, a joined worker still running", []int{0, 1}, nil, []int{0}, false},
		{"an abort, the other joined worker published", []int{0, 1}, []int{1}, []int{0}, true},
		{"every joined worker aborted, one never joined", []int{0, 1}, nil, []int{0, 1}, true},
		{"an abort before its join was read", nil, nil, []int{2}, true},
	} {
		joined, docs, aborted := map[int]bool{}, map[int]*result.Document{}, map[int]string{}
		for _, id := range tc.joined {
			joined[id] = true
		}
		for _, id := range tc.docs {
			docs[id] = doc
		}
		for _, id := range tc.aborted {
			aborted[id] = "why"
		}
		if got := failed(joined, docs, aborted); got != tc.want {
			t.Errorf("%s: %v, want %v", tc.name, got, tc.want)
		}
	}
}

func TestReasons(t *testing.T) {
	c := &Collected{
		Missing: []int{1, 2, 3},
		Aborted: map[int]string{1: "no broker"},
		Joined:  map[int]bool{0: true, 1: true, 2: true},
	}
	want := []string{
		"worker 1 aborted: no broker",
		"worker 2 joined but published no result (stopped before it finished?)",
		"worker 3 never joined (check its log: it did not reach the cluster)",
	}
	if got := c.Reasons(); !slices.Equal(got, want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}
