package clientcfg

import (
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// TestClientLines: the defaults follow the Java client line, 4.x unless
// told otherwise (Kafka 4.0 changed linger.ms from 0 to 5, KIP-1030); a
// value set explicitly wins on either line, and With keeps the line.
func TestClientLines(t *testing.T) {
	for _, tc := range []struct {
		line   Line
		props  []string
		linger string
	}{
		{CurrentLine, nil, "5"},
		{Line4, nil, "5"},
		{Line3, nil, "0"},
		{Line3, []string{"linger.ms=7"}, "7"},
		{Line4, []string{"linger.ms=0"}, "0"},
	} {
		props, _ := ParseAssignments(tc.props)
		r, err := ResolveLine(props, Producer, tc.line)
		if err != nil {
			t.Fatal(err)
		}
		if got := r.Effective()["linger.ms"]; got != tc.linger || r.Line() != tc.line {
			t.Errorf("line %s %v: linger.ms %s (line %s), want %s", tc.line, tc.props, got, r.Line(), tc.linger)
		}
		want, _ := time.ParseDuration(tc.linger + "ms")
		if got := client(t, r).OptValue(kgo.ProducerLinger); got != want {
			t.Errorf("line %s %v: franz-go linger %v, want %v", tc.line, tc.props, got, want)
		}
		w, err := r.With(Property{Key: "acks", Value: "1"})
		if err != nil || w.Line() != tc.line || w.Effective()["linger.ms"] != tc.linger {
			t.Errorf("With lost the line: %v %s %s", err, w.Line(), w.Effective()["linger.ms"])
		}
	}
	if r, _ := Resolve(nil, Producer); r.Line() != Line4 || r.Effective()["linger.ms"] != "5" {
		t.Errorf("Resolve applies line %s, linger.ms %s; want the 4.x line's 5", r.Line(), r.Effective()["linger.ms"])
	}
	if _, err := ResolveLine(nil, Producer, Line(2)); err == nil {
		t.Error("line 2 accepted")
	}
	for in, want := range map[string]Line{"3": Line3, "4": Line4, "3.x": Line3, " 4.x": Line4} {
		if l, err := ParseLine(in); err != nil || l != want {
			t.Errorf("ParseLine(%q) = %v, %v", in, l, err)
		}
	}
	if _, err := ParseLine("5"); err == nil || !strings.Contains(err.Error(), "must be 3 or 4") {
		t.Errorf("ParseLine(5): %v", err)
	}
	if LineOf(0) != Line3 || LineOf(4) != Line4 {
		t.Error("LineOf: an unrecorded line is 3.x, the defaults ktune applied before it recorded one")
	}
	// The property list shows each line's default.
	for _, l := range Lines {
		for _, d := range Describe(Producer, l) {
			if d.Name == "linger.ms" && (d.Default != lineDefaults["linger.ms"][l] || d.Line != int(l)) {
				t.Errorf("line %s lists linger.ms default %q", l, d.Default)
			}
		}
	}
}

// TestLineDefaultsDiffer: every entry of the table differs between the
// lines and names a property ktune knows.
func TestLineDefaultsDiffer(t *testing.T) {
	for name, vals := range lineDefaults {
		if _, ok := specs[name]; !ok {
			t.Errorf("%s: not in the property table", name)
		}
		if vals[Line3] == vals[Line4] {
			t.Errorf("%s: the same on both lines", name)
		}
	}
}
