package tune

import (
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/internal/clientcfg"
)

func TestConfigValidate(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  Config
		want string
	}{
		{"ok", Config{Dir: "d", SLO: time.Second}, ""},
		{"full", Config{Dir: "d", SLO: time.Second, Preset: "full", Budget: time.Hour}, ""},
		{"preset", Config{Dir: "d", SLO: time.Second, Preset: "huge"}, `--preset "huge"`},
		{"slo", Config{Dir: "d", SLO: -time.Second}, "--slo -1s: must be positive"},
		{"budget", Config{Dir: "d", SLO: time.Second, Budget: -time.Second}, "--budget -1s"},
		{"no folder", Config{SLO: time.Second}, "--out must not be empty"},
		{"workload", Config{Dir: "d", SLO: time.Second, Workload: advisor.Workload{PeakFactor: 0.5}}, "--peak-factor 0.5"},
		{"goal", Config{Dir: "d", SLO: time.Second, Workload: advisor.Workload{Goal: "speed"}}, `--goal "speed"`},
		{"base property", Config{Dir: "d", SLO: time.Second, Base: []clientcfg.Property{{Key: "acks", Value: "2", Source: "-X"}}}, `-X acks: "2"`},
		// The full preset sweeps acks=1: a base that forces idempotence
		// cannot run it.
		{"base against a point", Config{Dir: "d", SLO: time.Second, Preset: "full", Base: []clientcfg.Property{{Key: "enable.idempotence", Value: "true", Source: "-X"}}}, "point acks=1"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.cfg.Validate()
			if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
				t.Fatalf("%v, want %q", err, tc.want)
			}
		})
	}
}
