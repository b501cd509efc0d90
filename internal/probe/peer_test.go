package probe

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/testkit/netns"
	"github.com/ktune/ktune/result"
)

// startListener serves on a free loopback port until the test ends.
func startListener(t *testing.T, idle time.Duration) *Listener {
	t.Helper()
	ln, err := Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	done := make(chan error, 1)
	go func() { done <- ln.Serve(ctx, idle) }()
	t.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("Serve: %v", err)
		}
	})
	return ln
}

func TestPeerMeasuresBothWaysAndRoundTrip(t *testing.T) {
	ln := startListener(t, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	p, err := MeasurePeer(ctx, PeerConfig{Addr: ln.Addr(), Duration: 200 * time.Millisecond, Streams: 3})
	if err != nil {
		t.Fatal(err)
	}
	if p.Source != "measured: peer "+ln.Addr() {
		t.Errorf("source %q", p.Source)
	}
	var got []string
	for _, tp := range p.Throughput {
		got = append(got, fmt.Sprintf("%s/%d", tp.Direction, tp.Streams))
		if tp.Bytes <= 0 || tp.Seconds <= 0 || tp.Mbps() <= 0 {
			t.Errorf("%s with %d streams: %d bytes in %.3f s", tp.Direction, tp.Streams, tp.Bytes, tp.Seconds)
		}
	}
	if want := "to_peer/1 from_peer/1 to_peer/3 from_peer/3"; strings.Join(got, " ") != want {
		t.Errorf("tests %q, want %q", strings.Join(got, " "), want)
	}
	if p.RTT == nil || p.RTT.Count == 0 || p.RTT.P50 <= 0 || p.RTTHDR == "" || p.RTTPayloadBytes != rttPayload {
		t.Errorf("round trip not measured: %+v", p.RTT)
	}
	// A second peer after the first: the listener serves one at a time,
	// not once.
	if _, err := MeasurePeer(ctx, PeerConfig{Addr: ln.Addr(), Duration: 50 * time.Millisecond, Streams: 1}); err != nil {
		t.Errorf("second measurement: %v", err)
	}
}

// TestPeerBadInputs: each bad input ends in one line within the connect
// timeout.
func TestPeerBadInputs(t *testing.T) {
	const timeout = 500 * time.Millisecond
	// A port that was free a moment ago: nothing listens there.
	closed, _ := net.Listen("tcp", "127.0.0.1:0")
	unreachable := closed.Addr().String()
	closed.Close()
	serveRaw := func(answer string) string {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { l.Close() })
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					c.SetDeadline(time.Now().Add(5 * time.Second))
					if answer != "" {
						io.WriteString(c, answer)
						return
					}
					io.Copy(io.Discard, c) // silent until the peer goes
				}()
			}
		}()
		return l.Addr().String()
	}
	busy := startListener(t, time.Minute)
	hold, token, err := hello(context.Background(), PeerConfig{Addr: busy.Addr(), ConnectTimeout: timeout})
	if err != nil || token == "" {
		t.Fatalf("holding a session: %v", err)
	}
	defer hold.Close()
	for _, tc := range []struct {
		name, addr, want string
	}{
		{"unreachable peer", unreachable, "no ktune probe listener reachable within 500ms"},
		{"an HTTP server", serveRaw("HTTP/1.1 400 Bad Request\r\n\r\n"), `not a ktune probe listener (it answered "HTTP/1.1 400 Bad Request")`},
		{"a silent server", serveRaw(""), "not a ktune probe listener (no ktune answer within 500ms)"},
		{"a busy listener", busy.Addr(), "busy with another peer"},
		{"no port", "127.0.0.1", "want HOST:PORT"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			defer cancel()
			start := time.Now()
			p, err := MeasurePeer(ctx, PeerConfig{Addr: tc.addr, ConnectTimeout: timeout, Duration: 100 * time.Millisecond})
			took := time.Since(start)
			if err == nil || p != nil {
				t.Fatalf("no error (%+v)", p)
			}
			if !strings.Contains(err.Error(), tc.want) || strings.Contains(err.Error(), "\n") {
				t.Errorf("error %q: want one line with %q", err, tc.want)
			}
			// The bound the brief sets: the connect timeout, plus the
			// scheduling slack of a loaded machine.
			if took > timeout+2*time.Second {
				t.Errorf("took %s, connect timeout %s", took, timeout)
			}
		})
	}
}

func TestListenPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	_, err = Listen(l.Addr().String(), nil)
	if err == nil || !strings.Contains(err.Error(), "--net-listen "+l.Addr().String()+": bind: address already in use") || strings.Contains(err.Error(), "\n") {
		t.Errorf("error %v: want one line naming the flag and the port in use", err)
	}
	if _, err := Listen("nonsense", nil); err == nil || !strings.Contains(err.Error(), "want HOST:PORT") {
		t.Errorf("bad address: %v", err)
	}
}

// TestListenerRefusesNonKtune: a client that does not open like a ktune
// probe is hung up on without an answer.
func TestListenerRefusesNonKtune(t *testing.T) {
	ln := startListener(t, time.Minute)
	for _, opening := range []string{"GET / HTTP/1.0\r\n\r\n", netMagic + " deadbeef up 1000\n", "KTUNE-PROBE-NET/9 HELLO\n"} {
		c, err := net.DialTimeout("tcp", ln.Addr(), time.Second)
		if err != nil {
			t.Fatal(err)
		}
		c.SetDeadline(time.Now().Add(10 * time.Second))
		io.WriteString(c, opening)
		got, err := io.ReadAll(c)
		c.Close()
		if len(got) != 0 || err != nil {
			t.Errorf("opening %q: answered %q (%v), want a hang-up", opening, got, err)
		}
	}
}

func TestListenerStopsWhenIdle(t *testing.T) {
	ln, err := Listen("127.0.0.1:0", nil)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := ln.Serve(ctx, 200*time.Millisecond); err != nil {
		t.Fatal(err)
	}
	if ctx.Err() != nil {
		t.Fatal("the listener did not stop by itself when idle")
	}
	if c, err := net.DialTimeout("tcp", ln.Addr(), time.Second); err == nil {
		c.Close()
		t.Error("the listener still accepts after it stopped")
	}
}

// shapedMbit is the rate of the shaped link: far below what this machine
// moves over loopback, so the link, not the CPU, sets the pace.
const shapedMbit = 200

// innerEnv marks the test binary run inside the namespace.
const innerEnv = "KTUNE_NETNS_PEER_INNER"

// TestPeerOnShapedLink: on a loopback shaped to shapedMbit, the peer
// measurement finds that rate within 10%, each way. The test binary runs
// itself inside a namespace of its own.
func TestPeerOnShapedLink(t *testing.T) {
	if os.Getenv(innerEnv) != "" {
		measureShaped(t)
		return
	}
	if testing.Short() {
		t.Skip("skipped with -short: measures a shaped link for about 15 s")
	}
	ns := netns.Name("peer")
	netns.Shaped(t, ns, shapedMbit)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := netns.Command(ctx, ns, os.Args[0], "-test.run", "^TestPeerOnShapedLink$", "-test.count", "1", "-test.v")
	cmd.Env = append(os.Environ(), innerEnv+"=1")
	out, err := cmd.CombinedOutput()
	t.Logf("inside %s:\n%s", ns, out)
	if err != nil {
		t.Fatalf("the measurement inside the namespace failed: %v", err)
	}
}

func measureShaped(t *testing.T) {
	ln := startListener(t, time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	p, err := MeasurePeer(ctx, PeerConfig{Addr: ln.Addr(), Duration: 3 * time.Second, Streams: 4})
	if err != nil {
		t.Fatal(err)
	}
	doc, _ := json.Marshal(p.Throughput)
	t.Logf("link shaped to %d Mbit/s; measured %s; rtt p50 %.3f ms p99 %.3f ms", shapedMbit, doc, p.RTT.P50, p.RTT.P99)
	for _, tp := range p.Throughput {
		t.Logf("%s, %d stream(s): %.1f Mbit/s", tp.Direction, tp.Streams, tp.Mbps())
	}
	for _, dir := range []string{result.DirectionToPeer, result.DirectionFromPeer} {
		if got := p.BestMbps(dir); got < 0.9*shapedMbit || got > 1.1*shapedMbit {
			t.Errorf("%s: best %.1f Mbit/s, want %d within 10%%", dir, got, shapedMbit)
		}
	}
}
