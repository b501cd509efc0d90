package cmdutil

import (
	"testing"
	"time"

	"github.com/spf13/pflag"
)

func TestParseSLO(t *testing.T) {
	for _, tt := range []struct {
		in   string
		want time.Duration
	}{{"p99=50ms", 50 * time.Millisecond}, {"50ms", 50 * time.Millisecond}, {"1s", time.Second}, {" p99=2ms ", 2 * time.Millisecond}} {
		if d, err := ParseSLO(tt.in); err != nil || d != tt.want {
			t.Errorf("ParseSLO(%q) = %v, %v; want %v", tt.in, d, err, tt.want)
		}
	}
	for _, bad := range []string{"", "p99=", "p99=fast", "p50=5ms", "-5ms", "0s", "p99=0ms"} {
		if _, err := ParseSLO(bad); err == nil {
			t.Errorf("%q accepted", bad)
		}
	}
}

func TestSLOVar(t *testing.T) {
	var d time.Duration
	fs := pflag.NewFlagSet("x", pflag.ContinueOnError)
	SLOVar(fs, &d, "slo", 100*time.Millisecond, "objective")
	if d != 100*time.Millisecond {
		t.Fatalf("default %v", d)
	}
	if err := fs.Parse([]string{"--slo", "p99=20ms"}); err != nil || d != 20*time.Millisecond {
		t.Fatalf("p99=20ms: %v %v", d, err)
	}
	if err := fs.Parse([]string{"--slo", "30ms"}); err != nil || d != 30*time.Millisecond {
		t.Fatalf("30ms: %v %v", d, err)
	}
	if err := fs.Parse([]string{"--slo", "p50=1ms"}); err == nil {
		t.Fatal("p50 accepted")
	}
}
