package maxrate

import (
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
)

func TestConfigValidate(t *testing.T) {
	mr := func(f func(*Config)) func() error {
		c := Config{Produce: loadgen.ProduceConfig{Topic: "m", Values: payload.ValueConfig{Size: 100}}, P99: time.Millisecond,
			MinAchieved: 0.95, Window: time.Second, Warmup: time.Second, MaxSteps: 3, Partitions: 6}
		f(&c)
		return c.Validate
	}
	for _, tc := range []struct {
		name  string
		check func() error
		want  string
	}{
		{"ok", mr(func(*Config) {}), ""},
		{"window", mr(func(c *Config) { c.Window = 0 }), "--window 0s"},
		{"min achieved", mr(func(c *Config) { c.MinAchieved = 1.5 }), "--min-achieved 1.5"},
		{"steps", mr(func(c *Config) { c.MaxSteps = 0 }), "--steps 0"},
		{"ceiling", mr(func(c *Config) { c.Ceiling = -1 }), "--ceiling -1"},
		{"warm-up", mr(func(c *Config) { c.Warmup = -time.Second }), "--window-warmup -1s"},
		{"producer", mr(func(c *Config) { c.Produce.Values.Compressibility = 3 }), "--compressibility 3"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.check()
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("unexpected error %v", err)
			case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
				t.Fatalf("error %v, want %q", err, tc.want)
			}
		})
	}
}
