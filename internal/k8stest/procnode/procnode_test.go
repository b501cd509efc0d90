package procnode

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	corev1 "k8s.io/api/core/v1"
)

// root returns a fresh node folder the pods' users can traverse
// (t.TempDir's folders are private to the test's user).
func root(t *testing.T) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "procnode-test-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.RemoveAll(dir) })
	if err := os.Chmod(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	return dir
}

// run creates pod on a Provider whose "ktune" is /bin/sh and returns the
// provider and the pod's terminal status.
func run(t *testing.T, pod *corev1.Pod) (*Provider, *corev1.Pod) {
	t.Helper()
	p := New(Config{Ktune: "/bin/sh", Root: root(t), Secret: func(_ context.Context, ns, name string) (*corev1.Secret, error) {
		return secrets(name)
	}})
	final := make(chan *corev1.Pod, 1)
	var phases []corev1.PodPhase
	p.NotifyPods(context.Background(), func(pod *corev1.Pod) {
		phases = append(phases, pod.Status.Phase)
		if pod.Status.Phase == corev1.PodSucceeded || pod.Status.Phase == corev1.PodFailed {
			select {
			case final <- pod:
			default:
			}
		}
	})
	if err := p.CreatePod(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	select {
	case got := <-final:
		return p, got
	case <-time.After(30 * time.Second):
		t.Fatalf("pod did not finish within 30 s; phases %v", phases)
	}
	return nil, nil
}

func shellPod(script string) *corev1.Pod {
	pod := workerPod()
	pod.UID = "uid-1"
	// The Secret is mounted; the script reads it through the mapped path,
	// writes in its working directory and reports its environment.
	pod.Spec.Containers[0].Args = []string{"-c", script, "sh", "$(KTUNE_WORKER_ID)", "/etc/ktune/client.properties"}
	return pod
}

func logs(t *testing.T, p *Provider, pod *corev1.Pod, opts api.ContainerLogOpts) string {
	t.Helper()
	rc, err := p.GetContainerLogs(context.Background(), pod.Namespace, pod.Name, "ktune", opts)
	if err != nil {
		t.Fatal(err)
	}
	defer rc.Close()
	b, err := io.ReadAll(rc)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestProviderRunsPodAsProcess(t *testing.T) {
	pod := shellPod(`echo "worker $1"; cut -d= -f1 "$2"; echo "dir $(basename "$PWD")"; echo out > result.json; echo "tmp $(basename "$TMPDIR")" >&2`)
	p, got := run(t, pod)
	if got.Status.Phase != corev1.PodSucceeded {
		t.Fatalf("phase %s (%s), want Succeeded; log:\n%s", got.Status.Phase, got.Status.Message, logs(t, p, pod, api.ContainerLogOpts{}))
	}
	cs := got.Status.ContainerStatuses
	if len(cs) != 1 || cs[0].State.Terminated == nil || cs[0].State.Terminated.ExitCode != 0 || cs[0].State.Terminated.Reason != "Completed" {
		t.Fatalf("container statuses %+v", cs)
	}
	if got.Status.PodIP != "127.0.0.1" || got.Status.StartTime == nil {
		t.Errorf("pod ip %q start %v", got.Status.PodIP, got.Status.StartTime)
	}
	want := "worker 2\nsasl.password\ndir results\ntmp tmp\n"
	if out := logs(t, p, pod, api.ContainerLogOpts{}); out != want {
		t.Errorf("log %q, want %q", out, want)
	}
	if out := logs(t, p, pod, api.ContainerLogOpts{Tail: 1}); out != "tmp tmp\n" {
		t.Errorf("tail 1: %q", out)
	}
	e := p.pods["ns/"+pod.Name]
	if _, err := os.Stat(filepath.Join(e.dir, "root", "volumes", "results", "result.json")); err != nil {
		t.Errorf("result file not in the results volume: %v", err)
	}
	// The Secret's files are gone once the process has exited.
	if _, err := os.Stat(filepath.Join(e.dir, "root", "volumes", "client-config", "client.properties")); !os.IsNotExist(err) {
		t.Errorf("secret file still there after exit: %v", err)
	}
	if err := p.DeletePod(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(e.dir); !os.IsNotExist(err) {
		t.Errorf("pod folder left after delete: %v", err)
	}
	if _, err := p.GetPod(context.Background(), pod.Namespace, pod.Name); err == nil {
		t.Error("deleted pod still known")
	}
}

func TestProviderReportsExitCode(t *testing.T) {
	pod := shellPod(`echo failing; exit 3`)
	p, got := run(t, pod)
	cs := got.Status.ContainerStatuses
	if got.Status.Phase != corev1.PodFailed || len(cs) != 1 || cs[0].State.Terminated.ExitCode != 3 || cs[0].State.Terminated.Reason != "Error" {
		t.Fatalf("status %+v", got.Status)
	}
	if out := logs(t, p, pod, api.ContainerLogOpts{}); out != "failing\n" {
		t.Errorf("log %q", out)
	}
}

func TestProviderRefusesWithStatus(t *testing.T) {
	pod := shellPod("true")
	pod.Spec.Containers[0].Image = "nginx:1"
	_, got := run(t, pod)
	if got.Status.Phase != corev1.PodFailed || got.Status.Reason != ReasonUnsupported || !strings.Contains(got.Status.Message, `image "nginx:1"`) {
		t.Fatalf("status %+v", got.Status)
	}
	if ts := got.Status.ContainerStatuses[0].State.Terminated; ts == nil || ts.ExitCode == 0 || ts.Reason != ReasonUnsupported {
		t.Fatalf("container state %+v", got.Status.ContainerStatuses[0].State)
	}
}

func TestProviderDeleteStopsProcess(t *testing.T) {
	pod := shellPod(`echo started; exec sleep 60`)
	p := New(Config{Ktune: "/bin/sh", Root: root(t), Secret: func(_ context.Context, ns, name string) (*corev1.Secret, error) {
		return secrets(name)
	}})
	final := make(chan *corev1.Pod, 4)
	p.NotifyPods(context.Background(), func(pod *corev1.Pod) {
		if pod.Status.Phase == corev1.PodFailed || pod.Status.Phase == corev1.PodSucceeded {
			final <- pod
		}
	})
	if err := p.CreatePod(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	st, err := p.GetPodStatus(context.Background(), pod.Namespace, pod.Name)
	if err != nil || st.Phase != corev1.PodRunning {
		t.Fatalf("status %v, %v; want Running", st, err)
	}
	pod.DeletionGracePeriodSeconds = ptr(int64(5))
	if err := p.DeletePod(context.Background(), pod); err != nil {
		t.Fatal(err)
	}
	got := <-final
	// sleep dies of SIGTERM (128+15), not of the SIGKILL that would end
	// the grace period (137): the exit code, not a wall-clock bound, says
	// SIGTERM stopped it.
	if ts := got.Status.ContainerStatuses[0].State.Terminated; ts == nil || ts.ExitCode != 143 {
		t.Fatalf("terminated %+v, want exit code 143", got.Status.ContainerStatuses[0].State)
	}
}
