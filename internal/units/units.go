// Package units parses the sizes ktune's flags take.
package units

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// ParseBytes reads sizes such as 256MiB, 1GiB, 64M, 16k, 2GB or 1048576.
// K, M and G (with or without iB) are powers of 1024; KB, MB and GB are
// powers of 1000.
func ParseBytes(s string) (int64, error) {
	u := strings.ToUpper(strings.TrimSpace(s))
	mult := int64(1)
	for _, suf := range []struct {
		s string
		m int64
	}{{"GIB", 1 << 30}, {"MIB", 1 << 20}, {"KIB", 1 << 10}, {"GB", 1e9}, {"MB", 1e6}, {"KB", 1e3}, {"G", 1 << 30}, {"M", 1 << 20}, {"K", 1 << 10}, {"B", 1}} {
		if strings.HasSuffix(u, suf.s) {
			mult, u = suf.m, strings.TrimSuffix(u, suf.s)
			break
		}
	}
	n, err := strconv.ParseInt(strings.TrimSpace(u), 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("%q is not a size such as 16k, 256MiB or 1GiB", s)
	}
	return n * mult, nil
}

// Size is a flag value in bytes that takes the units ParseBytes reads, so
// every size flag takes the same units. It fits an int.
type Size int

// String implements pflag.Value.
func (s *Size) String() string { return strconv.Itoa(int(*s)) }

// Set implements pflag.Value.
func (s *Size) Set(v string) error {
	n, err := ParseBytes(v)
	if err != nil {
		return err
	}
	if n > math.MaxInt32 {
		return fmt.Errorf("%q is more than %d bytes", v, math.MaxInt32)
	}
	*s = Size(n)
	return nil
}

// Type implements pflag.Value.
func (s *Size) Type() string { return "size" }
