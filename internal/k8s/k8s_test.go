package k8s

import (
	"slices"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/api/resource"
	"k8s.io/apimachinery/pkg/util/validation"
)

func baseOptions() Options {
	return Options{
		RunID:      "r1",
		Workers:    4,
		Image:      "ghcr.io/ktune/ktune:v1",
		WorkerArgs: []string{"produce", "--brokers", "kafka:9092", "--rate", "100000", "--duration", "5m", "--workers", "4", "--run-id", "r1"},
		MergeArgs:  []string{"merge", "--run-id", "r1", "--workers", "4", "--brokers", "kafka:9092", "-o", "json", "--out", "-"},
	}
}

// renderDecode renders o and decodes it back, failing the test on error.
func renderDecode(t *testing.T, o Options) (workers, merge *batchv1.Job) {
	t.Helper()
	out, err := Render(o)
	if err != nil {
		t.Fatalf("Render: %v", err)
	}
	if !strings.Contains(string(out), "\n---\n") {
		t.Fatalf("Render output has no --- separator:\n%s", out)
	}
	jobs, err := Decode(out)
	if err != nil {
		t.Fatalf("Decode: %v\n%s", err, out)
	}
	if len(jobs) != 2 {
		t.Fatalf("Decode: got %d jobs, want 2", len(jobs))
	}
	return jobs[0], jobs[1]
}

func container(t *testing.T, j *batchv1.Job) corev1.Container {
	t.Helper()
	cs := j.Spec.Template.Spec.Containers
	if len(cs) != 1 {
		t.Fatalf("%s: %d containers, want 1", j.Name, len(cs))
	}
	if cs[0].Name != "ktune" {
		t.Errorf("%s: container name %q, want ktune", j.Name, cs[0].Name)
	}
	if len(cs[0].Command) != 0 {
		t.Errorf("%s: command %q set, want the image entrypoint", j.Name, cs[0].Command)
	}
	return cs[0]
}

func mountAt(c corev1.Container, path string) (corev1.VolumeMount, bool) {
	for _, m := range c.VolumeMounts {
		if m.MountPath == path {
			return m, true
		}
	}
	return corev1.VolumeMount{}, false
}

func volume(j *batchv1.Job, name string) (corev1.Volume, bool) {
	for _, v := range j.Spec.Template.Spec.Volumes {
		if v.Name == name {
			return v, true
		}
	}
	return corev1.Volume{}, false
}

func TestRenderDecode(t *testing.T) {
	const commandConfig = "--command-config=/etc/ktune/client.properties"
	for _, tc := range []struct {
		name         string
		mod          func(*Options)
		wantDeadline int64 // 0: none
		wantKey      string
		wantCPU      string
		wantMemory   string
		wantPull     corev1.PullPolicy
	}{
		{
			name:       "defaults",
			mod:        func(*Options) {},
			wantCPU:    "1",
			wantMemory: "1Gi",
		},
		{
			name: "secret, resources, deadline",
			mod: func(o *Options) {
				o.ConfigSecret = "kafka-client"
				o.CPU = "2"
				o.Memory = "4Gi"
				o.Deadline = 10 * time.Minute
				o.Namespace = "bench"
				o.ImagePullPolicy = "IfNotPresent"
			},
			wantDeadline: 600,
			wantKey:      "client.properties",
			wantCPU:      "2",
			wantMemory:   "4Gi",
			wantPull:     corev1.PullIfNotPresent,
		},
		{
			name: "secret key, sub-second deadline rounds up",
			mod: func(o *Options) {
				o.ConfigSecret = "kafka-client"
				o.ConfigSecretKey = "sasl.properties"
				o.CPU = "500m"
				o.Deadline = 1500 * time.Millisecond
				o.Workers = 1
			},
			wantDeadline: 2,
			wantKey:      "sasl.properties",
			wantCPU:      "500m",
			wantMemory:   "1Gi",
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := baseOptions()
			tc.mod(&o)
			w, m := renderDecode(t, o)

			// Names and labels.
			if w.Name != "ktune-r1-workers" || m.Name != "ktune-r1-merge" {
				t.Errorf("names %q, %q", w.Name, m.Name)
			}
			for _, j := range []*batchv1.Job{w, m} {
				if j.APIVersion != "batch/v1" || j.Kind != "Job" {
					t.Errorf("%s: apiVersion %q kind %q", j.Name, j.APIVersion, j.Kind)
				}
				if j.Namespace != o.Namespace {
					t.Errorf("%s: namespace %q, want %q", j.Name, j.Namespace, o.Namespace)
				}
				comp := "worker"
				if j == m {
					comp = "merge"
				}
				want := map[string]string{
					"app.kubernetes.io/name":      "ktune",
					"app.kubernetes.io/component": comp,
					"ktune.io/run-id":             "r1",
				}
				for what, got := range map[string]map[string]string{"job": j.Labels, "pod": j.Spec.Template.Labels} {
					if !maps(got, want) {
						t.Errorf("%s: %s labels %v, want %v", j.Name, what, got, want)
					}
				}
			}

			// Worker Job spec.
			ws := w.Spec
			if ws.CompletionMode == nil || *ws.CompletionMode != batchv1.IndexedCompletion {
				t.Errorf("worker completionMode %v, want Indexed", pv(ws.CompletionMode))
			}
			if ws.Completions == nil || *ws.Completions != int32(o.Workers) ||
				ws.Parallelism == nil || *ws.Parallelism != int32(o.Workers) {
				t.Errorf("worker completions %v parallelism %v, want %d", pv(ws.Completions), pv(ws.Parallelism), o.Workers)
			}
			if ws.BackoffLimit == nil || *ws.BackoffLimit != 0 {
				t.Errorf("worker backoffLimit %v, want 0", pv(ws.BackoffLimit))
			}
			// Merge Job spec.
			ms := m.Spec
			if ms.CompletionMode != nil {
				t.Errorf("merge completionMode %v, want unset (NonIndexed)", *ms.CompletionMode)
			}
			if ms.Completions == nil || *ms.Completions != 1 || ms.Parallelism == nil || *ms.Parallelism != 1 {
				t.Errorf("merge completions %v parallelism %v, want 1", pv(ms.Completions), pv(ms.Parallelism))
			}
			if ms.BackoffLimit == nil || *ms.BackoffLimit != 2 {
				t.Errorf("merge backoffLimit %v, want 2", pv(ms.BackoffLimit))
			}
			for _, j := range []*batchv1.Job{w, m} {
				s := j.Spec
				if tc.wantDeadline == 0 && s.ActiveDeadlineSeconds != nil {
					t.Errorf("%s: activeDeadlineSeconds %d, want unset", j.Name, *s.ActiveDeadlineSeconds)
				}
				if tc.wantDeadline != 0 && (s.ActiveDeadlineSeconds == nil || *s.ActiveDeadlineSeconds != tc.wantDeadline) {
					t.Errorf("%s: activeDeadlineSeconds %v, want %d", j.Name, pv(s.ActiveDeadlineSeconds), tc.wantDeadline)
				}
				if s.TTLSecondsAfterFinished == nil || *s.TTLSecondsAfterFinished != 86400 {
					t.Errorf("%s: ttlSecondsAfterFinished %v, want 86400", j.Name, pv(s.TTLSecondsAfterFinished))
				}
				if p := s.Template.Spec.RestartPolicy; p != corev1.RestartPolicyNever {
					t.Errorf("%s: restartPolicy %q, want Never", j.Name, p)
				}
			}

			// Worker container: args, env, image.
			wc := container(t, w)
			if wc.Image != o.Image || wc.ImagePullPolicy != tc.wantPull {
				t.Errorf("worker image %q pull %q", wc.Image, wc.ImagePullPolicy)
			}
			wantArgs := append(slices.Clone(o.WorkerArgs), "--worker-id=$(KTUNE_WORKER_ID)")
			if o.ConfigSecret != "" {
				wantArgs = append(wantArgs, commandConfig)
			}
			if !slices.Equal(wc.Args, wantArgs) {
				t.Errorf("worker args\n got %q\nwant %q", wc.Args, wantArgs)
			}
			if len(wc.Env) != 1 || wc.Env[0].Name != "KTUNE_WORKER_ID" || wc.Env[0].ValueFrom == nil ||
				wc.Env[0].ValueFrom.FieldRef == nil ||
				wc.Env[0].ValueFrom.FieldRef.FieldPath != "metadata.annotations['batch.kubernetes.io/job-completion-index']" {
				t.Errorf("worker env %+v, want KTUNE_WORKER_ID from the completion index annotation", wc.Env)
			}

			// Merge container: args, no worker id.
			mc := container(t, m)
			wantMerge := slices.Clone(o.MergeArgs)
			if o.ConfigSecret != "" {
				wantMerge = append(wantMerge, commandConfig)
			}
			if !slices.Equal(mc.Args, wantMerge) {
				t.Errorf("merge args\n got %q\nwant %q", mc.Args, wantMerge)
			}
			if len(mc.Env) != 0 {
				t.Errorf("merge env %+v, want none", mc.Env)
			}

			// Resources.
			checkResources(t, "worker", wc.Resources, tc.wantCPU, tc.wantMemory)
			checkResources(t, "merge", mc.Resources, "100m", "256Mi")
			if tc.wantCPU == "2" {
				if got := wc.Resources.Requests.Cpu().MilliValue(); got != 2000 {
					t.Errorf("cpu \"2\" is %d millicores, want 2000", got)
				}
			}
			if _, ok := wc.Resources.Limits[corev1.ResourceCPU]; ok {
				t.Errorf("worker has a CPU limit, want none")
			}

			// Pod shape shared by both Jobs.
			for _, j := range []*batchv1.Job{w, m} {
				c := container(t, j)
				checkSecurity(t, j.Name, c.SecurityContext)
				if c.WorkingDir != "/results" {
					t.Errorf("%s: workingDir %q, want /results", j.Name, c.WorkingDir)
				}
				if rm, ok := mountAt(c, "/results"); !ok || rm.Name != "results" {
					t.Errorf("%s: no results mount at /results: %+v", j.Name, c.VolumeMounts)
				}
				if v, ok := volume(j, "results"); !ok || v.EmptyDir == nil {
					t.Errorf("%s: results volume %+v, want an emptyDir", j.Name, v)
				}
				// The root filesystem is read-only: temporary files need
				// a volume.
				if tm, ok := mountAt(c, "/tmp"); !ok || tm.ReadOnly {
					t.Errorf("%s: no writable mount at /tmp: %+v", j.Name, c.VolumeMounts)
				} else if v, ok := volume(j, tm.Name); !ok || v.EmptyDir == nil {
					t.Errorf("%s: /tmp volume %+v, want an emptyDir", j.Name, v)
				}
				cm, mounted := mountAt(c, "/etc/ktune")
				v, hasVol := volume(j, "client-config")
				if o.ConfigSecret == "" {
					if mounted || hasVol || slices.ContainsFunc(c.Args, func(a string) bool { return strings.HasPrefix(a, "--command-config") }) {
						t.Errorf("%s: config secret mounted or passed without ConfigSecret", j.Name)
					}
					continue
				}
				if !mounted || cm.Name != "client-config" || !cm.ReadOnly {
					t.Errorf("%s: config mount %+v, want client-config read-only at /etc/ktune", j.Name, cm)
				}
				if !hasVol || v.Secret == nil {
					t.Fatalf("%s: no client-config secret volume", j.Name)
				}
				s := v.Secret
				if s.SecretName != o.ConfigSecret {
					t.Errorf("%s: secretName %q, want %q", j.Name, s.SecretName, o.ConfigSecret)
				}
				if len(s.Items) != 1 || s.Items[0].Key != tc.wantKey || s.Items[0].Path != "client.properties" {
					t.Errorf("%s: secret items %+v, want key %q path client.properties", j.Name, s.Items, tc.wantKey)
				}
				if s.DefaultMode == nil || *s.DefaultMode != 0o440 {
					t.Errorf("%s: secret defaultMode %v, want 0440", j.Name, pv(s.DefaultMode))
				}
			}

			// Anti-affinity only on workers.
			aff := w.Spec.Template.Spec.Affinity
			if aff == nil || aff.PodAntiAffinity == nil || len(aff.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution) != 1 {
				t.Fatalf("worker anti-affinity %+v, want one preferred term", aff)
			}
			term := aff.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0]
			if term.Weight != 100 || term.PodAffinityTerm.TopologyKey != "kubernetes.io/hostname" {
				t.Errorf("anti-affinity weight %d topologyKey %q", term.Weight, term.PodAffinityTerm.TopologyKey)
			}
			if sel := term.PodAffinityTerm.LabelSelector; sel == nil || !maps(sel.MatchLabels, map[string]string{
				"ktune.io/run-id":             "r1",
				"app.kubernetes.io/component": "worker",
			}) {
				t.Errorf("anti-affinity selector %+v", sel)
			}
			if m.Spec.Template.Spec.Affinity != nil {
				t.Errorf("merge affinity %+v, want none", m.Spec.Template.Spec.Affinity)
			}
		})
	}
}

// pv returns *p, or "<nil>", for test messages.
func pv[T any](p *T) any {
	if p == nil {
		return "<nil>"
	}
	return *p
}

func maps(got, want map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	for k, v := range want {
		if got[k] != v {
			return false
		}
	}
	return true
}

func checkResources(t *testing.T, who string, r corev1.ResourceRequirements, cpu, memory string) {
	t.Helper()
	wantCPU, wantMem := resource.MustParse(cpu), resource.MustParse(memory)
	if got := r.Requests[corev1.ResourceCPU]; got.Cmp(wantCPU) != 0 {
		t.Errorf("%s: cpu request %s, want %s", who, got.String(), cpu)
	}
	if got := r.Requests[corev1.ResourceMemory]; got.Cmp(wantMem) != 0 {
		t.Errorf("%s: memory request %s, want %s", who, got.String(), memory)
	}
	if got := r.Limits[corev1.ResourceMemory]; got.Cmp(wantMem) != 0 {
		t.Errorf("%s: memory limit %s, want %s", who, got.String(), memory)
	}
}

func checkSecurity(t *testing.T, who string, sc *corev1.SecurityContext) {
	t.Helper()
	if sc == nil {
		t.Fatalf("%s: no container securityContext", who)
	}
	if sc.RunAsNonRoot == nil || !*sc.RunAsNonRoot {
		t.Errorf("%s: runAsNonRoot %v", who, pv(sc.RunAsNonRoot))
	}
	if sc.RunAsUser == nil || *sc.RunAsUser != 65532 {
		t.Errorf("%s: runAsUser %v", who, pv(sc.RunAsUser))
	}
	if sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation {
		t.Errorf("%s: allowPrivilegeEscalation %v", who, pv(sc.AllowPrivilegeEscalation))
	}
	if sc.ReadOnlyRootFilesystem == nil || !*sc.ReadOnlyRootFilesystem {
		t.Errorf("%s: readOnlyRootFilesystem %v", who, pv(sc.ReadOnlyRootFilesystem))
	}
	if sc.Capabilities == nil || !slices.Equal(sc.Capabilities.Drop, []corev1.Capability{"ALL"}) || len(sc.Capabilities.Add) != 0 {
		t.Errorf("%s: capabilities %+v, want drop ALL", who, sc.Capabilities)
	}
	if sc.SeccompProfile == nil || sc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: seccompProfile %+v, want RuntimeDefault", who, sc.SeccompProfile)
	}
}

func TestRenderMatchesJobs(t *testing.T) {
	for _, secret := range []string{"", "kafka-client"} {
		o := baseOptions()
		o.ConfigSecret = secret
		o.Deadline = time.Hour
		o.CPU = "1500m"
		w, m, err := Jobs(o)
		if err != nil {
			t.Fatal(err)
		}
		dw, dm := renderDecode(t, o)
		for _, p := range []struct{ typed, decoded *batchv1.Job }{{w, dw}, {m, dm}} {
			if !apiequality.Semantic.DeepEqual(p.typed, p.decoded) {
				t.Errorf("secret %q: %s differs after Render and Decode\n typed   %+v\n decoded %+v", secret, p.typed.Name, p.typed.Spec, p.decoded.Spec)
			}
		}
	}
}

func TestJobsReturnFreshObjects(t *testing.T) {
	o := baseOptions()
	w, _, err := Jobs(o)
	if err != nil {
		t.Fatal(err)
	}
	w.Spec.Template.Spec.Containers[0].Args[0] = "changed"
	if o.WorkerArgs[0] != "produce" {
		t.Errorf("changing the Job's args changed Options.WorkerArgs")
	}
	w.Labels["x"] = "y"
	if _, ok := w.Spec.Template.Labels["x"]; ok {
		t.Errorf("job and pod labels share a map")
	}
}

func TestNames(t *testing.T) {
	long := strings.Repeat("a", 100)
	for _, tc := range []struct {
		runID   string
		wantRun string // "" with wantErr
		wantErr string
	}{
		{runID: "r1", wantRun: "r1"},
		{runID: "Run_ABC.1", wantRun: "run-abc-1"},
		{runID: "--Bench 2024/07/01--", wantRun: "bench-2024-07-01"},
		{runID: "ünïcode", wantRun: "n-code"},
		{runID: long, wantRun: long[:49]},
		// The cut lands after a '-', which is trimmed.
		{runID: strings.Repeat("a", 48) + "-bbbb", wantRun: strings.Repeat("a", 48)},
		{runID: "___", wantErr: "needs at least one letter or digit"},
		{runID: "", wantErr: "no --run-id"},
	} {
		t.Run(tc.runID, func(t *testing.T) {
			o := baseOptions()
			o.RunID = tc.runID
			w, m, err := Jobs(o)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := w.Labels["ktune.io/run-id"]; got != tc.wantRun {
				t.Errorf("run-id label %q, want %q", got, tc.wantRun)
			}
			if errs := validation.IsValidLabelValue(w.Labels["ktune.io/run-id"]); len(errs) > 0 {
				t.Errorf("run-id label invalid: %v", errs)
			}
			for _, j := range []*batchv1.Job{w, m} {
				if len(j.Name) > 63 {
					t.Errorf("name %q is %d chars, want <= 63", j.Name, len(j.Name))
				}
				if errs := validation.IsDNS1123Label(j.Name); len(errs) > 0 {
					t.Errorf("name %q: %v", j.Name, errs)
				}
			}
			if w.Name != "ktune-"+tc.wantRun+"-workers" || m.Name != "ktune-"+tc.wantRun+"-merge" {
				t.Errorf("names %q, %q", w.Name, m.Name)
			}
		})
	}
}

func TestBadOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		mod  func(*Options)
		want string
	}{
		{"workers 0", func(o *Options) { o.Workers = 0 }, "--workers 0: must be at least 1"},
		{"workers negative", func(o *Options) { o.Workers = -3 }, "must be at least 1"},
		{"workers too many", func(o *Options) { o.Workers = 100001 }, "pass fewer workers"},
		{"no image", func(o *Options) { o.Image = "" }, "no --image: pass the image that holds ktune"},
		{"image whitespace", func(o *Options) { o.Image = "ktune latest" }, "whitespace"},
		{"bad cpu", func(o *Options) { o.CPU = "two" }, `--cpu "two": not a quantity`},
		{"zero cpu", func(o *Options) { o.CPU = "0" }, "must be positive"},
		{"bad memory", func(o *Options) { o.Memory = "1 GB" }, `--memory "1 GB": not a quantity`},
		{"negative memory", func(o *Options) { o.Memory = "-1Gi" }, "must be positive"},
		{"worker-id=", func(o *Options) { o.WorkerArgs = append(o.WorkerArgs, "--worker-id=3") }, "WorkerArgs already hold --worker-id: render sets it from the Job's completion index"},
		{"worker-id value", func(o *Options) { o.WorkerArgs = append(o.WorkerArgs, "--worker-id", "3") }, "already hold --worker-id"},
		{"command-config value", func(o *Options) {
			o.WorkerArgs = append(o.WorkerArgs, "--command-config", "/home/me/client.properties")
		}, "kubectl create secret generic NAME --from-file=client.properties=PATH"},
		{"command-config=", func(o *Options) {
			o.WorkerArgs = append(o.WorkerArgs, "--command-config=/home/me/client.properties")
		}, "WorkerArgs hold --command-config"},
		{"merge command-config", func(o *Options) {
			o.MergeArgs = append(o.MergeArgs, "--command-config", "/home/me/client.properties")
		}, "MergeArgs hold --command-config"},
		{"negative deadline", func(o *Options) { o.Deadline = -time.Second }, "--deadline -1s: must not be negative"},
		{"bad pull policy", func(o *Options) { o.ImagePullPolicy = "always" }, `--image-pull-policy "always": must be Always, IfNotPresent or Never`},
		{"no worker args", func(o *Options) { o.WorkerArgs = nil }, "no worker args"},
		{"no merge args", func(o *Options) { o.MergeArgs = []string{} }, "no merge args"},
		{"bad namespace", func(o *Options) { o.Namespace = "Bench_NS" }, `--namespace "Bench_NS"`},
		{"secret path", func(o *Options) { o.ConfigSecret = "/home/me/client.properties" }, "pass the name of the Secret, not a path"},
		{"secret key alone", func(o *Options) { o.ConfigSecretKey = "x.properties" }, "without a config secret"},
		{"bad secret key", func(o *Options) { o.ConfigSecret = "s"; o.ConfigSecretKey = "a/b" }, `config secret key "a/b"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := baseOptions()
			tc.mod(&o)
			w, m, err := Jobs(o)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("Jobs err %v, want %q", err, tc.want)
			}
			if w != nil || m != nil {
				t.Errorf("Jobs returned jobs with an error")
			}
			// One line, lower-case except for a leading Go field name.
			msg := err.Error()
			upper := msg[0] >= 'A' && msg[0] <= 'Z'
			if strings.Contains(msg, "\n") || upper && !strings.HasPrefix(msg, "WorkerArgs") && !strings.HasPrefix(msg, "MergeArgs") {
				t.Errorf("error %q is not one lower-case line", err)
			}
			if out, err := Render(o); err == nil || out != nil {
				t.Errorf("Render: out %q err %v, want an error", out, err)
			}
		})
	}
}

func TestDecode(t *testing.T) {
	const job = `apiVersion: batch/v1
kind: Job
metadata:
  name: j
spec:
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: ktune
        image: ktune
`
	for _, tc := range []struct {
		name    string
		in      string
		wantN   int
		wantErr string
	}{
		{name: "one", in: job, wantN: 1},
		{name: "empty stream", in: "", wantN: 0},
		{name: "empty documents skipped", in: "---\n# comment only\n---\n" + job + "---\n\n---\n" + job + "---\n", wantN: 2},
		{name: "unknown spec field", in: strings.Replace(job, "spec:\n  template:", "spec:\n  completionz: 3\n  template:", 1), wantErr: "completionz"},
		{name: "unknown container field", in: strings.Replace(job, "image: ktune", "image: ktune\n        imagez: x", 1), wantErr: "imagez"},
		{name: "duplicate field", in: strings.Replace(job, "name: j", "name: j\n  name: k", 1), wantErr: "yaml document 1"},
		{name: "not a job", in: strings.Replace(job, "kind: Job", "kind: Pod", 1), wantErr: "only batch/v1 Job"},
		{name: "wrong version", in: strings.Replace(job, "batch/v1", "batch/v1beta1", 1), wantErr: "only batch/v1 Job"},
		{name: "bad yaml", in: job + "---\nspec: [\n", wantErr: "yaml document 2"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			jobs, err := Decode([]byte(tc.in))
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(jobs) != tc.wantN {
				t.Fatalf("%d jobs, want %d", len(jobs), tc.wantN)
			}
			for _, j := range jobs {
				if j.Name != "j" || j.Spec.Template.Spec.Containers[0].Image != "ktune" {
					t.Errorf("decoded %+v", j)
				}
			}
		})
	}
}

func TestRenderHasNoStatusOrLocalPaths(t *testing.T) {
	o := baseOptions()
	o.ConfigSecret = "kafka-client"
	out, err := Render(o)
	if err != nil {
		t.Fatal(err)
	}
	s := string(out)
	for _, bad := range []string{"status:", "creationTimestamp", "/home/"} {
		if strings.Contains(s, bad) {
			t.Errorf("rendered manifest holds %q:\n%s", bad, s)
		}
	}
	if !strings.HasPrefix(s, "apiVersion: batch/v1\nkind: Job\n") {
		t.Errorf("rendered manifest does not start with apiVersion and kind:\n%s", s)
	}
}

// With a metrics port the worker pods serve their metrics beyond loopback
// on a named port, carry the scrape annotations, and --pod-monitor adds a
// PodMonitor selecting exactly the run's worker pods; the merge Job is
// not scraped.
func TestRenderMetrics(t *testing.T) {
	o := baseOptions()
	o.MetricsPort, o.PodMonitor = 9464, true
	w, m := renderDecode(t, o)
	wc := container(t, w)
	if !slices.Contains(wc.Args, "--metrics-addr=0.0.0.0:9464") {
		t.Errorf("worker args %q lack --metrics-addr", wc.Args)
	}
	if len(wc.Ports) != 1 || wc.Ports[0].Name != "metrics" || wc.Ports[0].ContainerPort != 9464 {
		t.Errorf("worker ports %+v", wc.Ports)
	}
	want := map[string]string{"prometheus.io/scrape": "true", "prometheus.io/port": "9464", "prometheus.io/path": "/metrics"}
	if got := w.Spec.Template.Annotations; !maps(got, want) {
		t.Errorf("worker pod annotations %v, want %v", got, want)
	}
	if len(m.Spec.Template.Annotations) != 0 || len(container(t, m).Ports) != 0 {
		t.Error("the merge Job is annotated for scraping")
	}
	out, err := Render(o)
	if err != nil {
		t.Fatal(err)
	}
	docs := strings.Split(string(out), "\n---\n")
	if len(docs) != 3 {
		t.Fatalf("%d documents, want the two Jobs and a PodMonitor", len(docs))
	}
	pm := docs[2]
	for _, s := range []string{"apiVersion: monitoring.coreos.com/v1", "kind: PodMonitor", "app.kubernetes.io/component: worker", "ktune.io/run-id: r1", "port: metrics", "path: /metrics"} {
		if !strings.Contains(pm, s) {
			t.Errorf("PodMonitor lacks %q:\n%s", s, pm)
		}
	}

	for _, tc := range []struct {
		name string
		edit func(*Options)
		err  string
	}{
		{"pod monitor without a port", func(o *Options) { o.MetricsPort = 0 }, "--pod-monitor without --metrics-port"},
		{"port out of range", func(o *Options) { o.MetricsPort = 70000 }, "--metrics-port 70000"},
		{"metrics-addr in the run", func(o *Options) { o.WorkerArgs = append(o.WorkerArgs, "--metrics-addr=:1") }, "render sets it"},
	} {
		bad := baseOptions()
		bad.MetricsPort, bad.PodMonitor = 9464, true
		tc.edit(&bad)
		if _, err := Render(bad); err == nil || !strings.Contains(err.Error(), tc.err) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.err)
		}
	}
}
