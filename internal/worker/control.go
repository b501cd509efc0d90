package worker

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"os"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/result"
)

// Message types on the control topic.
const (
	typeJoin   = "join"
	typeResult = "result"
	typeAbort  = "abort"
)

// message is one record of the control topic, keyed by run id. The topic
// has one partition, so every worker reads the same messages in the same
// order and reaches the same decisions without a leader.
type message struct {
	Type     string          `json:"type"`
	RunID    string          `json:"run_id"`
	Worker   int             `json:"worker"`
	Workers  int             `json:"workers"`
	Instance string          `json:"instance"`
	Digest   string          `json:"config_digest"`
	Host     string          `json:"host,omitempty"`
	SentAt   time.Time       `json:"sent_at"`
	Error    string          `json:"error,omitempty"`
	Document json.RawMessage `json:"document,omitempty"`
}

// maxMessageBytes is the control topic's max.message.bytes when ktune
// creates it: a worker's result with per-interval histograms of a long run
// is hundreds of KiB, more than Kafka's 1 MB default allows in the worst
// case.
const maxMessageBytes = 16 << 20

// abortTimeout bounds the write of an abort message: a worker that fails
// does not hang on telling the others.
const abortTimeout = 5 * time.Second

// Control is a worker's connection to the control topic.
type Control struct {
	spec     Spec
	digest   string
	instance string
	conn     *cluster.Conn
	cl       *kgo.Client
}

// Join announces this worker on the control topic, creating the topic when
// it is missing, and waits until all spec.Workers workers of the run have
// joined with the same configuration digest. It returns the common start
// time: the latest join's send time plus spec.StartDelay. It fails with a
// clear error when a worker joins with another configuration, the worker
// id is taken, the run id was used before, a worker aborts, or not every
// worker joined within spec.JoinTimeout.
func Join(ctx context.Context, conn *cluster.Conn, spec Spec, digest string) (*Control, time.Time, error) {
	if err := spec.Validate(); err != nil {
		return nil, time.Time{}, err
	}
	if _, err := conn.EnsureTopic(ctx, cluster.TopicSpec{
		Name: spec.ControlTopic, Partitions: 1, ReplicationFactor: -1,
		Configs: map[string]string{"max.message.bytes": fmt.Sprint(maxMessageBytes)},
	}); err != nil {
		return nil, time.Time{}, fmt.Errorf("control topic %q: %w", spec.ControlTopic, err)
	}
	cl, err := newControlClient(conn, spec.ControlTopic)
	if err != nil {
		return nil, time.Time{}, err
	}
	c := &Control{spec: spec, digest: digest, instance: newInstance(), conn: conn, cl: cl}
	if err := c.send(ctx, message{Type: typeJoin}); err != nil {
		cl.Close()
		return nil, time.Time{}, err
	}
	jctx, cancel := context.WithTimeout(ctx, spec.JoinTimeout)
	defer cancel()
	start, err := c.awaitStart(jctx)
	if err != nil {
		// Tell the others, so they fail now rather than at their own
		// timeout, and ktune merge, so it can say why this worker has no
		// result. A worker stopped while it waits (its pod deleted when
		// another worker's failure failed the Job) says so too: the
		// abort is written on a fresh context, briefly.
		why := err
		if ctx.Err() != nil {
			why = fmt.Errorf("stopped while waiting for the other workers to join (%w)", context.Cause(ctx))
		}
		actx, acancel := context.WithTimeout(context.WithoutCancel(ctx), abortTimeout)
		_ = c.send(actx, message{Type: typeAbort, Error: why.Error()})
		acancel()
		cl.Close()
		return nil, time.Time{}, err
	}
	return c, start, nil
}

// newControlClient returns a client that reads the control topic from its
// start and writes to its one partition.
func newControlClient(conn *cluster.Conn, topic string) (*kgo.Client, error) {
	return conn.NewClient(
		kgo.DefaultProduceTopic(topic),
		kgo.RecordPartitioner(kgo.ManualPartitioner()),
		kgo.ProducerBatchCompression(kgo.ZstdCompression(), kgo.NoCompression()),
		kgo.ProducerBatchMaxBytes(maxMessageBytes),
		// A control message that cannot be written in this long will not
		// be: fail instead of retrying forever.
		kgo.RecordDeliveryTimeout(30*time.Second),
		kgo.ConsumePartitions(map[string]map[int32]kgo.Offset{topic: {0: kgo.NewOffset().AtStart()}}),
		kgo.FetchMaxPartitionBytes(maxMessageBytes),
		kgo.FetchMaxWait(200*time.Millisecond),
	)
}

func newInstance() string {
	b := make([]byte, 6)
	_, _ = rand.Read(b) // crypto/rand does not fail
	return hex.EncodeToString(b)
}

// send writes one message of this worker and waits for its
// acknowledgement.
func (c *Control) send(ctx context.Context, m message) error {
	m.RunID, m.Worker, m.Workers, m.Instance, m.Digest = c.spec.RunID, c.spec.ID, c.spec.Workers, c.instance, c.digest
	m.SentAt = time.Now().UTC()
	m.Host, _ = os.Hostname()
	v, err := json.Marshal(m)
	if err != nil {
		return err
	}
	rec := &kgo.Record{Key: []byte(c.spec.RunID), Value: v, Partition: 0}
	if err := c.cl.ProduceSync(ctx, rec).FirstErr(); err != nil {
		if errors.Is(err, kerr.MessageTooLarge) || errors.Is(err, kerr.RecordListTooLarge) {
			return fmt.Errorf("writing the %s message (%d bytes) to control topic %q: larger than the topic's max.message.bytes; raise it to %d", m.Type, len(v), c.spec.ControlTopic, maxMessageBytes)
		}
		return fmt.Errorf("writing the %s message to control topic %q: %w", m.Type, c.spec.ControlTopic, err)
	}
	return nil
}

// awaitStart reads the control topic until the run can start.
func (c *Control) awaitStart(ctx context.Context) (time.Time, error) {
	var (
		joined  = map[int]message{} // first join per worker id, in log order
		order   []int
		seenOwn bool
	)
	for {
		fs := c.cl.PollFetches(ctx)
		if err := ctx.Err(); err != nil {
			if errors.Is(err, context.DeadlineExceeded) {
				return time.Time{}, c.joinTimedOut(joined, seenOwn)
			}
			return time.Time{}, err
		}
		if err := fetchErr(fs, c.spec.ControlTopic); err != nil {
			return time.Time{}, err
		}
		for it := fs.RecordIter(); !it.Done(); {
			m, ok := decode(it.Next(), c.spec.RunID)
			if !ok {
				continue
			}
			own := m.Instance == c.instance
			switch m.Type {
			case typeResult:
				if !seenOwn {
					return time.Time{}, fmt.Errorf("run id %q was used before (worker %d published its result at %s); pass a new --run-id", c.spec.RunID, m.Worker, m.SentAt.Format(time.RFC3339))
				}
			case typeAbort:
				if !own {
					return time.Time{}, fmt.Errorf("worker %d (host %s) aborted run %q: %s", m.Worker, m.Host, c.spec.RunID, m.Error)
				}
			case typeJoin:
				if prev, dup := joined[m.Worker]; dup {
					if own {
						return time.Time{}, fmt.Errorf("worker id %d of run %q already joined from host %s; give each worker its own --worker-id, or pass a new --run-id", m.Worker, c.spec.RunID, prev.Host)
					}
					continue // a duplicate the duplicate itself reports
				}
				if len(joined) == c.spec.Workers {
					if own {
						return time.Time{}, fmt.Errorf("run id %q was used before (all %d workers had joined); pass a new --run-id", c.spec.RunID, c.spec.Workers)
					}
					continue
				}
				if m.Workers != c.spec.Workers || m.Digest != c.digest {
					return time.Time{}, fmt.Errorf("worker %d (host %s) joined run %q with a different configuration (--workers %d, digest %s; this worker: --workers %d, digest %s): every worker must run the same command, only --worker-id differs",
						m.Worker, m.Host, c.spec.RunID, m.Workers, m.Digest, c.spec.Workers, c.digest)
				}
				joined[m.Worker] = m
				order = append(order, m.Worker)
				seenOwn = seenOwn || own
			}
			if seenOwn && len(joined) == c.spec.Workers {
				var last time.Time
				for _, id := range order {
					if t := joined[id].SentAt; t.After(last) {
						last = t
					}
				}
				return last.Add(c.spec.StartDelay), nil
			}
		}
	}
}

// joinTimedOut explains a join that timed out with joined read from the
// control topic. This worker's own join counts even when the reading has
// not reached it yet: the broker acknowledged it, so this worker's id is
// not missing, and a control topic that reads back slowly must not name
// it so. Not having read its own join back also means later joins may be
// unread, which the error says.
func (c *Control) joinTimedOut(joined map[int]message, seenOwn bool) error {
	have := maps.Clone(joined)
	have[c.spec.ID] = message{}
	slow := fmt.Sprintf("this worker had not read its own join back from control topic %q", c.spec.ControlTopic)
	if !seenOwn && len(have) == c.spec.Workers {
		return fmt.Errorf("every worker id of run %q joined, but %s within %s: raise --join-timeout if the topic is slow to read", c.spec.RunID, slow, c.spec.JoinTimeout)
	}
	err := fmt.Errorf("only %d of %d workers joined run %q within %s; missing worker ids: %s (start them with the same --run-id, --brokers and --control-topic)",
		len(have), c.spec.Workers, c.spec.RunID, c.spec.JoinTimeout, missingIDs(c.spec.Workers, have))
	if !seenOwn {
		err = fmt.Errorf("%w; %s yet, so later joins may be unread: raise --join-timeout if the topic is slow to read", err, slow)
	}
	return err
}

// Publish writes this worker's result document to the control topic, for
// ktune merge.
func (c *Control) Publish(ctx context.Context, doc *result.Document) error {
	b, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return c.send(ctx, message{Type: typeResult, Document: b})
}

// Abort tells the other workers and ktune merge that this worker failed
// without a result.
func (c *Control) Abort(ctx context.Context, cause error) error {
	msg := "no result"
	if cause != nil {
		msg = cause.Error()
	}
	return c.send(ctx, message{Type: typeAbort, Error: msg})
}

// Close closes the control client.
func (c *Control) Close() { c.cl.Close() }

// decode returns m when rec is a well-formed message of run runID.
func decode(rec *kgo.Record, runID string) (message, bool) {
	if string(rec.Key) != runID {
		return message{}, false
	}
	var m message
	if err := json.Unmarshal(rec.Value, &m); err != nil || m.RunID != runID {
		return message{}, false
	}
	return m, true
}

// topicPollInterval is how often awaitTopic looks for the control topic.
const topicPollInterval = time.Second

// awaitTopic returns once topic exists, or the last lookup's error when ctx
// ends first. Errors other than a missing topic (authorization, an
// unreachable cluster) return at once.
func awaitTopic(ctx context.Context, conn *cluster.Conn, topic string) error {
	for {
		_, err := conn.EnsureTopic(ctx, cluster.TopicSpec{Name: topic, NoCreate: true})
		if err == nil || !errors.Is(err, cluster.ErrNoTopic) {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("not created by any worker within the wait: %w", err)
		case <-time.After(topicPollInterval):
		}
	}
}

func fetchErr(fs kgo.Fetches, topic string) error {
	for _, fe := range fs.Errors() {
		if errors.Is(fe.Err, context.DeadlineExceeded) || errors.Is(fe.Err, context.Canceled) {
			continue
		}
		return fmt.Errorf("reading control topic %q: %w", topic, fe.Err)
	}
	return nil
}

func missingIDs[T any](n int, have map[int]T) string {
	var ids []string
	for i := 0; i < n; i++ {
		if _, ok := have[i]; !ok {
			ids = append(ids, fmt.Sprint(i))
		}
	}
	return strings.Join(ids, ", ")
}

// Collected is what Collect read from the control topic.
type Collected struct {
	// Documents are the workers' results, ordered by worker id.
	Documents []*result.Document
	// Workers is the run's worker count, from its messages.
	Workers int
	// Missing are the worker ids without a result; Aborted says why, for
	// those that aborted, and Joined holds every worker id that joined the
	// run (a missing worker that never joined did not reach the cluster).
	Missing []int
	Aborted map[int]string
	Joined  map[int]bool
}

// Reasons says, for each missing worker, what the control topic shows of
// it: that it aborted (and why), joined but published no result, or never
// joined.
func (c *Collected) Reasons() []string {
	var out []string
	for _, id := range c.Missing {
		switch why, aborted := c.Aborted[id]; {
		case aborted:
			out = append(out, fmt.Sprintf("worker %d aborted: %s", id, why))
		case c.Joined[id]:
			out = append(out, fmt.Sprintf("worker %d joined but published no result (stopped before it finished?)", id))
		default:
			out = append(out, fmt.Sprintf("worker %d never joined (check its log: it did not reach the cluster)", id))
		}
	}
	return out
}

// failed reports whether a run has failed for good: a worker aborted and
// every worker that joined has published its result or aborted.
func failed(joined map[int]bool, docs map[int]*result.Document, aborted map[int]string) bool {
	if len(aborted) == 0 {
		return false
	}
	for id := range joined {
		if _, ok := docs[id]; !ok {
			if _, ok := aborted[id]; !ok {
				return false
			}
		}
	}
	return true
}

// Collect reads the results of run runID from the control topic until
// every worker's result is there, the run has failed (a worker aborted and
// every worker that joined has published or aborted: one that never joined
// cannot join a run whose workers gave up), or wait has passed. workers is the run's
// worker count (0: learn it from the run's messages). A control topic that
// does not exist yet is waited for too: a merge started beside its workers
// (a Kubernetes Job) may look before the first worker created it. It is an
// error only when nothing of the run is found.
func Collect(ctx context.Context, conn *cluster.Conn, topic, runID string, workers int, wait time.Duration) (*Collected, error) {
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	if err := awaitTopic(wctx, conn, topic); err != nil {
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		return nil, fmt.Errorf("control topic %q: %w", topic, err)
	}
	cl, err := newControlClient(conn, topic)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	docs := map[int]*result.Document{}
	aborted := map[int]string{}
	joined := map[int]bool{}
	seen := false
	for (workers == 0 || len(docs)+len(aborted) < workers) && !failed(joined, docs, aborted) {
		fs := cl.PollFetches(wctx)
		if wctx.Err() != nil {
			break
		}
		if err := fetchErr(fs, topic); err != nil {
			return nil, err
		}
		for it := fs.RecordIter(); !it.Done(); {
			m, ok := decode(it.Next(), runID)
			if !ok {
				continue
			}
			seen = true
			if workers == 0 {
				workers = m.Workers
			}
			switch m.Type {
			case typeResult:
				doc, err := result.Decode(strings.NewReader(string(m.Document)))
				if err != nil {
					return nil, fmt.Errorf("worker %d's result on control topic %q: %w", m.Worker, topic, err)
				}
				docs[m.Worker] = doc
				delete(aborted, m.Worker)
			case typeAbort:
				if _, ok := docs[m.Worker]; !ok {
					aborted[m.Worker] = m.Error
				}
			case typeJoin:
				joined[m.Worker] = true
			}
		}
	}
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if !seen {
		return nil, fmt.Errorf("no message of run %q on control topic %q within %s: check --run-id and --control-topic", runID, topic, wait)
	}
	out := &Collected{Workers: workers, Aborted: aborted, Joined: joined}
	ids := make([]int, 0, len(docs))
	for id := range docs {
		ids = append(ids, id)
	}
	sort.Ints(ids)
	for _, id := range ids {
		out.Documents = append(out.Documents, docs[id])
	}
	for i := 0; i < workers; i++ {
		if _, ok := docs[i]; !ok {
			out.Missing = append(out.Missing, i)
		}
	}
	out.Missing = slices.Clip(out.Missing)
	return out, nil
}
