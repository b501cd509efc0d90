package payload

import (
	"fmt"
	"math/bits"
	"math/rand"
	randv2 "math/rand/v2"
)

// KeyKind is how record keys are chosen.
type KeyKind string

// The kinds of key.
const (
	// NoKey sends null keys (the default, as kafka-producer-perf-test).
	NoKey KeyKind = "none"
	// RandomKey picks keys uniformly from the key space.
	RandomKey KeyKind = "random"
	// SequentialKey cycles through the key space in order.
	SequentialKey KeyKind = "sequential"
	// ZipfKey picks keys with a Zipf distribution: a few hot keys.
	ZipfKey KeyKind = "zipf"
)

// ParseKeyKind reads --key: none, random, sequential or zipf.
func ParseKeyKind(s string) (KeyKind, error) {
	switch k := KeyKind(s); k {
	case NoKey, RandomKey, SequentialKey, ZipfKey:
		return k, nil
	case "":
		return NoKey, nil
	}
	return "", fmt.Errorf("--key %q: must be none, random, sequential or zipf", s)
}

// KeyConfig configures a Keys generator.
type KeyConfig struct {
	// Kind is how keys are chosen. Default NoKey.
	Kind KeyKind
	// Space is the number of distinct keys. Default 10000.
	Space uint64
	// Size is the key length in bytes. Default 16.
	Size int
	// ZipfS is the Zipf exponent (> 1). Default 1.1.
	ZipfS float64
	// Seed makes the keys deterministic.
	Seed uint64
}

// Validate checks cfg without generating anything: the kind and, for keyed
// records, a key space of at least one key whose keys fit --key-size and
// take at most 64 MiB.
func (cfg KeyConfig) Validate() error {
	if _, err := ParseKeyKind(string(cfg.Kind)); err != nil {
		return err
	}
	if cfg.Size < 0 {
		return fmt.Errorf("--key-size %d: must be at least 1", cfg.Size)
	}
	if cfg.Kind == NoKey || cfg.Kind == "" {
		return nil
	}
	if cfg.Space < 1 {
		return fmt.Errorf("--key-space %d: must be at least 1", cfg.Space)
	}
	if cfg.Size < 1 {
		return fmt.Errorf("--key-size %d: must be at least 1", cfg.Size)
	}
	if cfg.ZipfS != 0 && !(cfg.ZipfS > 1) {
		return fmt.Errorf("zipf exponent %v: must be greater than 1", cfg.ZipfS)
	}
	if cfg.Space > maxKeyBytes || cfg.Space*uint64(cfg.Size) > maxKeyBytes {
		return fmt.Errorf("--key-space %d x --key-size %d is more than %d bytes of keys; lower one of them", cfg.Space, cfg.Size, maxKeyBytes)
	}
	if digits := len(fmt.Sprint(cfg.Space - 1)); cfg.Size < digits {
		return fmt.Errorf("--key-size %d cannot hold %d distinct keys; use at least %d", cfg.Size, cfg.Space, digits)
	}
	return nil
}

// maxKeyBytes bounds the precomputed key space.
const maxKeyBytes = 64 << 20

// Keys hands out record keys from a precomputed key space; the slices are
// shared and read-only. Not safe for concurrent use.
//
// The keys lie back to back in one buffer, key i at i*size, so picking a
// key is arithmetic rather than a load of a slice header from a table as
// large as the key space (a cache miss per random key at 10,000 keys).
type Keys struct {
	kind  KeyKind
	buf   []byte
	size  uint64
	space uint64
	seq   uint64
	rng   *randv2.PCG
	zipf  *rand.Zipf
}

// NewKeys precomputes the key space described by cfg.
func NewKeys(cfg KeyConfig) (*Keys, error) {
	if cfg.Kind == "" {
		cfg.Kind = NoKey
	}
	k := &Keys{kind: cfg.Kind}
	if cfg.Kind == NoKey {
		if err := cfg.Validate(); err != nil {
			return nil, err
		}
		return k, nil
	}
	if cfg.Space == 0 {
		cfg.Space = 10000
	}
	if cfg.Size == 0 {
		cfg.Size = 16
	}
	if cfg.ZipfS == 0 {
		cfg.ZipfS = 1.1
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	k.buf = make([]byte, int(cfg.Space)*cfg.Size)
	k.size, k.space = uint64(cfg.Size), cfg.Space
	for i := range int(cfg.Space) {
		b := k.key(uint64(i))
		for j := range b {
			b[j] = '0'
		}
		s := fmt.Sprint(i)
		copy(b[cfg.Size-len(s):], s)
		if cfg.Size > len(s)+1 {
			b[0] = 'k'
		}
	}
	k.rng = randv2.NewPCG(cfg.Seed, 0x6b657973)
	if cfg.Kind == ZipfKey {
		k.zipf = rand.NewZipf(rand.New(rand.NewSource(int64(cfg.Seed))), cfg.ZipfS, 1, cfg.Space-1)
	}
	return k, nil
}

// Next returns the next key, nil for NoKey. It allocates nothing.
func (k *Keys) Next() []byte {
	switch k.kind {
	case RandomKey:
		return k.key(k.uniform())
	case SequentialKey:
		b := k.key(k.seq)
		k.seq++
		if k.seq == k.space {
			k.seq = 0
		}
		return b
	case ZipfKey:
		return k.key(k.zipf.Uint64())
	}
	return nil
}

// uniform is a uniform key index: rand.Rand's Uint64N on 64-bit platforms
// (the same indices for a seed), called on the PCG directly, which saves
// an interface call per key.
func (k *Keys) uniform() uint64 {
	n := k.space
	if n&(n-1) == 0 {
		return k.rng.Uint64() & (n - 1)
	}
	hi, lo := bits.Mul64(k.rng.Uint64(), n)
	if lo < n {
		thresh := -n % n
		for lo < thresh {
			hi, lo = bits.Mul64(k.rng.Uint64(), n)
		}
	}
	return hi
}

// key is key i of the space, capped so appending to it cannot reach the
// next key.
func (k *Keys) key(i uint64) []byte {
	off := i * k.size
	return k.buf[off : off+k.size : off+k.size]
}
