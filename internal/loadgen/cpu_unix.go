//go:build unix

package loadgen

import (
	"syscall"
	"time"
)

// processCPU returns the user plus system CPU time this process has used
// (getrusage RUSAGE_SELF); false when the system does not say.
func processCPU() (time.Duration, bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), true
}
