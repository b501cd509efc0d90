package loadgen

import (
	"os"
	"runtime"

	"github.com/shirou/gopsutil/v4/cpu"
	"github.com/shirou/gopsutil/v4/mem"

	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/result"
)

// newDocument starts a result document of kind for a run on conn.
func newDocument(kind result.Kind, conn *cluster.Conn) *result.Document {
	doc := &result.Document{
		Header:  result.NewHeader(kind),
		Cluster: conn.Info,
		Host:    HostSummary(),
	}
	if conn.Info.Embedded {
		doc.Notes = append(doc.Notes, result.EmbeddedLabel)
	}
	return doc
}

// HostSummary describes the machine ktune runs on. Fields it cannot read
// stay empty.
func HostSummary() result.Host {
	h := result.Host{OS: runtime.GOOS, Arch: runtime.GOARCH, Cores: runtime.NumCPU(), GoMaxProcs: runtime.GOMAXPROCS(0), GoVersion: runtime.Version()}
	h.Hostname, _ = os.Hostname()
	if infos, err := cpu.Info(); err == nil && len(infos) > 0 {
		h.CPUModel = infos[0].ModelName
	}
	if vm, err := mem.VirtualMemory(); err == nil {
		h.MemoryBytes = vm.Total
	}
	return h
}
