package cluster

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"time"
)

// ErrRemoteTarget is returned for a broker address outside the loopback
// range when remote targets were not allowed.
var ErrRemoteTarget = errors.New("refusing a non-loopback load target")

// IsLoopback reports whether addr (an IP, without port) is in 127.0.0.0/8
// or is ::1.
func IsLoopback(ip netip.Addr) bool {
	return ip.Unmap().IsLoopback()
}

// checkTarget resolves a host:port and refuses addresses outside loopback
// unless allowRemote.
func checkTarget(hostport string, allowRemote bool) error {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return fmt.Errorf("broker address %q is not host:port", hostport)
	}
	if allowRemote {
		return nil
	}
	ips, err := resolve(context.Background(), host)
	if err != nil {
		return fmt.Errorf("cannot resolve broker %s: %v", hostport, err)
	}
	for _, ip := range ips {
		if !IsLoopback(ip) {
			return fmt.Errorf("%w: %s resolves to %s; pass --allow-remote to benchmark a remote cluster", ErrRemoteTarget, hostport, ip)
		}
	}
	return nil
}

func resolve(ctx context.Context, host string) ([]netip.Addr, error) {
	if ip, err := netip.ParseAddr(host); err == nil {
		return []netip.Addr{ip}, nil
	}
	return net.DefaultResolver.LookupNetIP(ctx, "ip", host)
}

// guardedDialer dials brokers, refusing non-loopback addresses (brokers
// learned from metadata too) unless allowRemote, and wraps TLS itself
// because kgo's Dialer option replaces its TLS dialing.
type guardedDialer struct {
	allowRemote bool
	tls         *tls.Config
	timeout     time.Duration
}

func (d *guardedDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, err
	}
	if !d.allowRemote {
		if err := checkTarget(addr, false); err != nil {
			return nil, err
		}
	}
	nd := &net.Dialer{Timeout: d.timeout}
	if d.tls == nil {
		return nd.DialContext(ctx, network, addr)
	}
	cfg := d.tls.Clone()
	if cfg.ServerName == "" {
		cfg.ServerName = host
	}
	return (&tls.Dialer{NetDialer: nd, Config: cfg}).DialContext(ctx, network, addr)
}

// CheckTarget refuses host:port outside the loopback range unless
// allowRemote: what guards the brokers guards any other address ktune
// contacts during a run (a metrics endpoint).
func CheckTarget(hostport string, allowRemote bool) error { return checkTarget(hostport, allowRemote) }
