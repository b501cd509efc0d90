package units

import (
	"math"
	"strconv"
)

// Round keeps a figure readable without losing it: two decimals from 1
// up (857.142857 -> 857.14), three significant digits below 1 (0.0011574
// -> 0.00116), so a small rate never rounds to 0.
func Round(f float64) float64 {
	if f == 0 || math.IsNaN(f) || math.IsInf(f, 0) {
		return f
	}
	if math.Abs(f) >= 1 {
		return math.Round(f*100) / 100
	}
	scale := math.Pow(10, 2-math.Floor(math.Log10(math.Abs(f))))
	return math.Round(f*scale) / scale
}

// Format writes a figure as Round keeps it, in plain decimal notation:
// 1166400, 857.14, 0.00116; never 1.1664e+06.
func Format(f float64) string {
	return strconv.FormatFloat(Round(f), 'f', -1, 64)
}
