package payload

import (
	"bytes"
	"fmt"
	randv2 "math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

func ratioZstd(t *testing.T, v *Values, n int) float64 {
	t.Helper()
	enc, err := zstd.NewWriter(nil)
	if err != nil {
		t.Fatal(err)
	}
	var raw []byte
	for i := 0; i < n; i++ {
		raw = append(raw, v.Next()...)
	}
	return float64(len(enc.EncodeAll(raw, nil))) / float64(len(raw))
}

func ratioLz4(t *testing.T, v *Values, n int) float64 {
	t.Helper()
	var raw []byte
	for i := 0; i < n; i++ {
		raw = append(raw, v.Next()...)
	}
	dst := make([]byte, lz4.CompressBlockBound(len(raw)))
	m, err := lz4.CompressBlock(raw, dst, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m == 0 {
		return 1
	}
	return float64(m) / float64(len(raw))
}

func TestCompressibility(t *testing.T) {
	tests := []struct {
		name   string
		cfg    ValueConfig
		lo, hi float64
	}{
		{"random c=0", ValueConfig{Kind: Random, Size: 1024}, 0.95, 1.1},
		{"random c=0.5", ValueConfig{Kind: Random, Size: 1024, Compressibility: 0.5}, 0.4, 0.65},
		{"random c=0.9", ValueConfig{Kind: Random, Size: 1024, Compressibility: 0.9}, 0, 0.2},
		{"text", ValueConfig{Kind: Text, Size: 1024}, 0, 0.6},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			v, err := NewValues(tt.cfg)
			if err != nil {
				t.Fatal(err)
			}
			z, l := ratioZstd(t, v, 256), ratioLz4(t, v, 256)
			t.Logf("zstd %.3f lz4 %.3f", z, l)
			if z < tt.lo || z > tt.hi {
				t.Errorf("zstd ratio %.3f outside [%.2f, %.2f]", z, tt.lo, tt.hi)
			}
			if tt.cfg.Kind == Random && (l < tt.lo || l > tt.hi+0.1) {
				t.Errorf("lz4 ratio %.3f outside [%.2f, %.2f]", l, tt.lo, tt.hi+0.1)
			}
		})
	}
}

func TestValuesSizesAndDeterminism(t *testing.T) {
	for _, kind := range []Kind{Random, Text} {
		a, err := NewValues(ValueConfig{Kind: kind, Size: 1000, Seed: 7, PoolSize: 16})
		if err != nil {
			t.Fatal(err)
		}
		b, _ := NewValues(ValueConfig{Kind: kind, Size: 1000, Seed: 7, PoolSize: 16})
		c, _ := NewValues(ValueConfig{Kind: kind, Size: 1000, Seed: 8, PoolSize: 16})
		for i := 0; i < 20; i++ {
			x, y, z := a.Next(), b.Next(), c.Next()
			if len(x) != 1000 {
				t.Fatalf("%s: size %d", kind, len(x))
			}
			if !bytes.Equal(x, y) {
				t.Fatalf("%s: same seed, different values", kind)
			}
			if i == 0 && bytes.Equal(x, z) {
				t.Fatalf("%s: different seeds, same values", kind)
			}
		}
		if a.MaxSize() != 1000 || a.AvgSize() != 1000 {
			t.Errorf("%s: max %d avg %.1f", kind, a.MaxSize(), a.AvgSize())
		}
	}
	big, err := NewValues(ValueConfig{Size: 1 << 20})
	if err != nil || len(big.pool) != 64 {
		t.Errorf("1 MiB values: pool of %d, want 64 (64 MiB cap): %v", len(big.pool), err)
	}
}

func TestFileValues(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "p.txt")
	os.WriteFile(path, []byte("alpha\n\nbeta gamma\r\ndelta\n"), 0o644)
	v, err := NewValues(ValueConfig{Kind: File, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; i < 4; i++ {
		got = append(got, string(v.Next()))
	}
	if strings.Join(got, "|") != "alpha|beta gamma|delta|alpha" {
		t.Errorf("lines: %q", got)
	}
	if v.MaxSize() != 10 {
		t.Errorf("max size %d", v.MaxSize())
	}
	empty := filepath.Join(dir, "e.txt")
	os.WriteFile(empty, []byte("\n\n"), 0o644)
	if _, err := NewValues(ValueConfig{Kind: File, Path: empty}); err == nil || !strings.Contains(err.Error(), "no non-empty lines") {
		t.Errorf("empty file: %v", err)
	}
	if _, err := NewValues(ValueConfig{Kind: File, Path: filepath.Join(dir, "missing")}); err == nil {
		t.Error("missing file accepted")
	}
}

func TestParseFlags(t *testing.T) {
	tests := []struct {
		in   string
		kind Kind
		path string
		bad  bool
	}{
		{"random", Random, "", false},
		{"text", Text, "", false},
		{"file:/tmp/x", File, "/tmp/x", false},
		{"file:", "", "", true},
		{"json", "", "", true},
	}
	for _, tt := range tests {
		k, p, err := ParsePayloadFlag(tt.in)
		if (err != nil) != tt.bad || k != tt.kind || p != tt.path {
			t.Errorf("%q: %q %q %v", tt.in, k, p, err)
		}
	}
	if _, err := ParseKeyKind("hashed"); err == nil || !strings.Contains(err.Error(), "none, random, sequential or zipf") {
		t.Errorf("bad key kind: %v", err)
	}
	if _, err := NewValues(ValueConfig{Compressibility: 1.5}); err == nil {
		t.Error("compressibility 1.5 accepted")
	}
}

func TestKeys(t *testing.T) {
	seq, err := NewKeys(KeyConfig{Kind: SequentialKey, Space: 3, Size: 4})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for i := 0; i < 4; i++ {
		got = append(got, string(seq.Next()))
	}
	if strings.Join(got, ",") != "k000,k001,k002,k000" {
		t.Errorf("sequential keys: %v", got)
	}
	none, _ := NewKeys(KeyConfig{})
	if none.Next() != nil {
		t.Error("none gives a key")
	}
	zipf, _ := NewKeys(KeyConfig{Kind: ZipfKey, Space: 1000, Size: 8})
	counts := map[string]int{}
	for i := 0; i < 100000; i++ {
		counts[string(zipf.Next())]++
	}
	if top := counts["k0000000"]; top < 10*counts["k0000500"]+100 {
		t.Errorf("zipf not skewed: top %d, key 500 %d", top, counts["k0000500"])
	}
	rnd, _ := NewKeys(KeyConfig{Kind: RandomKey, Space: 10, Size: 4})
	seen := map[string]bool{}
	for i := 0; i < 1000; i++ {
		seen[string(rnd.Next())] = true
	}
	if len(seen) != 10 {
		t.Errorf("random keys covered %d of 10", len(seen))
	}
	if _, err := NewKeys(KeyConfig{Kind: RandomKey, Space: 100000, Size: 3}); err == nil {
		t.Error("key size too small for the space accepted")
	}
}

func BenchmarkValuesNext(b *testing.B) {
	for _, kind := range []Kind{Random, Text} {
		b.Run(string(kind), func(b *testing.B) {
			v, _ := NewValues(ValueConfig{Kind: kind, Size: 1024})
			b.ReportAllocs()
			for b.Loop() {
				_ = v.Next()
			}
		})
	}
}

func BenchmarkKeysNext(b *testing.B) {
	for _, kind := range []KeyKind{NoKey, RandomKey, SequentialKey, ZipfKey} {
		b.Run(string(kind), func(b *testing.B) {
			k, _ := NewKeys(KeyConfig{Kind: kind})
			b.ReportAllocs()
			for b.Loop() {
				_ = k.Next()
			}
		})
	}
}

// TestLargeFileLinesStayIntact: every line of a file larger than any read
// buffer keeps its own content (lines used to alias a scanner's buffer).
func TestLargeFileLinesStayIntact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "big.txt")
	var b strings.Builder
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "line-%06d-%s\n", i, strings.Repeat("x", 40))
	}
	os.WriteFile(path, []byte(b.String()), 0o644)
	v, err := NewValues(ValueConfig{Kind: File, Path: path})
	if err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 20000; i++ {
		if want := fmt.Sprintf("line-%06d-%s", i, strings.Repeat("x", 40)); string(v.Next()) != want {
			t.Fatalf("line %d corrupted", i)
		}
	}
}

// TestRandomKeysAreRandUint64N pins the random key sequence of a seed: the
// indices rand.Rand.Uint64N draws from the same PCG.
func TestRandomKeysAreRandUint64N(t *testing.T) {
	for _, space := range []uint64{1, 2, 3, 1000, 10000, 1 << 20, 1234567} {
		k, err := NewKeys(KeyConfig{Kind: RandomKey, Space: space, Size: 8, Seed: 7})
		if err != nil {
			t.Fatal(err)
		}
		r := randv2.New(randv2.NewPCG(7, 0x6b657973))
		for i := 0; i < 100000; i++ {
			if a, b := k.uniform(), r.Uint64N(space); a != b {
				t.Fatalf("space %d draw %d: %d, rand %d", space, i, a, b)
			}
		}
	}
}
