// Package livemetrics serves a run's metrics for Prometheus while it runs:
// one registry per process, exposed on /metrics at the address the
// operator gives (--metrics-addr), loopback unless the address says
// otherwise.
package livemetrics

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
)

// Namespace prefixes every metric ktune defines itself.
const Namespace = "ktune"

// DefaultHost is the host an address without one listens on: a run's
// metrics are not published beyond this machine unless asked.
const DefaultHost = "127.0.0.1"

// readHeaderTimeout bounds a scraper that connects and says nothing.
const readHeaderTimeout = 5 * time.Second

// Address checks a --metrics-addr value and returns the address to listen
// on: HOST:PORT, or :PORT for DefaultHost. Port 0 picks a free one.
func Address(addr string) (string, error) {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		return "", fmt.Errorf("--metrics-addr %q: must be HOST:PORT or :PORT", addr)
	}
	if n, err := strconv.Atoi(port); err != nil || n < 0 || n > 65535 {
		return "", fmt.Errorf("--metrics-addr %q: the port must be a number from 0 to 65535", addr)
	}
	if host == "" {
		host = DefaultHost
	}
	return net.JoinHostPort(host, port), nil
}

// Server is a live /metrics endpoint.
type Server struct {
	// Registry holds every metric served: the Go runtime's and the
	// process's (memory, open files, CPU) from the start, and what the
	// run registers.
	Registry *prometheus.Registry
	// Addr is the address it listens on (the port filled in).
	Addr string
	srv  *http.Server
	done chan struct{}
}

// Listen checks addr (see Address), binds it, so that a port in use fails
// before any work starts, and serves /metrics until Close.
func Listen(addr string) (*Server, error) {
	a, err := Address(addr)
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", a)
	if err != nil {
		return nil, fmt.Errorf("--metrics-addr %s: %w", addr, err)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	s := &Server{Registry: reg, Addr: ln.Addr().String(), done: make(chan struct{}),
		srv: &http.Server{Handler: mux, ReadHeaderTimeout: readHeaderTimeout}}
	go func() {
		defer close(s.done)
		_ = s.srv.Serve(ln)
	}()
	return s, nil
}

// URL is the endpoint's address as a scraper writes it.
func (s *Server) URL() string { return "http://" + s.Addr + "/metrics" }

// Close stops serving, waiting at most until ctx ends for scrapes under
// way.
func (s *Server) Close(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) {
		err = s.srv.Close()
	}
	<-s.done
	return err
}
