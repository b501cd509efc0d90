package procnode

import (
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// workerPod is a pod shaped like the ones the Job controller makes from
// ktune's rendered worker Job.
func workerPod() *corev1.Pod {
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{
			Name: "ktune-r1-workers-2-abcde", Namespace: "ns",
			Annotations: map[string]string{"batch.kubernetes.io/job-completion-index": "2"},
		},
		Spec: corev1.PodSpec{
			SecurityContext: &corev1.PodSecurityContext{RunAsUser: ptr(int64(65532)), RunAsGroup: ptr(int64(65532)), FSGroup: ptr(int64(65532))},
			Containers: []corev1.Container{{
				Name: "ktune", Image: "ktune:dev", WorkingDir: "/results",
				Args: []string{"produce", "--brokers", "127.0.0.1:9092", "--worker-id=$(KTUNE_WORKER_ID)", "--command-config=/etc/ktune/client.properties"},
				Env: []corev1.EnvVar{{Name: "KTUNE_WORKER_ID", ValueFrom: &corev1.EnvVarSource{FieldRef: &corev1.ObjectFieldSelector{
					FieldPath: "metadata.annotations['batch.kubernetes.io/job-completion-index']",
				}}}},
				VolumeMounts: []corev1.VolumeMount{
					{Name: "results", MountPath: "/results"},
					{Name: "tmp", MountPath: "/tmp"},
					{Name: "client-config", MountPath: "/etc/ktune", ReadOnly: true},
				},
			}},
			Volumes: []corev1.Volume{
				{Name: "results", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "tmp", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}},
				{Name: "client-config", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{
					SecretName: "ktune-client", DefaultMode: ptr(int32(0o440)),
					Items: []corev1.KeyToPath{{Key: "client.properties", Path: "client.properties"}},
				}}},
			},
		},
	}
}

func secrets(name string) (*corev1.Secret, error) {
	if name != "ktune-client" {
		return nil, errors.New("not found")
	}
	return &corev1.Secret{Data: map[string][]byte{"client.properties": []byte("sasl.password=s3cret\n")}}, nil
}

func TestPlanWorkerPod(t *testing.T) {
	root := "/node/pods/p1/root"
	p, err := Plan(workerPod(), "/bin/ktune", root, secrets)
	if err != nil {
		t.Fatal(err)
	}
	vol := func(n string) string { return filepath.Join(root, "volumes", n) }
	wantArgs := []string{"produce", "--brokers", "127.0.0.1:9092", "--worker-id=2", "--command-config=" + vol("client-config") + "/client.properties"}
	if !slices.Equal(p.Args, wantArgs) {
		t.Errorf("args %q, want %q", p.Args, wantArgs)
	}
	if p.Path != "/bin/ktune" || p.Dir != vol("results") {
		t.Errorf("path %q dir %q", p.Path, p.Dir)
	}
	for _, want := range []string{"KTUNE_WORKER_ID=2", "TMPDIR=" + vol("tmp"), "HOSTNAME=ktune-r1-workers-2-abcde", "PATH=" + defaultPath} {
		if !slices.Contains(p.Env, want) {
			t.Errorf("env %q lacks %q", p.Env, want)
		}
	}
	if len(p.Files) != 1 || p.Files[0].Path != vol("client-config")+"/client.properties" || p.Files[0].Mode != 0o440 || string(p.Files[0].Data) != "sasl.password=s3cret\n" {
		t.Errorf("files %+v", p.Files)
	}
	if *p.UID != 65532 || *p.GID != 65532 || *p.FSGroup != 65532 {
		t.Errorf("ids %d %d %d", *p.UID, *p.GID, *p.FSGroup)
	}
}

func TestPlanRefuses(t *testing.T) {
	for _, tc := range []struct {
		name   string
		change func(*corev1.Pod)
		want   string
	}{
		{"other image", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "busybox" }, `image "busybox"`},
		{"registry image", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "registry.example/ktune:v1" }, "only images named ktune"},
		{"digest", func(p *corev1.Pod) { p.Spec.Containers[0].Image = "ktune@sha256:00" }, "only images named ktune"},
		{"command", func(p *corev1.Pod) { p.Spec.Containers[0].Command = []string{"/bin/sh"} }, "entrypoint"},
		{"two containers", func(p *corev1.Pod) { p.Spec.Containers = append(p.Spec.Containers, p.Spec.Containers[0]) }, "exactly one container"},
		{"host path", func(p *corev1.Pod) {
			p.Spec.Volumes[0].VolumeSource = corev1.VolumeSource{HostPath: &corev1.HostPathVolumeSource{Path: "/var"}}
		}, "volume results: only emptyDir and secret"},
		{"sub path", func(p *corev1.Pod) { p.Spec.Containers[0].VolumeMounts[0].SubPath = "x" }, "subPath"},
		{"working dir off volumes", func(p *corev1.Pod) { p.Spec.Containers[0].WorkingDir = "/work" }, `working directory "/work"`},
		{"unsupported field", func(p *corev1.Pod) {
			p.Spec.Containers[0].Env[0].ValueFrom.FieldRef.FieldPath = "status.podIP"
		}, `field path "status.podIP"`},
		{"privileged", func(p *corev1.Pod) {
			p.Spec.Containers[0].SecurityContext = &corev1.SecurityContext{Privileged: ptr(true)}
		}, "privileged"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pod := workerPod()
			tc.change(pod)
			_, err := Plan(pod, "/bin/ktune", "/r", secrets)
			if !IsUnsupported(err) || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("err %v, want a refusal holding %q", err, tc.want)
			}
		})
	}
}

func TestPlanMissingSecret(t *testing.T) {
	pod := workerPod()
	pod.Spec.Volumes[2].Secret.SecretName = "gone"
	_, err := Plan(pod, "/bin/ktune", "/r", secrets)
	if err == nil || IsUnsupported(err) || !strings.Contains(err.Error(), "secret gone") {
		t.Fatalf("err %v, want a missing secret error", err)
	}
	pod.Spec.Volumes[2].Secret.Optional = ptr(true)
	if _, err := Plan(pod, "/bin/ktune", "/r", secrets); err != nil {
		t.Fatalf("optional secret: %v", err)
	}
}

func TestMapArg(t *testing.T) {
	mounts := []mount{{at: "/etc/ktune", host: "/h/cfg"}, {at: "/results", host: "/h/res"}}
	for _, tc := range []struct{ in, want string }{
		{"/etc/ktune/client.properties", "/h/cfg/client.properties"},
		{"--command-config=/etc/ktune/client.properties", "--command-config=/h/cfg/client.properties"},
		{"/etc/ktunex/a", "/etc/ktunex/a"},
		{"/results", "/h/res"},
		{"--out=-", "--out=-"},
		{"relative/etc/ktune", "relative/etc/ktune"},
		{"k=/results/x", "k=/results/x"},
	} {
		if got := mapArg(tc.in, mounts); got != tc.want {
			t.Errorf("mapArg(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
