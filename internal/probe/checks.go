package probe

import (
	"fmt"
	"slices"

	"github.com/ktune/ktune/result"
)

// Sources of the checks' guidance.
const (
	srcKafkaOps  = "Apache Kafka documentation, Operations: Hardware and OS"
	srcConfluent = "Confluent Platform production deployment guidance"
	srcRpk       = "Redpanda rpk tuners (Redpanda practice; benefit for Kafka unverified)"
	srcCC        = "Cruise Control default thresholds"
)

// checks judges the probe's findings against Kafka's guidance.
func checks(p *result.Probe) []result.Check {
	var out []result.Check
	add := func(id, sev, finding, rec, src string) {
		out = append(out, result.Check{ID: id, Severity: sev, Finding: finding, Recommended: rec, Source: src})
	}
	o, m, c := &p.OS, &p.Memory, &p.CPU
	if v := o.Swappiness; v != nil {
		sev := result.SeverityOK
		if *v > 1 {
			sev = result.SeverityWarn
		}
		add("vm-swappiness", sev, fmt.Sprintf("vm.swappiness = %d", *v), "vm.swappiness=1 (not 0): the kernel swaps only to avoid the OOM killer", srcConfluent)
	}
	if m.Total > 0 && m.SwapTotal == 0 {
		add("swap", result.SeverityInfo, "no swap configured", "a small swap with vm.swappiness=1 is a safety net against the OOM killer", srcConfluent)
	}
	if v := o.MaxMapCount; v != nil {
		sev := result.SeverityOK
		if *v < 262144 {
			sev = result.SeverityWarn
		}
		add("vm-max-map-count", sev, fmt.Sprintf("vm.max_map_count = %d", *v), "vm.max_map_count >= 262144, well above 2 x the log segments per broker (each segment maps an index and a time index)", srcKafkaOps)
	}
	if v := o.NofileSoft; v != nil {
		sev := result.SeverityOK
		if *v < 100000 {
			sev = result.SeverityWarn
		}
		add("nofile", sev, fmt.Sprintf("open-file limit (RLIMIT_NOFILE, this shell) = %d", *v), "at least 100000 for the broker (LimitNOFILE in its systemd unit): partitions x segments + connections", srcKafkaOps)
	}
	for i, d := range p.Disks {
		where := fmt.Sprintf("log dir %s", d.LogDir)
		if d.Filesystem != "" {
			sev := result.SeverityOK
			if d.Filesystem != "xfs" && d.Filesystem != "ext4" {
				sev = result.SeverityWarn
			}
			add(fmt.Sprintf("disk%d-filesystem", i), sev, fmt.Sprintf("%s is on %s", where, d.Filesystem), "XFS (preferred) or ext4 on local block storage", srcKafkaOps)
			if d.Filesystem == "nfs" || d.Filesystem == "nfs4" || d.Filesystem == "cifs" {
				add(fmt.Sprintf("disk%d-network-fs", i), result.SeverityWarn, where+" is on a network filesystem", "local disks or validated block storage (SAN/EBS), not NAS", srcConfluent)
			}
			sev = result.SeverityOK
			if !slices.Contains(d.MountOptions, "noatime") {
				sev = result.SeverityWarn
			}
			add(fmt.Sprintf("disk%d-noatime", i), sev, fmt.Sprintf("%s mount options: %v", where, d.MountOptions), "mount log dirs with noatime: reads then cause no metadata writes", srcKafkaOps)
		}
		if d.OnRootDevice != nil {
			sev := result.SeverityOK
			if *d.OnRootDevice {
				sev = result.SeverityWarn
			}
			add(fmt.Sprintf("disk%d-dedicated", i), sev, fmt.Sprintf("%s on the root device: %v", where, *d.OnRootDevice), "dedicated disks for Kafka data, apart from the OS and application logs", srcKafkaOps)
		}
		if d.TotalBytes > 0 {
			sev := result.SeverityOK
			if d.FreeBytes < 10e9 {
				sev = result.SeverityWarn
			}
			add(fmt.Sprintf("disk%d-free", i), sev, fmt.Sprintf("%s: %.1f GB free of %.1f GB", where, float64(d.FreeBytes)/1e9, float64(d.TotalBytes)/1e9), "at least 10 GB free; plan retention to keep disks at most 70-80% full", "rpk DiskSpaceChecker; "+srcCC+" (disk 0.8)")
		}
		if d.Rotational != nil && !*d.Rotational && d.Scheduler != "" && d.Scheduler != "none" {
			add(fmt.Sprintf("disk%d-scheduler", i), result.SeverityInfo, fmt.Sprintf("%s: SSD/NVMe with I/O scheduler %s", where, d.Scheduler), "scheduler none for NVMe", srcRpk)
		}
		if d.Fdatasync != nil {
			sev := result.SeverityOK
			if d.Fdatasync.P99 > 10 {
				sev = result.SeverityWarn
			}
			add(fmt.Sprintf("disk%d-fdatasync", i), sev, fmt.Sprintf("%s: fdatasync p99 %.2f ms (p50 %.2f ms)", where, d.Fdatasync.P99, d.Fdatasync.P50), "leave log.flush.interval.* unset (rely on replication); put KRaft metadata on a disk with fdatasync p99 under 10 ms", srcKafkaOps+"; etcd's 10 ms disk guidance (analogy)")
		}
	}
	if m.Total > 0 {
		sev := result.SeverityOK
		if m.Total < 32<<30 {
			sev = result.SeverityWarn
		}
		add("memory", sev, fmt.Sprintf("%.1f GiB of memory", float64(m.Total)/(1<<30)), "at least 32 GB for a production broker (64 GB is a good choice): the page cache serves consumers", srcConfluent)
	}
	if c.LogicalCores > 0 {
		sev := result.SeverityOK
		if c.LogicalCores < 8 {
			sev = result.SeverityWarn
		}
		add("cores", sev, fmt.Sprintf("%d logical cores", c.LogicalCores), "8 or more cores for a production broker; more cores beat faster clocks", srcConfluent)
	}
	if c.AES != nil && !*c.AES {
		add("cpu-aes", result.SeverityInfo, "the CPU has no AES instructions", "expect TLS to cost much more CPU", srcConfluent)
	}
	if c.Governor != "" && c.Governor != "performance" {
		add("cpu-governor", result.SeverityInfo, "CPU frequency governor "+c.Governor, "performance", srcRpk)
	}
	if o.THP == "always" {
		add("thp", result.SeverityInfo, "transparent huge pages: always", "no Kafka guidance found; watch for latency spikes from compaction of huge pages", srcRpk)
	}
	if o.Clocksource != "" && o.Clocksource != "tsc" {
		add("clocksource", result.SeverityInfo, "clocksource "+o.Clocksource, "tsc where available (cheaper time reads)", srcRpk)
	}
	if o.TimeSynced != nil {
		sev := result.SeverityOK
		if !*o.TimeSynced {
			sev = result.SeverityWarn
		}
		add("time-sync", sev, fmt.Sprintf("clock synchronised: %v", *o.TimeSynced), "NTP or chrony: timestamps and time-based retention depend on it", "rpk NtpChecker")
	}
	for _, s := range []struct {
		id string
		v  *int64
	}{{"somaxconn", p.Network.Somaxconn}, {"tcp_max_syn_backlog", p.Network.TCPMaxSynBacklog}} {
		if s.v != nil {
			sev := result.SeverityOK
			if *s.v < 4096 {
				sev = result.SeverityInfo
			}
			add("net-"+s.id, sev, fmt.Sprintf("%s = %d", s.id, *s.v), s.id+" >= 4096 for many client connections", srcRpk)
		}
	}
	known := false
	for _, ifc := range p.Network.Interfaces {
		if !ifc.Loopback && ifc.SpeedMbps != nil {
			known = true
		}
	}
	if pr := p.Network.Peer; !known && pr != nil && pr.Mbps() > 0 {
		add("nic-speed", result.SeverityOK, fmt.Sprintf("no interface reports a link speed; %.0f Mbit/s measured each way (%s)", pr.Mbps(), pr.Source), "", "ktune probe --net-peer")
	} else if !known {
		add("nic-speed", result.SeverityInfo, "no interface reports a link speed", "ask for the instance's network bandwidth (or measure it between hosts); network capacity stays unknown", "gopsutil #465; "+srcCC)
	}
	return out
}
