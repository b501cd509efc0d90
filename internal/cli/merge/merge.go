// Package merge is the `ktune merge` command.
package merge

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/merge"
	"github.com/ktune/ktune/internal/worker"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the merge command.
func NewCmd(version string) *cobra.Command {
	var (
		conn cmdutil.ConnFlags
		out  cmdutil.OutputFlags
		opts options
	)
	cmd := &cobra.Command{
		Use:   "merge [worker-result.json ...]",
		Short: "Merge the results of a distributed run's workers into one result",
		Long: `Combines the results of the workers of one distributed run (produce, consume or
e2e with --workers) into one result document: records, bytes and errors
summed, throughput summed per interval on a common time axis, latency
HdrHistograms merged exactly (the merged percentiles are those of one
histogram holding every sample), and each worker's own figures kept to show
skew. The merged document feeds report, advise and compare like any result.

Pass the workers' result files, or --run-id to read the results the workers
published to the control topic (waiting up to --wait for all of them).
Results from different runs or configurations are refused; missing workers
are an error unless --partial.`,
		Example: `  ktune merge ktune-results/*-r1-w*.json
  ktune merge --brokers 127.0.0.1:9092 --run-id r1 --wait 10m`,
		RunE: func(cmd *cobra.Command, files []string) error {
			if err := cmdutil.Check(out.Validate(), worker.ValidateCollect(opts.controlTopic, opts.runID, opts.workers, opts.wait), conn.Validate(clientcfg.Consumer)); err != nil {
				return err
			}
			opts.files = files
			in, err := gather(cmd, &conn, &out, opts)
			if err != nil {
				return err
			}
			doc, err := merge.Merge(in.inputs, merge.Options{Partial: opts.partial, Missing: in.missing, Workers: opts.workers})
			if err != nil {
				if len(in.reasons) > 0 {
					return fmt.Errorf("%w (%s)", err, strings.Join(in.reasons, "; "))
				}
				return err
			}
			doc.Notes = append(doc.Notes, in.reasons...)
			return out.Finish(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), cmdutil.FinishRun(version, doc, nil))
		},
	}
	conn.Register(cmd)
	out.Register(cmd)
	_ = cmd.Flags().MarkHidden("interval")
	fs := cmd.Flags()
	fs.StringVar(&opts.runID, "run-id", "", "read the results of this run from the control topic")
	fs.StringVar(&opts.controlTopic, "control-topic", worker.DefaultControlTopic, "the run's control topic")
	fs.IntVar(&opts.workers, "workers", 0, "the run's worker count (default: from the workers' messages)")
	fs.DurationVar(&opts.wait, "wait", 5*time.Minute, "with --run-id, how long to wait for every worker's result (less once a worker aborted and every worker that joined has published or aborted)")
	fs.BoolVar(&opts.partial, "partial", false, "merge what is there when workers are missing; the result is marked incomplete")
	return cmd
}

// options are the merge command's flags and arguments.
type options struct {
	files        []string
	runID        string
	controlTopic string
	workers      int
	wait         time.Duration
	partial      bool
}

// inputs are the workers' results to merge, with the ids of the missing
// workers and what the control topic shows of each.
type inputs struct {
	inputs  []merge.Input
	missing []int
	reasons []string
}

// gather reads the workers' results from files or the control topic.
func gather(cmd *cobra.Command, conn *cmdutil.ConnFlags, out *cmdutil.OutputFlags, o options) (inputs, error) {
	var in inputs
	switch {
	case len(o.files) > 0 && o.runID != "":
		return in, errors.New("pass either result files or --run-id, not both")
	case len(o.files) > 0:
		for _, f := range o.files {
			doc, err := result.ReadFile(f)
			if err != nil {
				return in, err
			}
			in.inputs = append(in.inputs, merge.Input{Source: f, Doc: doc})
		}
		return in, nil
	case o.runID == "":
		return in, errors.New("nothing to merge: pass the workers' result files, or --run-id to read them from the control topic")
	}
	if admin, err := conn.Resolve(clientcfg.Admin); err != nil || len(conn.Brokers)+len(admin.Bootstrap()) == 0 {
		return in, errors.New("--run-id needs --brokers: the workers' results are on the control topic of the cluster they ran against")
	}
	s, err := conn.Open(cmd.Context(), cmd.ErrOrStderr(), clientcfg.Consumer)
	if err != nil {
		return in, err
	}
	defer s.Close()
	if s.Conn.Fake != nil {
		return in, errors.New("--run-id needs --brokers: the workers' results are on the control topic of the cluster they ran against")
	}
	// With -o json --out - stdout is the document and stderr only errors,
	// so a pod's log is the merged result.
	if out.Format != "json" || out.Out != "-" {
		fmt.Fprintf(cmd.ErrOrStderr(), "reading the results of run %s from %s (waiting up to %s)\n", o.runID, o.controlTopic, o.wait)
	}
	got, err := worker.Collect(cmd.Context(), s.Conn, o.controlTopic, o.runID, o.workers, o.wait)
	if err != nil {
		return in, err
	}
	in.reasons = got.Reasons()
	for _, d := range got.Documents {
		in.inputs = append(in.inputs, merge.Input{Source: fmt.Sprintf("worker %d (control topic)", d.Worker.ID), Doc: d})
	}
	in.missing = got.Missing
	if len(in.inputs) == 0 {
		return in, fmt.Errorf("no worker of run %q published a result within %s: %s", o.runID, o.wait, strings.Join(in.reasons, "; "))
	}
	return in, nil
}
