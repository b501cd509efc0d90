// Package disrupt measures what an operation costs the clients: a steady
// workload (a producer at a set rate and a consumer group, as e2e) runs a
// baseline window, ktune performs the operation (a broker stopped or
// restarted through a command, a reassignment, partitions added, leaders
// elected, group members joining or leaving), and keeps measuring until the
// clients are back to the baseline or a bound passes. Every record is
// audited for loss, duplication and reordering.
package disrupt

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/ktune/ktune/internal/audit"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/result"
)

// Config describes one disruption run.
type Config struct {
	// Action is one of Actions.
	Action string
	// Broker is the broker an action targets; -1 picks the leader of
	// partition 0 (broker-stop, broker-restart) and is an error for
	// add-broker and decommission.
	Broker int32
	// Exec and ExecStart are the command templates that stop and start a
	// broker ({broker} is replaced by its id); run through sh -c.
	Exec, ExecStart string
	// Down is how long a restarted broker stays down. Default 5 s.
	Down time.Duration
	// Warmup runs before the baseline and is not part of it. Default 3 s.
	Warmup time.Duration
	// Baseline is the window that defines normal. Default 30 s.
	Baseline time.Duration
	// Settle is how long the clients must stay at the baseline to count
	// as recovered. Default 30 s.
	Settle time.Duration
	// MaxWait bounds the measuring after the operation. Default 2 min.
	MaxWait time.Duration
	// OpTimeout bounds the operation itself. Default 10 min.
	OpTimeout time.Duration
	// Interval is the sampling interval of the time series. Default 1 s.
	Interval time.Duration
	// P99Tolerance is how much above the baseline p99 counts as back to
	// it (0.1: 10%); P99Floor the absolute slack below which differences
	// are noise. Defaults 0.1 and 5 ms.
	P99Tolerance float64
	P99Floor     time.Duration
	// WindowMin is the shortest stretch without acknowledgements on a
	// partition that counts as an unavailability window. Default 500 ms.
	WindowMin time.Duration
	// Throttle is the replication throttle in bytes/s for reassignments
	// (0: none); it is removed when the reassignment ends.
	Throttle int64
	// AddPartitions is how many partitions add-partitions adds. Default 3.
	AddPartitions int
	// Members is how many group members join or leave. Default 1.
	Members int
	// Workload is the steady workload; its Produce.Rate must be set.
	// Produce.Duration and Records are set by Run.
	Workload loadgen.E2EConfig
	// OnInterval, if set, gets each point of the time series.
	OnInterval func(result.PhaseInterval)
	Logger     *slog.Logger
}

// Validate checks what the caller chose, before any cluster is started
// or contacted. Zero durations are left to defaults; Members and
// P99Tolerance must be set (defaults sets them when zero).
func (c *Config) Validate() error {
	switch {
	case !slices.Contains(Actions, c.Action):
		return fmt.Errorf("--action %q: must be one of %s", c.Action, strings.Join(Actions, ", "))
	case needsExec(c.Action) && c.Exec == "":
		return fmt.Errorf("--action %s needs --exec, the command that stops a broker, e.g. --exec 'scripts/kafka.sh stop-broker {broker}'", c.Action)
	case (c.Action == "broker-restart" || c.Action == "rolling-restart") && c.ExecStart == "":
		return fmt.Errorf("--action %s needs --exec-start, the command that starts a broker, e.g. --exec-start 'scripts/kafka.sh start-broker {broker}'", c.Action)
	case (c.Action == "add-broker" || c.Action == "decommission") && c.Broker < 0:
		return fmt.Errorf("--action %s needs --broker ID", c.Action)
	case c.Workload.Produce.Rate <= 0:
		return fmt.Errorf("--rate %v: disrupt needs a set rate: a baseline needs a steady load", c.Workload.Produce.Rate)
	case c.Throttle < 0:
		return fmt.Errorf("--throttle %d: must not be negative", c.Throttle)
	case c.P99Tolerance <= 0 || math.IsNaN(c.P99Tolerance) || math.IsInf(c.P99Tolerance, 0):
		return fmt.Errorf("--p99-tolerance %v: must be a positive fraction, e.g. 0.1 for 10%%", c.P99Tolerance)
	case c.Members < 1:
		return fmt.Errorf("--members %d: must be at least 1", c.Members)
	case c.AddPartitions < 1:
		return fmt.Errorf("--add-partitions %d: must be at least 1", c.AddPartitions)
	}
	return nil
}

func (c *Config) defaults() error {
	if c.P99Tolerance == 0 {
		c.P99Tolerance = 0.1
	}
	if c.AddPartitions == 0 {
		c.AddPartitions = 3
	}
	if c.Members == 0 {
		c.Members = 1
	}
	if err := c.Validate(); err != nil {
		return err
	}
	if err := checkWorkload(c.Workload); err != nil {
		return err
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&c.Down, 5*time.Second)
	def(&c.Warmup, 3*time.Second)
	def(&c.Baseline, 30*time.Second)
	def(&c.Settle, 30*time.Second)
	def(&c.MaxWait, 2*time.Minute)
	def(&c.OpTimeout, 10*time.Minute)
	def(&c.Interval, time.Second)
	def(&c.P99Floor, 5*time.Millisecond)
	def(&c.WindowMin, 500*time.Millisecond)
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	return nil
}

// env is what an operation works with.
type env struct {
	cfg     *Config
	adm     *kadm.Client
	topic   string
	broker  int32
	members *members
	start   time.Time

	mu           sync.Mutex
	steps        []result.Step
	notes        []string
	reassignment *result.Reassignment
}

func (e *env) step(what string) {
	e.mu.Lock()
	e.steps = append(e.steps, result.Step{AtS: secs(time.Since(e.start)), What: what})
	e.mu.Unlock()
	e.cfg.Logger.Info(what)
}

func (e *env) note(s string) {
	e.mu.Lock()
	e.notes = append(e.notes, s)
	e.mu.Unlock()
}

// Run performs one disruption run against conn and returns its document.
// The document is returned also when the run was cut short (Complete
// false); the error says why.
func Run(ctx context.Context, conn *cluster.Conn, cfg Config) (*result.Disruption, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	w := cfg.Workload
	topic := w.Produce.Topic
	if w.Consume.Group == "" {
		w.Consume.Group = fmt.Sprintf("ktune-disrupt-%d", time.Now().UnixNano())
	}
	admCl, err := conn.NewClient()
	if err != nil {
		return nil, err
	}
	defer admCl.Close()
	e := &env{cfg: &cfg, adm: kadm.NewClient(admCl), topic: topic, broker: cfg.Broker, start: time.Now()}
	// A topic created a moment ago may not be known to every broker yet.
	if err := e.waitTopicFor(ctx, 30*time.Second, "every partition led", func(p kadm.PartitionDetail) bool { return p.Leader >= 0 }); err != nil {
		return nil, fmt.Errorf("topic %q: %w", topic, err)
	}
	e.steps = nil
	td, err := e.describe(ctx)
	if err != nil {
		return nil, fmt.Errorf("describing %q: %w", topic, err)
	}
	var led []int32
	if targetsBroker(cfg.Action) && e.broker < 0 {
		e.broker = td.Partitions[0].Leader
	}
	for p, d := range td.Partitions {
		if targetsBroker(cfg.Action) && d.Leader == e.broker {
			led = append(led, p)
		}
	}
	slices.Sort(led)

	ledger := audit.New()
	tracker := newAckTracker(ledger, e.start, cfg.WindowMin)
	prod, cons := newHistSlot(), newHistSlot()
	stop := make(chan struct{})
	w.Audit = ledger
	w.Produce.Acks = tracker
	w.Produce.Stop = stop
	w.Produce.Records = 0
	w.Produce.Duration = cfg.Warmup + cfg.Baseline + cfg.OpTimeout + cfg.MaxWait + cfg.Settle
	w.Produce.IntervalHistograms, w.Consume.IntervalHistograms = true, true
	w.Produce.Interval, w.Consume.Interval = cfg.Interval, cfg.Interval
	w.Produce.OnInterval, w.Consume.OnInterval = prod.add, cons.add
	e.members = &members{conn: conn, client: w.Consume.Client, group: w.Consume.Group, topic: topic, ledger: ledger}

	smp := newSampler(e.start, cfg.Interval, ledger, prod, cons, tolerance{P99Ratio: 1 + cfg.P99Tolerance, P99Floor: float64(cfg.P99Floor) / 1e6}, cfg.Settle)
	finished := make(chan e2eResult, 1)
	go func() {
		doc, err := loadgen.E2E(ctx, conn, w)
		finished <- e2eResult{doc, err}
	}()
	smp.onInterval = cfg.OnInterval
	go smp.run()

	d := &result.Disruption{Header: result.NewHeader(result.KindDisruption), Action: cfg.Action}
	d.Start = e.start
	if targetsBroker(cfg.Action) {
		b := e.broker
		d.Broker = &b
	}
	d.Settings = settings(&cfg)
	d.Workload = workload(w)
	d.Operation.AffectedPartitions = led

	var res *e2eResult
	// wait returns false when the workload ended or ctx did.
	wait := func(dur time.Duration) bool {
		select {
		case r := <-finished:
			res = &r
			return false
		case <-ctx.Done():
			return false
		case <-time.After(dur):
			return true
		}
	}
	runErr := func() error {
		joinBy := time.Now().Add(w.JoinTimeout + 90*time.Second)
		for {
			if _, ok := tracker.started(); ok {
				break
			}
			if !wait(50*time.Millisecond) || time.Now().After(joinBy) {
				return errors.New("the workload did not start")
			}
		}
		e.step("workload started")
		if cfg.Action == "consumer-leave" {
			for range cfg.Members {
				if _, err := e.members.add(ctx); err != nil {
					return err
				}
			}
			if err := e.members.waitAssigned(ctx, cfg.OpTimeout); err != nil {
				return err
			}
			e.step(fmt.Sprintf("%d member(s) added, to leave later", cfg.Members))
		}
		if !wait(cfg.Warmup) {
			return errors.New("the workload ended during the warm-up")
		}
		bs := smp.setPhase(phaseBaseline)
		if !wait(cfg.Baseline) {
			return errors.New("the workload ended during the baseline")
		}
		before := max(1, w.Consume.Consumers) + e.members.count()
		opStart := smp.setPhase(phaseOperation)
		d.Baseline = smp.fixBaseline(bs, opStart)
		d.Operation.StartS = opStart
		e.step("operation " + cfg.Action + " starts")
		opErr := e.perform(ctx)
		opEnd := smp.setPhase(phaseRecovery)
		smp.operationEnded(opEnd)
		d.Operation.EndS, d.Operation.DurationS = opEnd, result.Round(opEnd-opStart)
		if opErr != nil {
			d.Operation.Error = opErr.Error()
			e.step("operation failed: " + opErr.Error())
		} else {
			e.step("operation ends")
		}
		if cfg.Action == "consumer-join" || cfg.Action == "consumer-leave" {
			d.Rebalance = &result.Rebalance{
				Assignor:      w.Consume.Client.Effective()["partition.assignment.strategy"],
				GroupProtocol: w.Consume.Client.Effective()["group.protocol"],
				MembersBefore: before, MembersAfter: max(1, w.Consume.Consumers) + e.members.count(),
			}
		}
		deadline := time.After(cfg.MaxWait)
		for {
			select {
			case r := <-finished:
				res = &r
				return errors.New("the workload ended before the clients recovered")
			case <-ctx.Done():
				return ctx.Err()
			case <-deadline:
				d.StopReason = result.StopMaxWait
				return opErr
			case <-smp.ticks:
				if at, ok := smp.recovered(); ok {
					d.Recovered = true
					ttr := result.Round(max(0, at-opStart))
					d.TimeToRecoverS = &ttr
					d.StopReason = result.StopRecovered
					e.step(fmt.Sprintf("back to the baseline for %s", cfg.Settle))
					return opErr
				}
			}
		}
	}()
	sendEnd := time.Since(e.start)
	smp.setPhase(phaseDrain)
	close(stop)
	if res == nil {
		r := <-finished
		res = &r
	}
	e.members.leaveAll()
	smp.stop()
	if cfg.Action == "broker-stop" && cfg.ExecStart != "" {
		// Restore the cluster; not part of the measurement.
		rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), cfg.OpTimeout)
		if err := e.startBroker(rctx, e.broker); err != nil {
			e.note(fmt.Sprintf("restarting broker %d after the run failed: %v", e.broker, err))
		}
		cancel()
	}
	return e.finish(d, res, tracker, smp, sendEnd, runErr)
}

// finish fills d from the workload's document and the samplers.
func (e *env) finish(d *result.Disruption, res *e2eResult, tracker *ackTracker, smp *sampler, sendEnd time.Duration, runErr error) (*result.Disruption, error) {
	d.End = time.Now()
	d.Windows = tracker.finish(sendEnd)
	d.Intervals = smp.intervals()
	e.mu.Lock()
	d.Operation.Steps = e.steps
	d.Notes = append(d.Notes, e.notes...)
	d.Reassignment = e.reassignment
	e.mu.Unlock()
	if doc := res.doc; doc != nil {
		fromRun(&d.Setting, doc)
		d.Metrics, d.Audit = doc.Metrics, doc.Audit
		d.Notes = append(d.Notes, doc.Notes...)
	}
	if d.Rebalance != nil {
		d.Rebalance.StopMs = result.Round(float64(smp.deliveryGapAfterBaseline()) / 1e6)
		if d.Audit != nil {
			d.Rebalance.Redelivered = d.Audit.Redelivered
		}
	}
	err := runErr
	if err == nil {
		err = res.err
	}
	switch {
	case err == nil && d.Operation.Error == "":
		d.Complete = true
		if d.StopReason == "" {
			d.StopReason = result.StopRecovered
		}
	case errors.Is(err, context.Canceled):
		d.StopReason = result.StopInterrupted
	default:
		d.StopReason = result.StopError
		if err == nil {
			err = errors.New(d.Operation.Error)
		}
		d.Error = err.Error()
	}
	if d.StopReason == result.StopInterrupted {
		return d, nil
	}
	return d, err
}

// checkWorkload refuses what the steady workload does not support: a
// transactional producer (ending the sending early aborts its last
// transaction, whose acknowledged records the audit would count as lost).
func checkWorkload(w loadgen.E2EConfig) error {
	if c := w.Produce.Client; c != nil && c.TransactionalID() != "" {
		return errors.New("transactional.id is not supported by disrupt and drain yet: the audit would count the aborted last transaction as lost")
	}
	return nil
}

// workload is the steady workload as the document records it.
func workload(w loadgen.E2EConfig) result.Workload {
	wl := w.Produce.Workload()
	wl.DurationS = 0
	wl.Consumers, wl.Group = max(1, w.Consume.Consumers), w.Consume.Group
	return wl
}

// fromRun copies the cluster, client configuration and host of the
// workload's e2e document.
func fromRun(s *result.Setting, doc *result.Document) {
	s.Cluster, s.Config, s.Host = doc.Cluster, doc.Config, doc.Host
}

type e2eResult struct {
	doc *result.Document
	err error
}

// settings lists the run's parameters for the document.
func settings(c *Config) map[string]string {
	s := map[string]string{
		"baseline": c.Baseline.String(), "settle": c.Settle.String(), "max_wait": c.MaxWait.String(),
		"warmup": c.Warmup.String(), "interval": c.Interval.String(),
		"p99_tolerance": strconv.FormatFloat(c.P99Tolerance, 'f', -1, 64), "p99_floor": c.P99Floor.String(),
		"window_min": c.WindowMin.String(),
	}
	if needsExec(c.Action) {
		s["exec"], s["exec_start"], s["down"] = c.Exec, c.ExecStart, c.Down.String()
	}
	if c.Throttle > 0 {
		s["throttle"] = strconv.FormatInt(c.Throttle, 10)
	}
	switch c.Action {
	case "add-partitions":
		s["add_partitions"] = strconv.Itoa(c.AddPartitions)
	case "consumer-join", "consumer-leave":
		s["members"] = strconv.Itoa(c.Members)
	}
	return s
}
