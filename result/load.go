package result

import (
	"encoding/json"
	"fmt"
	"os"
)

// Named is a document with the file it came from.
type Named[T any] struct {
	Path string
	Doc  T
}

// Set holds ktune documents read from files, by kind.
type Set struct {
	// Results are run documents: produce, consume, e2e.
	Results     []Named[*Document]
	Sweeps      []Named[*Sweep]
	MaxRates    []Named[*MaxRate]
	Probes      []Named[*Probe]
	Comparisons []Named[*Comparison]
	Advice      []Named[*Advice]
	Disruptions []Named[*Disruption]
	Drains      []Named[*Drain]
	DrainSweeps []Named[*DrainSweep]
	// Other holds documents of kinds this ktune does not know.
	Other []Raw
}

// Raw is a document of a kind this ktune does not know.
type Raw struct {
	Path string
	Kind Kind
	Data json.RawMessage
}

// Load reads ktune documents of any kind, checking each one's schema
// version and kind, into a Set. It is the one loader that report, advise,
// compare and merge use.
func Load(paths ...string) (*Set, error) {
	set := &Set{}
	for _, p := range paths {
		if err := set.add(p); err != nil {
			return nil, err
		}
	}
	return set, nil
}

func (s *Set) add(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	kind, err := readHead(data)
	if err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	decode := func(v any) error {
		if err := unmarshal(data, v); err != nil {
			return fmt.Errorf("%s: reading ktune %s document: %w", path, kind, err)
		}
		return nil
	}
	switch kind {
	case KindProduce, KindConsume, KindE2E:
		return add(&s.Results, path, decode)
	case KindSweep:
		return add(&s.Sweeps, path, decode)
	case KindMaxRate:
		return add(&s.MaxRates, path, decode)
	case KindProbe:
		return add(&s.Probes, path, decode)
	case KindComparison:
		return add(&s.Comparisons, path, decode)
	case KindAdvice:
		return add(&s.Advice, path, decode)
	case KindDisruption:
		return add(&s.Disruptions, path, decode)
	case KindDrain:
		return add(&s.Drains, path, decode)
	case KindDrainSweep:
		return add(&s.DrainSweeps, path, decode)
	default:
		s.Other = append(s.Other, Raw{Path: path, Kind: kind, Data: data})
	}
	return nil
}

// add decodes one document of type T onto list.
func add[T any](list *[]Named[*T], path string, decode func(any) error) error {
	var d T
	if err := decode(&d); err != nil {
		return err
	}
	*list = append(*list, Named[*T]{Path: path, Doc: &d})
	return nil
}

// ReadFile reads the run document (produce, consume or e2e) at path.
func ReadFile(path string) (*Document, error) {
	set, err := Load(path)
	if err != nil {
		return nil, err
	}
	if len(set.Results) != 1 {
		return nil, fmt.Errorf("%s: not a ktune run result (produce, consume or e2e): kind %q", path, set.kind())
	}
	return set.Results[0].Doc, nil
}

// ReadProbe reads the probe document at path.
func ReadProbe(path string) (*Probe, error) {
	set, err := Load(path)
	if err != nil {
		return nil, err
	}
	if len(set.Probes) != 1 {
		return nil, fmt.Errorf("%s: not a ktune probe document: kind %q", path, set.kind())
	}
	return set.Probes[0].Doc, nil
}

// kind names the kind of the one document in s.
func (s *Set) kind() Kind {
	switch {
	case len(s.Results) > 0:
		return s.Results[0].Doc.Kind
	case len(s.Sweeps) > 0:
		return KindSweep
	case len(s.MaxRates) > 0:
		return KindMaxRate
	case len(s.Probes) > 0:
		return KindProbe
	case len(s.Comparisons) > 0:
		return KindComparison
	case len(s.Advice) > 0:
		return KindAdvice
	case len(s.Disruptions) > 0:
		return KindDisruption
	case len(s.Drains) > 0:
		return KindDrain
	case len(s.DrainSweeps) > 0:
		return KindDrainSweep
	case len(s.Other) > 0:
		return s.Other[0].Kind
	}
	return ""
}
