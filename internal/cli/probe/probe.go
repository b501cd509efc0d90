// Package probe is the `ktune probe` command.
package probe

import (
	"fmt"
	"io"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	hostprobe "github.com/ktune/ktune/internal/probe"
	"github.com/ktune/ktune/internal/summary"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the probe command.
func NewCmd(version string) *cobra.Command {
	var (
		cfg      hostprobe.Config
		size     string
		out      cmdutil.OutputFlags
		ccFile   string
		nicSpeed int
		peer     hostprobe.PeerConfig
		listen   string
		idle     time.Duration
	)
	cmd := &cobra.Command{
		Use:   "probe",
		Short: "Measure what this host can give a Kafka broker and check its OS settings",
		Long: `Measures each log dir's sequential write and read bandwidth (O_DIRECT, 1 MiB
blocks, queue depth 4: no page cache), random 4 KiB write IOPS and fdatasync
latency of 4 KiB appends; reads CPU, memory, network and the OS settings Kafka
cares about; and checks them against Kafka's guidance. Readings the host does
not expose are reported as unknown with the reason. Test files are removed,
also on Ctrl-C. --quick writes nothing.

The network between two hosts: run --net-listen HOST:PORT on one (it serves
one peer at a time, refuses anything that is not a ktune probe, and stops
after --net-idle without a peer) and --net-peer HOST:PORT on the other. The
peer measures TCP throughput each way, with one stream and --net-streams,
for --net-duration each, and the round trip of 64-byte messages, and records
them in the probe document beside the link speed the kernel reports.`,
		Example: `  ktune probe --log-dir /var/lib/kafka/data
  ktune probe --quick -o json
  ktune probe --log-dir /data1 --log-dir /data2 --cruise-control-capacity capacity.json
  ktune probe --net-listen 0.0.0.0:7099            # on broker host A
  ktune probe --net-peer hostA:7099 -o json        # on broker host B`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.Validate(); err != nil {
				return err
			}
			if listen != "" {
				if peer.Addr != "" {
					return fmt.Errorf("--net-listen and --net-peer: one host listens, the other is the peer; pass one")
				}
				return serveListener(cmd, listen, idle)
			}
			if peer.Addr != "" {
				cfg.Peer = &peer
			}
			if size != "" {
				n, err := hostprobe.ParseSize(size)
				if err != nil {
					return err
				}
				cfg.TestBytes = n
			}
			if err := cmdutil.Check(cfg.Validate(), hostprobe.CheckNICSpeed(nicSpeed)); err != nil {
				return err
			}
			log, err := cmdutil.Logger(cmd, cmd.ErrOrStderr())
			if err != nil {
				return err
			}
			cfg.Logger = log
			p, err := hostprobe.Run(cmd.Context(), cfg)
			if err != nil {
				return err
			}
			if ccFile != "" {
				data, err := hostprobe.CruiseControlCapacity(p, nicSpeed)
				if err != nil {
					return fmt.Errorf("cruise control capacity: %w", err)
				}
				if err := result.WriteAtomic(ccFile, append(data, '\n')); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "Cruise Control capacity written to %s\n", ccFile)
			}
			return out.Finish(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), cmdutil.Finished{
				Version: version, Doc: p, Table: func(w io.Writer, _ string) { summary.WriteProbe(w, p) },
			})
		},
	}
	fs := cmd.Flags()
	fs.StringArrayVar(&cfg.LogDirs, "log-dir", nil, "Kafka log dir to examine and measure (repeatable; default: the current directory)")
	fs.BoolVar(&cfg.Quick, "quick", false, "read settings only: no disk writes, at most 5 s")
	fs.StringVar(&size, "disk-test-size", "256MiB", "bytes written per log dir by the sequential tests")
	fs.DurationVar(&cfg.Budget, "budget", 0, "bound on the whole probe (default 30s, 5s with --quick)")
	out.RegisterDocument(cmd)
	fs.StringVar(&ccFile, "cruise-control-capacity", "", "also write a Cruise Control capacity.json here")
	fs.IntVar(&nicSpeed, "nic-speed", 0, "NIC speed in Mb/s for the capacity file when the kernel reports none")
	fs.StringVar(&listen, "net-listen", "", "serve network measurements to a --net-peer on HOST:PORT (only that: no probe)")
	fs.DurationVar(&idle, "net-idle", hostprobe.DefaultListenIdle, "with --net-listen: stop after this long without a peer")
	fs.StringVar(&peer.Addr, "net-peer", "", "measure throughput and round trip to a ktune probe --net-listen at HOST:PORT")
	fs.DurationVar(&peer.Duration, "net-duration", hostprobe.DefaultPeerDuration, "with --net-peer: each throughput test")
	fs.IntVar(&peer.Streams, "net-streams", hostprobe.DefaultPeerStreams, "with --net-peer: streams of the several-streams test")
	fs.DurationVar(&peer.ConnectTimeout, "net-connect-timeout", hostprobe.DefaultConnectTimeout, "with --net-peer: bound on connecting and the handshake")
	return cmd
}

// serveListener runs --net-listen until it has been idle for idle or the
// command is interrupted.
func serveListener(cmd *cobra.Command, addr string, idle time.Duration) error {
	if idle <= 0 {
		return fmt.Errorf("--net-idle %s: must be positive", idle)
	}
	log, err := cmdutil.Logger(cmd, cmd.ErrOrStderr())
	if err != nil {
		return err
	}
	ln, err := hostprobe.Listen(addr, log)
	if err != nil {
		return err
	}
	fmt.Fprintf(cmd.ErrOrStderr(), "ktune probe listening on %s; run ktune probe --net-peer %s on the other host (stops after %s without a peer)\n", ln.Addr(), ln.Addr(), idle)
	return ln.Serve(cmd.Context(), idle)
}
