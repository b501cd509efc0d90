package stats

import (
	"math"
	"testing"
)

// Reference values computed independently with mpmath at 30 digits: the
// two-sided p of Welch's t is I_{df/(df+t^2)}(df/2, 1/2) (regularised
// incomplete beta); t = -6/sqrt(10), df = 100/17; the t(4) 97.5% quantile
// is 2.7764451052, so the interval of 1..5 is 3 ± 1.9632431615.
func TestAgainstR(t *testing.T) {
	a := []float64{1, 2, 3, 4, 5}
	b := []float64{2, 4, 6, 8, 10}
	tt, df, p := Welch(a, b)
	for _, c := range []struct {
		name      string
		got, want float64
	}{{"t", tt, -1.8973665961}, {"df", df, 5.8823529412}, {"p", p, 0.1075311949}} {
		if math.Abs(c.got-c.want) > 1e-5 {
			t.Errorf("%s = %.8f, want %.8f", c.name, c.got, c.want)
		}
	}
	mean, half := MeanCI95(a)
	if mean != 3 || math.Abs(half-1.9632431615) > 1e-6 {
		t.Errorf("mean %v ± %v, want 3 ± 1.963243", mean, half)
	}
	if _, half := MeanCI95([]float64{7}); !math.IsNaN(half) {
		t.Error("one sample has no interval")
	}
	if _, _, p := Welch([]float64{1, 1}, []float64{1, 1}); !math.IsNaN(p) {
		t.Error("no variance: p should be NaN")
	}
	// Clearly different samples are significant.
	if _, _, p := Welch([]float64{100, 101, 99, 100}, []float64{150, 151, 149, 150}); p > 1e-6 {
		t.Errorf("p = %v", p)
	}
}

func TestMedian(t *testing.T) {
	x := []float64{30, 10, 20}
	if m := Median(x); m != 20 || x[0] != 30 {
		t.Errorf("median %v of %v", m, x)
	}
	if m := Median([]float64{4, 1, 3, 2}); m != 2.5 {
		t.Errorf("even median %v", m)
	}
	if !math.IsNaN(Median(nil)) {
		t.Error("median of nothing")
	}
}
