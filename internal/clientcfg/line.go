package clientcfg

import (
	"fmt"
	"strings"
)

// Line is a major line of the Java client whose defaults ktune applies:
// 3 (Kafka 3.x) or 4 (Kafka 4.x). The lines differ in the defaults listed
// in lineDefaults; every other default is the same on both.
type Line int

// The Java client lines.
const (
	Line3 Line = 3
	Line4 Line = 4
	// CurrentLine is the line ktune applies unless told otherwise: the
	// newest one.
	CurrentLine = Line4
)

// Lines lists the supported lines, oldest first.
var Lines = []Line{Line3, Line4}

func (l Line) String() string { return fmt.Sprintf("%d.x", int(l)) }

// OrCurrent is l, or CurrentLine when l is 0 (not given).
func (l Line) OrCurrent() Line {
	if l == 0 {
		return CurrentLine
	}
	return l
}

// ParseLine reads a --client-line value: 3 or 4 (3.x and 4.x are taken
// too).
func ParseLine(s string) (Line, error) {
	switch strings.TrimSuffix(strings.TrimSpace(s), ".x") {
	case "3":
		return Line3, nil
	case "4":
		return Line4, nil
	}
	return 0, fmt.Errorf("--client-line %q: must be 3 or 4 (the Java client's major version whose defaults apply)", s)
}

// LineOf is the line a document's recorded client_line names; 0, in a
// document written before ktune recorded it, is Line3: ktune applied the
// 3.x defaults then.
func LineOf(recorded int) Line {
	if recorded == 0 {
		return Line3
	}
	return Line(recorded)
}

// LineDefault is one default that differs between the Java client lines.
type LineDefault struct {
	Name string
	// Roles are the clients it configures: producer, consumer, admin.
	Roles []string
	// Values holds the default of each line.
	Values map[Line]string
	// Source names the change (its KIP) and where the values were checked.
	Source string
	// Supported is false for properties ktune accepts but cannot apply
	// (franz-go has no equivalent), or does not know.
	Supported bool
}

// lineDefaults lists every client default of ktune's property table that
// the Java client lines set differently. The values were read from the
// ConfigDef of ProducerConfig, ConsumerConfig and AdminClientConfig in
// kafka-clients 3.9.2 and 4.4.0 (docs/client-lines.md has the full table,
// properties ktune does not apply included).
var lineDefaults = map[string]map[Line]string{
	// KIP-1030 (Kafka 4.0): "The default linger.ms changed from 0 to 5".
	"linger.ms": {Line3: "0", Line4: "5"},
}

// defaultFor is s's default on line l.
func (s *spec) defaultFor(l Line) string {
	if v, ok := lineDefaults[s.name][l]; ok {
		return v
	}
	return s.def
}
