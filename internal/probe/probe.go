// Package probe measures what a host can give a Kafka broker: disk
// bandwidth and fdatasync latency with the page cache bypassed, memory, CPU
// and network, and the OS settings Kafka's operators check. Every reading
// that cannot be made is recorded as unknown with its reason; nothing is
// fatal but bad flags.
package probe

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"os"
	"path/filepath"
	"time"

	"github.com/ktune/ktune/result"
)

// Config describes a probe.
type Config struct {
	// LogDirs are the directories to examine and measure. Default ".".
	LogDirs []string
	// Quick reads settings only: no disk writes, a shorter loopback test.
	Quick bool
	// TestBytes is the sequential test size per log dir. Default 256 MiB.
	TestBytes int64
	// Budget bounds the whole probe. Default 30 s, 5 s with Quick.
	Budget time.Duration
	// Root is where /proc and /sys are read from. Default "/".
	Root string
	// Interfaces lists network interfaces. Default net.Interfaces.
	Interfaces func() ([]net.Interface, error)
	// Logger receives progress. Default: discard.
	Logger *slog.Logger
	// Peer, when set, measures the network against a ktune probe listener
	// on another host first; the default budget grows by PeerTime.
	Peer *PeerConfig
}

// Validate checks the probe before anything is measured or written: a test
// size of at least 4 MiB (0: the default), no negative budget, and log
// dirs that are directories.
func (cfg Config) Validate() error {
	if cfg.TestBytes != 0 && cfg.TestBytes < 4<<20 {
		return fmt.Errorf("--disk-test-size %d bytes: must be at least 4 MiB", cfg.TestBytes)
	}
	if cfg.Budget < 0 {
		return fmt.Errorf("--budget %s: must be positive (0: the default)", cfg.Budget)
	}
	if cfg.Peer != nil {
		if err := cfg.Peer.Validate(); err != nil {
			return err
		}
	}
	for _, d := range cfg.LogDirs {
		st, err := os.Stat(d)
		if err != nil {
			return fmt.Errorf("--log-dir %s: %w", d, err)
		}
		if !st.IsDir() {
			return fmt.Errorf("--log-dir %s is not a directory", d)
		}
	}
	return nil
}

// CheckNICSpeed checks a --nic-speed value in Mb/s (0: the kernel's).
func CheckNICSpeed(mbps int) error {
	if mbps < 0 {
		return fmt.Errorf("--nic-speed %d: must be a speed in Mb/s (0: the kernel's)", mbps)
	}
	return nil
}

// ParseSize reads a --disk-test-size value such as 256MiB or 1GiB.
func ParseSize(s string) (int64, error) { return parseSize(s) }

// Run probes the host and returns the probe document; Complete is false
// when ctx ended it early.
func Run(ctx context.Context, cfg Config) (*result.Probe, error) {
	if len(cfg.LogDirs) == 0 {
		cfg.LogDirs = []string{"."}
	}
	if cfg.TestBytes == 0 {
		cfg.TestBytes = 256 << 20
	}
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.Budget == 0 {
		cfg.Budget = 30 * time.Second
		if cfg.Quick {
			cfg.Budget = 5 * time.Second
		}
		if cfg.Peer != nil {
			cfg.Budget += PeerTime(*cfg.Peer)
		}
	}
	if cfg.Root == "" {
		cfg.Root = "/"
	}
	if cfg.Interfaces == nil {
		cfg.Interfaces = net.Interfaces
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	dirs := make([]string, len(cfg.LogDirs))
	for i, d := range cfg.LogDirs {
		abs, err := filepath.Abs(d)
		if err != nil {
			return nil, err
		}
		st, err := os.Stat(abs)
		if err != nil {
			return nil, fmt.Errorf("--log-dir %s: %w", d, err)
		}
		if !st.IsDir() {
			return nil, fmt.Errorf("--log-dir %s is not a directory", d)
		}
		dirs[i] = abs
	}

	ctx, cancel := context.WithTimeout(ctx, cfg.Budget)
	defer cancel()
	s := &sysRoot{root: cfg.Root, unknown: map[string]string{}}
	p := &result.Probe{Header: result.NewHeader(result.KindProbe), Version: result.ProbeVersion, Quick: cfg.Quick}
	// The peer first: a listener that is unreachable, busy or not a ktune
	// probe ends the probe at once, like a bad flag. A test that fails
	// later leaves what was measured and the reason.
	var peer *result.ProbePeer
	if cfg.Peer != nil {
		pc := *cfg.Peer
		if pc.Logger == nil {
			pc.Logger = cfg.Logger
		}
		var err error
		if peer, err = MeasurePeer(ctx, pc); peer == nil {
			return nil, err
		} else if err != nil {
			s.miss("network.peer", err.Error())
		}
	}
	p.Hostname, _ = os.Hostname()
	p.CPU = s.readCPU(ctx)
	p.Memory = s.readMemory(ctx)
	p.OS = s.readOS(ctx)
	if ifaces, err := cfg.Interfaces(); err == nil {
		p.Network = s.readNetwork(ifaces)
	} else {
		s.miss("network.interfaces", err.Error())
	}
	p.Network.Peer = peer
	loop := time.Second
	if cfg.Quick {
		loop = 300 * time.Millisecond
	}
	if mibs, err := loopbackThroughput(ctx, loop); err == nil {
		p.Network.LoopbackMiBps = &mibs
	} else {
		s.miss("network.loopback_tcp_mib_per_sec", err.Error())
	}

	// Disk tests share what is left of the budget, less a margin for
	// clean-up; each of a disk's four phases gets a quarter of its share.
	remaining := time.Until(deadlineOf(ctx)) - time.Second
	per := remaining / time.Duration(len(dirs))
	test := diskTest{size: cfg.TestBytes, block: 1 << 20, depth: 4, syncBytes: 4096, syncCount: 2000, randOps: min(2*time.Second, per/4), phaseLimit: per / 4}
	outOfTime := false
	for i, dir := range dirs {
		d := s.describeDisk(i, dir)
		skip := ""
		switch {
		case cfg.Quick:
			skip = "skipped (--quick writes nothing)"
		case per < time.Second:
			skip = fmt.Sprintf("skipped: the %s budget left no time for disk tests; raise --budget", cfg.Budget)
			outOfTime = true
		}
		if skip != "" {
			for _, f := range []string{"seq_write_mib_per_sec", "seq_read_mib_per_sec", "rand_write_iops", "fdatasync_latency_ms"} {
				s.miss(fmt.Sprintf("disks[%d].%s", i, f), skip)
			}
		} else if ctx.Err() == nil {
			cfg.Logger.Info("measuring disk", "log_dir", dir, "test_bytes", cfg.TestBytes)
			s.measureDisk(ctx, i, &d, test)
		}
		p.Disks = append(p.Disks, d)
	}
	p.Complete = ctx.Err() == nil && !outOfTime
	if errors.Is(ctx.Err(), context.DeadlineExceeded) || outOfTime {
		s.miss("probe", fmt.Sprintf("the probe hit its %s budget; later measurements are missing", cfg.Budget))
	}
	p.Checks = checks(p)
	p.Unknown = s.unknown
	p.End = time.Now()
	return p, nil
}

func deadlineOf(ctx context.Context) time.Time {
	d, _ := ctx.Deadline()
	return d
}
