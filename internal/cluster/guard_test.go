package cluster

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kmsg"
)

func TestIsLoopback(t *testing.T) {
	for _, tc := range []struct {
		ip   string
		want bool
	}{
		{"127.0.0.1", true},
		{"127.255.255.254", true},
		{"::1", true},
		{"::ffff:127.0.0.1", true}, // IPv4-mapped loopback
		{"10.0.0.1", false},
		{"192.168.1.10", false},
		{"0.0.0.0", false},
		{"::", false},
		{"::2", false},
		{"fe80::1", false},
		{"::ffff:10.0.0.1", false},
	} {
		if got := IsLoopback(netip.MustParseAddr(tc.ip)); got != tc.want {
			t.Errorf("IsLoopback(%s) = %v, want %v", tc.ip, got, tc.want)
		}
	}
}

func TestCheckTarget(t *testing.T) {
	for _, tc := range []struct {
		addr        string
		allowRemote bool
		want        string // error substring; "" for none
		remote      bool   // the error is ErrRemoteTarget
	}{
		{"127.0.0.1:9092", false, "", false},
		{"127.0.0.2:9092", false, "", false},
		{"[::1]:9092", false, "", false},
		{"localhost:9092", false, "", false},
		{"10.1.2.3:9092", false, "10.1.2.3:9092 resolves to 10.1.2.3; pass --allow-remote", true},
		{"[2001:db8::1]:9092", false, "resolves to 2001:db8::1", true},
		{"10.1.2.3:9092", true, "", false},
		{"127.0.0.1", false, `broker address "127.0.0.1" is not host:port`, false},
		{"::1:9092", false, "is not host:port", false},
	} {
		err := checkTarget(tc.addr, tc.allowRemote)
		switch {
		case tc.want == "" && err != nil:
			t.Errorf("%s (allow remote %v): %v", tc.addr, tc.allowRemote, err)
		case tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)):
			t.Errorf("%s (allow remote %v): error %v, want %q", tc.addr, tc.allowRemote, err, tc.want)
		case err != nil && errors.Is(err, ErrRemoteTarget) != tc.remote:
			t.Errorf("%s: errors.Is(ErrRemoteTarget) = %v", tc.addr, !tc.remote)
		}
	}
}

// TestDialerGuardsEveryAddress: the dialer checks every address a client
// dials, not only the bootstrap ones, before any connection is made.
func TestDialerGuardsEveryAddress(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := &guardedDialer{timeout: time.Second}
	c, err := d.DialContext(context.Background(), "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("dialing a loopback listener: %v", err)
	}
	c.Close()
	for _, addr := range []string{"192.0.2.1:9092", "[2001:db8::1]:9092"} {
		if _, err := d.DialContext(context.Background(), "tcp", addr); !errors.Is(err, ErrRemoteTarget) {
			t.Errorf("dialing %s: %v, want ErrRemoteTarget", addr, err)
		}
	}
}

func TestOpenRefusesRemoteBootstrap(t *testing.T) {
	_, err := Open(context.Background(), Config{Brokers: []string{"127.0.0.1:9092", "192.0.2.1:9092"}, ConnectTimeout: time.Second})
	if !errors.Is(err, ErrRemoteTarget) || !strings.Contains(err.Error(), "--allow-remote") {
		t.Fatalf("Open: %v, want ErrRemoteTarget naming --allow-remote", err)
	}
}

// fakeCluster is a kfake cluster of n brokers on loopback, served in this
// process but reached as a real one (Open with its addresses).
func fakeCluster(t *testing.T, n int) *kfake.Cluster {
	t.Helper()
	fake, err := kfake.NewCluster(kfake.NumBrokers(n))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(fake.Close)
	return fake
}

// TestOpenRefusesRemoteBrokersFromMetadata bootstraps from a loopback
// cluster whose metadata names a broker elsewhere (192.0.2.1, a
// documentation address): the client must not connect there.
func TestOpenRefusesRemoteBrokersFromMetadata(t *testing.T) {
	fake := fakeCluster(t, 1)
	fake.ControlKey(int16(kmsg.Metadata), func(req kmsg.Request) (kmsg.Response, error, bool) {
		fake.KeepControl()
		resp := req.ResponseKind().(*kmsg.MetadataResponse)
		resp.Brokers = []kmsg.MetadataResponseBroker{{NodeID: 0, Host: "192.0.2.1", Port: 9092}}
		resp.ControllerID = 0
		return resp, nil, true
	})
	_, err := Open(context.Background(), Config{Brokers: fake.ListenAddrs(), ConnectTimeout: 2 * time.Second})
	if !errors.Is(err, ErrRemoteTarget) || !strings.Contains(err.Error(), "192.0.2.1:9092") {
		t.Fatalf("Open: %v, want ErrRemoteTarget naming 192.0.2.1:9092", err)
	}
}

func TestOpenLoopbackCluster(t *testing.T) {
	fake := fakeCluster(t, 2)
	conn, err := Open(context.Background(), Config{Brokers: fake.ListenAddrs()[:1], ConnectTimeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	// Brokers learned from metadata (the second one) are on loopback
	// too, so they pass; a kfake cluster served elsewhere is still
	// labelled embedded.
	if conn.Info.Brokers != 2 || !conn.Info.Embedded || conn.Fake != nil {
		t.Errorf("info %+v, fake %v", conn.Info, conn.Fake != nil)
	}
}
