package cmdutil

import (
	"fmt"
	"strings"
	"time"

	"github.com/spf13/pflag"

	"github.com/ktune/ktune/internal/units"
)

// ParseSLO reads a p99 latency objective: "50ms" or "p99=50ms", the one
// form every command's --slo accepts.
func ParseSLO(s string) (time.Duration, error) {
	v := strings.TrimPrefix(strings.TrimSpace(s), "p99=")
	d, err := units.ParseDuration(v)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a p99 objective: want DURATION or p99=DURATION, e.g. 50ms", s)
	}
	return d, nil
}

// sloValue is a pflag.Value for ParseSLO.
type sloValue struct{ d *time.Duration }

func (v sloValue) String() string {
	if v.d == nil || *v.d == 0 {
		return ""
	}
	return "p99=" + v.d.String()
}

func (v sloValue) Set(s string) error {
	d, err := ParseSLO(s)
	if err != nil {
		return err
	}
	*v.d = d
	return nil
}

func (sloValue) Type() string { return "slo" }

// SLOVar defines a --slo style flag (50ms or p99=50ms) stored in p.
func SLOVar(fs *pflag.FlagSet, p *time.Duration, name string, def time.Duration, usage string) {
	*p = def
	fs.Var(sloValue{p}, name, usage)
}
