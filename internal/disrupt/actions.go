package disrupt

import (
	"context"
	"fmt"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
)

// Actions are the operations ktune disrupt performs.
var Actions = []string{
	"broker-stop", "broker-restart", "rolling-restart",
	"reassign", "add-broker", "decommission", "increase-rf", "add-partitions", "elect-leaders",
	"consumer-join", "consumer-leave",
}

// needsExec reports whether an action runs the --exec commands.
func needsExec(action string) bool {
	switch action {
	case "broker-stop", "broker-restart", "rolling-restart":
		return true
	}
	return false
}

// targetsBroker reports whether an action acts on one broker (--broker).
func targetsBroker(action string) bool {
	switch action {
	case "broker-stop", "broker-restart", "add-broker", "decommission":
		return true
	}
	return false
}

// runCommand runs a command template with {broker} replaced, through sh.
func (e *env) runCommand(ctx context.Context, tmpl string, broker int32) error {
	line := strings.ReplaceAll(tmpl, "{broker}", strconv.Itoa(int(broker)))
	e.step(fmt.Sprintf("run %q", line))
	cctx, cancel := context.WithTimeout(ctx, e.cfg.OpTimeout)
	defer cancel()
	out, err := exec.CommandContext(cctx, "sh", "-c", line).CombinedOutput()
	if err != nil {
		return fmt.Errorf("%q failed: %v: %s", line, err, strings.TrimSpace(string(out)))
	}
	return nil
}

// stopBroker runs --exec for broker and waits until it leads nothing.
func (e *env) stopBroker(ctx context.Context, b int32) error {
	if err := e.runCommand(ctx, e.cfg.Exec, b); err != nil {
		return err
	}
	return e.waitTopic(ctx, fmt.Sprintf("no partition led by broker %d", b), func(p kadm.PartitionDetail) bool {
		return p.Leader >= 0 && p.Leader != b
	})
}

// startBroker runs --exec-start for broker and waits until every replica
// is in sync again.
func (e *env) startBroker(ctx context.Context, b int32) error {
	if err := e.runCommand(ctx, e.cfg.ExecStart, b); err != nil {
		return err
	}
	return e.waitInSync(ctx)
}

func (e *env) waitInSync(ctx context.Context) error {
	return e.waitTopic(ctx, "every replica in sync", func(p kadm.PartitionDetail) bool {
		return p.Leader >= 0 && len(p.ISR) == len(p.Replicas)
	})
}

// waitTopic polls the topic's metadata until ok holds for every
// partition, within OpTimeout.
func (e *env) waitTopic(ctx context.Context, what string, ok func(kadm.PartitionDetail) bool) error {
	return e.waitTopicFor(ctx, e.cfg.OpTimeout, what, ok)
}

// waitTopicFor is waitTopic within timeout.
func (e *env) waitTopicFor(ctx context.Context, timeout time.Duration, what string, ok func(kadm.PartitionDetail) bool) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for {
		td, err := e.describe(ctx)
		if err == nil {
			all := len(td.Partitions) > 0
			for _, p := range td.Partitions {
				all = all && p.Err == nil && ok(p)
			}
			if all {
				e.step(what)
				return nil
			}
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for %s: %w", what, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}

func (e *env) describe(ctx context.Context) (kadm.TopicDetail, error) {
	tds, err := e.adm.ListTopics(ctx, e.topic)
	if err != nil {
		return kadm.TopicDetail{}, err
	}
	td, ok := tds[e.topic]
	if !ok {
		return kadm.TopicDetail{}, fmt.Errorf("topic %q not found", e.topic)
	}
	return td, td.Err
}

// brokers returns the ids of the live brokers, sorted.
func (e *env) brokers(ctx context.Context) ([]int32, error) {
	bs, err := e.adm.ListBrokers(ctx)
	if err != nil {
		return nil, fmt.Errorf("listing brokers: %w", err)
	}
	ids := bs.NodeIDs()
	slices.Sort(ids)
	return ids, nil
}

// pause waits d unless ctx ends.
func pause(ctx context.Context, d time.Duration) error {
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-time.After(d):
		return nil
	}
}

// restart stops broker b, waits --down and starts it again. A stopped
// broker is started again also when ctx ends meanwhile (Ctrl-C), so an
// interrupted run does not leave the cluster a broker short.
func (e *env) restart(ctx context.Context, b int32) error {
	if err := e.stopBroker(ctx, b); err != nil {
		return err
	}
	perr := pause(ctx, e.cfg.Down)
	if err := e.startBroker(context.WithoutCancel(ctx), b); err != nil {
		return err
	}
	return perr
}

// perform runs the configured action.
func (e *env) perform(ctx context.Context) error {
	b := e.broker
	switch e.cfg.Action {
	case "broker-stop":
		return e.stopBroker(ctx, b)
	case "broker-restart":
		return e.restart(ctx, b)
	case "rolling-restart":
		ids, err := e.brokers(ctx)
		if err != nil {
			return err
		}
		for _, id := range ids {
			if err := e.restart(ctx, id); err != nil {
				return err
			}
		}
		return nil
	case "reassign", "add-broker", "decommission", "increase-rf":
		return e.reassign(ctx)
	case "add-partitions":
		resp, err := e.adm.CreatePartitions(ctx, e.cfg.AddPartitions, e.topic)
		if err == nil {
			err = resp.Error()
		}
		if err != nil {
			return fmt.Errorf("adding %d partitions: %w", e.cfg.AddPartitions, err)
		}
		e.step(fmt.Sprintf("added %d partitions", e.cfg.AddPartitions))
		return e.waitTopic(ctx, "every new partition led", func(p kadm.PartitionDetail) bool { return p.Leader >= 0 })
	case "elect-leaders":
		td, err := e.describe(ctx)
		if err != nil {
			return err
		}
		set := kadm.TopicsSet{}
		for p := range td.Partitions {
			set.Add(e.topic, p)
		}
		res, err := e.adm.ElectLeaders(ctx, kadm.ElectPreferredReplica, set)
		if err != nil {
			return fmt.Errorf("electing preferred leaders: %w", err)
		}
		var moved int
		for _, ps := range res {
			for _, r := range ps {
				if r.Err == nil {
					moved++
				}
			}
		}
		e.step(fmt.Sprintf("preferred leader elected on %d partitions (the others already had it)", moved))
		return nil
	case "consumer-join":
		for range e.cfg.Members {
			if _, err := e.members.add(ctx); err != nil {
				return err
			}
		}
		e.step(fmt.Sprintf("%d member(s) joined", e.cfg.Members))
		return e.members.waitAssigned(ctx, e.cfg.OpTimeout)
	case "consumer-leave":
		e.members.leaveAll()
		e.step(fmt.Sprintf("%d member(s) left", e.cfg.Members))
		return nil
	}
	return fmt.Errorf("unknown action %q: want one of %s", e.cfg.Action, strings.Join(Actions, ", "))
}
