package sweep

import (
	"fmt"
	"strings"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/profiles"
	"github.com/ktune/ktune/internal/units"
	"github.com/ktune/ktune/result"
)

// List is one setting to sweep as the command line gives it: a comma
// list of values.
type List struct {
	Role, Name string
	// Values is the comma list ("16k,64k"); empty means not swept.
	Values string
	// Sizes reads each value as a byte size (16k, 1m).
	Sizes bool
	// Source names where the list came from in errors (default -X).
	Source string
}

// listProps hold lists in their values, so -X with commas is not a sweep.
var listProps = map[string]bool{"bootstrap.servers": true, "partition.assignment.strategy": true, "sasl.jaas.config": true}

// FromProfile starts a sweep configuration from a profile: its topic
// layout, its client properties as the base, and its sweep section's
// dimensions and mode.
func FromProfile(p *profiles.Profile) Config {
	cfg := Config{
		Topic: "ktune-sweep", Partitions: p.Topic.Partitions, RF: p.Topic.ReplicationFactor, TopicConfigs: p.Topic.Configs,
		Producer: p.Producer, Consumer: p.Consumer,
	}
	if cfg.Partitions == 0 {
		cfg.Partitions = cluster.DefaultPartitions
	}
	if p.Sweep != nil {
		cfg.Mode = p.Sweep.Mode
		for _, d := range p.Sweep.Producer {
			cfg.Dimensions = append(cfg.Dimensions, result.Dimension{Role: RoleProducer, Name: d.Name, Values: d.Values})
		}
		for _, d := range p.Sweep.Consumer {
			cfg.Dimensions = append(cfg.Dimensions, result.Dimension{Role: RoleConsumer, Name: d.Name, Values: d.Values})
		}
	}
	return cfg
}

// SplitProps separates -X assignments: name=v1,v2 is a list to sweep, a
// single value a base setting. Properties whose values are lists by
// nature (bootstrap.servers, ...) are always base settings.
func SplitProps(props []clientcfg.Property) (lists []List, base []clientcfg.Property) {
	for _, p := range props {
		if strings.Contains(p.Value, ",") && !listProps[p.Key] {
			role := RoleProducer
			if consumerOnly(p.Key) {
				role = RoleConsumer
			}
			lists = append(lists, List{Role: role, Name: p.Key, Values: p.Value})
			continue
		}
		base = append(base, p)
	}
	return lists, base
}

// Dimensions turns lists into dimensions, checking every client property
// value as the client would. Empty lists are skipped.
func Dimensions(lists []List) ([]result.Dimension, error) {
	var dims []result.Dimension
	for _, l := range lists {
		if l.Values == "" {
			continue
		}
		var vals []string
		for _, v := range strings.Split(l.Values, ",") {
			v = strings.TrimSpace(v)
			if l.Sizes {
				n, err := units.ParseBytes(v)
				if err != nil {
					return nil, fmt.Errorf("%s: %v", l.Name, err)
				}
				v = fmt.Sprint(n)
			}
			vals = append(vals, v)
		}
		if role, ok := clientRole(l.Role); ok {
			src := l.Source
			if src == "" {
				src = "-X"
			}
			for _, v := range vals {
				if _, err := clientcfg.Resolve([]clientcfg.Property{{Key: l.Name, Value: v, Source: src}}, role); err != nil {
					return nil, err
				}
			}
		}
		dims = append(dims, result.Dimension{Role: l.Role, Name: l.Name, Values: vals})
	}
	return dims, nil
}

// clientRole is the client role of a dimension role (false for workload).
func clientRole(role string) (clientcfg.Role, bool) {
	switch role {
	case RoleProducer:
		return clientcfg.Producer, true
	case RoleConsumer:
		return clientcfg.Consumer, true
	}
	return 0, false
}

// consumerOnly reports whether only consumers know the property.
func consumerOnly(name string) bool {
	return Knows(clientcfg.Consumer, name) && !Knows(clientcfg.Producer, name)
}

// Knows reports whether clients of role take the property name.
func Knows(role clientcfg.Role, name string) bool {
	for _, d := range clientcfg.Describe(role, clientcfg.CurrentLine) {
		if d.Name == name {
			return true
		}
	}
	return false
}

// ForRole keeps the properties role knows, so base settings apply to the
// side they belong to.
func ForRole(props []clientcfg.Property, role clientcfg.Role) []clientcfg.Property {
	var out []clientcfg.Property
	for _, p := range props {
		if Knows(role, p.Key) {
			out = append(out, p)
		}
	}
	return out
}
