package advisor

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/ktune/ktune/result"
)

// brokerHardware combines the stated hardware with the probes: a flag
// beats a probe; over several probes the slowest broker bounds the
// cluster.
func brokerHardware(stated Hardware, probes []Named[*result.Probe]) BrokerHardware {
	var h BrokerHardware
	lowest := func(dst *Sourced, v float64, src string) {
		if v > 0 && (!dst.Known() || v < dst.Value) {
			*dst = Sourced{Value: v, Source: src}
		}
	}
	for _, p := range probes {
		d := probeDisks(p)
		lowest(&h.DiskMBps, d.mbps, d.mbpsFrom)
		lowest(&h.DiskGB, d.gb, d.gbFrom)
		nic, nicFrom := probeNetwork(p)
		lowest(&h.NICMBps, nic, nicFrom)
		cores, coresFrom := probeCores(p)
		lowest(&h.Cores, cores, coresFrom)
		mem := float64(p.Doc.Memory.Total) / 1e9
		memFrom := "measured: " + p.Path + " (memory)"
		if l := p.Doc.Memory.CgroupLimit; l != nil && *l > 0 && float64(*l)/1e9 < mem {
			mem, memFrom = float64(*l)/1e9, "measured: "+p.Path+" (cgroup memory limit)"
		}
		lowest(&h.MemoryGB, mem, memFrom)
	}
	state := func(dst *Sourced, v float64, flag string) {
		if v > 0 {
			*dst = Sourced{Value: v, Source: "input (" + flag + ")"}
		}
	}
	state(&h.DiskMBps, stated.DiskMBps, "--broker-disk-mbps")
	state(&h.DiskGB, stated.DiskGB, "--broker-disk-gb")
	state(&h.NICMBps, stated.NICGbps*125, "--broker-nic-gbps x 125")
	state(&h.Cores, stated.Cores, "--broker-cores")
	state(&h.MemoryGB, stated.MemoryGB, "--broker-memory-gb")
	return h
}

type diskSummary struct {
	mbps, gb         float64
	mbpsFrom, gbFrom string
}

// probeDisks sums a probe's log dirs per distinct filesystem (JBOD): two
// log dirs on one filesystem share its bytes and its bandwidth.
func probeDisks(p Named[*result.Probe]) diskSummary {
	type fs struct {
		gb, mbps float64
		dirs     []string
	}
	byFS := map[string]*fs{}
	var keys []string
	for _, d := range p.Doc.Disks {
		key := d.Device
		if key == "" {
			key = d.MountPoint
		}
		if key == "" {
			key = d.LogDir
		}
		f, ok := byFS[key]
		if !ok {
			f = &fs{}
			byFS[key] = f
			keys = append(keys, key)
		}
		f.dirs = append(f.dirs, d.LogDir)
		f.gb = math.Max(f.gb, float64(d.TotalBytes)/1e9)
		if d.SeqWriteMiBps != nil {
			if mb := *d.SeqWriteMiBps * mibToMB; f.mbps == 0 || mb < f.mbps {
				f.mbps = mb
			}
		}
	}
	sort.Strings(keys)
	var s diskSummary
	var dirs []string
	for _, k := range keys {
		s.gb += byFS[k].gb
		s.mbps += byFS[k].mbps
		dirs = append(dirs, strings.Join(byFS[k].dirs, "+"))
	}
	what := fmt.Sprintf("%d filesystem(s): %s", len(keys), strings.Join(dirs, ", "))
	s.mbpsFrom = "measured: " + p.Path + " (O_DIRECT sequential write summed over " + what + ")"
	s.gbFrom = "measured: " + p.Path + " (log dir sizes summed over " + what + ")"
	return s
}

// probeNIC is the fastest usable interface of a probe, in MB/s; a virtual
// interface's speed is nominal, not measured.
func probeNIC(p Named[*result.Probe]) (float64, string) {
	var best float64
	var from string
	for _, i := range p.Doc.Network.Interfaces {
		if i.Loopback || !i.Up || i.SpeedMbps == nil || *i.SpeedMbps <= 0 {
			continue
		}
		if v := float64(*i.SpeedMbps) / 8; v > best {
			best = v
			from = fmt.Sprintf("measured: %s (%s link speed)", p.Path, i.Name)
			if i.Virtual {
				from = fmt.Sprintf("nominal: %s (%s is virtual: its link speed is what the driver claims)", p.Path, i.Name)
			}
		}
	}
	return best, from
}

// probeCores is a probe's usable cores: the cgroup limit wins over the
// host's.
func probeCores(p Named[*result.Probe]) (float64, string) {
	c := float64(p.Doc.CPU.LogicalCores)
	from := "measured: " + p.Path + " (logical cores)"
	if l := p.Doc.CPU.CgroupCores; l != nil && *l > 0 && (c == 0 || *l < c) {
		c, from = *l, "measured: "+p.Path+" (cgroup CPU limit)"
	}
	return c, from
}
