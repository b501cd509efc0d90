package cmdutil

import (
	"io"
	"sync"
)

// SyncWriter serializes writes to w: a command's progress lines and its
// logger write stderr from different goroutines, and a writer such as a
// bytes.Buffer (tests) is not safe for that.
func SyncWriter(w io.Writer) io.Writer {
	if s, ok := w.(*syncWriter); ok {
		return s
	}
	return &syncWriter{w: w}
}

type syncWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *syncWriter) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.w.Write(p)
}
