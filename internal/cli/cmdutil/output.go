package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
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
	// Formats are the -o values besides json this command prints (default
	// table).
	Formats []string
	// noInterval hides --interval for commands without progress lines.
	noInterval bool
	// path is where the document goes, chosen once.
	path string
}

// Register adds the output flags (-o, --out, --interval) to cmd.
func (o *OutputFlags) Register(cmd *cobra.Command) {
	o.register(cmd, true)
}

// RegisterDocument adds -o and --out to a command that prints no progress
// lines.
func (o *OutputFlags) RegisterDocument(cmd *cobra.Command) {
	o.register(cmd, false)
}

func (o *OutputFlags) register(cmd *cobra.Command, interval bool) {
	if len(o.Formats) == 0 {
		o.Formats = []string{"table"}
	}
	fs := cmd.Flags()
	fs.StringVarP(&o.Format, "output", "o", o.Formats[0], "stdout format: "+strings.Join(o.Formats, ", ")+" or json (the document)")
	fs.StringVar(&o.Out, "out", "", "document file (default ktune-results/<time>-<kind>.json; - for none, with -o json the document goes to stdout only)")
	if interval {
		fs.DurationVar(&o.Interval, "interval", 5*time.Second, "progress line interval on stderr")
	} else {
		o.noInterval = true
	}
}

// Validate checks the flag values before any work starts.
func (o *OutputFlags) Validate() error {
	formats := o.Formats
	if len(formats) == 0 {
		formats = []string{"table"}
	}
	if o.Format != "json" && !slices.Contains(formats, o.Format) {
		return fmt.Errorf("--output %q: must be %s or json", o.Format, strings.Join(formats, ", "))
	}
	if !o.noInterval && o.Interval <= 0 {
		return fmt.Errorf("--interval %s: must be positive", o.Interval)
	}
	switch o.Out {
	case "-":
		return nil
	case "":
		return CheckWritable("--out", DefaultDir)
	}
	if st, err := os.Stat(o.Out); err == nil && st.IsDir() {
		return fmt.Errorf("--out %s: a folder; name the document file, e.g. %s", o.Out, filepath.Join(o.Out, "result.json"))
	}
	return CheckWritable("--out", filepath.Dir(o.Out))
}

// CheckWritable checks, before any work starts, that a run can write into
// the folder dir (made when missing): the nearest folder that exists must
// take a new file. It writes nothing that stays: a probe file is created
// and removed at once. So an unwritable --out is found before the run, not
// after it, when its results would be lost.
func CheckWritable(flag, dir string) error {
	at := dir
	for {
		st, err := os.Stat(at)
		if err == nil {
			if !st.IsDir() {
				return fmt.Errorf("%s %s: %s is a file, not a folder", flag, dir, at)
			}
			break
		}
		if !errors.Is(err, os.ErrNotExist) && !errors.Is(err, syscall.ENOTDIR) {
			return fmt.Errorf("%s %s: %v", flag, dir, errors.Unwrap(err))
		}
		parent := filepath.Dir(at)
		if parent == at {
			break
		}
		at = parent
	}
	f, err := os.CreateTemp(at, ".ktune-write-check-*")
	if err != nil {
		return fmt.Errorf("%s %s: cannot write in %s: %v", flag, dir, at, errors.Unwrap(err))
	}
	f.Close()
	os.Remove(f.Name())
	return nil
}

// DefaultDir is the folder documents go to without --out.
const DefaultDir = "ktune-results"

// ProgressLine returns a function that prints one interval to w.
func ProgressLine(w io.Writer) func(result.Interval) {
	return func(iv result.Interval) {
		fmt.Fprintln(w, summary.IntervalLine(iv))
	}
}

// Finished is a command's document with what Finish needs to show it.
type Finished struct {
	// Version is ktune's version, stamped into the document.
	Version string
	// Doc is the document; nil when the run failed before it began.
	Doc result.Doc
	// Table prints the human summary for -o table (and any other
	// non-JSON format, which it reads from Format).
	Table func(w io.Writer, format string)
	// RunErr is the error the run ended with, if any.
	RunErr error
}

// Finish completes a command, the one way for every document kind: it
// stamps the header (ktune version, redacted command line, and for a run
// that ctx cut short the stop reason: timeout or interrupted), writes the
// document atomically (--out, or ktune-results/<start>-<kind>.json), prints
// the table or the JSON document to stdout, and returns the error to exit
// with: nil (exit 0), an error (exit 1: a failure, or a *StopError for a
// --timeout) or ErrInterrupted (exit 130). A cut-short run keeps what it
// measured; a run that ctx ended before it started (no document) ends
// with BeforeStart's error.
func (o *OutputFlags) Finish(ctx context.Context, stdout, stderr io.Writer, f Finished) error {
	if f.Doc == nil {
		return BeforeStart(ctx, f.RunErr)
	}
	h := f.Doc.Head()
	h.KtuneVersion = f.Version
	h.CommandLine = RedactedArgs(os.Args)
	if h.End.IsZero() {
		h.End = time.Now()
	}
	if err := ctx.Err(); (err != nil || errors.Is(f.RunErr, context.DeadlineExceeded)) && !h.Complete {
		if errors.Is(err, context.DeadlineExceeded) || errors.Is(f.RunErr, context.DeadlineExceeded) {
			h.StopReason, h.Error = result.StopTimeout, "the run hit its --timeout"
		} else if h.StopReason == "" || h.StopReason == result.StopError {
			h.StopReason = result.StopInterrupted
		}
	}
	path := o.Path(f.Doc)
	var werr error
	if path != "-" {
		werr = result.WriteJSON(path, f.Doc)
	}
	if o.Format == "json" {
		if err := result.Encode2(stdout, f.Doc); err != nil {
			return fmt.Errorf("printing the document: %w", err)
		}
	} else if f.Table != nil {
		f.Table(stdout, o.Format)
	}
	if werr != nil {
		werr = fmt.Errorf("could not write the %s document: %w", h.Kind, werr)
	}
	var err error
	switch {
	case h.StopReason == result.StopTimeout:
		err = &StopError{Reason: result.StopTimeout, msg: fmt.Sprintf("the run hit its --timeout before finishing; the %s document keeps what was measured", h.Kind)}
	case f.RunErr != nil && h.StopReason != result.StopInterrupted:
		err = f.RunErr
	case werr != nil:
		err = werr
	case h.StopReason == result.StopInterrupted:
		err = ErrInterrupted
	}
	// A write error that is not the one returned (and printed once by
	// main) gets its own line.
	switch {
	case werr != nil && err != werr:
		fmt.Fprintf(stderr, "ktune: %v\n", werr)
	case werr == nil && path != "-":
		fmt.Fprintf(stderr, "%s result written to %s\n", h.Kind, path)
	}
	return err
}

// Save writes doc, stamped, where Finish will write it: commands that
// rewrite their document as they go (a sweep after every point) call it
// after each step, so a run cut short keeps what it measured.
func (o *OutputFlags) Save(version string, doc result.Doc) error {
	path := o.Path(doc)
	if path == "-" {
		return nil
	}
	h := doc.Head()
	h.KtuneVersion, h.CommandLine = version, RedactedArgs(os.Args)
	return result.WriteJSON(path, doc)
}

// Path is the file the document goes to: --out, or DefaultPath chosen
// once, so every Save and the final write agree. "-" means none.
func (o *OutputFlags) Path(doc result.Doc) string {
	if o.path == "" {
		o.path = o.Out
		if o.path == "" {
			o.path = DefaultPath(doc)
		}
	}
	return o.path
}

// StopError is the error of a command whose context stopped its run:
// Reason is result.StopTimeout for --timeout (exit 1) or
// result.StopInterrupted for Ctrl-C or SIGTERM (exit 130: it matches
// ErrInterrupted).
type StopError struct {
	Reason result.StopReason
	msg    string
	cause  error
}

func (e *StopError) Error() string { return e.msg }

// Unwrap returns the error the stopped step failed with, if any.
func (e *StopError) Unwrap() error { return e.cause }

// Is makes an interrupted run's error match ErrInterrupted.
func (e *StopError) Is(target error) bool {
	return target == ErrInterrupted && e.Reason == result.StopInterrupted
}

// BeforeStart is the error of a command that err (nil: none) ended before
// its run started: connecting, creating the topic, joining the other
// workers. When ctx was done by then, the run hit its --timeout (or was
// interrupted) before it measured anything: that, a *StopError naming the
// step err came from, is the error, not the step's own failure (a
// connection "interrupted" by a deadline, a bare "context deadline
// exceeded"). No document is written for such a run: there is nothing to
// keep. Otherwise it returns err.
func BeforeStart(ctx context.Context, err error) error {
	if ctx.Err() == nil {
		return err
	}
	var stop *StopError
	if errors.As(err, &stop) {
		return err
	}
	e := &StopError{Reason: result.StopTimeout, msg: "the run hit its --timeout before it started", cause: err}
	if !errors.Is(ctx.Err(), context.DeadlineExceeded) {
		e.Reason, e.msg = result.StopInterrupted, "interrupted before the run started"
	}
	if err != nil {
		e.msg += ": " + err.Error()
	}
	return e
}

// DefaultPath is where a document is written when --out is not given:
// ktune-results/<start, UTC>-<kind>[-<run id>-w<worker> | -<run id>-merged].json.
func DefaultPath(doc result.Doc) string {
	h := doc.Head()
	start := h.Start
	if start.IsZero() {
		start = time.Now()
	}
	name := fmt.Sprintf("%s-%s", start.UTC().Format("20060102T150405Z"), h.Kind)
	if d, ok := doc.(*result.Document); ok {
		switch {
		case d.Worker != nil:
			name += fmt.Sprintf("-%s-w%d", d.Worker.RunID, d.Worker.ID)
		case d.Merge != nil:
			name += fmt.Sprintf("-%s-merged", d.Merge.RunID)
		}
	}
	return filepath.Join(DefaultDir, name+".json")
}

// Interrupted is the error of a run that Ctrl-C or SIGTERM ended, in
// err's own words (what it kept and where): it matches ErrInterrupted, so
// the command exits 130.
func Interrupted(err error) error {
	return &StopError{Reason: result.StopInterrupted, msg: err.Error(), cause: err}
}

// ErrInterrupted is returned after an interrupted run's result was kept; the
// command exits 130 for it.
var ErrInterrupted = errors.New("interrupted; the result keeps what was measured")

// FinishRun is what Finish needs for a run document (produce, consume,
// e2e, merge): the summary table of internal/summary. A nil doc stays a
// nil Doc.
func FinishRun(version string, doc *result.Document, runErr error) Finished {
	return Finished{Version: version, Doc: DocOf(doc), RunErr: runErr, Table: func(w io.Writer, _ string) { summary.Write(w, doc) }}
}

// DocOf returns doc as a result.Doc, nil for a nil pointer: a nil *T in an
// interface is not nil, and Finish must see a run that made no document.
func DocOf[T any, P interface {
	*T
	result.Doc
}](doc P) result.Doc {
	if doc == nil {
		return nil
	}
	return doc
}
