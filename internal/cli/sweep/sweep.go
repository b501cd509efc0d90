// Package sweep is the `ktune sweep` command.
package sweep

import (
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/profiles"
	"github.com/ktune/ktune/internal/reports"
	"github.com/ktune/ktune/internal/sweep"
	"github.com/ktune/ktune/internal/units"
	"github.com/ktune/ktune/result"
)

// listProps hold lists in their values, so -X with commas is not a sweep.
var listProps = map[string]bool{"bootstrap.servers": true, "partition.assignment.strategy": true, "sasl.jaas.config": true}

// NewCmd returns the sweep command.
func NewCmd(version string) *cobra.Command {
	var (
		conn                                           cmdutil.ConnFlags
		run                                            cmdutil.RunFlags
		batch, linger, compression, acks               string
		maxPoll, fetchMax, fetchMin, fetchWait         string
		partitions, recordSize                         string
		profile, profileDir, mode, output, out, resume string
		records                                        int64
		rate                                           float64
		repeat                                         int
		budget                                         time.Duration
		trim, noReport                                 bool
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
--resume FILE skips them.`,
		Example: `  ktune sweep --batch-size 16k,64k --linger 0,5 --compression none,lz4 --records 20000
  ktune sweep --brokers $B --profile textbook --records 100000 --budget 20m
  ktune sweep --brokers $B --max-poll-records 500,2000 --fetch-max-bytes 50m,100m`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if output != "table" && output != "json" {
				return fmt.Errorf("--output %q: must be table or json", output)
			}
			var dirs []string
			if profileDir != "" {
				dirs = append(dirs, profileDir)
			}
			base, err := profiles.Load(profile, dirs...)
			if err != nil {
				return err
			}
			cfg := sweep.Config{
				Topic: "ktune-sweep", Partitions: base.Topic.Partitions, RF: base.Topic.ReplicationFactor, TopicConfigs: base.Topic.Configs,
				Producer: base.Producer, Consumer: base.Consumer, Mode: mode, Records: records, Rate: rate, Repeat: repeat,
				RecordSize: 1024, Values: payload.ValueConfig{Kind: payload.Random}, Budget: budget, Trim: trim,
			}
			if cfg.Partitions == 0 {
				cfg.Partitions = 6
			}
			if base.Sweep != nil {
				if !cmd.Flags().Changed("mode") {
					cfg.Mode = base.Sweep.Mode
				}
				for _, d := range base.Sweep.Producer {
					cfg.Dimensions = append(cfg.Dimensions, result.Dimension{Role: sweep.RoleProducer, Name: d.Name, Values: d.Values})
				}
				for _, d := range base.Sweep.Consumer {
					cfg.Dimensions = append(cfg.Dimensions, result.Dimension{Role: sweep.RoleConsumer, Name: d.Name, Values: d.Values})
				}
			}
			add := func(role, name, list string, sizes bool) error {
				if list == "" {
					return nil
				}
				var vals []string
				for _, v := range strings.Split(list, ",") {
					v = strings.TrimSpace(v)
					if sizes {
						n, err := units.ParseBytes(v)
						if err != nil {
							return fmt.Errorf("%s: %v", name, err)
						}
						v = fmt.Sprint(n)
					}
					vals = append(vals, v)
				}
				if role != sweep.RoleWorkload {
					r := clientcfg.Producer
					if role == sweep.RoleConsumer {
						r = clientcfg.Consumer
					}
					for _, v := range vals {
						if _, err := clientcfg.Resolve([]clientcfg.Property{{Key: name, Value: v, Source: "-X"}}, r); err != nil {
							return err
						}
					}
				}
				cfg.Dimensions = append(cfg.Dimensions, result.Dimension{Role: role, Name: name, Values: vals})
				return nil
			}
			for _, f := range []struct {
				role, name, list string
				sizes            bool
			}{
				{sweep.RoleProducer, "batch.size", batch, true}, {sweep.RoleProducer, "linger.ms", linger, false},
				{sweep.RoleProducer, "compression.type", compression, false}, {sweep.RoleProducer, "acks", acks, false},
				{sweep.RoleConsumer, "max.poll.records", maxPoll, false}, {sweep.RoleConsumer, "fetch.max.bytes", fetchMax, true},
				{sweep.RoleConsumer, "fetch.min.bytes", fetchMin, true}, {sweep.RoleConsumer, "fetch.max.wait.ms", fetchWait, false},
				{sweep.RoleWorkload, "partitions", partitions, false}, {sweep.RoleWorkload, "record.size", recordSize, true},
			} {
				if err := add(f.role, f.name, f.list, f.sizes); err != nil {
					return err
				}
			}
			// -X name=v1,v2 sweeps; -X name=v sets the base.
			xprops, err := clientcfg.ParseAssignments(conn.Props)
			if err != nil {
				return err
			}
			var keep []string
			for _, p := range xprops {
				if strings.Contains(p.Value, ",") && !listProps[p.Key] {
					role := sweep.RoleProducer
					if isConsumerProp(p.Key) {
						role = sweep.RoleConsumer
					}
					if err := add(role, p.Key, p.Value, false); err != nil {
						return err
					}
					continue
				}
				keep = append(keep, p.Key+"="+p.Value)
			}
			conn.Props = keep
			if len(cfg.Dimensions) == 0 {
				return fmt.Errorf("nothing to sweep: give comma lists (--batch-size 16k,64k), -X name=v1,v2 or a profile with a sweep section")
			}
			if resume != "" {
				prev, err := readSweep(resume)
				if err != nil {
					return err
				}
				cfg.Resume = prev
			}
			cfg.Producer = append(cfg.Producer, mustProps(conn.Props)...)
			cfg.Consumer = append(cfg.Consumer, mustProps(conn.Props)...)
			cfg.Producer, cfg.Consumer = forRole(cfg.Producer, clientcfg.Producer), forRole(cfg.Consumer, clientcfg.Consumer)
			if err := cmdutil.Check(run.Validate(), conn.Validate(clientcfg.Producer, clientcfg.Consumer), cfg.Validate()); err != nil {
				return err
			}
			runs, est, err := sweep.Plan(&cfg)
			if err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "sweep: %d points x %d repeats = %d runs, estimated %s\n", len(runs)/cfg.Repeat, cfg.Repeat, len(runs), est.Round(time.Second))

			ctx, cancel := run.Context(cmd.Context())
			defer cancel()
			s, err := conn.Open(ctx, cmd.ErrOrStderr(), clientcfg.Producer)
			if err != nil {
				return err
			}
			defer s.Close()
			cfg.Logger = s.Logger
			path := out
			if path == "" {
				path = filepath.Join("ktune-results", time.Now().UTC().Format("20060102T150405Z")+"-sweep.json")
			}
			argv := cmdutil.RedactedArgs(os.Args)
			cfg.Save = func(d *result.Sweep) error {
				d.KtuneVersion, d.CommandLine = version, argv
				return result.WriteJSON(path, d)
			}
			pr := cmdutil.NewProgress(ctx, cmd.ErrOrStderr(), "sweep", len(runs))
			cfg.Progress = pr.Step
			doc, err := sweep.Run(ctx, s.Conn, cfg)
			pr.Done()
			if doc == nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "sweep written to %s\n", path)
			if !noReport && len(doc.Points) > 0 {
				dir := strings.TrimSuffix(path, ".json") + "-report"
				rp, rerr := reports.Write(dir, reports.Input{Title: "ktune sweep report", Sweeps: []advisor.Named[*result.Sweep]{{Path: path, Doc: doc}}})
				if rerr != nil {
					return rerr
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "report: %s\n", rp)
			}
			if output == "json" {
				result.Encode2(cmd.OutOrStdout(), doc)
			} else {
				writeTable(cmd.OutOrStdout(), doc)
			}
			if err != nil {
				return err
			}
			if !doc.Complete && ctx.Err() != nil {
				return cmdutil.ErrInterrupted
			}
			return nil
		},
	}
	conn.Register(cmd)
	run.Register(cmd)
	fs := cmd.Flags()
	fs.StringVar(&batch, "batch-size", "", "batch.size values, e.g. 16k,64k,256k")
	fs.StringVar(&linger, "linger", "", "linger.ms values, e.g. 0,5,20")
	fs.StringVar(&compression, "compression", "", "compression.type values, e.g. none,lz4,zstd")
	fs.StringVar(&acks, "acks", "", "acks values, e.g. 1,all")
	fs.StringVar(&maxPoll, "max-poll-records", "", "consumer max.poll.records values")
	fs.StringVar(&fetchMax, "fetch-max-bytes", "", "consumer fetch.max.bytes values, e.g. 50m,100m")
	fs.StringVar(&fetchMin, "fetch-min-bytes", "", "consumer fetch.min.bytes values")
	fs.StringVar(&fetchWait, "fetch-max-wait", "", "consumer fetch.max.wait.ms values")
	fs.StringVar(&partitions, "partitions", "", "partition counts to sweep (default: the profile's, else 6)")
	fs.StringVar(&recordSize, "record-size", "", "record sizes to sweep (default 1024)")
	fs.StringVar(&profile, "profile", "kafka-defaults", "base profile, or a profile with a sweep section (textbook)")
	fs.StringVar(&profileDir, "profile-dir", "", "folder of your own profiles")
	fs.StringVar(&mode, "mode", "grid", "grid (every combination) or one-at-a-time")
	fs.Int64Var(&records, "records", 20000, "measured records per point (a tenth more as warm-up)")
	fs.Float64Var(&rate, "rate", 0, "fixed-rate mode: records/s per point (0: max throughput)")
	fs.IntVar(&repeat, "repeat", 1, "repetitions of every point")
	fs.DurationVar(&budget, "budget", 0, "refuse a sweep estimated longer than this")
	fs.BoolVar(&trim, "trim", false, "with --budget: run the points that fit instead of refusing")
	fs.StringVar(&resume, "resume", "", "a sweep document whose finished points are kept")
	fs.StringVarP(&output, "output", "o", "table", "stdout format: table or json")
	fs.StringVar(&out, "out", "", "sweep file (default ktune-results/<time>-sweep.json)")
	fs.BoolVar(&noReport, "no-report", false, "do not write the HTML report beside the sweep")
	return cmd
}

// isConsumerProp reports whether only consumers know the property.
func isConsumerProp(name string) bool {
	for _, d := range clientcfg.Describe(clientcfg.Consumer) {
		if d.Name == name {
			for _, p := range clientcfg.Describe(clientcfg.Producer) {
				if p.Name == name {
					return false
				}
			}
			return true
		}
	}
	return false
}

func mustProps(kvs []string) []clientcfg.Property {
	p, _ := clientcfg.ParseAssignments(kvs)
	return p
}

// forRole drops properties another role owns, so base -X settings apply to
// the side they belong to.
func forRole(props []clientcfg.Property, role clientcfg.Role) []clientcfg.Property {
	own := map[string]bool{}
	for _, d := range clientcfg.Describe(role) {
		own[d.Name] = true
	}
	var out []clientcfg.Property
	for _, p := range props {
		if own[p.Key] {
			out = append(out, p)
		}
	}
	return out
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
		fmt.Fprintln(w, "NOTE: embedded kfake cluster (in memory, no disk): not a measurement of a real broker.")
	}
	fmt.Fprintf(w, "%d points (%s), %.0f s overhead between points; %s\n", len(d.Points), d.Mode, d.OverheadS, d.StopReason)
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', tabwriter.AlignRight)
	fmt.Fprintln(tw, "point\trecords/s\tMiB/s\tp50 ms\tp99 ms\tconsume MiB/s\t")
	for _, p := range d.Points {
		keys := make([]string, 0, len(p.Params))
		for k, v := range p.Params {
			_, name, _ := strings.Cut(k, ":")
			keys = append(keys, name+"="+v)
		}
		sort.Strings(keys)
		label := strings.Join(keys, " ")
		if label == "" {
			label = "(base)"
		}
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
