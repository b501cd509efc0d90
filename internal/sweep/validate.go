package sweep

import (
	"fmt"
	"math"
	"sort"
	"strconv"
	"strings"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/loadgen/payload"
)

// Validate checks the sweep before any cluster is started or contacted:
// the counts, the mode, the workload dimensions, and every point's
// producer (and, with consumer dimensions, consumer) configuration, so a
// combination the client refuses fails now rather than after the points
// before it ran.
func (c *Config) Validate() error {
	switch {
	case c.Records < 1:
		return fmt.Errorf("--records %d: must be at least 1 (records per point)", c.Records)
	case c.WarmupRecords < 0:
		return fmt.Errorf("warm-up records %d: must not be negative", c.WarmupRecords)
	case c.Rate < 0 || math.IsNaN(c.Rate) || math.IsInf(c.Rate, 0):
		return fmt.Errorf("--rate %v: must be a positive number of records/s, or 0 for as fast as possible", c.Rate)
	case c.Repeat < 1:
		return fmt.Errorf("--repeat %d: must be at least 1", c.Repeat)
	case c.Budget < 0:
		return fmt.Errorf("--budget %s: must be positive (0: no budget)", c.Budget)
	case c.Trim && c.Budget == 0:
		return fmt.Errorf("--trim needs --budget: it runs the points that fit the budget")
	case c.Partitions < 1:
		return fmt.Errorf("--partitions %d: must be at least 1", c.Partitions)
	case c.RF < -1:
		return fmt.Errorf("replication factor %d: must be at least 1 (or -1 for the broker's default)", c.RF)
	}
	values := c.Values
	values.Size = c.RecordSize
	if err := values.Validate(); err != nil {
		return err
	}
	points, err := Expand(c.Dimensions, c.Mode)
	if err != nil {
		return err
	}
	consumer := hasConsumer(c.Dimensions)
	for _, p := range points {
		if err := c.checkPoint(p, consumer); err != nil {
			if len(p.Params) == 0 {
				return err
			}
			return fmt.Errorf("point %s: %w", label(p), err)
		}
	}
	return nil
}

// checkPoint resolves one point's client configurations and checks its
// workload values.
func (c *Config) checkPoint(p Point, consumer bool) error {
	prod, cons, _, err := p.settings()
	if err != nil {
		return err
	}
	if _, err := clientcfg.Resolve(append(append([]clientcfg.Property{}, c.Producer...), prod...), clientcfg.Producer); err != nil {
		return err
	}
	if consumer {
		if _, err := clientcfg.Resolve(append(append([]clientcfg.Property{}, c.Consumer...), cons...), clientcfg.Consumer); err != nil {
			return err
		}
	}
	return nil
}

// settings splits the point's parameters into producer and consumer
// properties, each in name order, and checked workload values.
func (p Point) settings() (prod, cons []clientcfg.Property, workload map[string]int, err error) {
	workload = map[string]int{}
	for k, v := range p.Params {
		role, name, _ := strings.Cut(k, ":")
		switch role {
		case RoleProducer, RoleConsumer:
		case RoleWorkload:
			if workload[name], err = workloadValue(name, v); err != nil {
				return nil, nil, nil, err
			}
		default:
			return nil, nil, nil, fmt.Errorf("dimension %s: unknown role %q (producer, consumer, workload)", name, role)
		}
	}
	return p.Props(RoleProducer), p.Props(RoleConsumer), workload, nil
}

// Props returns the point's client properties of role (RoleProducer or
// RoleConsumer) in name order, as -X would set them.
func (p Point) Props(role string) []clientcfg.Property {
	var out []clientcfg.Property
	for k, v := range p.Params {
		if r, name, _ := strings.Cut(k, ":"); r == role {
			out = append(out, clientcfg.Property{Key: name, Value: v, Source: "-X"})
		}
	}
	sort.Slice(out, func(a, b int) bool { return out[a].Key < out[b].Key })
	return out
}

func workloadValue(name, v string) (int, error) {
	n, err := strconv.Atoi(v)
	switch name {
	case "partitions":
		if err != nil || n < 1 {
			return 0, fmt.Errorf("--partitions %q: must be whole numbers of at least 1", v)
		}
	case "record.size":
		if err != nil {
			return 0, fmt.Errorf("--record-size %q: must be sizes in bytes", v)
		}
		return n, payload.ValueConfig{Size: n}.Validate()
	default:
		return 0, fmt.Errorf("unknown workload dimension %q (partitions, record.size)", name)
	}
	return n, nil
}

// label names a point by its settings, name=value in name order.
func label(p Point) string {
	keys := make([]string, 0, len(p.Params))
	for k, v := range p.Params {
		_, name, _ := strings.Cut(k, ":")
		keys = append(keys, name+"="+v)
	}
	sort.Strings(keys)
	return strings.Join(keys, " ")
}
