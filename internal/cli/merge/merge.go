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
		conn         cmdutil.ConnFlags
		out          cmdutil.OutputFlags
		runID        string
		controlTopic string
		workers      int
		wait         time.Duration
		partial      bool
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
			if err := cmdutil.Check(out.Validate(), worker.ValidateCollect(controlTopic, runID, workers, wait), conn.Validate(clientcfg.Consumer)); err != nil {
				return err
			}
			var (
				in      []merge.Input
				missing []int
				aborted []string
			)
			switch {
			case len(files) > 0 && runID != "":
				return errors.New("pass either result files or --run-id, not both")
			case len(files) > 0:
				for _, f := range files {
					doc, err := result.ReadFile(f)
					if err != nil {
						return err
					}
					in = append(in, merge.Input{Source: f, Doc: doc})
				}
			case runID != "":
				if admin, err := conn.Resolve(clientcfg.Admin); err != nil || len(conn.Brokers)+len(admin.Bootstrap) == 0 {
					return errors.New("--run-id needs --brokers: the workers' results are on the control topic of the cluster they ran against")
				}
				s, err := conn.Open(cmd.Context(), cmd.ErrOrStderr(), clientcfg.Consumer)
				if err != nil {
					return err
				}
				defer s.Close()
				if s.Conn.Fake != nil {
					return errors.New("--run-id needs --brokers: the workers' results are on the control topic of the cluster they ran against")
				}
				// With -o json --out - stdout is the document and stderr
				// only errors, so a pod's log is the merged result.
				if out.Format != "json" || out.Out != "-" {
					fmt.Fprintf(cmd.ErrOrStderr(), "reading the results of run %s from %s (waiting up to %s)\n", runID, controlTopic, wait)
				}
				got, err := worker.Collect(cmd.Context(), s.Conn, controlTopic, runID, workers, wait)
				if err != nil {
					return err
				}
				for _, id := range got.Missing {
					if why, ok := got.Aborted[id]; ok {
						aborted = append(aborted, fmt.Sprintf("worker %d aborted: %s", id, why))
					}
				}
				for _, d := range got.Documents {
					in = append(in, merge.Input{Source: fmt.Sprintf("worker %d (control topic)", d.Worker.ID), Doc: d})
				}
				missing = got.Missing
				if len(in) == 0 {
					return fmt.Errorf("no worker of run %q published a result within %s", runID, wait)
				}
			default:
				return errors.New("nothing to merge: pass the workers' result files, or --run-id to read them from the control topic")
			}
			doc, err := merge.Merge(in, merge.Options{Partial: partial, Missing: missing})
			if err != nil {
				if len(aborted) > 0 {
					return fmt.Errorf("%w (%s)", err, strings.Join(aborted, "; "))
				}
				return err
			}
			doc.Notes = append(doc.Notes, aborted...)
			return out.Finish(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), version, doc, nil)
		},
	}
	conn.Register(cmd)
	out.Register(cmd)
	_ = cmd.Flags().MarkHidden("interval")
	fs := cmd.Flags()
	fs.StringVar(&runID, "run-id", "", "read the results of this run from the control topic")
	fs.StringVar(&controlTopic, "control-topic", worker.DefaultControlTopic, "the run's control topic")
	fs.IntVar(&workers, "workers", 0, "the run's worker count (default: from the workers' messages)")
	fs.DurationVar(&wait, "wait", 5*time.Minute, "with --run-id, how long to wait for every worker's result")
	fs.BoolVar(&partial, "partial", false, "merge what is there when workers are missing; the result is marked incomplete")
	return cmd
}
