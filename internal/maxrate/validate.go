package maxrate

import (
	"fmt"
	"math"
)

// Validate checks the search before any cluster is started or contacted.
// Zero MinAchieved, Window, Warmup and MaxSteps are refused here; Run
// fills in their defaults before validating.
func (c *Config) Validate() error {
	switch {
	case c.P99 <= 0:
		return fmt.Errorf("--slo p99=%s: must be positive, e.g. --slo p99=50ms", c.P99)
	case c.MinAchieved <= 0 || c.MinAchieved > 1 || math.IsNaN(c.MinAchieved):
		return fmt.Errorf("--min-achieved %v: must be more than 0 and at most 1", c.MinAchieved)
	case c.Window <= 0:
		return fmt.Errorf("--window %s: must be positive", c.Window)
	case c.Warmup < 0:
		return fmt.Errorf("--window-warmup %s: must not be negative", c.Warmup)
	case c.MaxSteps < 1:
		return fmt.Errorf("--steps %d: must be at least 1", c.MaxSteps)
	case c.Ceiling < 0 || math.IsNaN(c.Ceiling) || math.IsInf(c.Ceiling, 0):
		return fmt.Errorf("--ceiling %v: must be a positive number of records/s (0: an unpaced window finds it)", c.Ceiling)
	case c.Partitions < -1:
		return fmt.Errorf("--partitions %d: must be at least 1 (or -1 for the broker's default)", c.Partitions)
	case c.ReplicationFactor < -1:
		return fmt.Errorf("--replication-factor %d: must be at least 1 (or -1 for the broker's default)", c.ReplicationFactor)
	}
	pc := c.Produce
	if pc.Records == 0 && pc.Duration == 0 {
		pc.Duration = c.Window // each window sets its own bound
	}
	if pc.Producers == 0 {
		pc.Producers = 1
	}
	return pc.Validate()
}
