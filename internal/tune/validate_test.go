package tune

import (
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
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

// TestPresetFitsTheEmbeddedBound checks that tune's runs on a cluster that
// keeps only so many bytes (the embedded one) write no more than it still
// holds when they are read back, and that a real cluster's runs keep the
// preset's size.
func TestPresetFitsTheEmbeddedBound(t *testing.T) {
	for _, tc := range []struct {
		preset    string
		keptBytes int64
		want      int64
	}{
		{"quick", 0, 20000},
		{"full", 0, 200000},
		{"quick", cluster.DefaultEmbeddedMaxBytes, 20000},
		{"full", cluster.DefaultEmbeddedMaxBytes, 65536},
	} {
		p, err := presets(tc.preset)
		if err != nil {
			t.Fatal(err)
		}
		got := p.fit(tc.keptBytes).records
		if got != tc.want {
			t.Errorf("%s with %d bytes kept: %d records, want %d", tc.preset, tc.keptBytes, got, tc.want)
		}
		// What a run writes, its warm-up included, is at most the bound.
		if written := got * 11 / 10 * tuneRecordSize; tc.keptBytes > 0 && written > tc.keptBytes {
			t.Errorf("%s: writes %d bytes, more than the %d kept", tc.preset, written, tc.keptBytes)
		}
	}
}
