package loadgen

import (
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/loadgen/payload"
)

func TestValidate(t *testing.T) {
	prod := func(f func(*ProduceConfig)) func() error {
		c := ProduceConfig{Topic: "t", Records: 10, Producers: 1, Values: payload.ValueConfig{Kind: payload.Random, Size: 100}}
		f(&c)
		return c.Validate
	}
	cons := func(f func(*ConsumeConfig)) func() error {
		c := ConsumeConfig{Topic: "t", Consumers: 1, IdleTimeout: time.Second}
		f(&c)
		return c.Validate
	}
	e2e := func(f func(*E2EConfig)) func() error {
		c := E2EConfig{Produce: ProduceConfig{Topic: "t", Records: 10, Rate: 100, Producers: 1, Values: payload.ValueConfig{Size: 100}}, Consume: ConsumeConfig{Consumers: 1}}
		f(&c)
		return c.Validate
	}
	for _, tc := range []struct {
		name  string
		check func() error
		want  string // "" for valid
	}{
		{"produce ok", prod(func(*ProduceConfig) {}), ""},
		{"no topic", prod(func(c *ProduceConfig) { c.Topic = "" }), "no topic"},
		{"negative records", prod(func(c *ProduceConfig) { c.Records = -3 }), "--records -3: must not be negative"},
		{"no bound", prod(func(c *ProduceConfig) { c.Records = 0 }), "the run needs a bound"},
		{"duration only", prod(func(c *ProduceConfig) { c.Records, c.Duration = 0, time.Second }), ""},
		{"negative rate", prod(func(c *ProduceConfig) { c.Rate = -5 }), "--rate -5: must be a positive number"},
		{"NaN rate", prod(func(c *ProduceConfig) { c.Rate = math.NaN() }), "--rate NaN"},
		{"zero producers", prod(func(c *ProduceConfig) { c.Producers = 0 }), "--producers 0: must be at least 1"},
		{"negative warm-up", prod(func(c *ProduceConfig) { c.WarmupRecords = -1 }), "--warmup -1"},
		{"compressibility", prod(func(c *ProduceConfig) { c.Values.Compressibility = 2 }), "--compressibility 2: must be between 0 and 1"},
		{"record size 0", prod(func(c *ProduceConfig) { c.Values.Size = 0 }), "--record-size 0: must be between 1 and 67108864 bytes"},
		{"payload kind", prod(func(c *ProduceConfig) { c.Values.Kind = "xml" }), `--payload "xml"`},
		{"payload file missing", prod(func(c *ProduceConfig) {
			c.Values.Kind, c.Values.Path = payload.File, filepath.Join(t.TempDir(), "none")
		}), "--payload file:"},
		{"key kind", prod(func(c *ProduceConfig) { c.Keys.Kind = "hash" }), `--key "hash"`},
		{"key space 0", prod(func(c *ProduceConfig) { c.Keys = payload.KeyConfig{Kind: payload.RandomKey, Size: 8} }), "--key-space 0: must be at least 1"},
		{"key size too small", prod(func(c *ProduceConfig) { c.Keys = payload.KeyConfig{Kind: payload.RandomKey, Space: 1000, Size: 2} }), "--key-size 2 cannot hold 1000 distinct keys"},
		{"negative key size without keys", prod(func(c *ProduceConfig) { c.Keys.Size = -1 }), "--key-size -1"},
		{"headers", prod(func(c *ProduceConfig) { c.Headers = -1 }), "--headers -1"},
		{"header size", prod(func(c *ProduceConfig) { c.HeaderSize = -1 }), "--header-size -1"},
		{"max errors", prod(func(c *ProduceConfig) { c.MaxErrors = -1 }), "--max-errors -1"},
		{"consume ok", cons(func(*ConsumeConfig) {}), ""},
		{"from", cons(func(c *ConsumeConfig) { c.From = "middle" }), `--from "middle": must be earliest or latest`},
		{"consumers", cons(func(c *ConsumeConfig) { c.Consumers = 0 }), "--consumers 0: must be at least 1"},
		{"idle timeout", cons(func(c *ConsumeConfig) { c.IdleTimeout = -time.Second }), "--idle-timeout -1s: must be positive"},
		{"consume records", cons(func(c *ConsumeConfig) { c.Records = -1 }), "--records -1"},
		{"e2e ok", e2e(func(*E2EConfig) {}), ""},
		{"e2e no rate", e2e(func(c *E2EConfig) { c.Produce.Rate = 0 }), "--rate 0: e2e needs a set rate"},
		{"e2e consumers", e2e(func(c *E2EConfig) { c.Consume.Consumers = 0 }), "--consumers 0"},
		{"e2e producer side", e2e(func(c *E2EConfig) { c.Produce.Values.Compressibility = -1 }), "--compressibility -1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.check()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want %q", err, tc.want)
			case err != nil && strings.Contains(err.Error(), "\n"):
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}
