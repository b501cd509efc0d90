// Package clientcfg is the one place that maps Kafka's Java client
// properties (batch.size, linger.ms, fetch.min.bytes, sasl.jaas.config, ...)
// to franz-go options, so an operator's existing .properties files and -X
// overrides work unchanged. ktune's defaults are the Java client's of one
// line (Line: 4.x unless told 3.x), not franz-go's; the effective configuration is reported in Java names with
// every default filled in, and Notes say where franz-go behaves differently.
package clientcfg

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
)

// Property is one name=value client property.
type Property struct {
	Key   string
	Value string
	// Line is the line in the file it came from (0 for -X).
	Line int
	// Source names where it came from: a file path or "-X".
	Source string
}

// ParseProperties reads Java .properties text: # and ! comments, key=value,
// key: value and key value forms, backslash line continuation and \uXXXX
// escapes.
func ParseProperties(r io.Reader) ([]Property, error) {
	var props []Property
	sc := bufio.NewScanner(r)
	sc.Buffer(make([]byte, 0, 64<<10), 1<<20)
	line, start := 0, 0
	var logical strings.Builder
	for sc.Scan() {
		line++
		text := strings.TrimLeft(sc.Text(), " \t\f")
		if logical.Len() == 0 {
			if text == "" || text[0] == '#' || text[0] == '!' {
				continue
			}
			start = line
		}
		if cont := trailingBackslashes(text)%2 == 1; cont {
			logical.WriteString(text[:len(text)-1])
			continue
		}
		logical.WriteString(text)
		p, err := parseLine(logical.String())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", start, err)
		}
		p.Line = start
		props = append(props, p)
		logical.Reset()
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	if logical.Len() > 0 {
		p, err := parseLine(logical.String())
		if err != nil {
			return nil, fmt.Errorf("line %d: %w", start, err)
		}
		p.Line = start
		props = append(props, p)
	}
	return props, nil
}

func trailingBackslashes(s string) int {
	n := 0
	for i := len(s) - 1; i >= 0 && s[i] == '\\'; i-- {
		n++
	}
	return n
}

// parseLine splits one logical line at the first unescaped '=', ':' or
// whitespace.
func parseLine(s string) (Property, error) {
	var key strings.Builder
	i := 0
	for ; i < len(s); i++ {
		c := s[i]
		if c == '\\' && i+1 < len(s) {
			i++
			key.WriteByte(s[i])
			continue
		}
		if c == '=' || c == ':' || c == ' ' || c == '\t' || c == '\f' {
			break
		}
		key.WriteByte(c)
	}
	rest := strings.TrimLeft(s[i:], " \t\f")
	if rest != "" && (rest[0] == '=' || rest[0] == ':') {
		rest = strings.TrimLeft(rest[1:], " \t\f")
	}
	val, err := unescape(rest)
	if err != nil {
		return Property{}, err
	}
	k, err := unescape(key.String())
	if err != nil {
		return Property{}, err
	}
	if k == "" {
		return Property{}, fmt.Errorf("no property name in %q", s)
	}
	return Property{Key: k, Value: val}, nil
}

func unescape(s string) (string, error) {
	if !strings.Contains(s, `\`) {
		return s, nil
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '\\' || i+1 == len(s) {
			b.WriteByte(c)
			continue
		}
		i++
		switch s[i] {
		case 't':
			b.WriteByte('\t')
		case 'n':
			b.WriteByte('\n')
		case 'r':
			b.WriteByte('\r')
		case 'f':
			b.WriteByte('\f')
		case 'u':
			if i+5 > len(s) {
				return "", fmt.Errorf("bad \\u escape in %q", s)
			}
			n, err := strconv.ParseUint(s[i+1:i+5], 16, 16)
			if err != nil {
				return "", fmt.Errorf("bad \\u escape in %q", s)
			}
			b.WriteRune(rune(n))
			i += 4
		default:
			b.WriteByte(s[i])
		}
	}
	return b.String(), nil
}

// LoadFile reads a .properties file; errors name the file and line.
func LoadFile(path string) ([]Property, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("reading client config: %w", err)
	}
	defer f.Close()
	props, err := ParseProperties(f)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	for i := range props {
		props[i].Source = path
	}
	return props, nil
}

// ParseAssignments parses -X style "name=value" strings.
func ParseAssignments(kvs []string) ([]Property, error) {
	props := make([]Property, 0, len(kvs))
	for _, kv := range kvs {
		k, v, ok := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, fmt.Errorf("-X %q: want name=value, e.g. -X linger.ms=5", kv)
		}
		props = append(props, Property{Key: k, Value: strings.TrimSpace(v), Source: "-X"})
	}
	return props, nil
}
