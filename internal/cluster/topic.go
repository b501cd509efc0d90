package cluster

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"
)

// DefaultPartitions is the partition count of a topic ktune creates when
// nothing else sets one.
const DefaultPartitions = 6

// TopicSpec describes the topic a run needs.
type TopicSpec struct {
	Name string
	// Partitions and ReplicationFactor are used when the topic is created;
	// 0 or less means the broker's default.
	Partitions        int
	ReplicationFactor int
	// Configs are topic-level settings applied at creation.
	Configs map[string]string
	// NoCreate requires the topic to exist.
	NoCreate bool
}

// Topic is what EnsureTopic found or made.
type Topic struct {
	Name              string
	Partitions        int
	ReplicationFactor int
	Created           bool
	// leaderless counts the partitions (of those asked about) without a
	// leader, a topic without partitions yet as one: records sent with
	// acks=0 before every partition has a leader are lost without an error.
	leaderless int
}

// ErrNoTopic is returned (wrapped) when the topic is missing and may not be
// created.
var ErrNoTopic = errors.New("topic does not exist")

// EnsureTopic returns the topic's layout, creating it when it is missing
// and spec.NoCreate is false.
func (c *Conn) EnsureTopic(ctx context.Context, spec TopicSpec) (Topic, error) {
	// kgo serves metadata requests from a cache younger than
	// MetadataMinAge; keep it short so a created topic shows up at once.
	cl, err := c.NewClient(kgo.MetadataMinAge(10 * time.Millisecond))
	if err != nil {
		return Topic{}, err
	}
	defer cl.Close()
	adm := kadm.NewClient(cl)

	t, found, err := describeTopic(ctx, adm, spec.Name, nil)
	if err != nil || found {
		return t, err
	}
	if spec.NoCreate {
		return Topic{}, fmt.Errorf("%w: %q (--no-create is set; create it or drop --no-create)", ErrNoTopic, spec.Name)
	}
	parts, rf := int32(-1), int16(-1)
	if spec.Partitions > 0 {
		parts = int32(spec.Partitions)
	}
	if spec.ReplicationFactor > 0 {
		rf = int16(spec.ReplicationFactor)
	}
	var cfgs map[string]*string
	if len(spec.Configs) > 0 {
		cfgs = map[string]*string{}
		for k, v := range spec.Configs {
			cfgs[k] = kadm.StringPtr(v)
		}
	}
	if _, err := adm.CreateTopic(ctx, parts, rf, cfgs, spec.Name); err != nil && !errors.Is(err, kerr.TopicAlreadyExists) {
		return Topic{}, explainTopicErr(spec.Name, "creating", err)
	}
	c.log.Info("created topic", "topic", spec.Name, "partitions", spec.Partitions, "replication_factor", spec.ReplicationFactor)
	// Metadata may lag creation for a moment on real brokers.
	wctx, cancel := context.WithTimeout(ctx, createdLeaderWait)
	defer cancel()
	t, _, err = WaitLeaders(wctx, adm, spec.Name, nil, false)
	switch {
	case err == nil:
		t.Created = true
		return t, nil
	case ctx.Err() == nil && errors.Is(err, context.DeadlineExceeded):
		return Topic{}, fmt.Errorf("topic %q was created but its partitions got no leaders within %g s", spec.Name, createdLeaderWait.Seconds())
	}
	return Topic{}, err
}

// createdLeaderWait bounds EnsureTopic's wait for the partitions of a topic
// it created to get leaders.
const createdLeaderWait = 5 * time.Second

// leaderPollMs is how often WaitLeaders reads the metadata, in ms.
const leaderPollMs = 100

// WaitLeaders waits until topic is in the metadata and every partition of
// it (of partitions, if any) has a leader, reading the metadata through adm
// every 100 ms, and returns the topic as last described. When ctx ends
// first it returns the number of partitions still without a leader at the
// last look, and the error of that look or else ctx's. An error reading the
// metadata ends the wait at once, unless throughErrors is set: a run about
// to start waits through them and leaves a cluster that does not answer to
// its own errors.
func WaitLeaders(ctx context.Context, adm *kadm.Client, topic string, partitions []int32, throughErrors bool) (Topic, int, error) {
	want := make(map[int32]bool, len(partitions))
	for _, p := range partitions {
		want[p] = true
	}
	for {
		t, found, err := describeTopic(ctx, adm, topic, want)
		switch {
		case err != nil && ctx.Err() != nil:
			return t, t.leaderless, ctx.Err()
		case err != nil && !throughErrors:
			return Topic{}, 0, err
		case err == nil && found && t.leaderless == 0:
			return t, 0, nil
		}
		if werr := sleepCtx(ctx, leaderPollMs); werr != nil {
			if err == nil {
				err = werr
			}
			return t, t.leaderless, err
		}
	}
}

// describeTopic reads topic name's layout; found is false when the metadata
// does not know the topic. Its leaderless count covers the partitions in
// want, or every partition when want is empty.
func describeTopic(ctx context.Context, adm *kadm.Client, name string, want map[int32]bool) (Topic, bool, error) {
	md, err := adm.Metadata(ctx, name)
	if err != nil {
		return Topic{}, false, explainTopicErr(name, "describing", err)
	}
	td, ok := md.Topics[name]
	if !ok || errors.Is(td.Err, kerr.UnknownTopicOrPartition) {
		return Topic{}, false, nil
	}
	if td.Err != nil {
		return Topic{}, false, explainTopicErr(name, "describing", td.Err)
	}
	t := Topic{Name: name, Partitions: len(td.Partitions)}
	for _, p := range td.Partitions {
		if len(want) > 0 && !want[p.Partition] {
			continue
		}
		if p.Leader < 0 || p.Err != nil {
			t.leaderless++
		}
	}
	if len(td.Partitions) == 0 {
		t.leaderless = 1
	}
	ids := td.Partitions.Numbers()
	sort.Slice(ids, func(i, j int) bool { return ids[i] < ids[j] })
	if len(ids) > 0 {
		t.ReplicationFactor = len(td.Partitions[ids[0]].Replicas)
	}
	return t, true, nil
}

func explainTopicErr(name, doing string, err error) error {
	switch {
	case errors.Is(err, kerr.TopicAuthorizationFailed):
		return fmt.Errorf("not authorized for topic %q (%s it): ask for Describe/Write/Read ACLs on it", name, doing)
	case errors.Is(err, kerr.InvalidReplicationFactor):
		return fmt.Errorf("%s topic %q: %v; lower --replication-factor to at most the broker count", doing, name, err)
	case errors.Is(err, kerr.InvalidConfig), errors.Is(err, kerr.InvalidTopicException):
		return fmt.Errorf("%s topic %q: %v", doing, name, err)
	default:
		msg := err.Error()
		if !strings.Contains(msg, name) {
			msg = fmt.Sprintf("%s topic %q: %v", doing, name, err)
		}
		return errors.New(msg)
	}
}

// DeleteTopic removes a topic ktune created; errors are returned for the
// caller to log, since a leftover topic is not worth failing a run.
func (c *Conn) DeleteTopic(ctx context.Context, name string) error {
	cl, err := c.NewClient()
	if err != nil {
		return err
	}
	defer cl.Close()
	resp, err := kadm.NewClient(cl).DeleteTopics(ctx, name)
	if err != nil {
		return err
	}
	return resp.Error()
}
