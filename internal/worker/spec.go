// Package worker runs one worker's share of a distributed ktune run. Where
// one client host cannot saturate a cluster, N ktune processes (on
// Kubernetes, one pod each) run the same command with --workers N and their
// own --worker-id: each takes an even share of the run's records, rate,
// producers and consumers, meets the others on a control topic of the
// cluster under test, starts its measured window at the common start time
// and publishes its result document there for `ktune merge`.
package worker

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"time"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/result"
)

// DefaultControlTopic is the topic workers meet on unless told otherwise.
const DefaultControlTopic = "__ktune_control"

// Spec is one worker's place in a distributed run.
type Spec struct {
	// RunID names the run; every worker of a run passes the same one, and
	// each run needs a new one.
	RunID string
	// ID is this worker's id, 0..Workers-1.
	ID int
	// Workers is the number of workers of the run.
	Workers int
	// ControlTopic is the topic the workers meet on. Default
	// DefaultControlTopic.
	ControlTopic string
	// JoinTimeout bounds the wait for every worker to join. Default 2 min.
	JoinTimeout time.Duration
	// StartDelay separates the last join from the common start time, so
	// every worker has read the last join before the start. Default 3 s.
	StartDelay time.Duration
}

var runIDPattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$`)

// Validate checks the spec and fills its defaults.
func (s *Spec) Validate() error {
	if s.Workers < 1 {
		return fmt.Errorf("--workers %d: must be at least 1", s.Workers)
	}
	if s.ID < 0 || s.ID >= s.Workers {
		return fmt.Errorf("--worker-id %d is out of range for --workers %d: ids run from 0 to %d", s.ID, s.Workers, s.Workers-1)
	}
	if s.RunID == "" {
		return errors.New("--workers needs --run-id: every worker of a run passes the same id, and each run a new one")
	}
	if err := checkRunID(s.RunID); err != nil {
		return err
	}
	if s.JoinTimeout < 0 {
		return fmt.Errorf("--join-timeout %s: must be positive", s.JoinTimeout)
	}
	if s.ControlTopic == "" {
		s.ControlTopic = DefaultControlTopic
	}
	if s.JoinTimeout == 0 {
		s.JoinTimeout = 2 * time.Minute
	}
	if s.StartDelay <= 0 {
		s.StartDelay = 3 * time.Second
	}
	return nil
}

// ValidateCollect checks the flags of reading a run's results from its
// control topic (ktune merge --run-id) before the cluster is contacted.
func ValidateCollect(topic, runID string, workers int, wait time.Duration) error {
	switch {
	case topic == "":
		return errors.New("--control-topic must not be empty")
	case workers < 0:
		return fmt.Errorf("--workers %d: must be at least 1 (0: from the workers' messages)", workers)
	case wait <= 0:
		return fmt.Errorf("--wait %s: must be positive", wait)
	case runID != "":
		return checkRunID(runID)
	}
	return nil
}

func checkRunID(id string) error {
	if !runIDPattern.MatchString(id) {
		return fmt.Errorf("--run-id %q: use up to 100 letters, digits, '.', '_' or '-', starting with a letter or digit", id)
	}
	return nil
}

// share is worker id's even share of n.
func (s Spec) share(n int64) int64 { return loadgen.Share(n, s.ID, s.Workers) }

// shareAtLeastOne is share(n) for a count every worker needs at least one
// of.
func (s Spec) shareAtLeastOne(n int, flag string) (int, error) {
	if n < s.Workers {
		return 0, fmt.Errorf("--%s %d is fewer than --workers %d: every worker needs at least one; pass --%s %d or more", flag, n, s.Workers, flag, s.Workers)
	}
	return int(s.share(int64(n))), nil
}

// Produce returns this worker's share of the producer run c: its share of
// the records, warm-up records and producers, Rate/Workers, payload seeds
// of its own, a transactional.id of its own and interval histograms.
func (s Spec) Produce(c loadgen.ProduceConfig) (loadgen.ProduceConfig, error) {
	if c.Records > 0 && c.Records < int64(s.Workers) {
		return c, fmt.Errorf("--records %d is fewer than --workers %d: every worker needs at least one record", c.Records, s.Workers)
	}
	producers := max(c.Producers, 1)
	var err error
	if c.Producers, err = s.shareAtLeastOne(producers, "producers"); err != nil {
		return c, err
	}
	c.Records = s.share(c.Records)
	c.WarmupRecords = s.share(c.WarmupRecords)
	c.Rate /= float64(s.Workers)
	c.Values.Seed += uint64(s.ID) * 1_000_003
	c.Keys.Seed += uint64(s.ID) * 1_000_033
	if c.Client != nil && c.Client.TransactionalID() != "" {
		// Workers sharing a transactional.id would fence each other.
		id := fmt.Sprintf("%s-w%d", c.Client.TransactionalID(), s.ID)
		if c.Client, err = c.Client.With(clientcfg.Property{Key: "transactional.id", Value: id, Source: "--worker-id"}); err != nil {
			return c, err
		}
	}
	c.IntervalHistograms = true
	return c, nil
}

// Consume returns this worker's share of the consumer run c: its share of
// the records and consumers in the run's group (default ktune-<run id>),
// or with Assign its own partitions of the topic's partitions.
func (s Spec) Consume(c loadgen.ConsumeConfig, partitions int) (loadgen.ConsumeConfig, error) {
	if c.Records > 0 && c.Records < int64(s.Workers) {
		return c, fmt.Errorf("--records %d is fewer than --workers %d: every worker needs at least one record", c.Records, s.Workers)
	}
	var err error
	if c.Consumers, err = s.shareAtLeastOne(max(c.Consumers, 1), "consumers"); err != nil {
		return c, err
	}
	c.Records = s.share(c.Records)
	if c.Assign {
		if c.AssignPartitions, err = s.Partitions(partitions); err != nil {
			return c, err
		}
	} else if c.Group == "" {
		c.Group = GroupName(s.RunID)
	}
	c.IntervalHistograms = true
	return c, nil
}

// E2E returns this worker's share of the end-to-end run c: its producer
// share, writing only to its own partitions, and one consumer reading
// exactly those, so each record is sent and received in one process on
// one clock.
func (s Spec) E2E(c loadgen.E2EConfig, partitions int) (loadgen.E2EConfig, error) {
	parts, err := s.Partitions(partitions)
	if err != nil {
		return c, err
	}
	if c.Produce, err = s.Produce(c.Produce); err != nil {
		return c, err
	}
	c.Produce.Partitions = parts
	c.Consume.Assign, c.Consume.AssignPartitions, c.Consume.Consumers = true, parts, 1
	c.Consume.IntervalHistograms = true
	return c, nil
}

// Partitions returns this worker's partitions of a topic with n: those
// whose number modulo Workers is ID.
func (s Spec) Partitions(n int) ([]int32, error) {
	if n < s.Workers {
		return nil, fmt.Errorf("the topic has %d partitions, fewer than --workers %d: each worker reads its own partitions; use a topic with at least %d (--partitions)", n, s.Workers, s.Workers)
	}
	var parts []int32
	for p := s.ID; p < n; p += s.Workers {
		parts = append(parts, int32(p))
	}
	return parts, nil
}

// GroupName is the consumer group of a run's workers when none is given.
func GroupName(runID string) string { return "ktune-" + runID }

// Digest is a digest of a run's whole configuration: its kind, its
// workload before splitting and its effective client configuration.
// Workers of one run have equal digests; ktune merge refuses others.
func Digest(kind result.Kind, w result.Workload, c result.ClientConfig) string {
	c.Notes = nil
	b, _ := json.Marshal(struct {
		Kind     result.Kind         `json:"kind"`
		Workload result.Workload     `json:"workload"`
		Client   result.ClientConfig `json:"client"`
	}{kind, w, c}) // cannot fail: plain data
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// Stamp marks doc as this worker's share of the run.
func (s Spec) Stamp(doc *result.Document, digest string, startAt time.Time) {
	doc.Worker = &result.Worker{
		RunID: s.RunID, ID: s.ID, Workers: s.Workers, ConfigDigest: digest,
		StartAt: startAt.UTC(), ControlTopic: s.ControlTopic,
	}
}
