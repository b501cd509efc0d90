package probe

import (
	"context"
	"fmt"
	"io"
	"net"
	"os"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/ktune/ktune/result"
)

func (s *sysRoot) readNetwork(ifaces []net.Interface) result.ProbeNetwork {
	var n result.ProbeNetwork
	for _, ifc := range ifaces {
		pi := result.ProbeInterface{Name: ifc.Name, MTU: ifc.MTU, Up: ifc.Flags&net.FlagUp != 0, Loopback: ifc.Flags&net.FlagLoopback != 0}
		if addrs, err := ifc.Addrs(); err == nil {
			for _, a := range addrs {
				pi.Addrs = append(pi.Addrs, a.String())
			}
		}
		if _, err := os.Stat(s.path("sys/class/net/" + ifc.Name + "/device")); err != nil {
			pi.Virtual = true
		}
		key := fmt.Sprintf("network.interfaces.%s.speed_mbps", ifc.Name)
		quiet := &sysRoot{root: s.root}
		if v, ok := quiet.read("", "sys/class/net/"+ifc.Name+"/speed"); ok {
			if sp, err := strconv.Atoi(v); err == nil && sp > 0 {
				pi.SpeedMbps = &sp
			} else {
				s.miss(key, fmt.Sprintf("the kernel reports speed %q (a virtual NIC?); ask for the instance's bandwidth", v))
			}
		} else if !pi.Loopback {
			s.miss(key, "the kernel gives no link speed (virtual or down interface); ask for the instance's bandwidth")
		}
		n.Interfaces = append(n.Interfaces, pi)
	}
	n.Somaxconn = s.readInt("network.somaxconn", "proc/sys/net/core/somaxconn")
	n.TCPMaxSynBacklog = s.readInt("network.tcp_max_syn_backlog", "proc/sys/net/ipv4/tcp_max_syn_backlog")
	n.RmemMax = s.readInt("network.rmem_max", "proc/sys/net/core/rmem_max")
	n.WmemMax = s.readInt("network.wmem_max", "proc/sys/net/core/wmem_max")
	return n
}

// loopbackThroughput streams over one TCP connection on 127.0.0.1 for d and
// returns MiB/s: the ceiling of this host's client side, not a NIC figure.
func loopbackThroughput(ctx context.Context, d time.Duration) (float64, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, err
	}
	defer ln.Close()
	var got atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		buf := make([]byte, 1<<20)
		for {
			n, err := c.Read(buf)
			got.Add(int64(n))
			if err == io.EOF || err != nil {
				return
			}
		}
	}()
	c, err := (&net.Dialer{Timeout: time.Second}).DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		return 0, err
	}
	buf := make([]byte, 1<<20)
	start := time.Now()
	c.SetWriteDeadline(start.Add(d))
	for ctx.Err() == nil && time.Since(start) < d {
		if _, err := c.Write(buf); err != nil {
			break
		}
	}
	c.Close()
	<-done
	elapsed := time.Since(start).Seconds()
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return float64(got.Load()) / (1 << 20) / elapsed, nil
}
