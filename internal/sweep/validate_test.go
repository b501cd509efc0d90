package sweep

import (
	"strings"
	"testing"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/result"
)

func TestConfigValidate(t *testing.T) {
	base := func(f func(*Config)) func() error {
		c := Config{Topic: "s", Partitions: 6, Records: 100, Repeat: 1, RecordSize: 100, Values: payload.ValueConfig{Kind: payload.Random},
			Dimensions: []result.Dimension{{Role: RoleProducer, Name: "linger.ms", Values: []string{"0", "5"}}}}
		f(&c)
		return c.Validate
	}
	for _, tc := range []struct {
		name  string
		check func() error
		want  string
	}{
		{"ok", base(func(*Config) {}), ""},
		{"records", base(func(c *Config) { c.Records = 0 }), "--records 0: must be at least 1"},
		{"repeat", base(func(c *Config) { c.Repeat = 0 }), "--repeat 0: must be at least 1"},
		{"rate", base(func(c *Config) { c.Rate = -1 }), "--rate -1"},
		{"trim without budget", base(func(c *Config) { c.Trim = true }), "--trim needs --budget"},
		{"mode", base(func(c *Config) { c.Mode = "random" }), `sweep mode "random"`},
		{"record size", base(func(c *Config) { c.RecordSize = 0 }), "--record-size 0"},
		{"partitions dimension", base(func(c *Config) {
			c.Dimensions = append(c.Dimensions, result.Dimension{Role: RoleWorkload, Name: "partitions", Values: []string{"3", "-1"}})
		}), `point linger.ms=0 partitions=-1: --partitions "-1"`},
		{"bad value", base(func(c *Config) { c.Dimensions[0].Values = []string{"0", "soon"} }), `point linger.ms=soon: -X linger.ms: "soon"`},
		{"conflicting point", base(func(c *Config) {
			c.Producer = []clientcfg.Property{{Key: "enable.idempotence", Value: "true", Source: "-X"}}
			c.Dimensions = []result.Dimension{{Role: RoleProducer, Name: "acks", Values: []string{"all", "1"}}}
		}), "point acks=1: enable.idempotence=true needs acks=all"},
		{"bad consumer base", base(func(c *Config) {
			c.Consumer = []clientcfg.Property{{Key: "max.poll.records", Value: "0", Source: "-X"}}
			c.Dimensions = append(c.Dimensions, result.Dimension{Role: RoleConsumer, Name: "fetch.min.bytes", Values: []string{"1"}})
		}), `-X max.poll.records: "0"`},
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
