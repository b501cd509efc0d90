// Package stats holds the statistics ktune's comparisons use: means with
// Student's t confidence intervals and Welch's t-test.
package stats

import (
	"math"
	"sort"

	"gonum.org/v1/gonum/stat"
	"gonum.org/v1/gonum/stat/distuv"
)

// MeanCI95 returns the mean of x and the half-width of its 95% confidence
// interval (Student's t with n-1 degrees of freedom); the half-width is NaN
// for fewer than two samples.
func MeanCI95(x []float64) (mean, half float64) {
	if len(x) == 0 {
		return math.NaN(), math.NaN()
	}
	mean, sd := stat.MeanStdDev(x, nil)
	if len(x) < 2 {
		return mean, math.NaN()
	}
	t := distuv.StudentsT{Mu: 0, Sigma: 1, Nu: float64(len(x) - 1)}.Quantile(0.975)
	return mean, t * sd / math.Sqrt(float64(len(x)))
}

// Welch returns Welch's t statistic, its Welch-Satterthwaite degrees of
// freedom and the two-sided p-value for the difference of the means of a
// and b. With fewer than two samples on a side, or no variance at all, the
// p-value is NaN.
func Welch(a, b []float64) (t, df, p float64) {
	if len(a) < 2 || len(b) < 2 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	ma, va := stat.MeanVariance(a, nil)
	mb, vb := stat.MeanVariance(b, nil)
	sa, sb := va/float64(len(a)), vb/float64(len(b))
	if sa+sb == 0 {
		return math.NaN(), math.NaN(), math.NaN()
	}
	t = (ma - mb) / math.Sqrt(sa+sb)
	df = (sa + sb) * (sa + sb) / (sa*sa/float64(len(a)-1) + sb*sb/float64(len(b)-1))
	p = 2 * distuv.StudentsT{Mu: 0, Sigma: 1, Nu: df}.CDF(-math.Abs(t))
	return t, df, p
}

// Median returns the median of x (the mean of the middle two for an even
// count), NaN for no samples. x is not modified.
func Median(x []float64) float64 {
	if len(x) == 0 {
		return math.NaN()
	}
	s := append([]float64(nil), x...)
	sort.Float64s(s)
	n := len(s)
	if n%2 == 1 {
		return s[n/2]
	}
	return (s[n/2-1] + s[n/2]) / 2
}
