// Package hist records latencies in HdrHistograms with the one range and
// precision every ktune result uses, so histograms from any run merge exactly.
package hist

import (
	"fmt"
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

const (
	// Lowest is the smallest trackable latency: 1 µs (values are in µs).
	Lowest = 1
	// Highest is the largest trackable latency: 10 minutes, in µs. Larger
	// values are recorded as Highest and counted in Overflow.
	Highest = int64(10 * time.Minute / time.Microsecond)
	// SigFigs is the number of significant decimal digits kept: 3.
	SigFigs = 3
)

// Histogram is a latency histogram in microseconds. It is not safe for
// concurrent use: keep one per goroutine and Merge them.
type Histogram struct {
	h        *hdrhistogram.Histogram
	overflow int64
}

// New returns an empty histogram covering Lowest..Highest at SigFigs.
func New() *Histogram {
	return &Histogram{h: hdrhistogram.New(Lowest, Highest, SigFigs)}
}

// Record adds one latency. Negative values count as zero (clock steps);
// values above Highest are clamped and counted as overflow.
func (h *Histogram) Record(d time.Duration) {
	us := int64(d / time.Microsecond)
	if us < Lowest {
		us = Lowest
	}
	if us > Highest {
		us = Highest
		h.overflow++
	}
	_ = h.h.RecordValue(us) // cannot fail: us is within range
}

// Merge adds every value of o into h.
func (h *Histogram) Merge(o *Histogram) {
	h.h.Merge(o.h)
	h.overflow += o.overflow
}

// Reset empties the histogram.
func (h *Histogram) Reset() {
	h.h.Reset()
	h.overflow = 0
}

// Count is the number of recorded values.
func (h *Histogram) Count() int64 { return h.h.TotalCount() }

// Overflow is the number of values that exceeded Highest.
func (h *Histogram) Overflow() int64 { return h.overflow }

// QuantileMs returns the value at quantile q (0..1) in milliseconds.
func (h *Histogram) QuantileMs(q float64) float64 {
	return float64(h.h.ValueAtQuantile(q*100)) / 1000
}

// MinMs, MeanMs and MaxMs return the smallest, mean and largest values in
// milliseconds.
func (h *Histogram) MinMs() float64  { return float64(h.h.Min()) / 1000 }
func (h *Histogram) MeanMs() float64 { return h.h.Mean() / 1000 }
func (h *Histogram) MaxMs() float64  { return float64(h.h.Max()) / 1000 }

// Encode returns HdrHistogram's compressed base64 form, which other
// HdrHistogram tools read.
func (h *Histogram) Encode() (string, error) {
	b, err := h.h.Encode(hdrhistogram.V2CompressedEncodingCookieBase)
	if err != nil {
		return "", fmt.Errorf("encoding histogram: %w", err)
	}
	return string(b), nil
}

// Decode parses the compressed base64 form written by Encode.
func Decode(s string) (*Histogram, error) {
	h, err := hdrhistogram.Decode([]byte(s))
	if err != nil {
		return nil, fmt.Errorf("decoding histogram: %w", err)
	}
	return &Histogram{h: h}, nil
}

// Bar is one range of recorded values, in microseconds, and how many
// values fell in it.
type Bar struct{ From, To, Count int64 }

// Bars lists the ranges that hold values, lowest first: the histogram's
// buckets at SigFigs precision, for exporting it in another layout.
func (h *Histogram) Bars() []Bar {
	var bars []Bar
	for _, b := range h.h.Distribution() {
		if b.Count > 0 {
			bars = append(bars, Bar{From: b.From, To: b.To, Count: b.Count})
		}
	}
	return bars
}
