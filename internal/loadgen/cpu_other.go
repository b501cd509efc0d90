//go:build !unix

package loadgen

import "time"

// processCPU is unknown here: results leave client_cpu_s out.
func processCPU() (time.Duration, bool) { return 0, false }
