package advisor

import "github.com/ktune/ktune/internal/units"

// round2 rounds a figure for the document: two decimals from 1 up, three
// significant digits below 1, so a small rate is never 0 (units.Round).
func round2(f float64) float64 { return units.Round(f) }

// figure writes a figure for people: no e-notation, and the significant
// digits of a small one (units.Format).
func figure(f float64) string { return units.Format(f) }
