package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/summary"
	"github.com/ktune/ktune/result"
)

// OutputFlags say how results are shown and where they are written.
type OutputFlags struct {
	Format   string
	Out      string
	Interval time.Duration
}

// Register adds the output flags to cmd.
func (o *OutputFlags) Register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringVarP(&o.Format, "output", "o", "table", "stdout format: table or json (the result document)")
	fs.StringVar(&o.Out, "out", "", "result file (default ktune-results/<timestamp>-<kind>.json; - for none, with -o json the document goes to stdout only)")
	fs.DurationVar(&o.Interval, "interval", 5*time.Second, "progress line interval on stderr")
}

// Validate checks the flag values before any work starts.
func (o *OutputFlags) Validate() error {
	switch o.Format {
	case "table", "json":
	default:
		return fmt.Errorf("--output %q: must be table or json", o.Format)
	}
	if o.Interval <= 0 {
		return fmt.Errorf("--interval %s: must be positive", o.Interval)
	}
	return nil
}

// ProgressLine returns a function that prints one interval to w.
func ProgressLine(w io.Writer) func(result.Interval) {
	return func(iv result.Interval) {
		fmt.Fprintln(w, summary.IntervalLine(iv))
	}
}

// Finish completes a run: it stamps doc with the version and command line,
// writes it atomically (also for a cut-short run), prints it to stdout,
// and returns the error to exit with.
func (o *OutputFlags) Finish(ctx context.Context, stdout, stderr io.Writer, version string, doc *result.Document, runErr error) error {
	if doc == nil {
		return runErr
	}
	doc.KtuneVersion = version
	doc.CommandLine = RedactedArgs(os.Args)
	path := o.Out
	if path == "" {
		name := fmt.Sprintf("%s-%s", doc.Start.UTC().Format("20060102T150405Z"), doc.Kind)
		switch {
		case doc.Worker != nil:
			name += fmt.Sprintf("-%s-w%d", doc.Worker.RunID, doc.Worker.ID)
		case doc.Merge != nil:
			name += fmt.Sprintf("-%s-merged", doc.Merge.RunID)
		}
		path = filepath.Join("ktune-results", name+".json")
	}
	var werr error
	if path != "-" {
		werr = result.WriteFile(path, doc)
	}
	switch o.Format {
	case "json":
		if err := result.Encode(stdout, doc); err != nil {
			return err
		}
	default:
		summary.Write(stdout, doc)
	}
	switch {
	case werr != nil:
		fmt.Fprintf(stderr, "ktune: could not write the result: %v\n", werr)
	case path != "-":
		fmt.Fprintf(stderr, "result written to %s\n", path)
	}
	if runErr != nil {
		return runErr
	}
	if werr != nil {
		return werr
	}
	if doc.StopReason == "interrupted" {
		return ErrInterrupted
	}
	return nil
}

// ErrInterrupted is returned after an interrupted run's result was kept; the
// command exits 130 for it.
var ErrInterrupted = errors.New("interrupted; the result keeps what was measured")
