// Package advise is the `ktune advise` command.
package advise

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/units"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the advise command.
func NewCmd(version string) *cobra.Command {
	var (
		o   options
		out cmdutil.OutputFlags
	)
	conn := &o.conn
	cmd := &cobra.Command{
		Use:   "advise",
		Short: "Size the cluster and recommend a configuration from measurements",
		Long: `Turns a workload (flags or --workload FILE), probe documents (--probe) and run
results (--results: produce, consume, sweep, disruption, drain and drain-sweep documents) into a hardware
sizing (brokers, disk, memory, partitions, NIC, broker threads) and a
configuration, every number with its formula, its inputs and where each came
from. Without broker hardware it applies the textbook rules and says so; with
it (--broker-* flags or --probe of broker hosts) the partitions are placed as
Kafka's controller places them and every set of --failures brokers (and each
rack with --racks) is evaluated per partition and per surviving broker; the
binding check, broker and scenario are named. Measured single-partition
throughput drives the partition count; sweep results give the Pareto front,
and the best point for --goal among those that meet --durability. With --brokers it also audits
the live cluster. Results from the embedded cluster are never used for sizing.`,
		Example: `  ktune advise --records-per-day 100000000 --record-size 1000 --peak-factor 20 --replication-factor 2 --retention 72h
  ktune advise --workload workload.yaml --probe broker1.json --probe broker2.json --results sweep.json --goal throughput --write-properties conf/
  ktune advise --avg-mbps 50 --peak-factor 3 --broker-disk-mbps 300 --broker-nic-gbps 10 --broker-disk-gb 4000 --racks 3
  ktune advise --avg-mbps 50 --brokers 127.0.0.1:9092 -o md`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := out.Validate(); err != nil {
				return err
			}
			w, err := o.workload(cmd)
			if err != nil {
				return err
			}
			if o.propDir != "" && len(o.results) == 0 {
				return advisor.ErrNoConfig
			}
			in, err := o.input(cmd, w)
			if err != nil {
				return err
			}
			a, err := advisor.Advise(in)
			if err != nil {
				return err
			}
			if o.propDir != "" {
				stamp := advisor.FileStamp{CommandLine: cmdutil.RedactedArgs(os.Args), Written: time.Now()}
				if err := advisor.WriteProperties(o.propDir, a, stamp); err != nil {
					return err
				}
				fmt.Fprintf(cmd.ErrOrStderr(), "properties written to %s\n", o.propDir)
			}
			return out.Finish(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), cmdutil.Finished{
				Version: version, Doc: a, Table: func(w io.Writer, _ string) { advisor.WriteMarkdown(w, a) },
			})
		},
	}
	fs := cmd.Flags()
	fs.StringVar(&o.workloadFile, "workload", "", "workload YAML file whose keys are the flags' names (avg-mbps: 50, retention: 7d, broker-disk-gb: 4000, ...); flags given too override it")
	o.flags = workloadFlags(&o)
	fs.AddFlagSet(o.flags)
	fs.StringArrayVar(&o.probeFiles, "probe", nil, "probe document of a broker host, from ktune probe run there (repeatable: the slowest broker bounds the cluster)")
	fs.StringArrayVar(&o.results, "results", nil, "produce, consume, sweep, disruption, drain or drain-sweep result document (repeatable)")
	fs.StringSliceVar(&conn.Brokers, "brokers", nil, "audit this live cluster too")
	fs.BoolVar(&conn.AllowRemote, "allow-remote", false, "allow brokers outside loopback")
	out.Formats = []string{"table", "md"}
	out.RegisterDocument(cmd)
	fs.StringVar(&o.propDir, "write-properties", "", "write producer.properties, consumer.properties and topic.properties here (Java client names, only what differs from --client-line's defaults)")
	cmdutil.ClientLineVar(fs, &o.clientLine)
	conn.Bind(cmd)
	conn.ConnectTimeout = cluster.DefaultConnectTimeout
	return cmd
}

// workloadFlags are the flags that describe the workload: the keys of a
// --workload file are exactly their names, and a file's values go through
// the same parsers and checks as the flags'.
func workloadFlags(o *options) *pflag.FlagSet {
	w := &o.w
	fs := pflag.NewFlagSet("workload", pflag.ContinueOnError)
	fs.Float64Var(&w.RecordsPerDay, "records-per-day", 0, "records produced per day (instead of --avg-mbps)")
	fs.Float64Var(&w.AvgMBps, "avg-mbps", 0, "average produce rate in MB/s (instead of --records-per-day)")
	fs.Float64Var(&w.RecordBytes, "record-size", 0, "average record size in bytes")
	fs.Float64Var(&w.PeakFactor, "peak-factor", 0, "peak rate over the average (default 1)")
	fs.IntVar(&w.Replication, "replication-factor", 0, "replication factor (default 3)")
	fs.IntVar(&w.MinInsync, "min-insync-replicas", 0, "min.insync.replicas (default 2)")
	fs.Var(units.NewDurationValue(&o.retention, 0), "retention", "retention time, e.g. 7d or 168h (default 7d)")
	fs.IntVar(&w.ConsumerGroups, "consumer-groups", 0, "consumer groups reading everything, at least 1 (default 1)")
	fs.IntVar(&w.LaggingReaders, "lagging-readers", 0, "readers reading from disk, behind the head")
	fs.Float64Var(&w.LagHours, "lag-hours", 0, "how far behind lagging readers may be, for page cache")
	cmdutil.SLOVar(fs, &o.slo, "slo", 0, "p99 latency objective: p99=DURATION or DURATION, e.g. 50ms (as maxrate and tune take it)")
	fs.Float64Var(&w.SLOp99Ms, "slo-p99", 0, "p99 latency objective in ms (the same as --slo; --slo wins)")
	fs.StringVar(&w.Durability, "durability", "", "at-most-once, at-least-once (default) or exactly-once")
	fs.StringVar(&w.Goal, "goal", "", "throughput, latency, durability or balanced (default)")
	fs.Float64Var(&w.Headroom, "headroom", 0, "growth to plan for, as a fraction (0.3 = 30%)")
	fs.IntVar(&w.Partitions, "partitions", 0, "planned partitions in all (page cache and replicas per broker)")
	fs.IntVar(&w.Consumers, "consumers-per-group", 0, "planned consumers per group")
	fs.Float64Var(&w.TargetMBps, "target-mbps", 0, "target topic throughput for the partition rule (default: the peak)")
	fs.Float64Var(&w.ProducerPartitionMBps, "producer-partition-mbps", 0, "producer MB/s on one partition (default: from --results)")
	fs.Float64Var(&w.ConsumerPartitionMBps, "consumer-partition-mbps", 0, "consumer MB/s on one partition (default: from --results)")
	fs.Float64Var(&w.HeapGB, "heap-gb", 0, "broker JVM heap in GB (default 6)")
	fs.Var(sizeValue{&w.SegmentBytes}, "segment-bytes", "log.segment.bytes, e.g. 1GB or 512MiB (default 1GB, Kafka's)")
	fs.IntVar(&o.failures, "failures", 1, "any brokers the sizing survives losing together, judged per partition on the placement model (below the replication factor; 0 with replication factor 1)")
	fs.IntVar(&w.Racks, "racks", 0, "racks (zones) the brokers spread over: B a multiple of them, and a whole rack lost is survived as well as --failures")
	fs.Float64Var(&w.CompressionRatio, "compression-ratio", 0, "compressed / uncompressed bytes, above 0 up to 1 (default: measured in the recommended sweep point, else 1)")
	fs.Float64Var(&w.RecoveryMBps, "recovery-mbps", 0, "replication throttle a replaced broker catches up under, MB/s (default: none, Kafka's default; it catches up at its spare disk or NIC)")
	fs.Var(units.NewDurationValue(&o.maxRecovery, 4*time.Hour), "max-recovery", "longest acceptable time for a replaced broker to catch up, e.g. 4h or 1d; the NIC recommendation keeps within it")
	fs.Var(units.NewDurationValue(&o.localRetention, 0), "local-retention", "with a remote tier: what brokers keep locally (local.retention.ms), e.g. 1d; remote storage is reported apart")
	fs.BoolVar(&w.DedicatedControllers, "dedicated-controllers", false, "recommend dedicated KRaft controllers at any size (they are recommended above 9 brokers anyway)")
	fs.BoolVar(&w.PreferMeasured, "prefer-measured", false, "let measured single-partition throughput beat --producer-partition-mbps and --consumer-partition-mbps")
	fs.BoolVar(&w.IdempotenceOptional, "idempotence-optional", false, "at-least-once accepts acks=all points without idempotence (duplicates on retry are acceptable)")
	fs.Float64Var(&w.Hardware.DiskMBps, "broker-disk-mbps", 0, "one broker's sequential disk write MB/s (beats --probe)")
	fs.Float64Var(&w.Hardware.DiskGB, "broker-disk-gb", 0, "one broker's log dir capacity in GB, all disks (beats --probe)")
	fs.Float64Var(&w.Hardware.NICGbps, "broker-nic-gbps", 0, "one broker's link speed in Gbit/s (beats --probe)")
	fs.Float64Var(&w.Hardware.Cores, "broker-cores", 0, "one broker's cores (beats --probe)")
	fs.Float64Var(&w.Hardware.MemoryGB, "broker-memory-gb", 0, "one broker's memory in GB (beats --probe)")
	return fs
}

// options are the advise command's flags.
type options struct {
	w                   advisor.Workload
	conn                cmdutil.ConnFlags
	workloadFile        string
	probeFiles, results []string
	retention           time.Duration
	localRetention      time.Duration
	maxRecovery         time.Duration
	failures            int
	propDir             string
	slo                 time.Duration
	// flags are the workload flags (workloadFlags).
	flags      *pflag.FlagSet
	clientLine clientcfg.Line
}

// workload is the workload the flags and --workload FILE describe,
// checked before any work.
func (o *options) workload(cmd *cobra.Command) (advisor.Workload, error) {
	var w advisor.Workload
	if o.workloadFile != "" {
		if err := applyWorkloadFile(o.workloadFile, o.flags); err != nil {
			return w, err
		}
	}
	if err := explicitZero(o.flags); err != nil {
		return w, err
	}
	w = o.w
	if o.flags.Changed("failures") {
		w.Failures = &o.failures
	}
	if o.flags.Changed("max-recovery") {
		w.MaxRecoveryHours = o.maxRecovery.Hours()
	}
	if o.retention != 0 {
		w.RetentionHours = o.retention.Hours()
	}
	if o.localRetention != 0 {
		w.LocalRetentionHours = o.localRetention.Hours()
	}
	if o.slo > 0 {
		w.SLOp99Ms = float64(o.slo) / float64(time.Millisecond)
	}
	return w, advisor.ValidateWorkload(w, 0)
}

// input gathers what the advisor reads: the workload, the probes, the
// results and, with --brokers, an audit of the live cluster.
func (o *options) input(cmd *cobra.Command, w advisor.Workload) (advisor.Input, error) {
	in := advisor.Input{Workload: w, ClientLine: o.clientLine}
	for _, p := range o.probeFiles {
		doc, err := result.ReadProbe(p)
		if err != nil {
			return in, err
		}
		in.Probes = append(in.Probes, advisor.Named[*result.Probe]{Path: p, Doc: doc})
	}
	if err := readResults(o.results, &in); err != nil {
		return in, err
	}
	if len(o.conn.Brokers) == 0 {
		return in, nil
	}
	s, err := o.conn.Open(cmd.Context(), cmd.ErrOrStderr(), clientcfg.Admin)
	if err != nil {
		return in, err
	}
	defer s.Close()
	cl, err := s.Conn.NewClient()
	if err != nil {
		return in, err
	}
	defer cl.Close()
	in.Audit, err = advisor.RunAudit(cmd.Context(), cl)
	return in, err
}

// applyWorkloadFile sets, from a YAML mapping of flag names to values,
// every workload flag the command line did not set: the file's values go
// through the flags' own parsers, so a key means what its flag means.
func applyWorkloadFile(path string, fs *pflag.FlagSet) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("--workload: %w", err)
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return fmt.Errorf("--workload %s: not YAML: %v", path, err)
	}
	if len(doc.Content) == 0 {
		return fmt.Errorf("--workload %s: empty: want a mapping of flag names to values, e.g. avg-mbps: 50", path)
	}
	m := doc.Content[0]
	if m.Kind != yaml.MappingNode {
		return fmt.Errorf("--workload %s: want a mapping of flag names to values, e.g. avg-mbps: 50", path)
	}
	fromCLI := map[string]bool{}
	fs.VisitAll(func(f *pflag.Flag) { fromCLI[f.Name] = f.Changed }) // Changed: the command line's parse
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		key := k.Value
		f := fs.Lookup(key)
		if f == nil {
			return fmt.Errorf("--workload %s line %d: unknown key %q%s", path, k.Line, key, suggestKey(fs, key))
		}
		if seen[key] {
			return fmt.Errorf("--workload %s line %d: key %q given twice", path, k.Line, key)
		}
		seen[key] = true
		if v.Kind != yaml.ScalarNode {
			return fmt.Errorf("--workload %s line %d: %s: want a single value, as --%s takes", path, v.Line, key, key)
		}
		if fromCLI[key] {
			continue // the command line overrides the file
		}
		if err := fs.Set(key, v.Value); err != nil {
			return fmt.Errorf("--workload %s line %d: %s %q: %v", path, v.Line, key, v.Value, unwrapSet(err))
		}
	}
	return nil
}

// suggestKey names the flag a mistyped workload key probably meant (an
// underscore spelling such as record_size), else lists the valid keys.
func suggestKey(fs *pflag.FlagSet, key string) string {
	if f := fs.Lookup(strings.ReplaceAll(key, "_", "-")); f != nil {
		return fmt.Sprintf(": keys are the flags' names, here %q", f.Name)
	}
	var names []string
	fs.VisitAll(func(f *pflag.Flag) { names = append(names, f.Name) })
	return ": keys are the flags' names: " + strings.Join(names, ", ")
}

// unwrapSet drops pflag's "invalid argument" wrapping of a parse error.
func unwrapSet(err error) error {
	if u := errors.Unwrap(err); u != nil {
		return u
	}
	return err
}

// sizeValue is a flag of bytes that takes units (1GB, 512MiB).
type sizeValue struct{ p *float64 }

func (v sizeValue) String() string {
	if v.p == nil || *v.p == 0 {
		return "0"
	}
	return strconv.FormatFloat(*v.p, 'f', -1, 64)
}

func (v sizeValue) Set(s string) error {
	n, err := units.ParseBytes(s)
	if err != nil {
		return err
	}
	*v.p = float64(n)
	return nil
}

func (sizeValue) Type() string { return "size" }

// explicitZero refuses a 0 given (on the command line or in the workload
// file) for a flag whose 0 otherwise means "not given, assume the
// default".
func explicitZero(fs *pflag.FlagSet) error {
	for _, c := range []struct{ name, rng string }{
		{"records-per-day", "above 0"}, {"avg-mbps", "above 0"},
		{"replication-factor", "at least 1"}, {"min-insync-replicas", "1 to the replication factor"},
		{"peak-factor", "at least 1"}, {"retention", "above 0"}, {"max-recovery", "above 0"},
		{"compression-ratio", "above 0 up to 1 (compressed / uncompressed bytes)"},
		{"segment-bytes", "above 0"},
		// 0 groups would size a topic nobody reads: no consumer traffic
		// at all, which is never what a sized topic is for.
		{"consumer-groups", "at least 1: ktune sizes topics that are read, and 0 would drop every consumer's traffic from the network checks (leave it out for 1)"},
	} {
		if f := fs.Lookup(c.name); f != nil && f.Changed && (f.Value.String() == "0" || f.Value.String() == "0s") {
			return fmt.Errorf("--%s 0: must be %s", c.name, c.rng)
		}
	}
	return nil
}

// readResults reads produce, consume, e2e, sweep, maxrate, disruption,
// drain and drain-sweep documents.
func readResults(paths []string, in *advisor.Input) error {
	set, err := result.Load(paths...)
	if err != nil {
		return fmt.Errorf("--results: %w", err)
	}
	if len(set.Probes)+len(set.Comparisons)+len(set.Advice)+len(set.Other) > 0 {
		return fmt.Errorf("--results takes produce, consume, e2e, sweep, maxrate, disruption, drain and drain-sweep documents (pass probes with --probe)")
	}
	in.MaxRates = append(in.MaxRates, set.MaxRates...)
	in.Results = append(in.Results, set.Results...)
	in.Sweeps = append(in.Sweeps, set.Sweeps...)
	in.Disruptions = append(in.Disruptions, set.Disruptions...)
	in.Drains = append(in.Drains, set.Drains...)
	in.DrainSweeps = append(in.DrainSweeps, set.DrainSweeps...)
	return nil
}
