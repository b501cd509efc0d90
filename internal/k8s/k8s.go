// Package k8s renders the Kubernetes manifests of a distributed ktune run.
//
// A distributed run is two Jobs: the workers, one Indexed Job whose
// completion index is each pod's ktune worker id, and a one-pod merge Job
// that waits for the workers' results and merges them into one report. The
// manifests are built from the Kubernetes API Go types, so every field is
// typed and checked by the compiler, and are emitted as YAML through their
// JSON tags with sigs.k8s.io/yaml.
//
// Options never carry a secret value: client credentials live in a Secret
// the manifests only mount by name.
package k8s

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/validation"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
	"sigs.k8s.io/yaml"
)

// Well-known names used in the rendered manifests.
const (
	// containerName is the name of the single container of every pod.
	containerName = "ktune"
	// workerIDEnv is the environment variable holding a worker's id, set
	// from the pod's Job completion index through the downward API.
	workerIDEnv = "KTUNE_WORKER_ID"
	// completionIndexFieldPath is the downward API path of an Indexed Job
	// pod's completion index.
	completionIndexFieldPath = "metadata.annotations['batch.kubernetes.io/job-completion-index']"
	// resultsDir is the working directory of the container, an emptyDir
	// volume: ktune writes its result file in its working directory.
	resultsDir = "/results"
	// tmpDir is the temporary folder, an emptyDir volume: the root
	// filesystem is read-only, and the image (FROM scratch) has no /tmp.
	tmpDir = "/tmp"
	// configDir is where the ConfigSecret volume is mounted, read-only.
	configDir = "/etc/ktune"
	// configFile is the client properties file inside configDir.
	configFile = "client.properties"
	// defaultConfigSecretKey is the ConfigSecretKey used when it is empty.
	defaultConfigSecretKey = "client.properties"
	// defaultCPU is the worker CPU request used when CPU is empty.
	defaultCPU = "1"
	// defaultMemory is the worker memory request and limit used when
	// Memory is empty.
	defaultMemory = "1Gi"
	// runIDLabel is the label holding the sanitized run id on every Job and
	// pod.
	runIDLabel = "ktune.io/run-id"
	// ttlAfterFinished is how long finished Jobs are kept (one day),
	// long enough to read their logs.
	ttlAfterFinished = 86400
	// nonRootID is the non-root user (and group) every container runs as.
	nonRootID = 65532

	nameLabel      = "app.kubernetes.io/name"
	componentLabel = "app.kubernetes.io/component"
	appName        = "ktune"
	workerSuffix   = "-workers"
	mergeSuffix    = "-merge"
	namePrefix     = "ktune-"
	resultsVolume  = "results"
	tmpVolume      = "tmp"
	configVolume   = "client-config"
	mergeCPU       = "100m"
	mergeMemory    = "256Mi"
	// maxRun is the longest sanitized run id that keeps the longer of the
	// two Job names within a DNS-1123 label (63 characters).
	maxRun = validation.DNS1123LabelMaxLength - len(namePrefix) - len(workerSuffix)
	// maxIndexedCompletions is the API server's limit on an Indexed Job's
	// completions.
	maxIndexedCompletions = 100000
)

// Options describe one distributed run's manifests.
type Options struct {
	// RunID is the run's id, required. It is used in the Job names and the
	// ktune.io/run-id label after sanitizing to a DNS-1123 label: lower-cased,
	// characters outside [a-z0-9-] replaced by '-', leading and trailing '-'
	// trimmed, and cut so that the Job names fit in 63 characters.
	RunID string
	// Workers is the number of ktune workers, required and at least 1: the
	// completions and parallelism of the worker Job.
	Workers int
	// Image is the container image holding the ktune binary as its
	// entrypoint, required. The manifests set only args, never a command.
	Image string
	// ImagePullPolicy is the containers' image pull policy: "" (the cluster
	// default), Always, IfNotPresent or Never. Anything else is an error.
	ImagePullPolicy string
	// Namespace is the Jobs' metadata.namespace. Empty leaves it unset, so
	// the Jobs go to the namespace kubectl applies them in.
	Namespace string
	// WorkerArgs are the ktune arguments of every worker, required, e.g.
	// ["produce", "--brokers", "kafka:9092", "--rate", "100000",
	// "--duration", "5m", "--workers", "4", "--run-id", "r1"]. Render
	// appends "--worker-id=$(KTUNE_WORKER_ID)" and, with ConfigSecret,
	// "--command-config=/etc/ktune/client.properties"; WorkerArgs must hold
	// neither flag.
	WorkerArgs []string
	// MergeArgs are the merge Job's ktune arguments, required, e.g.
	// ["merge", "--run-id", "r1", "--workers", "4", "--brokers",
	// "kafka:9092", "-o", "json", "--out", "-"]. Render appends
	// "--command-config=/etc/ktune/client.properties" with ConfigSecret;
	// MergeArgs must not hold --command-config.
	MergeArgs []string
	// ConfigSecret is the name of a Secret holding the Kafka client
	// properties file, optional. It is mounted read-only at /etc/ktune and
	// passed to ktune with --command-config. Create it with
	// kubectl create secret generic NAME --from-file=client.properties=PATH.
	ConfigSecret string
	// ConfigSecretKey is the key of the properties file in ConfigSecret.
	// This defaults to "client.properties".
	ConfigSecretKey string
	// CPU is the CPU request of each worker pod, a Kubernetes quantity.
	// This defaults to "1". There is no CPU limit, to avoid throttling.
	CPU string
	// Memory is the memory request and limit of each worker pod, a
	// Kubernetes quantity. This defaults to "1Gi".
	Memory string
	// Deadline bounds each Job's run time (activeDeadlineSeconds, rounded
	// up to whole seconds). This defaults to 0, no deadline; it must not be
	// negative.
	Deadline time.Duration
	// MetricsPort, if set, is the port of each worker's live /metrics
	// endpoint: Render appends "--metrics-addr=0.0.0.0:PORT" to the
	// workers' arguments (WorkerArgs must not hold --metrics-addr), names
	// the container port "metrics" and annotates the worker pods for
	// Prometheus' annotation-based discovery (prometheus.io/scrape, port
	// and path).
	MetricsPort int
	// PodMonitor adds a prometheus-operator PodMonitor selecting the
	// run's worker pods' metrics port, after the Jobs. It needs
	// MetricsPort.
	PodMonitor bool
}

// The scrape annotations of annotation-based Prometheus discovery, and
// the kind of the prometheus-operator resource.
const (
	scrapeAnnotation     = "prometheus.io/scrape"
	portAnnotation       = "prometheus.io/port"
	pathAnnotation       = "prometheus.io/path"
	metricsPath          = "/metrics"
	metricsPortName      = "metrics"
	podMonitorAPIVersion = "monitoring.coreos.com/v1"
	podMonitorKind       = "PodMonitor"
	// scrapeInterval is the PodMonitor's: the progress lines' resolution
	// is seconds, a run's is minutes.
	scrapeInterval = "5s"
)

// Jobs returns the worker Job and the merge Job of o, typed, with apiVersion
// batch/v1 and kind Job set. It returns an error, and no Jobs, if o is
// invalid.
func Jobs(o Options) (workers, merge *batchv1.Job, err error) {
	c, err := o.check()
	if err != nil {
		return nil, nil, err
	}
	workers = c.job("worker", namePrefix+c.run+workerSuffix)
	merge = c.job("merge", namePrefix+c.run+mergeSuffix)

	ws := &workers.Spec
	ws.CompletionMode = ptr(batchv1.IndexedCompletion)
	ws.Completions = ptr(int32(o.Workers))
	ws.Parallelism = ptr(int32(o.Workers))
	// A retried worker could not rejoin a run that has already started.
	ws.BackoffLimit = ptr(int32(0))
	wp := &ws.Template.Spec
	wc := &wp.Containers[0]
	wc.Args = append(append(wc.Args, o.WorkerArgs...), "--worker-id=$("+workerIDEnv+")")
	wc.Env = []corev1.EnvVar{{
		Name: workerIDEnv,
		ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
			APIVersion: "v1",
			FieldPath:  completionIndexFieldPath,
		}},
	}}
	wc.Resources = corev1.ResourceRequirements{
		Requests: corev1.ResourceList{corev1.ResourceCPU: c.cpu, corev1.ResourceMemory: c.memory},
		Limits:   corev1.ResourceList{corev1.ResourceMemory: c.memory},
	}
	// Spread the workers over nodes: one client host cannot saturate a
	// large cluster.
	wp.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
		PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
			Weight: 100,
			PodAffinityTerm: corev1.PodAffinityTerm{
				LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{
					runIDLabel:     c.run,
					componentLabel: "worker",
				}},
				TopologyKey: corev1.LabelHostname,
			},
		}},
	}}

	ms := &merge.Spec
	ms.Completions = ptr(int32(1))
	ms.Parallelism = ptr(int32(1))
	ms.BackoffLimit = ptr(int32(2))
	mc := &ms.Template.Spec.Containers[0]
	mc.Args = append(mc.Args, o.MergeArgs...)
	mc.Resources = corev1.ResourceRequirements{
		Requests: corev1.ResourceList{
			corev1.ResourceCPU:    resource.MustParse(mergeCPU),
			corev1.ResourceMemory: resource.MustParse(mergeMemory),
		},
		Limits: corev1.ResourceList{corev1.ResourceMemory: resource.MustParse(mergeMemory)},
	}

	if o.ConfigSecret != "" {
		flag := "--command-config=" + configDir + "/" + configFile
		wc.Args = append(wc.Args, flag)
		mc.Args = append(mc.Args, flag)
	}
	if p := o.MetricsPort; p > 0 {
		// Beyond loopback: the scraper is another pod.
		wc.Args = append(wc.Args, "--metrics-addr=0.0.0.0:"+strconv.Itoa(p))
		wc.Ports = []corev1.ContainerPort{{Name: metricsPortName, ContainerPort: int32(p), Protocol: corev1.ProtocolTCP}}
		ws.Template.Annotations = map[string]string{scrapeAnnotation: "true", portAnnotation: strconv.Itoa(p), pathAnnotation: metricsPath}
	}
	return workers, merge, nil
}

// podMonitor is the prometheus-operator PodMonitor of c's worker pods,
// as a plain document: ktune does not depend on the operator's types.
func (c *checked) podMonitor() map[string]any {
	meta := map[string]any{"name": namePrefix + c.run, "labels": map[string]any{nameLabel: appName, runIDLabel: c.run}}
	if c.o.Namespace != "" {
		meta["namespace"] = c.o.Namespace
	}
	return map[string]any{
		"apiVersion": podMonitorAPIVersion, "kind": podMonitorKind, "metadata": meta,
		"spec": map[string]any{
			"selector":            map[string]any{"matchLabels": map[string]any{nameLabel: appName, componentLabel: "worker", runIDLabel: c.run}},
			"podMetricsEndpoints": []any{map[string]any{"port": metricsPortName, "path": metricsPath, "interval": scrapeInterval}},
		},
	}
}

// Render returns both Jobs of o as one YAML stream: the worker Job, a "---"
// line, then the merge Job, each with apiVersion batch/v1 and kind Job set.
// The empty status of each Job is left out.
// With PodMonitor a third document, the PodMonitor, follows.
func Render(o Options) ([]byte, error) {
	w, m, err := Jobs(o)
	if err != nil {
		return nil, err
	}
	var buf bytes.Buffer
	for i, j := range []*batchv1.Job{w, m} {
		y, err := marshalJob(j)
		if err != nil {
			return nil, err
		}
		if i > 0 {
			buf.WriteString("---\n")
		}
		buf.Write(y)
	}
	if o.PodMonitor {
		c, _ := o.check() // checked by Jobs
		y, err := yaml.Marshal(c.podMonitor())
		if err != nil {
			return nil, err
		}
		buf.WriteString("---\n")
		buf.Write(y)
	}
	return buf.Bytes(), nil
}

// Decode reads a YAML stream of Jobs, documents separated by "---" lines,
// back into the API types, skipping Render's PodMonitor. It is strict: an unknown or duplicate field, or a
// document that is not a batch/v1 Job, is an error. Empty documents are
// skipped.
func Decode(data []byte) ([]*batchv1.Job, error) {
	r := utilyaml.NewYAMLReader(bufio.NewReader(bytes.NewReader(data)))
	var jobs []*batchv1.Job
	for n := 1; ; n++ {
		doc, err := r.Read()
		if errors.Is(err, io.EOF) {
			return jobs, nil
		}
		if err != nil {
			return nil, fmt.Errorf("yaml document %d: %v", n, err)
		}
		js, err := yaml.YAMLToJSON(doc)
		if err != nil {
			return nil, fmt.Errorf("yaml document %d: %v", n, err)
		}
		if t := bytes.TrimSpace(js); len(t) == 0 || string(t) == "null" {
			continue
		}
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal(doc, &tm); err == nil && tm.APIVersion == podMonitorAPIVersion && tm.Kind == podMonitorKind {
			continue // Render's PodMonitor, not a Job
		}
		var j batchv1.Job
		if err := yaml.UnmarshalStrict(doc, &j); err != nil {
			return nil, fmt.Errorf("yaml document %d: %v: fix or remove the field", n, err)
		}
		if j.APIVersion != batchv1.SchemeGroupVersion.String() || j.Kind != "Job" {
			return nil, fmt.Errorf("yaml document %d: apiVersion %q kind %q: only batch/v1 Job documents are accepted", n, j.APIVersion, j.Kind)
		}
		jobs = append(jobs, &j)
	}
}

// checked holds the validated, defaulted parts of Options.
type checked struct {
	o           Options
	run         string
	cpu, memory resource.Quantity
	pull        corev1.PullPolicy
	secretKey   string
}

func (o Options) check() (*checked, error) {
	c := &checked{o: o}
	if strings.TrimSpace(o.RunID) == "" {
		return nil, errors.New("no --run-id: pass the id of the run the workers join")
	}
	c.run = sanitize(o.RunID)
	if c.run == "" {
		return nil, fmt.Errorf("--run-id %q: needs at least one letter or digit to name the Jobs", o.RunID)
	}
	for _, name := range []string{namePrefix + c.run + workerSuffix, namePrefix + c.run + mergeSuffix} {
		if errs := validation.IsDNS1123Label(name); len(errs) > 0 {
			return nil, fmt.Errorf("--run-id %q: job name %q is invalid (%s): pick a shorter run id of letters, digits and '-'", o.RunID, name, strings.Join(errs, "; "))
		}
	}
	if errs := validation.IsValidLabelValue(c.run); len(errs) > 0 {
		return nil, fmt.Errorf("--run-id %q: label value %q is invalid (%s): pick a run id of letters, digits and '-'", o.RunID, c.run, strings.Join(errs, "; "))
	}
	if o.Workers < 1 {
		return nil, fmt.Errorf("--workers %d: must be at least 1", o.Workers)
	}
	if o.Workers > maxIndexedCompletions {
		return nil, fmt.Errorf("--workers %d: an Indexed Job allows at most %d, pass fewer workers", o.Workers, maxIndexedCompletions)
	}
	if strings.TrimSpace(o.Image) == "" {
		return nil, errors.New("no --image: pass the image that holds ktune")
	}
	if strings.ContainsAny(o.Image, " \t\r\n") {
		return nil, fmt.Errorf("--image %q: holds whitespace, pass an image reference such as registry/ktune:tag", o.Image)
	}
	switch p := corev1.PullPolicy(o.ImagePullPolicy); p {
	case "", corev1.PullAlways, corev1.PullIfNotPresent, corev1.PullNever:
		c.pull = p
	default:
		return nil, fmt.Errorf("--image-pull-policy %q: must be Always, IfNotPresent or Never", o.ImagePullPolicy)
	}
	if o.Namespace != "" {
		if errs := validation.IsDNS1123Label(o.Namespace); len(errs) > 0 {
			return nil, fmt.Errorf("--namespace %q: invalid (%s): pass an existing namespace's name", o.Namespace, strings.Join(errs, "; "))
		}
	}
	if len(o.WorkerArgs) == 0 {
		return nil, errors.New("no worker args: pass the ktune command and flags every worker runs, e.g. produce --brokers HOST:PORT")
	}
	if len(o.MergeArgs) == 0 {
		return nil, errors.New("no merge args: pass the ktune merge command and flags, e.g. merge --run-id ID --workers N")
	}
	if hasFlag(o.WorkerArgs, "worker-id") {
		return nil, errors.New("WorkerArgs already hold --worker-id: render sets it from the Job's completion index, remove it")
	}
	for _, a := range []struct {
		what string
		args []string
	}{{"WorkerArgs", o.WorkerArgs}, {"MergeArgs", o.MergeArgs}} {
		if hasFlag(a.args, "command-config") {
			return nil, fmt.Errorf("%s hold --command-config: a local path does not exist in the pod; put the file in a Secret (kubectl create secret generic NAME --from-file=client.properties=PATH) and pass its name as the config secret", a.what)
		}
	}
	c.secretKey = o.ConfigSecretKey
	if c.secretKey == "" {
		c.secretKey = defaultConfigSecretKey
	}
	if o.ConfigSecret == "" && o.ConfigSecretKey != "" {
		return nil, fmt.Errorf("config secret key %q without a config secret: pass the Secret's name too", o.ConfigSecretKey)
	}
	if o.ConfigSecret != "" {
		if errs := validation.IsDNS1123Subdomain(o.ConfigSecret); len(errs) > 0 {
			return nil, fmt.Errorf("config secret %q: invalid name (%s): pass the name of the Secret, not a path", o.ConfigSecret, strings.Join(errs, "; "))
		}
		if errs := validation.IsConfigMapKey(c.secretKey); len(errs) > 0 {
			return nil, fmt.Errorf("config secret key %q: invalid (%s): pass the key of the properties file in the Secret", c.secretKey, strings.Join(errs, "; "))
		}
	}
	var err error
	if c.cpu, err = quantity("--cpu", o.CPU, defaultCPU); err != nil {
		return nil, err
	}
	if c.memory, err = quantity("--memory", o.Memory, defaultMemory); err != nil {
		return nil, err
	}
	if o.Deadline < 0 {
		return nil, fmt.Errorf("--deadline %v: must not be negative, pass 0 for no deadline", o.Deadline)
	}
	if o.MetricsPort < 0 || o.MetricsPort > 65535 {
		return nil, fmt.Errorf("--metrics-port %d: must be a port, 1 to 65535", o.MetricsPort)
	}
	if o.PodMonitor && o.MetricsPort == 0 {
		return nil, errors.New("--pod-monitor without --metrics-port: pass the port the workers serve their metrics on, e.g. --metrics-port 9464")
	}
	if o.MetricsPort > 0 && hasFlag(o.WorkerArgs, "metrics-addr") {
		return nil, errors.New("--metrics-addr in the run: render sets it from --metrics-port")
	}
	return c, nil
}

// job returns a Job of the given component with the pod shape both Jobs
// share: labels, security context, results volume, config secret mount,
// deadline and TTL.
func (c *checked) job(component, name string) *batchv1.Job {
	labels := func() map[string]string {
		return map[string]string{
			nameLabel:      appName,
			componentLabel: component,
			runIDLabel:     c.run,
		}
	}
	container := corev1.Container{
		Name:            containerName,
		Image:           c.o.Image,
		ImagePullPolicy: c.pull,
		WorkingDir:      resultsDir,
		VolumeMounts: []corev1.VolumeMount{
			{Name: resultsVolume, MountPath: resultsDir},
			{Name: tmpVolume, MountPath: tmpDir},
		},
		SecurityContext: &corev1.SecurityContext{
			RunAsNonRoot:             ptr(true),
			RunAsUser:                ptr(int64(nonRootID)),
			RunAsGroup:               ptr(int64(nonRootID)),
			AllowPrivilegeEscalation: ptr(false),
			ReadOnlyRootFilesystem:   ptr(true),
			Capabilities:             &corev1.Capabilities{Drop: []corev1.Capability{"ALL"}},
			SeccompProfile:           &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
		},
	}
	volumes := []corev1.Volume{
		{Name: resultsVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
		{Name: tmpVolume, VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
	}
	if c.o.ConfigSecret != "" {
		volumes = append(volumes, corev1.Volume{
			Name: configVolume,
			VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
				SecretName:  c.o.ConfigSecret,
				Items:       []corev1.KeyToPath{{Key: c.secretKey, Path: configFile}},
				DefaultMode: ptr(int32(0o440)),
			}},
		})
		container.VolumeMounts = append(container.VolumeMounts, corev1.VolumeMount{
			Name:      configVolume,
			MountPath: configDir,
			ReadOnly:  true,
		})
	}
	j := &batchv1.Job{
		TypeMeta: metav1.TypeMeta{APIVersion: batchv1.SchemeGroupVersion.String(), Kind: "Job"},
		ObjectMeta: metav1.ObjectMeta{
			Name:      name,
			Namespace: c.o.Namespace,
			Labels:    labels(),
		},
		Spec: batchv1.JobSpec{
			TTLSecondsAfterFinished: ptr(int32(ttlAfterFinished)),
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels()},
				Spec: corev1.PodSpec{
					RestartPolicy: corev1.RestartPolicyNever,
					// ktune does not talk to the Kubernetes API.
					AutomountServiceAccountToken: ptr(false),
					// fsGroup makes the 0440 secret file readable by the
					// non-root user.
					SecurityContext: &corev1.PodSecurityContext{
						RunAsNonRoot:   ptr(true),
						RunAsUser:      ptr(int64(nonRootID)),
						RunAsGroup:     ptr(int64(nonRootID)),
						FSGroup:        ptr(int64(nonRootID)),
						SeccompProfile: &corev1.SeccompProfile{Type: corev1.SeccompProfileTypeRuntimeDefault},
					},
					Containers: []corev1.Container{container},
					Volumes:    volumes,
				},
			},
		},
	}
	if d := c.o.Deadline; d > 0 {
		j.Spec.ActiveDeadlineSeconds = ptr(int64((d + time.Second - 1) / time.Second))
	}
	return j
}

// marshalJob renders one Job as YAML without its (empty) status.
func marshalJob(j *batchv1.Job) ([]byte, error) {
	js, err := json.Marshal(j)
	if err != nil {
		return nil, fmt.Errorf("job %s: %v", j.Name, err)
	}
	var m map[string]any
	if err := json.Unmarshal(js, &m); err != nil {
		return nil, fmt.Errorf("job %s: %v", j.Name, err)
	}
	delete(m, "status")
	y, err := yaml.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("job %s: %v", j.Name, err)
	}
	return y, nil
}

// sanitize turns a run id into a DNS-1123 label short enough for the Job
// names: lower-cased, characters outside [a-z0-9-] replaced by '-', leading
// and trailing '-' trimmed, cut to maxRun characters.
func sanitize(id string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(id) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '-' {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	s := strings.Trim(b.String(), "-")
	if len(s) > maxRun {
		s = strings.TrimRight(s[:maxRun], "-")
	}
	return s
}

// hasFlag reports whether args, up to a "--" terminator, hold the long
// flag name as "--name" (value in the next argument) or "--name=value".
func hasFlag(args []string, name string) bool {
	for _, a := range args {
		if a == "--" {
			return false
		}
		f, _, _ := strings.Cut(a, "=")
		if f == "--"+name {
			return true
		}
	}
	return false
}

// quantity parses a positive resource quantity, or def when s is empty.
func quantity(flag, s, def string) (resource.Quantity, error) {
	if s == "" {
		s = def
	}
	q, err := resource.ParseQuantity(s)
	if err != nil {
		return resource.Quantity{}, fmt.Errorf("%s %q: not a quantity, pass e.g. %s", flag, s, def)
	}
	if q.Sign() <= 0 {
		return resource.Quantity{}, fmt.Errorf("%s %q: must be positive, pass e.g. %s", flag, s, def)
	}
	return q, nil
}

func ptr[T any](v T) *T { return &v }
