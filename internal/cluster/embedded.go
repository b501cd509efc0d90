package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"
)

// DefaultEmbeddedMaxBytes is how many bytes of record batches the embedded
// cluster keeps in all, over every partition: older batches are dropped, as
// a broker's retention.bytes drops them, so a run of any length stays
// within a bounded amount of memory.
const DefaultEmbeddedMaxBytes int64 = 128 << 20

// EmbeddedBound says, in one sentence for --help and logs, what the
// embedded cluster keeps.
var EmbeddedBound = fmt.Sprintf("keeps only the newest %d MiB of records, over all partitions", DefaultEmbeddedMaxBytes>>20)

// retentionEvery is how often the embedded cluster's retention runs. At a
// few hundred MB/s it bounds the overshoot to tens of MB.
const retentionEvery = 100 * time.Millisecond

// EmbeddedConfig describes an embedded kfake cluster.
type EmbeddedConfig struct {
	// Brokers is the broker count. Default 3.
	Brokers int
	// MaxBytes bounds the record batches kept over all partitions.
	// Default DefaultEmbeddedMaxBytes.
	MaxBytes int64
	// Blackhole discards produced records: produce-only use, nothing to
	// read back.
	Blackhole bool
	// Logger receives the retention loop's errors. Default: discard.
	Logger *slog.Logger
}

// Embedded is an in-process kfake cluster whose stored records stay within
// MaxBytes. kfake applies retention.bytes per partition, so a loop shares
// the budget evenly among the partitions that exist (log.retention.bytes =
// MaxBytes / partitions) and applies it every 100 ms. Segments are kept
// small (log.segment.bytes), because kfake frees a segment's memory only
// once all of it is past retention. kfake's in-memory segment files grow by
// doubling, so the heap they hold is up to twice the bytes kept: with Go's
// garbage collector on top, ktune's peak RSS is about 4 x MaxBytes plus
// the clients' own (see scripts/bench-embedded.sh).
type Embedded struct {
	// Cluster is the kfake cluster, for fault injection in tests.
	Cluster *kfake.Cluster

	cfg    EmbeddedConfig
	cancel context.CancelFunc
	done   chan struct{}
}

// StartEmbedded starts an embedded cluster on 127.0.0.1 and its retention
// loop; Close stops both.
func StartEmbedded(cfg EmbeddedConfig) (*Embedded, error) {
	if cfg.Brokers <= 0 {
		cfg.Brokers = 3
	}
	if cfg.MaxBytes <= 0 {
		cfg.MaxBytes = DefaultEmbeddedMaxBytes
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	opts := []kfake.Opt{kfake.NumBrokers(cfg.Brokers), kfake.BrokerConfigs(retentionConfigs(cfg.MaxBytes, 1))}
	if cfg.Blackhole {
		opts = append(opts, kfake.BlackholeProduce())
	}
	fake, err := kfake.NewCluster(opts...)
	if err != nil {
		return nil, fmt.Errorf("starting the embedded cluster: %w", err)
	}
	e := &Embedded{Cluster: fake, cfg: cfg, done: make(chan struct{})}
	if cfg.Blackhole {
		close(e.done)
		e.cancel = func() {}
		return e, nil
	}
	// Metadata no older than the loop, so a short-lived topic is counted.
	cl, err := kgo.NewClient(kgo.SeedBrokers(fake.ListenAddrs()...), kgo.MetadataMinAge(retentionEvery/2))
	if err != nil {
		fake.Close()
		return nil, fmt.Errorf("starting the embedded cluster's retention: %w", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	e.cancel = cancel
	go func() {
		defer close(e.done)
		defer cl.Close()
		e.retain(ctx, kadm.NewClient(cl))
	}()
	return e, nil
}

// Addrs are the brokers' host:port addresses.
func (e *Embedded) Addrs() []string { return e.Cluster.ListenAddrs() }

// Close stops the retention loop and the cluster.
func (e *Embedded) Close() {
	e.cancel()
	<-e.done
	e.Cluster.Close()
}

// retain shares the budget among the partitions that exist and applies
// retention, every retentionEvery, until ctx ends.
func (e *Embedded) retain(ctx context.Context, adm *kadm.Client) {
	t := time.NewTicker(retentionEvery)
	defer t.Stop()
	shared := 1 // the partition count the broker configs are set for
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		topics, err := adm.ListTopics(ctx)
		if err != nil {
			if ctx.Err() == nil {
				e.cfg.Logger.Debug("embedded cluster retention: listing topics", "err", err)
			}
			continue
		}
		parts := 0
		for _, td := range topics {
			parts += len(td.Partitions)
		}
		if parts > 0 && parts != shared {
			if err := setBrokerConfigs(ctx, adm, retentionConfigs(e.cfg.MaxBytes, parts)); err != nil {
				if ctx.Err() == nil {
					e.cfg.Logger.Warn("embedded cluster retention: setting the per-partition bound", "err", err)
				}
				continue
			}
			shared = parts
		}
		e.Cluster.ApplyRetention()
	}
}

// retentionConfigs are the broker configs that keep maxBytes over parts
// partitions: each partition keeps its newest maxBytes/parts bytes, in
// segments of a sixteenth of that (1 MiB to 8 MiB), so a partition holds
// at most its share plus two segments. Time retention is off: it would
// walk every batch on each pass and bounds nothing.
func retentionConfigs(maxBytes int64, parts int) map[string]string {
	per := max(maxBytes/int64(parts), 1)
	seg := min(max(per/16, 1<<20), 8<<20)
	return map[string]string{
		"log.retention.bytes": strconv.FormatInt(per, 10),
		"log.segment.bytes":   strconv.FormatInt(seg, 10),
		"log.retention.ms":    "-1",
	}
}

func setBrokerConfigs(ctx context.Context, adm *kadm.Client, cfgs map[string]string) error {
	var alter []kadm.AlterConfig
	for k, v := range cfgs {
		alter = append(alter, kadm.AlterConfig{Op: kadm.SetConfig, Name: k, Value: kadm.StringPtr(v)})
	}
	resps, err := adm.AlterBrokerConfigs(ctx, alter)
	if err != nil {
		return err
	}
	for _, r := range resps {
		if r.Err != nil {
			return fmt.Errorf("%v: %s", r.Err, r.ErrMessage)
		}
	}
	return nil
}
