package cmdutil

import (
	"context"
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
)

// Progress shows a run of many steps on stderr: a bar with an ETA when
// stderr is a terminal, a plain line per step otherwise.
type Progress struct {
	w     io.Writer
	p     *mpb.Progress
	bar   *mpb.Bar
	mu    sync.Mutex
	eta   time.Duration
	label string
}

// NewProgress starts a progress display of total steps.
func NewProgress(ctx context.Context, w io.Writer, label string, total int) *Progress {
	pr := &Progress{w: w, label: label}
	if f, ok := w.(*os.File); ok {
		if st, err := f.Stat(); err == nil && st.Mode()&os.ModeCharDevice != 0 {
			pr.p = mpb.NewWithContext(ctx, mpb.WithOutput(w), mpb.WithWidth(40))
			pr.bar = pr.p.AddBar(int64(total),
				mpb.PrependDecorators(decor.Name(label+" "), decor.CountersNoUnit("%d/%d")),
				mpb.AppendDecorators(decor.Any(func(decor.Statistics) string {
					pr.mu.Lock()
					defer pr.mu.Unlock()
					return " ETA " + pr.eta.Round(time.Second).String()
				})))
		}
	}
	return pr
}

// Step reports that step done of total starts, with the time left.
func (pr *Progress) Step(done, total int, eta time.Duration, what string) {
	if pr.bar != nil {
		pr.mu.Lock()
		pr.eta = eta
		pr.mu.Unlock()
		pr.bar.SetCurrent(int64(done))
		return
	}
	if done < total {
		fmt.Fprintf(pr.w, "%s %d/%d (ETA %s): %s\n", pr.label, done+1, total, eta.Round(time.Second), what)
	}
}

// Done ends the display.
func (pr *Progress) Done() {
	if pr.p != nil {
		pr.bar.Abort(false)
		pr.p.Wait()
	}
}
