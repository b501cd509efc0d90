package cmdutil

import (
	"github.com/spf13/pflag"

	"github.com/ktune/ktune/internal/clientcfg"
)

// lineValue is a --client-line flag: a bad value is refused when the flag
// is parsed, before any work.
type lineValue struct{ l *clientcfg.Line }

func (v lineValue) String() string {
	if v.l == nil || *v.l == 0 {
		return clientcfg.CurrentLine.String()
	}
	return v.l.String()
}

func (v lineValue) Set(s string) error {
	l, err := clientcfg.ParseLine(s)
	if err == nil {
		*v.l = l
	}
	return err
}

func (lineValue) Type() string { return "3|4" }

// ClientLineVar adds --client-line, the Java client line whose defaults
// apply, to fs; *l stays 0 (the current line) unless it is given.
func ClientLineVar(fs *pflag.FlagSet, l *clientcfg.Line) {
	fs.Var(lineValue{l}, "client-line", "Java client line whose defaults apply to what is not set: 4 (Kafka 4.x: linger.ms 5) or 3 (Kafka 3.x: linger.ms 0); see docs/client-lines.md")
}
