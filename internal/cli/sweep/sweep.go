// Package sweep is the `ktune sweep` command.
package sweep

import (
	"fmt"
	"io"
	"os"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/profiles"
	"github.com/ktune/ktune/internal/reports"
	"github.com/ktune/ktune/internal/summary"
	"github.com/ktune/ktune/internal/sweep"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the sweep command.
func NewCmd(version string) *cobra.Command {
	var (
		conn                                   cmdutil.ConnFlags
		run                                    cmdutil.RunFlags
		out                                    cmdutil.OutputFlags
		batch, linger, compression, acks       string
		maxPoll, fetchMax, fetchMin, fetchWait string
		partitions, recordSize                 string
		profile, profileDir, resume            string
		noReport                               bool
		values                                 cmdutil.PayloadFlags
		cfg                                    = sweep.Config{RecordSize: 1024, Values: payload.ValueConfig{Kind: payload.Random}}
	)
	cmd := &cobra.Command{
		Use:   "sweep",
		Short: "Run producer and consumer tests over a grid of settings",
		Long: `Runs a stress test at every point of a grid of settings, each on a fresh topic
with a warm-up and a measured window, --repeat times, and writes one sweep
document holding every point as a full result. Dimensions come from flags
(comma lists), from -X name=v1,v2, or from a profile's sweep section
(--profile textbook runs the classic one-setting-at-a-time experiment).
Before starting it prints the number of points and an estimate; --budget
refuses a sweep that cannot fit (or --trim runs what fits). The document is
rewritten after every point, so Ctrl-C keeps every finished point and
--resume FILE skips them. --payload and --compressibility are produce's: codecs
are only worth comparing on records they can shrink, and ktune advise ranks
compression.type only when the payload compresses.`,
		Example: `  ktune sweep --batch-size 16k,64k --linger 0,5 --compression none,lz4 --records 20000
  ktune sweep --brokers $B --profile textbook --records 100000 --budget 20m
  ktune sweep --brokers $B --max-poll-records 500,2000 --fetch-max-bytes 50m,100m
  ktune sweep --brokers $B --compression none,lz4,zstd --payload file:records.txt`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.Validate(); err != nil {
				return err
			}
			base, err := profiles.Load(profile, profileDirs(profileDir)...)
			if err != nil {
				return err
			}
			if cfg.Values, err = values.Values(cfg.RecordSize, 0); err != nil {
				return err
			}
			xprops, err := clientcfg.ParseAssignments(conn.Props)
			if err != nil {
				return err
			}
			xlists, xbase := sweep.SplitProps(xprops)
			lists := append([]sweep.List{
				{Role: sweep.RoleProducer, Name: "batch.size", Values: batch, Sizes: true}, {Role: sweep.RoleProducer, Name: "linger.ms", Values: linger},
				{Role: sweep.RoleProducer, Name: "compression.type", Values: compression}, {Role: sweep.RoleProducer, Name: "acks", Values: acks},
				{Role: sweep.RoleConsumer, Name: "max.poll.records", Values: maxPoll}, {Role: sweep.RoleConsumer, Name: "fetch.max.bytes", Values: fetchMax, Sizes: true},
				{Role: sweep.RoleConsumer, Name: "fetch.min.bytes", Values: fetchMin, Sizes: true}, {Role: sweep.RoleConsumer, Name: "fetch.max.wait.ms", Values: fetchWait},
				{Role: sweep.RoleWorkload, Name: "partitions", Values: partitions}, {Role: sweep.RoleWorkload, Name: "record.size", Values: recordSize, Sizes: true},
			}, xlists...)
			doc, err := runSweep(cmd, version, &conn, &run, &out, request{cfg: cfg, base: base, lists: lists, xbase: xbase, resume: resume, modeSet: cmd.Flags().Changed("mode"), report: !noReport})
			f := cmdutil.Finished{Version: version, Doc: cmdutil.DocOf(doc), RunErr: err, Table: func(w io.Writer, _ string) { writeTable(w, doc) }}
			return out.Finish(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), f)
		},
	}
	conn.Register(cmd)
	run.Register(cmd)
	out.RegisterDocument(cmd)
	fs := cmd.Flags()
	fs.StringVar(&batch, "batch-size", "", "batch.size values, e.g. 16k,64k,256k")
	fs.StringVar(&linger, "linger", "", "linger.ms values, e.g. 0,5,20")
	fs.StringVar(&compression, "compression", "", "compression.type values, e.g. none,lz4,zstd")
	fs.StringVar(&acks, "acks", "", "acks values, e.g. 1,all")
	fs.StringVar(&maxPoll, "max-poll-records", "", "consumer max.poll.records values")
	fs.StringVar(&fetchMax, "fetch-max-bytes", "", "consumer fetch.max.bytes values, e.g. 50m,100m")
	fs.StringVar(&fetchMin, "fetch-min-bytes", "", "consumer fetch.min.bytes values")
	fs.StringVar(&fetchWait, "fetch-max-wait", "", "consumer fetch.max.wait.ms values")
	fs.StringVar(&partitions, "partitions", "", fmt.Sprintf("partition counts to sweep (default: the profile's, else %d)", cluster.DefaultPartitions))
	fs.StringVar(&recordSize, "record-size", "", "record sizes to sweep (default 1024)")
	fs.StringVar(&profile, "profile", "kafka-defaults", "base profile, or a profile with a sweep section (textbook)")
	fs.StringVar(&profileDir, "profile-dir", "", "folder of your own profiles")
	fs.StringVar(&cfg.Mode, "mode", "grid", "grid (every combination) or one-at-a-time")
	fs.Int64Var(&cfg.Records, "records", 20000, "measured records per point (a tenth more as warm-up)")
	fs.Float64Var(&cfg.Rate, "rate", 0, "fixed-rate mode: records/s per point (0: max throughput)")
	fs.IntVar(&cfg.Repeat, "repeat", 1, "repetitions of every point")
	fs.DurationVar(&cfg.Budget, "budget", 0, "refuse a sweep estimated longer than this")
	fs.BoolVar(&cfg.Trim, "trim", false, "with --budget: run the points that fit instead of refusing")
	fs.StringVar(&resume, "resume", "", "a sweep document whose finished points are kept")
	values.Register(cmd)
	fs.BoolVar(&noReport, "no-report", false, "do not write the HTML report beside the sweep")
	return cmd
}

// request is a parsed sweep command line.
type request struct {
	cfg     sweep.Config // the flags' settings
	base    *profiles.Profile
	lists   []sweep.List
	xbase   []clientcfg.Property // -X single values (lists are dimensions)
	resume  string
	modeSet bool // --mode given: it beats the profile's
	report  bool
}

// runSweep plans the sweep, connects, runs it (saving the document after
// every point) and writes its report.
func runSweep(cmd *cobra.Command, version string, conn *cmdutil.ConnFlags, run *cmdutil.RunFlags, out *cmdutil.OutputFlags, r request) (*result.Sweep, error) {
	cfg := sweep.FromProfile(r.base)
	if r.modeSet || cfg.Mode == "" {
		cfg.Mode = r.cfg.Mode
	}
	cfg.Records, cfg.Rate, cfg.Repeat, cfg.Budget, cfg.Trim = r.cfg.Records, r.cfg.Rate, r.cfg.Repeat, r.cfg.Budget, r.cfg.Trim
	cfg.RecordSize, cfg.Values = r.cfg.RecordSize, r.cfg.Values
	dims, err := sweep.Dimensions(r.lists)
	if err != nil {
		return nil, err
	}
	cfg.Dimensions = append(cfg.Dimensions, dims...)
	if len(cfg.Dimensions) == 0 {
		return nil, fmt.Errorf("nothing to sweep: give comma lists (--batch-size 16k,64k), -X name=v1,v2 or a profile with a sweep section")
	}
	if r.resume != "" {
		prev, err := readSweep(r.resume)
		if err != nil {
			return nil, err
		}
		cfg.Resume = prev
	}
	conn.Props = nil // -X lists are dimensions; the single values stay
	for _, p := range r.xbase {
		conn.Props = append(conn.Props, p.Key+"="+p.Value)
	}
	// The one layering: profile <- --command-config <- connection flags
	// <- -X <- (per point) the dimensions.
	if cfg.Producer, err = conn.ClientProps(cfg.Producer); err != nil {
		return nil, err
	}
	if cfg.Consumer, err = conn.ClientProps(cfg.Consumer); err != nil {
		return nil, err
	}
	cfg.Producer, cfg.Consumer = sweep.ForRole(cfg.Producer, clientcfg.Producer), sweep.ForRole(cfg.Consumer, clientcfg.Consumer)
	cfg.Line = conn.Line
	if err := cmdutil.Check(run.Validate(), conn.Validate(clientcfg.Producer, clientcfg.Consumer), cfg.Validate()); err != nil {
		return nil, err
	}
	runs, est, err := sweep.Plan(&cfg)
	if err != nil {
		return nil, err
	}
	stderr := cmd.ErrOrStderr()
	fmt.Fprintf(stderr, "sweep: %d points x %d repeats = %d runs, estimated %s\n", len(runs)/cfg.Repeat, cfg.Repeat, len(runs), est.Round(time.Second))
	ctx, cancel := run.Context(cmd.Context())
	defer cancel()
	s, err := conn.Open(ctx, stderr, clientcfg.Producer)
	if err != nil {
		return nil, err
	}
	defer s.Close()
	cfg.Logger = s.Logger
	cfg.Save = func(d *result.Sweep) error { return out.Save(version, d) }
	pr := cmdutil.NewProgress(ctx, stderr, "sweep", len(runs))
	cfg.Progress = pr.Step
	doc, err := sweep.Run(ctx, s.Conn, cfg)
	pr.Done()
	if doc != nil && r.report && len(doc.Points) > 0 && out.Path(doc) != "-" {
		dir := strings.TrimSuffix(out.Path(doc), ".json") + "-report"
		rp, rerr := reports.Write(dir, reports.Input{Title: "ktune sweep report", Sweeps: []advisor.Named[*result.Sweep]{{Path: out.Path(doc), Doc: doc}}})
		if rerr != nil {
			return doc, rerr
		}
		fmt.Fprintf(stderr, "report: %s\n", rp)
	}
	return doc, err
}

func profileDirs(dir string) []string {
	if dir == "" {
		return nil
	}
	return []string{dir}
}

func readSweep(path string) (*result.Sweep, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("--resume: %w", err)
	}
	defer f.Close()
	return result.DecodeSweep(f)
}

// writeTable prints one row per point.
func writeTable(w io.Writer, d *result.Sweep) {
	if d.Cluster.Embedded {
		fmt.Fprintln(w, summary.EmbeddedNote)
	}
	fmt.Fprintf(w, "%d points (%s), %.0f s overhead between points; %s\n", len(d.Points), d.Mode, d.OverheadS, d.StopReason)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "point\trecords/s\tMiB/s\tp50 ms\tp99 ms\tconsume MiB/s\t")
	for _, p := range d.Points {
		label := p.Label()
		m := p.Produce.Metrics
		l := m.Latency[result.LatencyIntended]
		cons := "-"
		if p.Consume != nil {
			cons = fmt.Sprintf("%.2f", p.Consume.Metrics.MiBPerSec)
		}
		fmt.Fprintf(tw, "%s\t%.0f\t%.2f\t%.2f\t%.2f\t%s\t\n", label, m.RecordsPerSec, m.MiBPerSec, l.P50, l.P99, cons)
	}
	tw.Flush()
}
