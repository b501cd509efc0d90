package summary

import (
	"fmt"
	"time"

	"github.com/ktune/ktune/result"
)

// MaxRateLine is the answer of a max-rate search in one line: the rate
// confirmed within the objective, or, when the search confirmed none,
// why not (it was cut short, or no rate it tried met the objective). It
// never prints 0 records/s as if that were a rate the cluster sustains.
// window is the length of each confirming window.
func MaxRateLine(doc *result.MaxRate, window time.Duration) string {
	slo := fmt.Sprintf("%s p99 <= %.1f ms", doc.LatencyKind, doc.P99Ms)
	switch {
	case doc.RecordsPerSec > 0:
		return fmt.Sprintf("max sustainable rate: %.0f records/s (%.2f MiB/s) with %s, confirmed over 2 windows of %s",
			doc.RecordsPerSec, doc.MiBPerSec, slo, window)
	case !doc.Complete:
		return fmt.Sprintf("max sustainable rate: none confirmed: the search was cut short (%s) after %d window(s); nothing is claimed", orUnknown(string(doc.StopReason)), len(doc.Steps))
	default:
		return fmt.Sprintf("max sustainable rate: none: no rate tried met %s (see the steps)", slo)
	}
}
