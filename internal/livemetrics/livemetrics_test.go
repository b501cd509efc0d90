package livemetrics

import (
	"context"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

func TestAddress(t *testing.T) {
	for _, tc := range []struct{ in, want, err string }{
		{in: ":9464", want: "127.0.0.1:9464"},
		{in: "127.0.0.2:0", want: "127.0.0.2:0"},
		{in: "[::1]:9464", want: "[::1]:9464"},
		{in: "0.0.0.0:9464", want: "0.0.0.0:9464"},
		{in: "9464", err: "must be HOST:PORT or :PORT"},
		{in: ":http", err: "the port must be a number"},
		{in: ":70000", err: "the port must be a number"},
	} {
		got, err := Address(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%q: error %v, want %q", tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%q: %q, %v; want %q", tc.in, got, err, tc.want)
		}
	}
}

// The endpoint serves the process's own figures from the start (what a
// soak test watches: memory, goroutines, open files), and a port in use
// is refused when listening, before any work.
func TestServesProcessMetrics(t *testing.T) {
	s, err := Listen(":0")
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close(context.Background())
	if !strings.HasPrefix(s.Addr, "127.0.0.1:") {
		t.Errorf("listens on %s, not loopback", s.Addr)
	}
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get(s.URL())
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, m := range []string{"go_goroutines ", "process_resident_memory_bytes ", "process_open_fds "} {
		if !strings.Contains(string(body), "\n"+m) {
			t.Errorf("no %s in /metrics", m)
		}
	}
	if _, err := Listen(s.Addr); err == nil || !strings.Contains(err.Error(), "--metrics-addr") {
		t.Errorf("a port in use: %v", err)
	}
	// Closed, it refuses connections.
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if conn, err := net.DialTimeout("tcp", s.Addr, time.Second); err == nil {
		conn.Close()
		t.Error("still listening after Close")
	}
}
