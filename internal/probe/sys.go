package probe

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// sysRoot reads /proc and /sys below a root, so tests can use a fake tree.
// Every failed read is recorded in unknown with its reason.
type sysRoot struct {
	root    string
	unknown map[string]string
}

func (s *sysRoot) path(p string) string { return filepath.Join(s.root, p) }

// read returns the trimmed contents of p, or records why it could not be
// read under key and returns ok false.
func (s *sysRoot) read(key, p string) (string, bool) {
	b, err := os.ReadFile(s.path(p))
	if err != nil {
		s.miss(key, readReason(p, err))
		return "", false
	}
	return strings.TrimSpace(string(b)), true
}

// readInt reads an integer file.
func (s *sysRoot) readInt(key, p string) *int64 {
	v, ok := s.read(key, p)
	if !ok {
		return nil
	}
	n, err := strconv.ParseInt(strings.Fields(v + " x")[0], 10, 64)
	if err != nil {
		s.miss(key, fmt.Sprintf("%s holds %q, not a number", p, v))
		return nil
	}
	return &n
}

func (s *sysRoot) miss(key, reason string) {
	if s.unknown != nil {
		s.unknown[key] = reason
	}
}

func readReason(p string, err error) string {
	switch {
	case os.IsNotExist(err):
		return fmt.Sprintf("%s does not exist (the kernel or container does not expose it)", p)
	case os.IsPermission(err):
		return fmt.Sprintf("%s is not readable by this user", p)
	}
	return fmt.Sprintf("reading %s: %v", p, err)
}

// selected returns the bracketed entry of a sysfs choice list such as
// "always [madvise] never".
func selected(v string) string {
	if i := strings.IndexByte(v, '['); i >= 0 {
		if j := strings.IndexByte(v[i:], ']'); j > 0 {
			return v[i+1 : i+j]
		}
	}
	return v
}
