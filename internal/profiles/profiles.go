// Package profiles holds named client configurations to run and compare:
// the built-in ones (kafka-defaults, throughput, latency, durability,
// balanced, and the textbook one-setting-at-a-time sweep) embedded in the
// binary, and users' own YAML files.
package profiles

import (
	"embed"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/ktune/ktune/internal/clientcfg"
)

//go:embed builtin/*.yaml
var builtin embed.FS

// Profile is a named set of producer, consumer and topic settings.
type Profile struct {
	Name        string
	Description string
	// Base names a profile whose settings come first (this one's win).
	Base string
	// Source is the file it came from, or "built-in".
	Source   string
	Producer []clientcfg.Property
	Consumer []clientcfg.Property
	Topic    Topic
	// Sweep, when set, makes the profile a sweep over these dimensions.
	Sweep *Sweep
}

// Topic holds a profile's topic layout; zero values leave ktune's defaults.
type Topic struct {
	Partitions        int
	ReplicationFactor int
	Configs           map[string]string
}

// Sweep lists the values to try per property.
type Sweep struct {
	// Mode is "grid" (every combination) or "one-at-a-time" (each value of
	// each property with the others at the base, as the textbook does).
	Mode     string
	Producer []Dimension
	Consumer []Dimension
}

// Dimension is one swept property and its values.
type Dimension struct {
	Name   string
	Values []string
	Line   int
}

// ErrNotFound is returned (wrapped) for an unknown profile name.
var ErrNotFound = errors.New("no such profile")

// Load returns the profile named name: a path to a YAML file, a file
// NAME.yaml in one of dirs, or a built-in profile.
func Load(name string, dirs ...string) (*Profile, error) {
	p, err := load(name, dirs, 0)
	if err != nil {
		return nil, err
	}
	return p, nil
}

func load(name string, dirs []string, depth int) (*Profile, error) {
	if depth > 8 {
		return nil, fmt.Errorf("profile %q: base profiles nest too deep (a cycle?)", name)
	}
	data, source, err := find(name, dirs)
	if err != nil {
		return nil, err
	}
	p, err := Parse(data, source)
	if err != nil {
		return nil, err
	}
	if p.Base != "" {
		dirs := dirs
		if source != "built-in" {
			dirs = append([]string{filepath.Dir(source)}, dirs...)
		}
		base, err := load(p.Base, dirs, depth+1)
		if err != nil {
			return nil, fmt.Errorf("%s: base %q: %w", source, p.Base, err)
		}
		p.Producer = append(append([]clientcfg.Property{}, base.Producer...), p.Producer...)
		p.Consumer = append(append([]clientcfg.Property{}, base.Consumer...), p.Consumer...)
		if p.Topic.Partitions == 0 {
			p.Topic.Partitions = base.Topic.Partitions
		}
		if p.Topic.ReplicationFactor == 0 {
			p.Topic.ReplicationFactor = base.Topic.ReplicationFactor
		}
		if p.Topic.Configs == nil {
			p.Topic.Configs = base.Topic.Configs
		}
	}
	return p, nil
}

func find(name string, dirs []string) ([]byte, string, error) {
	if strings.ContainsRune(name, os.PathSeparator) || strings.HasSuffix(name, ".yaml") || strings.HasSuffix(name, ".yml") {
		data, err := os.ReadFile(name)
		if err != nil {
			return nil, "", fmt.Errorf("profile %s: %w", name, err)
		}
		return data, name, nil
	}
	for _, d := range dirs {
		for _, ext := range []string{".yaml", ".yml"} {
			path := filepath.Join(d, name+ext)
			if data, err := os.ReadFile(path); err == nil {
				return data, path, nil
			}
		}
	}
	data, err := builtin.ReadFile("builtin/" + name + ".yaml")
	if err != nil {
		return nil, "", fmt.Errorf("%w %q; 'ktune profiles list' shows them", ErrNotFound, name)
	}
	return data, "built-in", nil
}

// List returns every built-in profile and the ones in dirs, by name.
func List(dirs ...string) ([]*Profile, error) {
	seen := map[string]bool{}
	var names []string
	for _, d := range dirs {
		entries, err := os.ReadDir(d)
		if err != nil {
			return nil, fmt.Errorf("--profile-dir: %w", err)
		}
		for _, e := range entries {
			if n := e.Name(); strings.HasSuffix(n, ".yaml") || strings.HasSuffix(n, ".yml") {
				names = append(names, strings.TrimSuffix(strings.TrimSuffix(n, ".yaml"), ".yml"))
			}
		}
	}
	entries, _ := builtin.ReadDir("builtin")
	for _, e := range entries {
		names = append(names, strings.TrimSuffix(e.Name(), ".yaml"))
	}
	var out []*Profile
	for _, n := range names {
		if seen[n] {
			continue
		}
		seen[n] = true
		p, err := Load(n, dirs...)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// Parse reads one profile. Errors name the file, the line and the property.
func Parse(data []byte, source string) (*Profile, error) {
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, fmt.Errorf("%s: %v", source, err)
	}
	if len(doc.Content) == 0 || doc.Content[0].Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s: a profile is a YAML mapping with name, description, producer, consumer, topic", source)
	}
	p := &Profile{Source: source}
	errf := func(n *yaml.Node, format string, args ...any) error {
		return fmt.Errorf("%s:%d: %s", source, n.Line, fmt.Sprintf(format, args...))
	}
	root := doc.Content[0]
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		var err error
		switch k.Value {
		case "name":
			p.Name = v.Value
		case "description":
			p.Description = strings.TrimSpace(v.Value)
		case "base":
			p.Base = v.Value
		case "producer":
			p.Producer, err = props(v, source, clientcfg.Producer)
		case "consumer":
			p.Consumer, err = props(v, source, clientcfg.Consumer)
		case "topic":
			err = topic(v, &p.Topic, errf)
		case "sweep":
			p.Sweep, err = sweep(v, source, errf)
		default:
			err = errf(k, "unknown key %q (want name, description, base, producer, consumer, topic, sweep)", k.Value)
		}
		if err != nil {
			return nil, err
		}
	}
	if p.Name == "" {
		return nil, fmt.Errorf("%s: the profile has no name", source)
	}
	return p, nil
}

// props reads a mapping of Java client properties and validates each one.
func props(n *yaml.Node, source string, role clientcfg.Role) ([]clientcfg.Property, error) {
	if n.Kind != yaml.MappingNode {
		return nil, fmt.Errorf("%s:%d: want a mapping of client properties", source, n.Line)
	}
	var out []clientcfg.Property
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		prop := clientcfg.Property{Key: k.Value, Value: v.Value, Line: k.Line, Source: source}
		if _, err := clientcfg.Resolve([]clientcfg.Property{prop}, role); err != nil {
			return nil, err
		}
		out = append(out, prop)
	}
	return out, nil
}

func topic(n *yaml.Node, t *Topic, errf func(*yaml.Node, string, ...any) error) error {
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "partitions", "replication_factor":
			x, err := strconv.Atoi(v.Value)
			if err != nil || x < 1 {
				return errf(v, "topic.%s: %q is not a positive whole number", k.Value, v.Value)
			}
			if k.Value == "partitions" {
				t.Partitions = x
			} else {
				t.ReplicationFactor = x
			}
		case "configs":
			t.Configs = map[string]string{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				t.Configs[v.Content[j].Value] = v.Content[j+1].Value
			}
		default:
			return errf(k, "unknown topic key %q (want partitions, replication_factor, configs)", k.Value)
		}
	}
	return nil
}

func sweep(n *yaml.Node, source string, errf func(*yaml.Node, string, ...any) error) (*Sweep, error) {
	s := &Sweep{Mode: "grid"}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		switch k.Value {
		case "mode":
			if v.Value != "grid" && v.Value != "one-at-a-time" {
				return nil, errf(v, "sweep.mode %q: must be grid or one-at-a-time", v.Value)
			}
			s.Mode = v.Value
		case "producer", "consumer":
			role := clientcfg.Producer
			if k.Value == "consumer" {
				role = clientcfg.Consumer
			}
			for j := 0; j+1 < len(v.Content); j += 2 {
				pk, pv := v.Content[j], v.Content[j+1]
				d := Dimension{Name: pk.Value, Line: pk.Line}
				for _, item := range pv.Content {
					prop := clientcfg.Property{Key: pk.Value, Value: item.Value, Line: item.Line, Source: source}
					if _, err := clientcfg.Resolve([]clientcfg.Property{prop}, role); err != nil {
						return nil, err
					}
					d.Values = append(d.Values, item.Value)
				}
				if len(d.Values) == 0 {
					return nil, errf(pk, "sweep.%s.%s: give a list of values", k.Value, pk.Value)
				}
				if role == clientcfg.Producer {
					s.Producer = append(s.Producer, d)
				} else {
					s.Consumer = append(s.Consumer, d)
				}
			}
		default:
			return nil, errf(k, "unknown sweep key %q (want mode, producer, consumer)", k.Value)
		}
	}
	return s, nil
}

// Kvs returns properties as name=value strings, in order.
func Kvs(props []clientcfg.Property) []string {
	out := make([]string, len(props))
	for i, p := range props {
		out[i] = p.Key + "=" + p.Value
	}
	return out
}
