package probe

import (
	"context"
	"encoding/json"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/result"
)

func fakeInterfaces() ([]net.Interface, error) {
	return []net.Interface{
		{Name: "lo", MTU: 65536, Flags: net.FlagUp | net.FlagLoopback},
		{Name: "eth0", MTU: 9001, Flags: net.FlagUp},
		{Name: "veth9", MTU: 1500, Flags: net.FlagUp},
	}, nil
}

func checkByID(p *result.Probe, id string) (result.Check, bool) {
	for _, c := range p.Checks {
		if c.ID == id {
			return c, true
		}
	}
	return result.Check{}, false
}

// TestFakeHost runs the probe's readers against testdata/host, a fake
// /proc and /sys tree with some entries missing.
func TestFakeHost(t *testing.T) {
	p, err := Run(context.Background(), Config{Root: "testdata/host", Quick: true, LogDirs: []string{t.TempDir()}, Interfaces: fakeInterfaces})
	if err != nil {
		t.Fatal(err)
	}
	if p.CPU.Model != "Intel(R) Xeon(R) Test CPU @ 2.00GHz" || p.CPU.LogicalCores != 4 || p.CPU.PhysicalCores != 2 {
		t.Errorf("cpu: %+v", p.CPU)
	}
	if p.CPU.AES == nil || !*p.CPU.AES || p.CPU.Governor != "powersave" || p.CPU.CgroupCores == nil || *p.CPU.CgroupCores != 2 {
		t.Errorf("cpu details: aes %v governor %q cgroup %v", p.CPU.AES, p.CPU.Governor, p.CPU.CgroupCores)
	}
	if p.CPU.Load1 == nil || *p.CPU.Load1 != 0.5 {
		t.Errorf("load: %v", p.CPU.Load1)
	}
	m := p.Memory
	if m.Total != 65536000*1024 || m.Dirty != 2048*1024 || m.SwapTotal != 2097152*1024 || m.CgroupLimit == nil || *m.CgroupLimit != 8<<30 {
		t.Errorf("memory: %+v", m)
	}
	o := p.OS
	if *o.Swappiness != 60 || *o.MaxMapCount != 262144 || o.THP != "never" || o.Clocksource != "kvm-clock" || o.Kernel != "6.18.0-test" && o.Kernel != "6.1.0-test" {
		t.Errorf("os: %+v", o)
	}
	var eth0, veth *result.ProbeInterface
	for i := range p.Network.Interfaces {
		switch p.Network.Interfaces[i].Name {
		case "eth0":
			eth0 = &p.Network.Interfaces[i]
		case "veth9":
			veth = &p.Network.Interfaces[i]
		}
	}
	if eth0 == nil || eth0.SpeedMbps == nil || *eth0.SpeedMbps != 10000 || eth0.Virtual {
		t.Errorf("eth0: %+v", eth0)
	}
	if veth == nil || veth.SpeedMbps != nil || !veth.Virtual {
		t.Errorf("veth9 should be virtual with unknown speed: %+v", veth)
	}
	// Missing entries are unknown with a reason, never zero.
	for _, key := range []string{"network.tcp_max_syn_backlog", "network.interfaces.veth9.speed_mbps", "disks[0].seq_write_mib_per_sec"} {
		if reason := p.Unknown[key]; reason == "" {
			t.Errorf("no reason for unknown %s (unknown: %v)", key, p.Unknown)
		}
	}
	if !strings.Contains(p.Unknown["network.tcp_max_syn_backlog"], "does not exist") {
		t.Errorf("reason: %q", p.Unknown["network.tcp_max_syn_backlog"])
	}
	if p.Disks[0].SeqWriteMiBps != nil {
		t.Error("--quick wrote to disk")
	}
	for id, want := range map[string]string{
		"vm-swappiness": result.SeverityWarn, "vm-max-map-count": result.SeverityOK, "memory": result.SeverityOK,
		"cores": result.SeverityWarn, "cpu-governor": result.SeverityInfo, "clocksource": result.SeverityInfo,
		"net-somaxconn": result.SeverityInfo,
	} {
		c, ok := checkByID(p, id)
		if !ok || c.Severity != want || c.Source == "" || c.Recommended == "" {
			t.Errorf("check %s = %+v, want severity %s with a source", id, c, want)
		}
	}
	if _, ok := checkByID(p, "nic-speed"); ok {
		t.Error("nic-speed check fired though eth0 reports 10000 Mb/s")
	}
	if _, ok := checkByID(p, "swap"); ok {
		t.Error("swap check fired with 2 GiB of swap")
	}
}

func TestMissingTreeNeverCrashes(t *testing.T) {
	p, err := Run(context.Background(), Config{Root: t.TempDir(), Quick: true, Interfaces: func() ([]net.Interface, error) { return nil, os.ErrPermission }})
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Unknown) < 10 || p.Unknown["network.interfaces"] == "" {
		t.Errorf("an empty tree should leave many readings unknown with reasons: %v", p.Unknown)
	}
}

func TestDiskMeasurementsRemoveTheirFiles(t *testing.T) {
	dir := t.TempDir()
	p, err := Run(context.Background(), Config{LogDirs: []string{dir}, TestBytes: 8 << 20, Budget: 20 * time.Second, Interfaces: fakeInterfaces})
	if err != nil {
		t.Fatal(err)
	}
	d := p.Disks[0]
	if d.SeqWriteMiBps == nil && !strings.Contains(p.Unknown["disks[0].seq_write_mib_per_sec"], "O_DIRECT") {
		t.Fatalf("no write figure and no O_DIRECT reason: %v", p.Unknown)
	}
	if d.SeqWriteMiBps != nil && (*d.SeqWriteMiBps <= 0 || d.SeqReadMiBps == nil || d.RandWriteIOPS == nil) {
		t.Errorf("disk figures: %+v", d)
	}
	if d.Fdatasync == nil || d.Fdatasync.Count == 0 || d.FdatasyncHDR == "" {
		t.Errorf("fdatasync latency missing: %+v", d.Fdatasync)
	}
	if d.Filesystem == "" || d.TotalBytes == 0 {
		t.Errorf("disk description: %+v", d)
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("test files left behind: %v", entries)
	}
}

func TestInterruptedProbeRemovesFiles(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	time.AfterFunc(1500*time.Millisecond, cancel) // Ctrl-C during the disk tests
	p, err := Run(ctx, Config{LogDirs: []string{dir}, TestBytes: 1 << 30, Interfaces: fakeInterfaces})
	if err != nil {
		t.Fatal(err)
	}
	if p.Complete {
		t.Error("an interrupted probe says complete")
	}
	if p.CPU.LogicalCores == 0 || p.Memory.Total == 0 {
		t.Error("readings made before the interrupt were lost")
	}
	entries, _ := os.ReadDir(dir)
	if len(entries) != 0 {
		t.Errorf("test files left behind: %v", entries)
	}
}

func TestRefusesWithoutSpace(t *testing.T) {
	s := &sysRoot{root: "/", unknown: map[string]string{}}
	d := result.ProbeDisk{LogDir: t.TempDir(), FreeBytes: 100 << 20}
	s.measureDisk(context.Background(), 0, &d, diskTest{size: 256 << 20, block: 1 << 20, depth: 4, syncBytes: 4096, syncCount: 10, phaseLimit: time.Second})
	if d.SeqWriteMiBps != nil || !strings.HasPrefix(s.unknown["disks[0].seq_write_mib_per_sec"], "refused") {
		t.Fatalf("want a refusal, got %v", s.unknown)
	}
}

func TestCruiseControlCapacity(t *testing.T) {
	speed := 10000
	p := &result.Probe{Hostname: "h", Disks: []result.ProbeDisk{{LogDir: "/data1", TotalBytes: 2e12}, {LogDir: "/data2", TotalBytes: 1e12}},
		Network: result.ProbeNetwork{Interfaces: []result.ProbeInterface{{Name: "eth0", Up: true, SpeedMbps: &speed}}}}
	data, err := CruiseControlCapacity(p, 0)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		BrokerCapacities []struct {
			BrokerID string `json:"brokerId"`
			Capacity struct {
				DISK  map[string]string
				CPU   string
				NWIn  string `json:"NW_IN"`
				NWOut string `json:"NW_OUT"`
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	c := doc.BrokerCapacities[0]
	if c.BrokerID != "-1" || c.Capacity.DISK["/data1"] != "2000000" || c.Capacity.CPU != "100" || c.Capacity.NWIn != "1250000" || c.Capacity.NWOut != "1250000" {
		t.Errorf("capacity: %s", data)
	}
	p.Network.Interfaces[0].SpeedMbps = nil
	if _, err := CruiseControlCapacity(p, 0); err == nil || !strings.Contains(err.Error(), "--nic-speed") {
		t.Errorf("unknown NIC speed: %v", err)
	}
	if _, err := CruiseControlCapacity(p, 1000); err != nil {
		t.Errorf("--nic-speed given: %v", err)
	}
}

func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{"256MiB": 256 << 20, "1GiB": 1 << 30, "64M": 64 << 20, "1048576": 1 << 20, "2GB": 2e9} {
		if got, err := ParseSize(in); err != nil || got != want {
			t.Errorf("%s: %d %v", in, got, err)
		}
	}
	if _, err := ParseSize("lots"); err == nil {
		t.Error("bad size accepted")
	}
	_ = filepath.Join
}

func TestTinyBudgetSaysSo(t *testing.T) {
	p, err := Run(context.Background(), Config{LogDirs: []string{t.TempDir()}, Budget: 1200 * time.Millisecond, Interfaces: fakeInterfaces})
	if err != nil {
		t.Fatal(err)
	}
	if p.Complete || !strings.Contains(p.Unknown["disks[0].seq_write_mib_per_sec"], "budget") {
		t.Fatalf("complete=%v unknown=%v", p.Complete, p.Unknown)
	}
}

func TestConfigValidate(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f")
	os.WriteFile(file, nil, 0o644)
	for _, tc := range []struct {
		cfg  Config
		want string
	}{
		{Config{LogDirs: []string{dir}}, ""},
		{Config{TestBytes: 1 << 20}, "--disk-test-size 1048576 bytes: must be at least 4 MiB"},
		{Config{TestBytes: -1}, "--disk-test-size -1 bytes"},
		{Config{Budget: -1}, "--budget -1ns"},
		{Config{LogDirs: []string{filepath.Join(dir, "none")}}, "--log-dir " + filepath.Join(dir, "none")},
		{Config{LogDirs: []string{file}}, "is not a directory"},
	} {
		err := tc.cfg.Validate()
		if tc.want == "" && err != nil || tc.want != "" && (err == nil || !strings.Contains(err.Error(), tc.want)) {
			t.Errorf("%+v: %v, want %q", tc.cfg, err, tc.want)
		}
	}
	if CheckNICSpeed(-1) == nil || CheckNICSpeed(0) != nil || CheckNICSpeed(10000) != nil {
		t.Error("CheckNICSpeed")
	}
}
