// Package k8s is the `ktune k8s` command: Kubernetes manifests for
// distributed runs.
package k8s

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/netip"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/ktune/ktune/internal/cli/cmdutil"
	"github.com/ktune/ktune/internal/cli/consume"
	"github.com/ktune/ktune/internal/cli/e2e"
	"github.com/ktune/ktune/internal/cli/produce"
	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/k8s"
	"github.com/ktune/ktune/result"
)

// NewCmd returns the k8s command.
func NewCmd(version string) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "k8s",
		Short: "Kubernetes manifests for runs with many load machines",
		Args:  cobra.NoArgs,
	}
	cmd.AddCommand(newRenderCmd(version))
	return cmd
}

// RenderFlags are the flags of `ktune k8s render`.
type RenderFlags struct {
	Workers         int
	RunID           string
	Image           string
	ImagePullPolicy string
	Namespace       string
	ConfigSecret    string
	ConfigSecretKey string
	CPU             string
	Memory          string
	Deadline        time.Duration
	MetricsPort     int
	PodMonitor      bool
	Out             string
}

func newRenderCmd(version string) *cobra.Command {
	var f RenderFlags
	cmd := &cobra.Command{
		Use:   "render [flags] -- produce|consume|e2e [flags of that command]",
		Short: "Write the manifests of a distributed run: N worker pods and a merge step",
		Long: `Writes the Kubernetes manifests of a run spread over --workers pods: an Indexed
Job whose completion index is each pod's --worker-id, and a merge Job that
reads the workers' results from the control topic and prints the merged
result document. The workers meet on the cluster under test; no other
service is deployed.

The command after -- is the run, as you would type it for one machine; the
rate, records, producers and consumers are totals that the workers split.
Client settings and credentials go in a Secret (--config-secret) that the
pods mount: nothing secret is ever written into the manifests, and local
files (--command-config, --tls-*, --sasl-password-file) are refused.`,
		Example: `  kubectl create secret generic ktune-client --from-file=client.properties=client.properties
  ktune k8s render --workers 4 --run-id r1 --image registry.example/ktune:` + version + ` --config-secret ktune-client \
    -- produce --brokers kafka:9092 --allow-remote --rate 400000 --duration 5m > ktune-r1.yaml
  kubectl apply -f ktune-r1.yaml
  kubectl wait --for=condition=complete --timeout=30m job/ktune-r1-merge
  kubectl logs job/ktune-r1-merge > merged.json && ktune report merged.json`,
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if cmd.ArgsLenAtDash() != 0 || len(args) == 0 {
				return errors.New("give the run after --, e.g. ktune k8s render --workers 4 --image IMAGE -- produce --brokers kafka:9092 --allow-remote --rate 100000 --duration 5m")
			}
			if f.RunID == "" {
				f.RunID = "r" + time.Now().UTC().Format("20060102-150405")
			}
			data, err := Render(version, f, args)
			if err != nil {
				return err
			}
			if f.Out == "" || f.Out == "-" {
				_, err = cmd.OutOrStdout().Write(data)
				return err
			}
			if err := result.WriteAtomic(f.Out, data); err != nil {
				return err
			}
			fmt.Fprintf(cmd.ErrOrStderr(), "manifests of run %s written to %s\n", f.RunID, f.Out)
			return nil
		},
	}
	fs := cmd.Flags()
	fs.IntVar(&f.Workers, "workers", 0, "number of worker pods (required)")
	fs.StringVar(&f.RunID, "run-id", "", "id of the run (default r<UTC time>); each run needs a new one")
	fs.StringVar(&f.Image, "image", "", "container image whose entrypoint is ktune (required)")
	fs.StringVar(&f.ImagePullPolicy, "image-pull-policy", "", "Always, IfNotPresent or Never (default: the cluster's)")
	fs.StringVar(&f.Namespace, "namespace", "", "namespace of the Jobs (default: kubectl's)")
	fs.StringVar(&f.ConfigSecret, "config-secret", "", "Secret holding the client properties file (bootstrap.servers, security, credentials), mounted in every pod")
	fs.StringVar(&f.ConfigSecretKey, "config-secret-key", "", "key of the properties file in the Secret (default client.properties)")
	fs.StringVar(&f.CPU, "cpu", "", "CPU request per worker (default 1)")
	fs.StringVar(&f.Memory, "memory", "", "memory request and limit per worker (default 1Gi)")
	fs.DurationVar(&f.Deadline, "deadline", time.Hour, "bound on each Job's run time, and the merge step's wait for the workers")
	fs.IntVar(&f.MetricsPort, "metrics-port", 0, "serve each worker's live metrics on this port (--metrics-addr=0.0.0.0:PORT), with the prometheus.io/scrape pod annotations (0: off)")
	fs.BoolVar(&f.PodMonitor, "pod-monitor", false, "add a prometheus-operator PodMonitor scraping the workers' --metrics-port")
	fs.StringVar(&f.Out, "out", "", "manifest file (default stdout)")
	return cmd
}

// Render checks the run in args (a ktune command and its flags) as that
// command would and returns the manifests of its distributed form.
func Render(version string, f RenderFlags, args []string) ([]byte, error) {
	sub, err := subcommand(version, args[0])
	if err != nil {
		return nil, err
	}
	fs := sub.Flags()
	cmdutil.LogLevelFlag(fs) // the root's persistent flag
	if err := fs.Parse(args[1:]); err != nil {
		return nil, fmt.Errorf("ktune %s: %v", args[0], err)
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("ktune %s takes no arguments, got %q", args[0], fs.Args())
	}
	if f.Workers < 1 {
		return nil, fmt.Errorf("--workers %d: must be at least 1", f.Workers)
	}
	if err := checkRun(args[0], fs, f); err != nil {
		return nil, err
	}
	run := []string{
		fmt.Sprintf("--workers=%d", f.Workers), "--run-id=" + f.RunID,
		// The workers wait for each other, then run; the Job's deadline
		// bounds both.
		"--join-timeout=" + joinTimeout(f.Deadline).String(),
	}
	// Worker 0's command, as its pod runs it.
	if err := dryRun(version, append(append(append([]string{}, args...), run...), "--worker-id=0")); err != nil {
		return nil, err
	}
	merge := []string{"merge", "--run-id=" + f.RunID, fmt.Sprintf("--workers=%d", f.Workers),
		"--wait=" + mergeWait(f.Deadline).String(), "--output=json", "--out=-"}
	merge = append(merge, connectionArgs(fs)...)
	return k8s.Render(k8s.Options{
		RunID: f.RunID, Workers: f.Workers, Image: f.Image, ImagePullPolicy: f.ImagePullPolicy,
		Namespace: f.Namespace, WorkerArgs: append(append([]string{}, args...), run...), MergeArgs: merge,
		ConfigSecret: f.ConfigSecret, ConfigSecretKey: f.ConfigSecretKey, CPU: f.CPU, Memory: f.Memory,
		Deadline: f.Deadline, MetricsPort: f.MetricsPort, PodMonitor: f.PodMonitor,
	})
}

func joinTimeout(deadline time.Duration) time.Duration {
	if deadline > 0 && deadline < 10*time.Minute {
		return deadline / 2
	}
	return 5 * time.Minute
}

// mergeWait leaves the merge step time to merge before its Job's deadline.
func mergeWait(deadline time.Duration) time.Duration {
	if deadline <= 0 {
		return time.Hour
	}
	return deadline - min(deadline/10, time.Minute)
}

func subcommand(version, name string) (*cobra.Command, error) {
	switch name {
	case "produce":
		return produce.NewCmd(version), nil
	case "consume":
		return consume.NewCmd(version), nil
	case "e2e":
		return e2e.NewCmd(version), nil
	}
	return nil, fmt.Errorf("%q cannot run on Kubernetes workers: use produce, consume or e2e", name)
}

// dryRun runs the command in args as ktune would, up to where it would
// start or contact a cluster: the same checks of every flag and property
// the pods will run.
func dryRun(version string, args []string) error {
	sub, err := subcommand(version, args[0])
	if err != nil {
		return err
	}
	sub.SetArgs(args[1:])
	sub.SetOut(io.Discard)
	sub.SetErr(io.Discard)
	sub.SilenceErrors, sub.SilenceUsage = true, true
	err = sub.ExecuteContext(cmdutil.WithDryRun(context.Background()))
	switch {
	case errors.Is(err, cmdutil.ErrDryRun):
		return nil
	case err != nil:
		return fmt.Errorf("ktune %s: %w", args[0], err)
	}
	return fmt.Errorf("ktune %s ran to its end in a dry run", args[0])
}

// checkRun refuses what cannot work in the pods or must not be written
// into a manifest.
func checkRun(name string, fs *pflag.FlagSet, f RenderFlags) error {
	if name != "consume" && !fs.Changed("records") && !fs.Changed("duration") {
		return fmt.Errorf("the run needs a bound: pass --records N or --duration D to ktune %s", name)
	}
	if d, err := fs.GetDuration("duration"); err == nil && f.Deadline > 0 && d > 0 {
		warm, _ := fs.GetString("warmup")
		_, wd, _ := cmdutil.ParseWarmup(warm) // the dry run checks it
		if run := d + wd; run >= f.Deadline {
			return fmt.Errorf("--deadline %s: the run's --duration %s (plus warm-up %s) cannot finish within it, so Kubernetes would end every Job; pass a --deadline longer than the run and the workers' join, e.g. --deadline %s", f.Deadline, d, wd, run+joinTimeout(run+5*time.Minute))
		}
	}
	for _, count := range []string{"producers", "consumers"} {
		if v, err := fs.GetInt(count); err == nil && fs.Changed(count) && v < f.Workers {
			return fmt.Errorf("--%s %d is fewer than --workers %d: every worker needs at least one", count, v, f.Workers)
		}
	}
	if v, err := fs.GetInt64("records"); err == nil && v > 0 && v < int64(f.Workers) {
		return fmt.Errorf("--records %d is fewer than --workers %d: every worker needs at least one record", v, f.Workers)
	}
	if fs.Changed("metrics-addr") {
		return errors.New("--metrics-addr in the run: pass --metrics-port to render itself, which sets it on every worker with the scrape annotations")
	}
	for _, name := range []string{"workers", "worker-id", "run-id", "join-timeout"} {
		if fs.Changed(name) {
			return fmt.Errorf("--%s in the run: render sets it (pass --workers and --run-id to render itself)", name)
		}
	}
	for _, name := range []string{"command-config", "tls-ca", "tls-cert", "tls-key", "sasl-password-file"} {
		if fs.Changed(name) {
			return fmt.Errorf("--%s names a local file the pods do not have: put the client settings and credentials in a Secret (kubectl create secret generic ktune-client --from-file=client.properties=FILE) and pass --config-secret ktune-client", name)
		}
	}
	if fs.Changed("out") {
		return errors.New("--out in the run: each worker writes its result in its pod's /results and publishes it to the control topic, where the merge Job reads it; drop --out")
	}
	props, _ := fs.GetStringArray("property")
	for _, kv := range props {
		k, _, _ := strings.Cut(kv, "=")
		k = strings.TrimSpace(k)
		if clientcfg.IsSecret(k) {
			return fmt.Errorf("-X %s is a secret and would be written into the manifest: put it in the --config-secret properties file", k)
		}
		if inline, ok := clientcfg.LocalFile(k); ok {
			instead := "the setting"
			if inline != "" {
				instead = "the file's content as " + inline
			}
			return fmt.Errorf("-X %s names a local file the pods do not have: put %s in the properties file of a Secret (kubectl create secret generic ktune-client --from-file=client.properties=FILE) and pass --config-secret ktune-client", kv, instead)
		}
	}
	brokers, _ := fs.GetStringSlice("brokers")
	if len(brokers) == 0 && f.ConfigSecret == "" {
		return errors.New("the workers need the cluster under test: pass --brokers in the run (or bootstrap.servers in the --config-secret file); an embedded cluster is private to each pod")
	}
	if remote, _ := fs.GetBool("allow-remote"); !remote {
		for _, b := range brokers {
			if !loopback(b) {
				return fmt.Errorf("the workers will send load to %s, which is not a loopback address: add --allow-remote to the run, as ktune refuses remote load targets without it", b)
			}
		}
	}
	return nil
}

func loopback(hostport string) bool {
	host, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return false
	}
	if host == "localhost" {
		return true
	}
	ip, err := netip.ParseAddr(host)
	return err == nil && cluster.IsLoopback(ip)
}

// connectionArgs are the run's flags the merge step needs to read the
// control topic the same way the workers wrote it.
func connectionArgs(fs *pflag.FlagSet) []string {
	var out []string
	fs.Visit(func(fl *pflag.Flag) {
		switch fl.Name {
		case "brokers", "allow-remote", "tls", "sasl-mechanism", "sasl-user", "connect-timeout", "control-topic", "log-level":
			v := fl.Value.String()
			if s, ok := fl.Value.(pflag.SliceValue); ok {
				// A slice's String is "[a,b]": trimming the brackets
				// would also cut an IPv6 literal's ([::1]:9092).
				v = strings.Join(s.GetSlice(), ",")
			}
			out = append(out, "--"+fl.Name+"="+v)
		case "property":
			vals, _ := fs.GetStringArray("property")
			for _, v := range vals {
				out = append(out, "--property="+v)
			}
		}
	})
	return out
}
