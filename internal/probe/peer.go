package probe

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

// The peer measurement: `ktune probe --net-listen ADDR` on one host serves
// `ktune probe --net-peer HOST:PORT` on another. Every connection opens
// with one line, "KTUNE-PROBE-NET/1 ...": a control connection ("HELLO")
// holds a session, answered "OK <token>" or "BUSY"; each test connection
// names the session's token and its test:
//
//	up MS      the peer sends for MS ms and half-closes; the listener
//	           counts and answers "BYTES FIRST_NS LAST_NS" (its clock)
//	down MS    the listener sends for MS ms and closes; the peer counts
//	rtt        the listener echoes rttPayload-byte messages until EOF
//
// The listener refuses any connection that does not open so, serves one
// session at a time, and stops after an idle time without one.
const netMagic = "KTUNE-PROBE-NET/1"

// Defaults and bounds of the peer measurement.
const (
	// DefaultConnectTimeout bounds a dial and the handshake after it.
	DefaultConnectTimeout = 3 * time.Second
	// DefaultPeerDuration is each throughput test: long enough for TCP's
	// slow start to be a small share of it.
	DefaultPeerDuration = 3 * time.Second
	// DefaultPeerStreams is the several-streams test (brokers keep many
	// connections, and one stream may be held back by its window).
	DefaultPeerStreams = 4
	// DefaultListenIdle is how long a listener waits for a peer before it
	// stops by itself.
	DefaultListenIdle = 5 * time.Minute
	// maxTestDuration bounds a test the listener takes part in.
	maxTestDuration = time.Minute
	// maxStreams bounds the streams a test may open.
	maxStreams = 64
	// rttPayload is the size of each round-trip message, and rttCount and
	// rttTime bound how many are sent.
	rttPayload = 64
	rttCount   = 2000
	rttTime    = 2 * time.Second
	// drainSlack is how long a receiver waits past a test's duration for
	// what the sender's buffers still hold.
	drainSlack = 10 * time.Second
)

// PeerConfig describes a measurement against a probe listener.
type PeerConfig struct {
	// Addr is the listener, HOST:PORT.
	Addr string
	// Duration is each throughput test. Default DefaultPeerDuration.
	Duration time.Duration
	// Streams is the several-streams test. Default DefaultPeerStreams.
	Streams int
	// ConnectTimeout bounds each dial and handshake. Default
	// DefaultConnectTimeout.
	ConnectTimeout time.Duration
	// Logger receives progress. Default: discard.
	Logger *slog.Logger
}

func (c *PeerConfig) defaults() {
	if c.Duration == 0 {
		c.Duration = DefaultPeerDuration
	}
	if c.Streams == 0 {
		c.Streams = DefaultPeerStreams
	}
	if c.ConnectTimeout == 0 {
		c.ConnectTimeout = DefaultConnectTimeout
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
}

// Validate checks the flags of a peer measurement before anything runs.
func (c PeerConfig) Validate() error {
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		return fmt.Errorf("--net-peer %q: want HOST:PORT (%v)", c.Addr, err)
	}
	if c.Duration < 0 || c.Duration > maxTestDuration {
		return fmt.Errorf("--net-duration %s: must be between 0 (the default, %s) and %s", c.Duration, DefaultPeerDuration, maxTestDuration)
	}
	if c.Streams < 0 || c.Streams > maxStreams {
		return fmt.Errorf("--net-streams %d: must be between 1 and %d (0: the default, %d)", c.Streams, maxStreams, DefaultPeerStreams)
	}
	return nil
}

// PeerTime is the longest a peer measurement with cfg takes, handshake and
// drains included: what a probe's budget must leave for it.
func PeerTime(cfg PeerConfig) time.Duration {
	cfg.defaults()
	return 4*(cfg.Duration+cfg.ConnectTimeout) + rttTime + 2*cfg.ConnectTimeout
}

// MeasurePeer measures throughput each way (one stream, then cfg.Streams)
// and the round trip against the listener at cfg.Addr. A listener that is
// unreachable, busy or not a ktune probe fails within cfg.ConnectTimeout.
func MeasurePeer(ctx context.Context, cfg PeerConfig) (*result.ProbePeer, error) {
	cfg.defaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	ctrl, token, err := hello(ctx, cfg)
	if err != nil {
		return nil, err
	}
	defer bye(ctrl, cfg.ConnectTimeout)
	p := &result.ProbePeer{Address: cfg.Addr, Source: "measured: peer " + cfg.Addr}
	streams := []int{1}
	if cfg.Streams > 1 {
		streams = append(streams, cfg.Streams)
	}
	for _, n := range streams {
		for _, dir := range []string{result.DirectionToPeer, result.DirectionFromPeer} {
			cfg.Logger.Info("measuring network throughput", "peer", cfg.Addr, "direction", dir, "streams", n, "duration", cfg.Duration)
			t, err := throughput(ctx, cfg, token, dir, n)
			if err != nil {
				return p, fmt.Errorf("--net-peer %s: %s with %d stream(s): %w", cfg.Addr, dir, n, err)
			}
			p.Throughput = append(p.Throughput, t)
		}
	}
	cfg.Logger.Info("measuring network round trip", "peer", cfg.Addr)
	h, err := roundTrips(ctx, cfg, token)
	if err != nil {
		return p, fmt.Errorf("--net-peer %s: round trip: %w", cfg.Addr, err)
	}
	sum := result.Summarize(h)
	p.RTT, p.RTTPayloadBytes = &sum, rttPayload
	p.RTTHDR, _ = h.Encode()
	return p, nil
}

// dial opens a connection to the listener and sends its opening line;
// the dial and the write share cfg.ConnectTimeout.
func dial(ctx context.Context, cfg PeerConfig, line string) (net.Conn, error) {
	c, err := (&net.Dialer{Timeout: cfg.ConnectTimeout}).DialContext(ctx, "tcp", cfg.Addr)
	if err != nil {
		return nil, fmt.Errorf("--net-peer %s: no ktune probe listener reachable within %s: %w", cfg.Addr, cfg.ConnectTimeout, err)
	}
	c.SetWriteDeadline(time.Now().Add(cfg.ConnectTimeout))
	if _, err := io.WriteString(c, netMagic+" "+line+"\n"); err != nil {
		c.Close()
		return nil, fmt.Errorf("--net-peer %s: %w", cfg.Addr, err)
	}
	c.SetWriteDeadline(time.Time{})
	return c, nil
}

// hello opens the session: the listener must answer like a ktune probe
// within cfg.ConnectTimeout.
func hello(ctx context.Context, cfg PeerConfig) (net.Conn, string, error) {
	c, err := dial(ctx, cfg, "HELLO")
	if err != nil {
		return nil, "", err
	}
	c.SetReadDeadline(time.Now().Add(cfg.ConnectTimeout))
	line, err := bufio.NewReaderSize(c, 256).ReadString('\n')
	c.SetReadDeadline(time.Time{})
	reply := strings.Fields(line)
	switch {
	case len(reply) == 3 && reply[0] == netMagic && reply[1] == "OK":
		return c, reply[2], nil
	case len(reply) == 2 && reply[0] == netMagic && reply[1] == "BUSY":
		c.Close()
		return nil, "", fmt.Errorf("--net-peer %s: the ktune probe listener is busy with another peer; try again when it is done", cfg.Addr)
	}
	c.Close()
	why := fmt.Sprintf("it answered %q", truncate(line, 40))
	if err != nil && line == "" {
		why = "no ktune answer within " + cfg.ConnectTimeout.String()
		if !isTimeout(err) {
			why = "it closed the connection without a ktune answer"
		}
	}
	return nil, "", fmt.Errorf("--net-peer %s: not a ktune probe listener (%s)", cfg.Addr, why)
}

// bye ends the session: the peer half-closes its control connection and
// waits (within timeout) for the listener to close it, so the listener is
// free for the next peer when MeasurePeer returns.
func bye(c net.Conn, timeout time.Duration) {
	defer c.Close()
	if c.(*net.TCPConn).CloseWrite() == nil {
		c.SetReadDeadline(time.Now().Add(timeout))
		io.Copy(io.Discard, c)
	}
}

// throughput runs one test of n streams in direction dir.
func throughput(ctx context.Context, cfg PeerConfig, token, dir string, n int) (result.ProbeThroughput, error) {
	t := result.ProbeThroughput{Direction: dir, Streams: n}
	op := "up"
	if dir == result.DirectionFromPeer {
		op = "down"
	}
	conns := make([]net.Conn, 0, n)
	defer func() {
		for _, c := range conns {
			c.Close()
		}
	}()
	for range n {
		c, err := dial(ctx, cfg, fmt.Sprintf("%s %s %d", token, op, cfg.Duration.Milliseconds()))
		if err != nil {
			return t, err
		}
		conns = append(conns, c)
	}
	// Each stream reports what its receiver read and when (the
	// listener's clock for up, this host's for down); the test spans the
	// earliest first byte to the latest last byte.
	spans := make([]span, n)
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i, c := range conns {
		wg.Go(func() {
			if op == "up" {
				spans[i], errs[i] = sendFor(ctx, c, cfg.Duration)
			} else {
				spans[i], errs[i] = receive(ctx, c, c, cfg.Duration+drainSlack)
			}
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return t, err
	}
	all := merge(spans)
	t.Bytes, t.Seconds = all.bytes, all.last.Sub(all.first).Seconds()
	return t, nil
}

// span is what one receiver read, between its first and last byte.
type span struct {
	bytes       int64
	first, last time.Time
}

func merge(spans []span) span {
	var m span
	for _, s := range spans {
		if s.bytes == 0 {
			continue
		}
		m.bytes += s.bytes
		if m.first.IsZero() || s.first.Before(m.first) {
			m.first = s.first
		}
		if s.last.After(m.last) {
			m.last = s.last
		}
	}
	return m
}

// sendFor writes to c for d, half-closes it and reads the listener's
// count: "BYTES FIRST_NS LAST_NS".
func sendFor(ctx context.Context, c net.Conn, d time.Duration) (span, error) {
	stop := time.Now().Add(d)
	c.SetWriteDeadline(stop)
	buf := make([]byte, 128<<10)
	for ctx.Err() == nil && time.Now().Before(stop) {
		if _, err := c.Write(buf); err != nil {
			if isTimeout(err) {
				break
			}
			return span{}, err
		}
	}
	if err := ctx.Err(); err != nil {
		return span{}, err
	}
	if err := c.(*net.TCPConn).CloseWrite(); err != nil {
		return span{}, err
	}
	c.SetReadDeadline(time.Now().Add(drainSlack))
	line, err := bufio.NewReader(c).ReadString('\n')
	if err != nil {
		return span{}, fmt.Errorf("the listener sent no count: %w", err)
	}
	var bytes, first, last int64
	if _, err := fmt.Sscanf(line, "%d %d %d", &bytes, &first, &last); err != nil {
		return span{}, fmt.Errorf("the listener sent %q, not a count", truncate(line, 40))
	}
	return span{bytes: bytes, first: time.Unix(0, first), last: time.Unix(0, last)}, nil
}

// receive reads r, which reads c, until EOF, within limit.
func receive(ctx context.Context, c net.Conn, r io.Reader, limit time.Duration) (span, error) {
	stopOnCancel := context.AfterFunc(ctx, func() { c.SetReadDeadline(time.Now()) })
	defer stopOnCancel()
	c.SetReadDeadline(time.Now().Add(limit))
	var s span
	buf := make([]byte, 128<<10)
	for {
		n, err := r.Read(buf)
		if n > 0 {
			now := time.Now()
			if s.bytes == 0 {
				s.first = now
			}
			s.bytes += int64(n)
			s.last = now
		}
		if err == io.EOF {
			return s, nil
		}
		if err != nil {
			if ctx.Err() != nil {
				return s, ctx.Err()
			}
			return s, err
		}
	}
}

// roundTrips times small request/response pairs on one connection.
func roundTrips(ctx context.Context, cfg PeerConfig, token string) (*hist.Histogram, error) {
	c, err := dial(ctx, cfg, token+" rtt")
	if err != nil {
		return nil, err
	}
	defer c.Close()
	stop := time.Now().Add(rttTime)
	c.SetDeadline(stop.Add(cfg.ConnectTimeout))
	h := hist.New()
	msg, back := make([]byte, rttPayload), make([]byte, rttPayload)
	for i := 0; i < rttCount && ctx.Err() == nil && time.Now().Before(stop); i++ {
		start := time.Now()
		if _, err := c.Write(msg); err != nil {
			return nil, err
		}
		if _, err := io.ReadFull(c, back); err != nil {
			return nil, fmt.Errorf("the listener did not echo: %w", err)
		}
		h.Record(time.Since(start))
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return h, nil
}

// Listener serves peer measurements: one session at a time, stopping by
// itself after an idle time without one.
type Listener struct {
	ln  net.Listener
	log *slog.Logger

	mu     sync.Mutex
	token  string    // the session's, "" when none
	active time.Time // when a session last ended or a connection came
}

// Listen binds addr (for --net-listen) at once, so a bad address or a port
// in use fails before anything else.
func Listen(addr string, log *slog.Logger) (*Listener, error) {
	if _, _, err := net.SplitHostPort(addr); err != nil {
		return nil, fmt.Errorf("--net-listen %q: want HOST:PORT (%v)", addr, err)
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("--net-listen %s: %w", addr, unwrapOp(err))
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Listener{ln: ln, log: log, active: time.Now()}, nil
}

// Addr is the address the listener is bound to.
func (l *Listener) Addr() string { return l.ln.Addr().String() }

// Close stops the listener.
func (l *Listener) Close() error { return l.ln.Close() }

// Serve answers peers until ctx ends or no session has run for idle; it
// returns nil when it stopped for either reason.
func (l *Listener) Serve(ctx context.Context, idle time.Duration) error {
	if idle <= 0 {
		idle = DefaultListenIdle
	}
	defer l.ln.Close()
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var wg sync.WaitGroup
	defer wg.Wait()
	go func() {
		tick := time.NewTicker(min(idle/4, time.Second))
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				l.ln.Close()
				return
			case <-tick.C:
				l.mu.Lock()
				quiet := l.token == "" && time.Since(l.active) >= idle
				l.mu.Unlock()
				if quiet {
					l.log.Info("no peer for the idle time: the listener stops", "idle", idle)
					cancel()
				}
			}
		}
	}()
	for {
		c, err := l.ln.Accept()
		if err != nil {
			if ctx.Err() != nil {
				return nil
			}
			return err
		}
		l.touch()
		wg.Go(func() { l.serve(ctx, c) })
	}
}

func (l *Listener) touch() {
	l.mu.Lock()
	l.active = time.Now()
	l.mu.Unlock()
}

// serve handles one connection by its opening line.
func (l *Listener) serve(ctx context.Context, c net.Conn) {
	defer c.Close()
	stopOnCancel := context.AfterFunc(ctx, func() { c.SetDeadline(time.Now()) })
	defer stopOnCancel()
	c.SetReadDeadline(time.Now().Add(DefaultConnectTimeout))
	r := bufio.NewReaderSize(c, 256)
	line, err := readLine(r, 128)
	f := strings.Fields(line)
	if err != nil || len(f) < 2 || f[0] != netMagic {
		l.log.Warn("refused a connection: not a ktune probe", "from", c.RemoteAddr().String())
		return
	}
	c.SetReadDeadline(time.Time{})
	if f[1] == "HELLO" {
		l.session(c, r)
		return
	}
	l.mu.Lock()
	ok := l.token != "" && f[1] == l.token
	l.mu.Unlock()
	if !ok || len(f) < 3 {
		l.log.Warn("refused a test outside the current session", "from", c.RemoteAddr().String())
		return
	}
	var ms int64
	if len(f) == 4 {
		ms, _ = strconv.ParseInt(f[3], 10, 64)
	}
	d := min(time.Duration(ms)*time.Millisecond, maxTestDuration)
	switch f[2] {
	case "up":
		s, err := receive(ctx, c, r, d+drainSlack)
		if err != nil {
			l.log.Warn("an upload test failed", "from", c.RemoteAddr().String(), "err", err)
			return
		}
		c.SetWriteDeadline(time.Now().Add(DefaultConnectTimeout))
		fmt.Fprintf(c, "%d %d %d\n", s.bytes, s.first.UnixNano(), s.last.UnixNano())
	case "down":
		stop := time.Now().Add(d)
		c.SetWriteDeadline(stop)
		buf := make([]byte, 128<<10)
		for ctx.Err() == nil && time.Now().Before(stop) {
			if _, err := c.Write(buf); err != nil {
				break
			}
		}
	case "rtt":
		c.SetDeadline(time.Now().Add(rttTime + drainSlack))
		buf := make([]byte, rttPayload)
		for {
			if _, err := io.ReadFull(r, buf); err != nil {
				return
			}
			if _, err := c.Write(buf); err != nil {
				return
			}
		}
	}
}

// maxSession bounds a session, so a peer that never hangs up cannot hold
// the listener.
const maxSession = 10 * maxTestDuration

// session holds the listener for one peer until its control connection
// closes.
func (l *Listener) session(c net.Conn, r *bufio.Reader) {
	l.mu.Lock()
	busy := l.token != ""
	var token string
	if !busy {
		b := make([]byte, 16)
		rand.Read(b)
		token = hex.EncodeToString(b)
		l.token = token
	}
	l.mu.Unlock()
	c.SetWriteDeadline(time.Now().Add(DefaultConnectTimeout))
	if busy {
		io.WriteString(c, netMagic+" BUSY\n")
		l.log.Warn("refused a peer: busy with another", "from", c.RemoteAddr().String())
		return
	}
	defer func() { // also when the OK cannot be written
		l.mu.Lock()
		if l.token == token {
			l.token, l.active = "", time.Now()
		}
		l.mu.Unlock()
	}()
	l.log.Info("peer measurement started", "peer", c.RemoteAddr().String())
	if _, err := io.WriteString(c, netMagic+" OK "+token+"\n"); err != nil {
		return
	}
	c.SetDeadline(time.Now().Add(maxSession))
	io.Copy(io.Discard, r) // until the peer hangs up
	l.mu.Lock()
	l.token, l.active = "", time.Now()
	l.mu.Unlock()
	l.log.Info("peer measurement ended", "peer", c.RemoteAddr().String())
}

// readLine reads one line of at most limit bytes.
func readLine(r *bufio.Reader, limit int) (string, error) {
	var b strings.Builder
	for b.Len() < limit {
		c, err := r.ReadByte()
		if err != nil {
			return b.String(), err
		}
		if c == '\n' {
			return b.String(), nil
		}
		b.WriteByte(c)
	}
	return b.String(), errors.New("line too long")
}

func truncate(s string, n int) string {
	s = strings.TrimSpace(s)
	if len(s) > n {
		return s[:n] + "..."
	}
	return s
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// unwrapOp drops the "listen tcp ADDR:" prefix the flag already names.
func unwrapOp(err error) error {
	var op *net.OpError
	if errors.As(err, &op) && op.Err != nil {
		return op.Err
	}
	return err
}
