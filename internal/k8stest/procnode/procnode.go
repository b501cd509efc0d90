// Package procnode is a virtual-kubelet provider that runs each pod
// scheduled to its node as a local process: test infrastructure that lets a
// real Kubernetes control plane run ktune's Jobs on one machine, without a
// container runtime or an image registry.
//
// The locally built ktune binary stands in for images named ktune or
// ktune:<tag>; the container's args are expanded as the kubelet expands
// them, its environment (downward API included) is resolved, emptyDir and
// Secret volumes are host folders under the pod's folder and every mount
// path in an argument or the working directory is mapped onto them. Pods
// the node cannot run faithfully fail at once with reason Unsupported and a
// message that says why. Output (stdout and stderr, as a kubelet keeps
// them) is the container's log.
//
// Not enforced: resource limits, the read-only root filesystem (the process
// sees the host's), network isolation. When the node runs as root, the
// process runs as the pod's runAsUser/runAsGroup with fsGroup as a
// supplementary group, so file permissions are those of the pod.
package procnode

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/virtual-kubelet/virtual-kubelet/errdefs"
	"github.com/virtual-kubelet/virtual-kubelet/node/api"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	statsv1alpha1 "k8s.io/kubelet/pkg/apis/stats/v1alpha1"
)

// Pod status reasons this node sets.
const (
	ReasonUnsupported = "Unsupported"
	ReasonSetupFailed = "SetupFailed"
	ReasonStartFailed = "StartError"
)

// Config configures a Provider.
type Config struct {
	// Ktune is the ktune binary that stands in for the ktune image. It must
	// be executable by the pods' users.
	Ktune string
	// Root is the folder holding a folder per pod.
	Root string
	// IP is the node's (and every pod's) address.
	IP string
	// Secret returns a Secret by namespace and name.
	Secret func(ctx context.Context, namespace, name string) (*corev1.Secret, error)
	// Log receives the node's own log lines; nil discards them.
	Log *slog.Logger
}

// Provider runs pods as local processes. It implements virtual-kubelet's
// nodeutil.Provider and node.PodNotifier.
type Provider struct {
	cfg Config
	log *slog.Logger

	mu     sync.Mutex
	pods   map[string]*entry // namespace/name
	notify func(*corev1.Pod)
}

type entry struct {
	pod  *corev1.Pod // with the status this node reports
	dir  string
	logf string
	cmd  *exec.Cmd
	done chan struct{} // closed when the process has exited (or never ran)
}

// New returns a Provider.
func New(cfg Config) *Provider {
	l := cfg.Log
	if l == nil {
		l = slog.New(slog.DiscardHandler)
	}
	if cfg.IP == "" {
		cfg.IP = "127.0.0.1"
	}
	return &Provider{cfg: cfg, log: l, pods: map[string]*entry{}, notify: func(*corev1.Pod) {}}
}

func key(namespace, name string) string { return namespace + "/" + name }

// NotifyPods registers the callback that receives status changes.
func (p *Provider) NotifyPods(_ context.Context, f func(*corev1.Pod)) {
	p.mu.Lock()
	p.notify = f
	p.mu.Unlock()
}

// CreatePod runs pod's container as a local process, or records it as
// failed when the node cannot run it.
func (p *Provider) CreatePod(ctx context.Context, pod *corev1.Pod) error {
	k := key(pod.Namespace, pod.Name)
	p.mu.Lock()
	if _, ok := p.pods[k]; ok {
		p.mu.Unlock()
		return nil
	}
	dir := filepath.Join(p.cfg.Root, pod.Namespace, pod.Name+"-"+string(pod.UID))
	e := &entry{pod: pod.DeepCopy(), dir: dir, logf: filepath.Join(dir, "container.log"), done: make(chan struct{})}
	p.pods[k] = e
	p.mu.Unlock()

	now := metav1.Now()
	e.pod.Status = corev1.PodStatus{
		Phase:     corev1.PodPending,
		HostIP:    p.cfg.IP,
		HostIPs:   []corev1.HostIP{{IP: p.cfg.IP}},
		PodIP:     p.cfg.IP,
		PodIPs:    []corev1.PodIP{{IP: p.cfg.IP}},
		StartTime: &now,
	}
	proc, err := Plan(pod, p.cfg.Ktune, filepath.Join(dir, "root"), func(name string) (*corev1.Secret, error) {
		return p.cfg.Secret(ctx, pod.Namespace, name)
	})
	if err != nil {
		reason := ReasonSetupFailed
		if IsUnsupported(err) {
			reason = ReasonUnsupported
		}
		p.finish(e, reason, err.Error(), 128)
		p.log.Warn("pod refused", "pod", k, "reason", reason, "err", err)
		return nil
	}
	if err := setUp(dir, proc); err != nil {
		p.finish(e, ReasonSetupFailed, err.Error(), 128)
		return nil
	}
	logf, err := os.OpenFile(e.logf, os.O_CREATE|os.O_WRONLY|os.O_APPEND, 0o600)
	if err != nil {
		p.finish(e, ReasonSetupFailed, err.Error(), 128)
		return nil
	}
	cmd := exec.Command(proc.Path, proc.Args...)
	cmd.Env, cmd.Dir, cmd.Stdout, cmd.Stderr = proc.Env, proc.Dir, logf, logf
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true, Credential: credential(proc)}
	if err := cmd.Start(); err != nil {
		logf.Close()
		p.finish(e, ReasonStartFailed, err.Error(), 128)
		return nil
	}
	p.log.Info("pod started", "pod", k, "pid", cmd.Process.Pid, "args", proc.Args)
	p.mu.Lock()
	e.cmd = cmd
	started := metav1.Now()
	e.pod.Status.Phase = corev1.PodRunning
	e.pod.Status.Conditions = conditions(corev1.ConditionTrue, started)
	e.pod.Status.ContainerStatuses = []corev1.ContainerStatus{{
		Name: pod.Spec.Containers[0].Name, Image: pod.Spec.Containers[0].Image, ImageID: proc.Path,
		Ready: true, Started: ptr(true),
		State: corev1.ContainerState{Running: &corev1.ContainerStateRunning{StartedAt: started}},
	}}
	p.mu.Unlock()
	p.send(e)
	go func() {
		err := cmd.Wait()
		logf.Close()
		code := 0
		if err != nil {
			code = -1
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				code = exitCode(ee)
			}
		}
		reason := "Completed"
		if code != 0 {
			reason = "Error"
		}
		p.log.Info("pod exited", "pod", k, "exit_code", code)
		p.finish(e, reason, "", int32(code))
		// The Secret's files must not outlive the process.
		removeSecrets(proc)
	}()
	return nil
}

// exitCode is the container exit code of a process: its exit status, or
// 128 plus the signal that killed it.
func exitCode(ee *exec.ExitError) int {
	if ws, ok := ee.Sys().(syscall.WaitStatus); ok && ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ee.ExitCode()
}

func removeSecrets(proc *Process) {
	for _, f := range proc.Files {
		os.Remove(f.Path)
	}
}

// finish records the container as terminated and the pod as Succeeded
// (exit code 0) or Failed.
func (p *Provider) finish(e *entry, reason, message string, code int32) {
	p.mu.Lock()
	select {
	case <-e.done:
		p.mu.Unlock()
		return
	default:
	}
	close(e.done)
	now := metav1.Now()
	st := &e.pod.Status
	st.Phase = corev1.PodSucceeded
	if code != 0 {
		st.Phase = corev1.PodFailed
	}
	if code != 0 && reason != "Error" {
		st.Reason, st.Message = reason, message
	}
	started := now
	if len(st.ContainerStatuses) == 1 && st.ContainerStatuses[0].State.Running != nil {
		started = st.ContainerStatuses[0].State.Running.StartedAt
	}
	c := e.pod.Spec.Containers[0]
	st.Conditions = conditions(corev1.ConditionFalse, now)
	st.ContainerStatuses = []corev1.ContainerStatus{{
		Name: c.Name, Image: c.Image, ImageID: p.cfg.Ktune, Started: ptr(false),
		State: corev1.ContainerState{Terminated: &corev1.ContainerStateTerminated{
			ExitCode: code, Reason: reason, Message: message, StartedAt: started, FinishedAt: now,
		}},
	}}
	p.mu.Unlock()
	p.send(e)
}

func conditions(ready corev1.ConditionStatus, at metav1.Time) []corev1.PodCondition {
	return []corev1.PodCondition{
		{Type: corev1.PodScheduled, Status: corev1.ConditionTrue, LastTransitionTime: at},
		{Type: corev1.PodInitialized, Status: corev1.ConditionTrue, LastTransitionTime: at},
		{Type: corev1.ContainersReady, Status: ready, LastTransitionTime: at},
		{Type: corev1.PodReady, Status: ready, LastTransitionTime: at},
	}
}

// send passes a copy of e's pod to the status callback.
func (p *Provider) send(e *entry) {
	p.mu.Lock()
	pod, f := e.pod.DeepCopy(), p.notify
	p.mu.Unlock()
	f(pod)
}

// credential is the process's user when the node runs as root and the pod
// names one; otherwise the process runs as the node's user.
func credential(proc *Process) *syscall.Credential {
	if os.Geteuid() != 0 || proc.UID == nil {
		return nil
	}
	c := &syscall.Credential{Uid: uint32(*proc.UID), Gid: uint32(*proc.UID)}
	if proc.GID != nil {
		c.Gid = uint32(*proc.GID)
	}
	if proc.FSGroup != nil {
		c.Groups = []uint32{uint32(*proc.FSGroup)}
	}
	return c
}

// setUp creates the pod's folders and writes its Secret files, group-owned
// by fsGroup when the node can chown (as the kubelet does).
func setUp(dir string, proc *Process) error {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, d := range proc.Dirs {
		if err := os.MkdirAll(d, 0o755); err != nil {
			return err
		}
		// emptyDir volumes are world-writable, as the kubelet makes them.
		if err := os.Chmod(d, 0o777); err != nil {
			return err
		}
	}
	for _, f := range proc.Files {
		if err := os.MkdirAll(filepath.Dir(f.Path), 0o755); err != nil {
			return err
		}
		if err := os.WriteFile(f.Path, f.Data, 0o600); err != nil {
			return err
		}
		if proc.FSGroup != nil && os.Geteuid() == 0 {
			if err := os.Chown(f.Path, 0, int(*proc.FSGroup)); err != nil {
				return err
			}
		}
		if err := os.Chmod(f.Path, f.Mode); err != nil {
			return err
		}
	}
	return nil
}

// StopAll stops every running process: SIGTERM to its process group, then
// SIGKILL after grace. The node calls it when it stops, so no pod outlives
// it.
func (p *Provider) StopAll(grace time.Duration) {
	p.mu.Lock()
	var running []*entry
	for _, e := range p.pods {
		if e.cmd != nil {
			running = append(running, e)
		}
	}
	p.mu.Unlock()
	for _, e := range running {
		stop(e, grace, nil)
	}
}

// stop ends e's process: SIGTERM to its process group, SIGKILL after grace
// or when done ends, and waits for it to exit.
func stop(e *entry, grace time.Duration, done <-chan struct{}) {
	select {
	case <-e.done:
		return
	default:
	}
	pid := e.cmd.Process.Pid
	syscall.Kill(-pid, syscall.SIGTERM)
	select {
	case <-e.done:
		return
	case <-time.After(grace):
	case <-done:
	}
	syscall.Kill(-pid, syscall.SIGKILL)
	<-e.done
}

// UpdatePod takes the pod's new labels and annotations; nothing else of a
// running pod may change.
func (p *Provider) UpdatePod(_ context.Context, pod *corev1.Pod) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if e, ok := p.pods[key(pod.Namespace, pod.Name)]; ok {
		e.pod.Labels, e.pod.Annotations = pod.Labels, pod.Annotations
	}
	return nil
}

// DeletePod stops the pod's process (SIGTERM to its process group, SIGKILL
// after the grace period), removes its folder and forgets it.
func (p *Provider) DeletePod(ctx context.Context, pod *corev1.Pod) error {
	k := key(pod.Namespace, pod.Name)
	p.mu.Lock()
	e, ok := p.pods[k]
	p.mu.Unlock()
	if !ok {
		return errdefs.NotFoundf("pod %s is not on this node", k)
	}
	grace := 30 * time.Second
	if g := pod.DeletionGracePeriodSeconds; g != nil {
		grace = time.Duration(*g) * time.Second
	}
	p.mu.Lock()
	cmd := e.cmd
	p.mu.Unlock()
	if cmd != nil {
		stop(e, grace, ctx.Done())
	} else {
		p.finish(e, "Deleted", "", 0)
	}
	os.RemoveAll(e.dir)
	p.mu.Lock()
	delete(p.pods, k)
	p.mu.Unlock()
	p.send(e)
	return nil
}

// GetPod returns the pod with the status this node reports.
func (p *Provider) GetPod(_ context.Context, namespace, name string) (*corev1.Pod, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	e, ok := p.pods[key(namespace, name)]
	if !ok {
		return nil, errdefs.NotFoundf("pod %s/%s is not on this node", namespace, name)
	}
	return e.pod.DeepCopy(), nil
}

// GetPodStatus returns the pod's status.
func (p *Provider) GetPodStatus(ctx context.Context, namespace, name string) (*corev1.PodStatus, error) {
	pod, err := p.GetPod(ctx, namespace, name)
	if err != nil {
		return nil, err
	}
	return &pod.Status, nil
}

// GetPods returns every pod on this node.
func (p *Provider) GetPods(context.Context) ([]*corev1.Pod, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	pods := make([]*corev1.Pod, 0, len(p.pods))
	for _, e := range p.pods {
		pods = append(pods, e.pod.DeepCopy())
	}
	return pods, nil
}

// GetContainerLogs returns the container's output so far (stdout and
// stderr interleaved, as kubectl logs shows them); Tail and LimitBytes are
// honoured, Follow is not (the output so far is returned).
func (p *Provider) GetContainerLogs(_ context.Context, namespace, podName, containerName string, opts api.ContainerLogOpts) (io.ReadCloser, error) {
	p.mu.Lock()
	e, ok := p.pods[key(namespace, podName)]
	p.mu.Unlock()
	if !ok {
		return nil, errdefs.NotFoundf("pod %s/%s is not on this node", namespace, podName)
	}
	if c := e.pod.Spec.Containers[0].Name; containerName != "" && containerName != c {
		return nil, errdefs.NotFoundf("pod %s/%s has no container %q (it has %q)", namespace, podName, containerName, c)
	}
	data, err := os.ReadFile(e.logf)
	if errors.Is(err, os.ErrNotExist) {
		data, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	if opts.Tail > 0 {
		data = tail(data, opts.Tail)
	}
	if opts.LimitBytes > 0 && len(data) > opts.LimitBytes {
		data = data[:opts.LimitBytes]
	}
	return io.NopCloser(bytes.NewReader(data)), nil
}

// tail returns the last n lines of data.
func tail(data []byte, n int) []byte {
	var lines [][]byte
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 64*1024), len(data)+1)
	for sc.Scan() {
		lines = append(lines, append(append([]byte{}, sc.Bytes()...), '\n'))
	}
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return bytes.Join(lines, nil)
}

var errNotSupported = errdefs.InvalidInput("not supported by the process node")

// RunInContainer is not supported.
func (p *Provider) RunInContainer(context.Context, string, string, string, []string, api.AttachIO) error {
	return errNotSupported
}

// AttachToContainer is not supported.
func (p *Provider) AttachToContainer(context.Context, string, string, string, api.AttachIO) error {
	return errNotSupported
}

// PortForward is not supported.
func (p *Provider) PortForward(context.Context, string, string, int32, io.ReadWriteCloser) error {
	return errNotSupported
}

// GetStatsSummary is not supported.
func (p *Provider) GetStatsSummary(context.Context) (*statsv1alpha1.Summary, error) {
	return nil, errNotSupported
}

// GetMetricsResource is not supported.
func (p *Provider) GetMetricsResource(context.Context) ([]*dto.MetricFamily, error) {
	return nil, errNotSupported
}

func ptr[T any](v T) *T { return &v }
