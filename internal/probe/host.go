package probe

import (
	"context"
	"math"
	"runtime"
	"strconv"
	"strings"
	"syscall"

	"github.com/shirou/gopsutil/v4/common"
	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/host"
	"github.com/shirou/gopsutil/v4/mem"

	"github.com/ktune/ktune/result"
)

// psContext points gopsutil at the probe's root.
func (s *sysRoot) psContext(ctx context.Context) context.Context {
	if s.root == "/" || s.root == "" {
		return ctx
	}
	return context.WithValue(ctx, common.EnvKey, common.EnvMap{
		common.HostProcEnvKey: s.path("proc"),
		common.HostSysEnvKey:  s.path("sys"),
		common.HostEtcEnvKey:  s.path("etc"),
		common.HostRunEnvKey:  s.path("run"),
	})
}

func (s *sysRoot) readCPU(ctx context.Context) result.ProbeCPU {
	var c result.ProbeCPU
	pctx := s.psContext(ctx)
	if infos, err := cpu.InfoWithContext(pctx); err == nil && len(infos) > 0 {
		c.Model = infos[0].ModelName
		aes := false
		for _, f := range infos[0].Flags {
			if f == "aes" {
				aes = true
			}
		}
		if len(infos[0].Flags) > 0 {
			c.AES = &aes
		} else {
			s.miss("cpu.aes", "no CPU flags in /proc/cpuinfo")
		}
		c.LogicalCores = len(infos)
	} else {
		s.miss("cpu.model", "cannot read /proc/cpuinfo")
	}
	if n, err := cpu.CountsWithContext(pctx, false); err == nil && n > 0 {
		c.PhysicalCores = n
	} else {
		s.miss("cpu.physical_cores", "/proc/cpuinfo gives no core ids")
	}
	if c.LogicalCores == 0 && s.root == "/" {
		c.LogicalCores = runtime.NumCPU()
	}
	c.CgroupCores = s.cgroupCPU()
	if g, ok := s.read("cpu.governor", "sys/devices/system/cpu/cpu0/cpufreq/scaling_governor"); ok {
		c.Governor = g
	}
	if v, ok := s.read("cpu.load", "proc/loadavg"); ok {
		f := strings.Fields(v)
		if len(f) >= 3 {
			l1, _ := strconv.ParseFloat(f[0], 64)
			l5, _ := strconv.ParseFloat(f[1], 64)
			l15, _ := strconv.ParseFloat(f[2], 64)
			c.Load1, c.Load5, c.Load15 = &l1, &l5, &l15
		}
	}
	return c
}

// cgroupCPU reads a container's CPU limit in cores (cgroup v2 cpu.max, or
// v1 cfs quota and period); nil without a limit.
func (s *sysRoot) cgroupCPU() *float64 {
	quiet := &sysRoot{root: s.root}
	if v, ok := quiet.read("", "sys/fs/cgroup/cpu.max"); ok {
		f := strings.Fields(v)
		if len(f) == 2 && f[0] != "max" {
			q, err1 := strconv.ParseFloat(f[0], 64)
			p, err2 := strconv.ParseFloat(f[1], 64)
			if err1 == nil && err2 == nil && p > 0 {
				cores := math.Round(q/p*100) / 100
				return &cores
			}
		}
		return nil
	}
	q := quiet.readInt("", "sys/fs/cgroup/cpu/cpu.cfs_quota_us")
	p := quiet.readInt("", "sys/fs/cgroup/cpu/cpu.cfs_period_us")
	if q != nil && p != nil && *q > 0 && *p > 0 {
		cores := math.Round(float64(*q)/float64(*p)*100) / 100
		return &cores
	}
	return nil
}

func (s *sysRoot) readMemory(ctx context.Context) result.ProbeMemory {
	var m result.ProbeMemory
	pctx := s.psContext(ctx)
	if vm, err := mem.VirtualMemoryWithContext(pctx); err == nil {
		m.Total, m.Available, m.Cached = vm.Total, vm.Available, vm.Cached
		m.Dirty, m.Writeback = vm.Dirty, vm.WriteBack
		m.SwapTotal, m.SwapFree = vm.SwapTotal, vm.SwapFree
	} else {
		s.miss("memory", "cannot read /proc/meminfo: "+err.Error())
	}
	quiet := &sysRoot{root: s.root}
	if v, ok := quiet.read("", "sys/fs/cgroup/memory.max"); ok && v != "max" {
		if n, err := strconv.ParseUint(v, 10, 64); err == nil {
			m.CgroupLimit = &n
		}
	} else if n := quiet.readInt("", "sys/fs/cgroup/memory/memory.limit_in_bytes"); n != nil && *n > 0 && *n < 1<<60 {
		u := uint64(*n)
		m.CgroupLimit = &u
	}
	return m
}

func (s *sysRoot) readOS(ctx context.Context) result.ProbeOS {
	var o result.ProbeOS
	if v, ok := s.read("os.kernel", "proc/sys/kernel/osrelease"); ok {
		o.Kernel = v
	}
	if sys, role, err := host.VirtualizationWithContext(s.psContext(ctx)); err == nil && sys != "" {
		o.Virtualization = sys + " (" + role + ")"
	} else {
		s.miss("os.virtualization", "no hypervisor or container found")
	}
	o.Swappiness = s.readInt("os.vm_swappiness", "proc/sys/vm/swappiness")
	o.DirtyRatio = s.readInt("os.vm_dirty_ratio", "proc/sys/vm/dirty_ratio")
	o.DirtyBackgroundRatio = s.readInt("os.vm_dirty_background_ratio", "proc/sys/vm/dirty_background_ratio")
	o.MaxMapCount = s.readInt("os.vm_max_map_count", "proc/sys/vm/max_map_count")
	o.FileMax = s.readInt("os.fs_file_max", "proc/sys/fs/file-max")
	if v, ok := s.read("os.transparent_hugepage", "sys/kernel/mm/transparent_hugepage/enabled"); ok {
		o.THP = selected(v)
	}
	if v, ok := s.read("os.clocksource", "sys/devices/system/clocksource/clocksource0/current_clocksource"); ok {
		o.Clocksource = v
	}
	if s.root == "/" || s.root == "" {
		var rl syscall.Rlimit
		if err := syscall.Getrlimit(syscall.RLIMIT_NOFILE, &rl); err == nil {
			soft, hard := int64(rl.Cur), int64(rl.Max)
			o.NofileSoft, o.NofileHard = &soft, &hard
		}
		o.TimeSynced = timeSynced()
		if o.TimeSynced == nil {
			s.miss("os.time_synchronized", "adjtimex is not permitted here")
		}
	} else {
		s.miss("os.rlimit_nofile_soft", "read from the running process only")
	}
	return o
}

// timeSynced asks the kernel whether its clock is synchronised (adjtimex
// without STA_UNSYNC), as timedatectl does.
func timeSynced() *bool {
	var tx syscall.Timex
	state, err := syscall.Adjtimex(&tx)
	if err != nil {
		return nil
	}
	const staUnsync = 0x0040
	const timeError = 5
	ok := tx.Status&staUnsync == 0 && state != timeError
	return &ok
}
