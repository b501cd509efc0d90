// Package payload generates record values and keys for the producer's hot
// path: everything is generated up front into pools, so Next costs a few
// nanoseconds and allocates nothing.
package payload

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"strings"
)

// Kind is a kind of record value.
type Kind string

// The kinds of record value.
const (
	// Random values are random bytes, a Compressibility fraction of which
	// is a repeated pattern (0: incompressible, like
	// kafka-producer-perf-test's payloads under lz4, snappy and zstd).
	Random Kind = "random"
	// Text values are English-like words, which compress like log lines.
	Text Kind = "text"
	// File values are the non-empty lines of a file, one per record.
	File Kind = "file"
)

// ParsePayloadFlag reads --payload: random, text or file:PATH.
func ParsePayloadFlag(s string) (Kind, string, error) {
	switch {
	case s == string(Random), s == "":
		return Random, "", nil
	case s == string(Text):
		return Text, "", nil
	case strings.HasPrefix(s, "file:") && len(s) > len("file:"):
		return File, s[len("file:"):], nil
	}
	return "", "", fmt.Errorf("--payload %q: must be random, text or file:PATH", s)
}

// ValueConfig configures a Values generator.
type ValueConfig struct {
	// Kind is the kind of value. Default Random.
	Kind Kind
	// Size is the value size in bytes for Random and Text (File uses each
	// line's own length).
	Size int
	// Path is the file of a File payload.
	Path string
	// Compressibility (0..1) is the fraction of each Random value that is a
	// repeated pattern; the rest is random. Default 0.
	Compressibility float64
	// Seed makes the values deterministic.
	Seed uint64
	// PoolSize is the number of distinct values. Default 1024, fewer when
	// that would take more than 64 MiB.
	PoolSize int
}

// Validate checks cfg without generating anything: the kind, the size
// (1 byte to 64 MiB for random and text values), the compressibility
// (0..1) and, for a file payload, that the file is there.
func (cfg ValueConfig) Validate() error {
	if math.IsNaN(cfg.Compressibility) || cfg.Compressibility < 0 || cfg.Compressibility > 1 {
		return fmt.Errorf("--compressibility %v: must be between 0 and 1", cfg.Compressibility)
	}
	switch cfg.Kind {
	case File:
		st, err := os.Stat(cfg.Path)
		if err != nil {
			return fmt.Errorf("--payload file:%s: %w", cfg.Path, err)
		}
		if !st.Mode().IsRegular() {
			return fmt.Errorf("--payload file:%s: not a regular file", cfg.Path)
		}
		if st.Size() == 0 {
			return fmt.Errorf("--payload file:%s: the file is empty; it needs at least one line, one record each", cfg.Path)
		}
		return nil
	case "", Random, Text:
	default:
		return fmt.Errorf("--payload %q: must be random, text or file:PATH", cfg.Kind)
	}
	if cfg.Size < 1 || cfg.Size > maxPoolBytes {
		return fmt.Errorf("--record-size %d: must be between 1 and %d bytes", cfg.Size, maxPoolBytes)
	}
	return nil
}

// maxPoolBytes bounds a value pool, and maxFileBytes a payload file.
const (
	maxPoolBytes = 64 << 20
	maxFileBytes = 256 << 20
	chunk        = 64
)

// Values hands out record values from a pool generated once. The slices it
// returns are shared and read-only: the Kafka client holds them until the
// record is acknowledged. A Values is not safe for concurrent use; give
// each producer goroutine its own.
type Values struct {
	pool [][]byte
	next int
	max  int
	sum  int
}

// NewValues generates the value pool described by cfg.
func NewValues(cfg ValueConfig) (*Values, error) {
	if cfg.Kind == "" {
		cfg.Kind = Random
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Kind == File {
		return fileValues(cfg.Path)
	}
	n := cfg.PoolSize
	if n <= 0 {
		n = 1024
	}
	if cfg.Size > 0 && n*cfg.Size > maxPoolBytes {
		n = max(1, maxPoolBytes/cfg.Size)
	}
	rng := rand.New(rand.NewPCG(cfg.Seed, 0x6b74756e65))
	buf := make([]byte, n*cfg.Size)
	v := &Values{pool: make([][]byte, n)}
	for i := range v.pool {
		b := buf[i*cfg.Size : (i+1)*cfg.Size : (i+1)*cfg.Size]
		switch cfg.Kind {
		case Random:
			fillRandom(rng, b, cfg.Compressibility)
		case Text:
			fillText(rng, b)
		default:
			return nil, fmt.Errorf("payload kind %q: must be random, text or file", cfg.Kind)
		}
		v.pool[i] = b
	}
	v.max, v.sum = cfg.Size, n*cfg.Size
	return v, nil
}

// fillRandom fills b with 64-byte chunks, a fraction c of which repeat a
// fixed pattern while the rest are random.
func fillRandom(rng *rand.Rand, b []byte, c float64) {
	for off := 0; off < len(b); off += chunk {
		end := min(off+chunk, len(b))
		if c > 0 && rng.Float64() < c {
			for j := off; j < end; j++ {
				b[j] = byte('A' + j%chunk%26)
			}
			continue
		}
		for j := off; j < end; j += 8 {
			x := rng.Uint64()
			for k := j; k < min(j+8, end); k++ {
				b[k] = byte(x)
				x >>= 8
			}
		}
	}
}

// fillText fills b with space-separated words.
func fillText(rng *rand.Rand, b []byte) {
	i := 0
	for i < len(b) {
		w := words[rng.IntN(len(words))]
		i += copy(b[i:], w)
		if i < len(b) {
			b[i] = ' '
			i++
		}
	}
}

func fileValues(path string) (*Values, error) {
	if path == "" {
		return nil, errors.New("--payload file: needs a path, as file:PATH")
	}
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("payload file: %w", err)
	}
	if st.Size() > maxFileBytes {
		return nil, fmt.Errorf("payload file %s is %d bytes; at most %d are read", path, st.Size(), maxFileBytes)
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("payload file: %w", err)
	}
	v := &Values{}
	// Lines are slices of data itself: the Kafka client holds them until
	// acknowledged, so they must never share a reused buffer.
	for _, line := range bytes.Split(data, []byte("\n")) {
		line = bytes.TrimRight(line, "\r")
		if len(line) == 0 {
			continue
		}
		line = line[:len(line):len(line)]
		v.pool = append(v.pool, line)
		v.max = max(v.max, len(line))
		v.sum += len(line)
	}
	if len(v.pool) == 0 {
		return nil, fmt.Errorf("payload file %s has no non-empty lines", path)
	}
	return v, nil
}

// Next returns the next value. It allocates nothing.
func (v *Values) Next() []byte {
	b := v.pool[v.next]
	v.next++
	if v.next == len(v.pool) {
		v.next = 0
	}
	return b
}

// MaxSize is the largest value's size in bytes.
func (v *Values) MaxSize() int { return v.max }

// AvgSize is the mean value size in bytes.
func (v *Values) AvgSize() float64 { return float64(v.sum) / float64(len(v.pool)) }

// words is a small vocabulary for Text payloads.
var words = strings.Fields(`the of and to in is was for on that with as by at from it an be this
which or are have has not but had his they were their one all been more when there can
who will would also into other time new some could these two may first then do any like
my now over such our man me even most made after only many before must through back years
where much your way well down should because each just those people how too little state
good very make world still own see men work long get here between both life being under
never day same another know while last might us great old year off come since against go
came right used take three request response server client error warning info debug user
order payment invoice account session token cache queue topic partition offset broker
record batch commit fetch produce consume latency throughput status service deploy build
release config value key header timestamp event stream table index segment log file disk
memory network socket thread process connect retry timeout success failure started stopped`)
