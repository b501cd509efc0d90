package disrupt

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"

	"github.com/ktune/ktune/result"
)

// plan returns the replicas each partition gets for a reassigning action:
// reassign moves every replica to the next broker (by id, wrapping),
// decommission moves target's replicas to the least used other brokers,
// add-broker moves one replica of every other partition not on target onto
// it, increase-rf adds the least used broker to each partition.
func plan(action string, before map[int32][]int32, brokers []int32, target int32) (map[int32][]int32, error) {
	if len(brokers) == 0 {
		return nil, fmt.Errorf("no live brokers")
	}
	use := map[int32]int{}
	for _, b := range brokers {
		use[b] = 0
	}
	parts := make([]int32, 0, len(before))
	for p, rs := range before {
		parts = append(parts, p)
		for _, b := range rs {
			use[b]++
		}
	}
	slices.Sort(parts)
	// leastUsed returns the least used live broker outside rs.
	leastUsed := func(rs []int32) (int32, bool) {
		best, found := int32(-1), false
		for _, b := range brokers {
			if slices.Contains(rs, b) {
				continue
			}
			if !found || use[b] < use[best] {
				best, found = b, true
			}
		}
		return best, found
	}
	if action == "decommission" || action == "add-broker" {
		if !slices.Contains(brokers, target) {
			return nil, fmt.Errorf("broker %d is not live (live: %v)", target, brokers)
		}
	}
	after := map[int32][]int32{}
	for i, p := range parts {
		rs := slices.Clone(before[p])
		switch action {
		case "reassign":
			for j, b := range rs {
				k := slices.Index(brokers, b)
				rs[j] = brokers[(k+1)%len(brokers)]
			}
		case "decommission":
			if k := slices.Index(rs, target); k >= 0 {
				b, ok := leastUsed(rs)
				if !ok {
					return nil, fmt.Errorf("partition %d: no broker left to take broker %d's replica (replication factor %d, %d brokers)", p, target, len(rs), len(brokers))
				}
				rs[k] = b
				use[b]++
			}
		case "add-broker":
			if i%2 == 0 && !slices.Contains(rs, target) {
				rs[len(rs)-1] = target
			}
		case "increase-rf":
			b, ok := leastUsed(rs)
			if !ok {
				return nil, fmt.Errorf("partition %d has a replica on every broker already (replication factor %d)", p, len(rs))
			}
			rs = append(rs, b)
			use[b]++
		default:
			return nil, fmt.Errorf("%s is not a reassignment", action)
		}
		after[p] = rs
	}
	return after, nil
}

// reassign plans and performs a reassignment of the topic, with the
// replication throttle when one is set, and waits for it to finish.
func (e *env) reassign(ctx context.Context) error {
	td, err := e.describe(ctx)
	if err != nil {
		return err
	}
	before := map[int32][]int32{}
	leaders := map[int32]int32{}
	for p, d := range td.Partitions {
		before[p] = slices.Clone(d.Replicas)
		leaders[p] = d.Leader
	}
	ids, err := e.brokers(ctx)
	if err != nil {
		return err
	}
	after, err := plan(e.cfg.Action, before, ids, e.broker)
	if err != nil {
		return err
	}
	ra := &result.Reassignment{Partitions: len(after), Before: before, After: after, ThrottleBytesPerSec: e.cfg.Throttle}
	e.reassignment = ra
	set := kadm.TopicsSet{}
	for p := range before {
		set.Add(e.topic, p)
	}
	sizes := e.partitionSizes(ctx, set, leaders)
	req := kadm.AlterPartitionAssignmentsReq{}
	for p, rs := range after {
		added, removed := diff(before[p], rs)
		ra.ReplicasAdded += added
		ra.ReplicasRemoved += removed
		ra.BytesMoved += int64(added) * sizes[p]
		req.Assign(e.topic, p, rs)
	}
	if e.cfg.Throttle > 0 {
		if err := e.throttle(ctx, ids, true); err != nil {
			return err
		}
		defer func() {
			// The throttle must go even when the run was interrupted.
			cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
			defer cancel()
			if err := e.throttle(cctx, ids, false); err != nil {
				e.note(fmt.Sprintf("removing the replication throttle failed: %v; remove it by hand (kafka-configs --alter --delete-config)", err))
			}
		}()
	}
	start := time.Now()
	resp, err := e.adm.AlterPartitionAssignments(ctx, req)
	if err == nil {
		err = resp.Error()
	}
	if err != nil {
		return fmt.Errorf("starting the reassignment: %w", err)
	}
	e.step(fmt.Sprintf("reassignment of %d partitions started (%d replicas added, about %d bytes to copy)", len(after), ra.ReplicasAdded, ra.BytesMoved))
	if err := e.waitReassigned(ctx, set); err != nil {
		return err
	}
	ra.DurationS = result.Round(time.Since(start).Seconds())
	e.step(fmt.Sprintf("reassignment finished in %.1f s", ra.DurationS))
	// Metadata reaches every broker a moment after the controller ends
	// the reassignment: wait for it to show the target replicas.
	werr := e.waitTopicFor(ctx, 30*time.Second, "every partition on its target replicas", func(p kadm.PartitionDetail) bool {
		a, r := diff(p.Replicas, after[p.Partition])
		return a+r == 0
	})
	ra.Complete = werr == nil
	if werr != nil {
		e.note(werr.Error())
	}
	return nil
}

// diff counts the replicas of to that from lacks (added) and those of from
// that to lacks (removed).
func diff(from, to []int32) (added, removed int) {
	for _, b := range to {
		if !slices.Contains(from, b) {
			added++
		}
	}
	for _, b := range from {
		if !slices.Contains(to, b) {
			removed++
		}
	}
	return added, removed
}

// partitionSizes returns each partition's log size on its leader (0 where
// the brokers do not say).
func (e *env) partitionSizes(ctx context.Context, set kadm.TopicsSet, leaders map[int32]int32) map[int32]int64 {
	sizes := map[int32]int64{}
	all, err := e.adm.DescribeAllLogDirs(ctx, set)
	if err != nil {
		e.note(fmt.Sprintf("log dir sizes unavailable (%v): bytes moved is unknown", err))
		return sizes
	}
	for b, dirs := range all {
		dirs.EachPartition(func(d kadm.DescribedLogDirPartition) {
			if d.Topic == e.topic && leaders[d.Partition] == b && !d.IsFuture {
				sizes[d.Partition] += d.Size
			}
		})
	}
	return sizes
}

// throttle sets (or removes) the replication throttle as
// kafka-reassign-partitions --throttle does: the rate on every broker and
// every replica of the topic throttled.
func (e *env) throttle(ctx context.Context, brokers []int32, on bool) error {
	rate := strconv.FormatInt(e.cfg.Throttle, 10)
	all := "*"
	op, what := kadm.SetConfig, "set"
	if !on {
		op, what = kadm.DeleteConfig, "removed"
	}
	bcfg := []kadm.AlterConfig{
		{Op: op, Name: "leader.replication.throttled.rate", Value: &rate},
		{Op: op, Name: "follower.replication.throttled.rate", Value: &rate},
	}
	tcfg := []kadm.AlterConfig{
		{Op: op, Name: "leader.replication.throttled.replicas", Value: &all},
		{Op: op, Name: "follower.replication.throttled.replicas", Value: &all},
	}
	if !on {
		for i := range bcfg {
			bcfg[i].Value = nil
		}
		for i := range tcfg {
			tcfg[i].Value = nil
		}
	}
	for _, b := range brokers {
		rs, err := e.adm.AlterBrokerConfigs(ctx, bcfg, b)
		if err == nil {
			for _, r := range rs {
				if r.Err != nil {
					err = fmt.Errorf("%v %s", r.Err, r.ErrMessage)
				}
			}
		}
		if err != nil {
			return fmt.Errorf("replication throttle on broker %d: %w", b, err)
		}
	}
	rs, err := e.adm.AlterTopicConfigs(ctx, tcfg, e.topic)
	if err == nil {
		for _, r := range rs {
			if r.Err != nil {
				err = fmt.Errorf("%v %s", r.Err, r.ErrMessage)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("replication throttle on topic %q: %w", e.topic, err)
	}
	e.step(fmt.Sprintf("replication throttle of %d bytes/s %s", e.cfg.Throttle, what))
	return nil
}

// waitReassigned polls until the topic has no reassignment in progress.
func (e *env) waitReassigned(ctx context.Context, set kadm.TopicsSet) error {
	ctx, cancel := context.WithTimeout(ctx, e.cfg.OpTimeout)
	defer cancel()
	for {
		rs, err := e.adm.ListPartitionReassignments(ctx, set)
		if err == nil && len(rs[e.topic]) == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("the reassignment did not finish within %s (--op-timeout): %w", e.cfg.OpTimeout, ctx.Err())
		case <-time.After(250 * time.Millisecond):
		}
	}
}
