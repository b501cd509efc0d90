package cmdutil

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/units"
)

// TopicFlags say which topic a run uses and how to create it.
type TopicFlags struct {
	Topic             string
	Partitions        int
	ReplicationFactor int
	Configs           []string
	NoCreate          bool
}

// Register adds the topic flags to cmd with defaultTopic.
func (t *TopicFlags) Register(cmd *cobra.Command, defaultTopic string) {
	fs := cmd.Flags()
	fs.StringVar(&t.Topic, "topic", defaultTopic, "topic to use; created when missing unless --no-create")
	fs.IntVar(&t.Partitions, "partitions", cluster.DefaultPartitions, "partitions of a topic ktune creates (-1: the broker's default)")
	fs.IntVar(&t.ReplicationFactor, "replication-factor", -1, "replication factor of a topic ktune creates (-1: the broker's default)")
	fs.StringArrayVar(&t.Configs, "topic-config", nil, "topic setting name=value for a topic ktune creates (repeatable)")
	fs.BoolVar(&t.NoCreate, "no-create", false, "require the topic to exist")
}

// Spec returns the topic spec.
func (t *TopicFlags) Spec() (cluster.TopicSpec, error) {
	cfgs := map[string]string{}
	for _, kv := range t.Configs {
		k, v, ok := strings.Cut(kv, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return cluster.TopicSpec{}, fmt.Errorf("--topic-config %q: want name=value", kv)
		}
		cfgs[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	spec := cluster.TopicSpec{Name: t.Topic, Partitions: t.Partitions, ReplicationFactor: t.ReplicationFactor, Configs: cfgs, NoCreate: t.NoCreate}
	return spec, spec.Validate()
}

// ProducerFlags describe the producer workload.
type ProducerFlags struct {
	Records    int64
	Duration   time.Duration
	Warmup     string
	Rate       float64
	Producers  int
	RecordSize units.Size
	PayloadFlags
	Key        string
	KeySpace   uint64
	KeySize    units.Size
	Headers    int
	HeaderSize units.Size
	MaxErrors  int64
	Seed       uint64
}

// Register adds the producer workload flags to cmd.
func (p *ProducerFlags) Register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.Int64Var(&p.Records, "records", 0, "records to send in the measured window (this or --duration is required; both bound the run)")
	fs.DurationVar(&p.Duration, "duration", 0, "length of the measured window, e.g. 30s")
	fs.StringVar(&p.Warmup, "warmup", "", "warm-up before the measured window, excluded from the statistics: a duration (10s) or a record count (5000)")
	fs.Float64Var(&p.Rate, "rate", 0, "target records/s over all producers, open model (0: as fast as possible)")
	fs.IntVar(&p.Producers, "producers", 1, "independent producer clients")
	p.RecordSize = 1024
	fs.Var(&p.RecordSize, "record-size", "record value size in bytes, e.g. 1024, 16k or 1MiB")
	p.PayloadFlags.Register(cmd)
	fs.StringVar(&p.Key, "key", "none", "keys: none, random, sequential or zipf")
	fs.Uint64Var(&p.KeySpace, "key-space", 10000, "number of distinct keys")
	p.KeySize = 16
	fs.Var(&p.KeySize, "key-size", "key size in bytes")
	fs.IntVar(&p.Headers, "headers", 0, "extra headers per record (besides ktune's timestamp header)")
	p.HeaderSize = 16
	fs.Var(&p.HeaderSize, "header-size", "size of each extra header value in bytes")
	fs.Int64Var(&p.MaxErrors, "max-errors", 0, "stop after this many failed records (0: no limit)")
	fs.Uint64Var(&p.Seed, "seed", 1, "seed of the payload and key generators")
}

// PayloadFlags say what the record values are: produce, the disrupt
// commands and sweep take them alike.
type PayloadFlags struct {
	Payload         string
	Compressibility float64
}

// Register adds --payload and --compressibility to cmd.
func (p *PayloadFlags) Register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVar(&p.Payload, "payload", "random", "payload: random, text or file:PATH (one record per line)")
	fs.Float64Var(&p.Compressibility, "compressibility", 0, "for random payloads, the fraction (0..1) of each record that compresses away")
}

// Values returns the value generator's configuration for records of
// size bytes (random and text payloads) and seed; ValueConfig.Validate
// checks it.
func (p *PayloadFlags) Values(size int, seed uint64) (payload.ValueConfig, error) {
	kind, path, err := payload.ParsePayloadFlag(p.Payload)
	if err != nil {
		return payload.ValueConfig{}, err
	}
	return payload.ValueConfig{Kind: kind, Size: size, Path: path, Compressibility: p.Compressibility, Seed: seed}, nil
}

// Config returns the loadgen producer configuration of the flags.
func (p *ProducerFlags) Config(topic string) (loadgen.ProduceConfig, error) {
	values, err := p.Values(int(p.RecordSize), p.Seed)
	if err != nil {
		return loadgen.ProduceConfig{}, err
	}
	keyKind, err := payload.ParseKeyKind(p.Key)
	if err != nil {
		return loadgen.ProduceConfig{}, err
	}
	cfg := loadgen.ProduceConfig{
		Topic: topic, Records: p.Records, Duration: p.Duration, Rate: p.Rate, Producers: p.Producers,
		Values:  values,
		Keys:    payload.KeyConfig{Kind: keyKind, Space: p.KeySpace, Size: int(p.KeySize), Seed: p.Seed},
		Headers: p.Headers, HeaderSize: int(p.HeaderSize), MaxErrors: p.MaxErrors,
	}
	if cfg.WarmupRecords, cfg.WarmupDuration, err = ParseWarmup(p.Warmup); err != nil {
		return cfg, err
	}
	if err := cfg.Validate(); err != nil {
		return cfg, err
	}
	if keyKind == payload.NoKey {
		cfg.Keys.Size = 0
	}
	return cfg, nil
}

// ParseWarmup reads --warmup: a duration ("10s") or a record count ("5000").
func ParseWarmup(s string) (records int64, d time.Duration, err error) {
	if s == "" || s == "0" {
		return 0, 0, nil
	}
	if n, err := strconv.ParseInt(s, 10, 64); err == nil {
		if n < 0 {
			return 0, 0, fmt.Errorf("--warmup %q: must not be negative", s)
		}
		return n, 0, nil
	}
	d, err = time.ParseDuration(s)
	if err != nil || d < 0 {
		return 0, 0, fmt.Errorf("--warmup %q: want a duration such as 10s or a record count such as 5000", s)
	}
	return 0, d, nil
}
