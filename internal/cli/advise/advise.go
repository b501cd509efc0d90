// Package advise is the `ktune advise` command.
package advise

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the advise command.
func NewCmd(version string) *cobra.Command {
	var (
		o   options
		out cmdutil.OutputFlags
	)
	w, conn := &o.w, &o.conn
	cmd := &cobra.Command{
		Use:   "advise",
		Short: "Size the cluster and recommend a configuration from measurements",
		Long: `Turns a workload (flags or --workload FILE), probe documents (--probe) and run
results (--results: produce, consume, sweep, disruption, drain and drain-sweep documents) into a hardware
sizing (brokers, disk, memory, partitions, NIC, broker threads) and a
configuration, every number with its formula, its inputs and where each came
from. Without broker hardware it applies the textbook rules and says so; with
it (--broker-* flags or --probe of broker hosts) each resource is checked with
--failures brokers lost and the binding one named. Measured single-partition
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
				if err := advisor.WriteProperties(o.propDir, a); err != nil {
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
	fs.StringVar(&o.workloadFile, "workload", "", "workload YAML file (keys as the flags, with underscores: records_per_day, record_size, ...); flags given too override it")
	fs.Float64Var(&w.RecordsPerDay, "records-per-day", 0, "records produced per day")
	fs.Float64Var(&w.AvgMBps, "avg-mbps", 0, "average produce rate in MB/s (instead of --records-per-day)")
	fs.Float64Var(&w.RecordBytes, "record-size", 0, "average record size in bytes")
	fs.Float64Var(&w.PeakFactor, "peak-factor", 0, "peak rate over the average (default 1)")
	fs.IntVar(&w.Replication, "replication-factor", 0, "replication factor (default 3)")
	fs.IntVar(&w.MinInsync, "min-insync-replicas", 0, "min.insync.replicas (default 2)")
	fs.DurationVar(&o.retention, "retention", 0, "retention time, e.g. 168h (default 7 days)")
	fs.IntVar(&w.ConsumerGroups, "consumer-groups", 0, "consumer groups reading everything (default 1)")
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
	fs.IntVar(&o.failures, "failures", 1, "brokers the sizing survives losing")
	fs.IntVar(&w.Racks, "racks", 0, "racks the brokers spread over: size for losing a whole rack (ceil(B / racks) brokers)")
	fs.Float64Var(&w.CompressionRatio, "compression-ratio", 0, "compressed / uncompressed bytes (default: measured in the recommended sweep point, else 1)")
	fs.Float64Var(&w.RecoveryMBps, "recovery-mbps", 0, "re-replication MB/s per receiving broker (default: the spare disk or network bandwidth at peak)")
	fs.DurationVar(&o.maxRecovery, "max-recovery", 4*time.Hour, "longest acceptable time to re-replicate a failed broker")
	fs.DurationVar(&o.localRetention, "local-retention", 0, "with a remote tier: what brokers keep locally (local.retention.ms); remote storage is reported apart")
	fs.BoolVar(&w.DedicatedControllers, "dedicated-controllers", false, "recommend dedicated KRaft controllers at any size (they are recommended above 9 brokers anyway)")
	fs.BoolVar(&w.PreferMeasured, "prefer-measured", false, "let measured single-partition throughput beat --producer-partition-mbps and --consumer-partition-mbps")
	fs.BoolVar(&w.IdempotenceOptional, "idempotence-optional", false, "at-least-once accepts acks=all points without idempotence (duplicates on retry are acceptable)")
	fs.Float64Var(&w.Hardware.DiskMBps, "broker-disk-mbps", 0, "one broker's sequential disk write MB/s (beats --probe)")
	fs.Float64Var(&w.Hardware.DiskGB, "broker-disk-gb", 0, "one broker's log dir capacity in GB, all disks (beats --probe)")
	fs.Float64Var(&w.Hardware.NICGbps, "broker-nic-gbps", 0, "one broker's link speed in Gbit/s (beats --probe)")
	fs.Float64Var(&w.Hardware.Cores, "broker-cores", 0, "one broker's cores (beats --probe)")
	fs.Float64Var(&w.Hardware.MemoryGB, "broker-memory-gb", 0, "one broker's memory in GB (beats --probe)")
	fs.StringArrayVar(&o.probeFiles, "probe", nil, "probe document of a broker host, from ktune probe run there (repeatable: the slowest broker bounds the cluster)")
	fs.StringArrayVar(&o.results, "results", nil, "produce, consume, sweep, disruption, drain or drain-sweep result document (repeatable)")
	fs.StringSliceVar(&conn.Brokers, "brokers", nil, "audit this live cluster too")
	fs.BoolVar(&conn.AllowRemote, "allow-remote", false, "allow brokers outside loopback")
	out.Formats = []string{"table", "md"}
	out.RegisterDocument(cmd)
	fs.StringVar(&o.propDir, "write-properties", "", "write producer.properties, consumer.properties and topic.properties here")
	conn.Bind(cmd)
	conn.ConnectTimeout = cluster.DefaultConnectTimeout
	return cmd
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
}

// workload is the workload the flags and --workload FILE describe,
// checked before any work.
func (o *options) workload(cmd *cobra.Command) (advisor.Workload, error) {
	w := o.w
	if err := explicitZero(cmd); err != nil {
		return w, err
	}
	if cmd.Flags().Changed("failures") {
		w.Failures = &o.failures
	}
	if cmd.Flags().Changed("max-recovery") {
		w.MaxRecoveryHours = o.maxRecovery.Hours()
	}
	if o.workloadFile != "" {
		data, err := os.ReadFile(o.workloadFile)
		if err != nil {
			return w, fmt.Errorf("--workload: %w", err)
		}
		var fw advisor.Workload
		dec := yaml.NewDecoder(bytes.NewReader(data))
		dec.KnownFields(true)
		if err := dec.Decode(&fw); err != nil {
			return w, fmt.Errorf("%s: %v", o.workloadFile, err)
		}
		mergeFlags(cmd, &fw, &w)
		w = fw
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
	in := advisor.Input{Workload: w}
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

// mergeFlags copies flags the user set over the file's workload.
func mergeFlags(cmd *cobra.Command, file, flags *advisor.Workload) {
	fb, _ := json.Marshal(flags)
	var fm map[string]any
	json.Unmarshal(fb, &fm)
	names := map[string]string{"records-per-day": "records_per_day", "avg-mbps": "avg_mbps", "record-size": "record_size_bytes", "peak-factor": "peak_factor",
		"replication-factor": "replication_factor", "min-insync-replicas": "min_insync_replicas", "consumer-groups": "consumer_groups", "lagging-readers": "lagging_readers",
		"slo-p99": "slo_p99_ms", "durability": "durability", "goal": "goal", "headroom": "headroom", "partitions": "partitions", "heap-gb": "heap_gb",
		"target-mbps": "target_mbps", "producer-partition-mbps": "producer_partition_mbps", "consumer-partition-mbps": "consumer_partition_mbps", "lag-hours": "lag_hours", "consumers-per-group": "consumers_per_group",
		"failures": "failures", "racks": "racks", "compression-ratio": "compression_ratio", "recovery-mbps": "recovery_mbps", "max-recovery": "max_recovery_hours",
		"dedicated-controllers": "dedicated_controllers", "prefer-measured": "prefer_measured", "idempotence-optional": "idempotence_optional"}
	hw := map[string]*float64{"broker-disk-mbps": &file.Hardware.DiskMBps, "broker-disk-gb": &file.Hardware.DiskGB, "broker-nic-gbps": &file.Hardware.NICGbps,
		"broker-cores": &file.Hardware.Cores, "broker-memory-gb": &file.Hardware.MemoryGB}
	from := map[string]float64{"broker-disk-mbps": flags.Hardware.DiskMBps, "broker-disk-gb": flags.Hardware.DiskGB, "broker-nic-gbps": flags.Hardware.NICGbps,
		"broker-cores": flags.Hardware.Cores, "broker-memory-gb": flags.Hardware.MemoryGB}
	sub := map[string]any{}
	cmd.Flags().Visit(func(f *pflag.Flag) {
		if key, ok := names[f.Name]; ok {
			sub[key] = fm[key]
		}
		if dst, ok := hw[f.Name]; ok {
			*dst = from[f.Name]
		}
	})
	b, _ := json.Marshal(sub)
	json.Unmarshal(b, file)
}

// explicitZero refuses a 0 typed for a flag whose 0 otherwise means "not
// given, assume the default".
func explicitZero(cmd *cobra.Command) error {
	for name, rng := range map[string]string{"replication-factor": "at least 1", "min-insync-replicas": "1 to the replication factor",
		"peak-factor": "at least 1", "retention": "above 0", "avg-mbps": "above 0", "max-recovery": "above 0"} {
		if f := cmd.Flags().Lookup(name); f != nil && f.Changed && (f.Value.String() == "0" || f.Value.String() == "0s") {
			return fmt.Errorf("--%s 0: must be %s", name, rng)
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
