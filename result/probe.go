package result

import (
	"io"
)

// KindProbe is the kind of a host probe document.
const KindProbe Kind = "probe"

// ProbeVersion is the version of the probe document this package writes,
// within SchemaVersion: 2 added network.peer. A document without
// probe_version is version 1 and loads unchanged (it has no peer section).
const ProbeVersion = 2

// Probe is what `ktune probe` measured and read on one host. A reading that
// could not be made is absent, and Unknown says why, keyed by its JSON path
// (for example "cpu.governor" or "disks[0].seq_write_mib_per_sec").
type Probe struct {
	Header
	// Version is ProbeVersion when written; 0 in version-1 documents.
	Version int `json:"probe_version,omitempty"`
	// Quick probes read settings and skip every disk write.
	Quick    bool              `json:"quick"`
	Hostname string            `json:"hostname,omitempty"`
	CPU      ProbeCPU          `json:"cpu"`
	Memory   ProbeMemory       `json:"memory"`
	Disks    []ProbeDisk       `json:"disks"`
	Network  ProbeNetwork      `json:"network"`
	OS       ProbeOS           `json:"os"`
	Checks   []Check           `json:"checks"`
	Unknown  map[string]string `json:"unknown,omitempty"`
}

// ProbeCPU describes the processors.
type ProbeCPU struct {
	Model         string   `json:"model,omitempty"`
	LogicalCores  int      `json:"logical_cores,omitempty"`
	PhysicalCores int      `json:"physical_cores,omitempty"`
	CgroupCores   *float64 `json:"cgroup_limit_cores,omitempty"`
	Governor      string   `json:"governor,omitempty"`
	AES           *bool    `json:"aes,omitempty"`
	Load1         *float64 `json:"load1,omitempty"`
	Load5         *float64 `json:"load5,omitempty"`
	Load15        *float64 `json:"load15,omitempty"`
}

// ProbeMemory describes memory, in bytes.
type ProbeMemory struct {
	Total       uint64  `json:"total_bytes,omitempty"`
	Available   uint64  `json:"available_bytes,omitempty"`
	Cached      uint64  `json:"cached_bytes,omitempty"`
	Dirty       uint64  `json:"dirty_bytes"`
	Writeback   uint64  `json:"writeback_bytes"`
	SwapTotal   uint64  `json:"swap_total_bytes"`
	SwapFree    uint64  `json:"swap_free_bytes"`
	CgroupLimit *uint64 `json:"cgroup_limit_bytes,omitempty"`
}

// ProbeDisk describes one log dir and what its disk sustained.
type ProbeDisk struct {
	LogDir       string   `json:"log_dir"`
	Device       string   `json:"device,omitempty"`
	Filesystem   string   `json:"filesystem,omitempty"`
	MountPoint   string   `json:"mount_point,omitempty"`
	MountOptions []string `json:"mount_options,omitempty"`
	Rotational   *bool    `json:"rotational,omitempty"`
	Scheduler    string   `json:"scheduler,omitempty"`
	FreeBytes    uint64   `json:"free_bytes,omitempty"`
	TotalBytes   uint64   `json:"total_bytes,omitempty"`
	// OnRootDevice is true when the log dir shares its block device with /.
	OnRootDevice *bool `json:"on_root_device,omitempty"`
	// Measurements use O_DIRECT (no page cache), BlockBytes blocks and
	// QueueDepth concurrent requests over TestBytes.
	BlockBytes     int      `json:"block_bytes,omitempty"`
	QueueDepth     int      `json:"queue_depth,omitempty"`
	TestBytes      int64    `json:"test_bytes,omitempty"`
	SeqWriteMiBps  *float64 `json:"seq_write_mib_per_sec,omitempty"`
	SeqReadMiBps   *float64 `json:"seq_read_mib_per_sec,omitempty"`
	RandWriteIOPS  *float64 `json:"rand_write_iops,omitempty"`
	FdatasyncBytes int      `json:"fdatasync_write_bytes,omitempty"`
	Fdatasync      *Latency `json:"fdatasync_latency_ms,omitempty"`
	FdatasyncHDR   string   `json:"fdatasync_hdr,omitempty"`
}

// ProbeNetwork describes interfaces and network settings.
type ProbeNetwork struct {
	Interfaces       []ProbeInterface `json:"interfaces"`
	Somaxconn        *int64           `json:"somaxconn,omitempty"`
	TCPMaxSynBacklog *int64           `json:"tcp_max_syn_backlog,omitempty"`
	RmemMax          *int64           `json:"rmem_max,omitempty"`
	WmemMax          *int64           `json:"wmem_max,omitempty"`
	// LoopbackMiBps is one TCP stream over 127.0.0.1: the client-side
	// ceiling of this host, not a NIC measurement.
	LoopbackMiBps *float64 `json:"loopback_tcp_mib_per_sec,omitempty"`
	// Peer is what this host and a ktune probe listener on another host
	// (--net-peer) pushed to each other; absent without --net-peer.
	Peer *ProbePeer `json:"peer,omitempty"`
}

// Directions of a ProbeThroughput.
const (
	// DirectionToPeer: this host sent, the listener received.
	DirectionToPeer = "to_peer"
	// DirectionFromPeer: the listener sent, this host received.
	DirectionFromPeer = "from_peer"
)

// ProbePeer is a measurement against a `ktune probe --net-listen` on
// another host: TCP throughput each way with one and several streams, and
// the round trip of small request/response pairs.
type ProbePeer struct {
	// Address is the listener as given (HOST:PORT).
	Address string `json:"address"`
	// Source names where the figures come from: "measured: peer HOST:PORT".
	Source     string            `json:"source"`
	Throughput []ProbeThroughput `json:"throughput"`
	// RTT is the round trip of RTTPayloadBytes sent and echoed on one TCP
	// connection (TCP_NODELAY), in milliseconds; RTTHDR is its HdrHistogram
	// (µs, base64, the encoding of every ktune histogram).
	RTT             *Latency `json:"rtt_ms,omitempty"`
	RTTHDR          string   `json:"rtt_hdr,omitempty"`
	RTTPayloadBytes int      `json:"rtt_payload_bytes,omitempty"`
}

// ProbeThroughput is one throughput test: Streams TCP connections sending
// one way at once for about the same time. Bytes is what the receiving end
// read; Seconds runs from the first byte it read on any stream to the last.
type ProbeThroughput struct {
	Direction string  `json:"direction"` // to_peer or from_peer
	Streams   int     `json:"streams"`
	Bytes     int64   `json:"bytes"`
	Seconds   float64 `json:"seconds"`
}

// Mbps is the test's throughput in Mbit/s (10^6 bits per second, the unit
// of a link's speed_mbps); 0 when nothing was timed.
func (t ProbeThroughput) Mbps() float64 {
	if t.Seconds <= 0 {
		return 0
	}
	return float64(t.Bytes) * 8 / 1e6 / t.Seconds
}

// Mbps is the figure a broker can count on both ways: the slower
// direction's best, in Mbit/s; 0 when neither direction was measured.
func (p *ProbePeer) Mbps() float64 {
	to, from := p.BestMbps(DirectionToPeer), p.BestMbps(DirectionFromPeer)
	if to == 0 || from == 0 {
		return max(to, from)
	}
	return min(to, from)
}

// BestMbps is the highest throughput measured in direction dir over any
// number of streams; 0 when none was.
func (p *ProbePeer) BestMbps(dir string) float64 {
	var best float64
	for _, t := range p.Throughput {
		if t.Direction == dir {
			best = max(best, t.Mbps())
		}
	}
	return best
}

// ProbeInterface is one network interface.
type ProbeInterface struct {
	Name string `json:"name"`
	MTU  int    `json:"mtu"`
	Up   bool   `json:"up"`
	// SpeedMbps is the link speed; absent when the kernel does not know it
	// (virtual NICs report -1), never 0.
	SpeedMbps *int     `json:"speed_mbps,omitempty"`
	Virtual   bool     `json:"virtual"`
	Loopback  bool     `json:"loopback"`
	Addrs     []string `json:"addrs,omitempty"`
}

// ProbeOS holds the kernel settings Kafka's operators care about.
type ProbeOS struct {
	Kernel               string `json:"kernel,omitempty"`
	Virtualization       string `json:"virtualization,omitempty"`
	Swappiness           *int64 `json:"vm_swappiness,omitempty"`
	DirtyRatio           *int64 `json:"vm_dirty_ratio,omitempty"`
	DirtyBackgroundRatio *int64 `json:"vm_dirty_background_ratio,omitempty"`
	MaxMapCount          *int64 `json:"vm_max_map_count,omitempty"`
	THP                  string `json:"transparent_hugepage,omitempty"`
	FileMax              *int64 `json:"fs_file_max,omitempty"`
	NofileSoft           *int64 `json:"rlimit_nofile_soft,omitempty"`
	NofileHard           *int64 `json:"rlimit_nofile_hard,omitempty"`
	Clocksource          string `json:"clocksource,omitempty"`
	TimeSynced           *bool  `json:"time_synchronized,omitempty"`
}

// Check is one finding against Kafka's guidance.
type Check struct {
	ID       string `json:"id"`
	Severity string `json:"severity"` // ok, info or warn
	Finding  string `json:"finding"`
	// Recommended is the value or action Kafka's guidance asks for.
	Recommended string `json:"recommended,omitempty"`
	Source      string `json:"source"`
}

// Severities of a Check.
const (
	SeverityOK   = "ok"
	SeverityInfo = "info"
	SeverityWarn = "warn"
)

// WriteProbe writes p atomically to path.
func WriteProbe(path string, p *Probe) error { return WriteJSON(path, p) }

// DecodeProbe reads a probe document, rejecting other kinds and versions.
func DecodeProbe(r io.Reader) (*Probe, error) {
	var p Probe
	if err := decodeKind(r, KindProbe, &p); err != nil {
		return nil, err
	}
	return &p, nil
}
