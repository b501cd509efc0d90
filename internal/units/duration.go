package units

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Day is the unit ParseDuration adds to Go's: 24 hours, what operators
// write for retention (7d, 90d).
const Day = 24 * time.Hour

// ParseDuration reads a duration as Go writes it (90m, 168h, 1h30m) or
// with days, alone or leading (7d, 90d, 1.5d, 1d12h). Negative durations
// are refused: every duration ktune takes is a span of time.
func ParseDuration(s string) (time.Duration, error) {
	t := strings.TrimSpace(s)
	bad := fmt.Errorf("%q is not a duration such as 90m, 168h or 7d", s)
	if strings.HasPrefix(t, "-") {
		return 0, bad
	}
	var days time.Duration
	if i := strings.IndexByte(t, 'd'); i >= 0 {
		n, err := strconv.ParseFloat(t[:i], 64)
		if err != nil || n < 0 || n > maxDays {
			return 0, bad
		}
		days, t = time.Duration(n*float64(Day)), t[i+1:]
		if t == "" {
			return days, nil
		}
	}
	d, err := time.ParseDuration(t)
	if err != nil || d < 0 || d > time.Duration(1<<63-1)-days {
		return 0, bad
	}
	return days + d, nil
}

// maxDays keeps a day count inside time.Duration (about 292 years).
const maxDays = 100000

// FormatDuration writes d the way ParseDuration reads it, in whole days
// when it is whole days (7d), else as Go does (36h0m0s).
func FormatDuration(d time.Duration) string {
	if d != 0 && d%Day == 0 {
		return strconv.FormatInt(int64(d/Day), 10) + "d"
	}
	return d.String()
}

// DurationValue is a pflag.Value for a duration flag that takes days too.
type DurationValue struct{ D *time.Duration }

// NewDurationValue sets *p to def and returns the flag value for it.
func NewDurationValue(p *time.Duration, def time.Duration) DurationValue {
	*p = def
	return DurationValue{p}
}

func (v DurationValue) String() string {
	if v.D == nil || *v.D == 0 {
		return "0s"
	}
	return FormatDuration(*v.D)
}

// Set parses s with ParseDuration.
func (v DurationValue) Set(s string) error {
	d, err := ParseDuration(s)
	if err != nil {
		return err
	}
	*v.D = d
	return nil
}

// Type names the flag's type in help.
func (DurationValue) Type() string { return "duration" }
