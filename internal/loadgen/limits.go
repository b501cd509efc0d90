package loadgen

import (
	"fmt"
	"runtime"
)

// Upper bounds on what one ktune process runs, checked before any work
// starts. Beyond them a run measures ktune's own machine (its scheduler,
// memory and sockets), not Kafka, and can exhaust it: 100,000 producers
// reached 24 GB of memory in minutes (issue 28).
const (
	// ClientsPerCPU bounds producer and consumer clients: each is a
	// franz-go client with its own goroutines, buffers and a connection to
	// every broker, and past a few dozen per core the scheduler, not the
	// cluster, sets the latency. Spread more over --workers.
	ClientsPerCPU = 64
	// MaxHeaders bounds the extra headers per record: every header is
	// generated and encoded with each record, so thousands measure
	// ktune's encoding, not the broker.
	MaxHeaders = 1000
)

// MaxClients is the most producer (or consumer) clients one process runs
// on this machine.
func MaxClients() int { return ClientsPerCPU * runtime.NumCPU() }

// checkClients refuses more clients than MaxClients, naming the flag.
func checkClients(flag string, n int) error {
	if limit := MaxClients(); n > limit {
		return fmt.Errorf("--%s %d: at most %d on this machine (%d per CPU: more measure ktune's own scheduler, not Kafka); spread them over --workers", flag, n, limit, ClientsPerCPU)
	}
	return nil
}
