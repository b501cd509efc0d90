// Package e2e applies ktune's rendered Kubernetes manifests to a real
// control plane (scripts/k8s-local.sh) whose node runs pods as local
// processes, against a real Kafka cluster (scripts/kafka.sh --sasl), and
// checks the distributed run end to end. scripts/test.sh runs it after the
// Kafka integration tests; KTUNE_SKIP_K8S=1 skips it.
package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/k8s"
	"github.com/ktune/ktune/internal/worker"
	"github.com/ktune/ktune/result"
	"github.com/ktune/ktune/result/hist"
)

const (
	workers     = 3
	records     = 30000
	secretName  = "ktune-client"
	image       = "ktune:e2e"
	controlTopc = "__ktune_control"
)

// env is what the test needs from scripts/k8s-local.sh and
// scripts/kafka.sh --sasl.
type env struct {
	kubeconfig, ktune                       string
	plainBootstrap, saslBootstrap, user, pw string
}

func setup(t *testing.T) env {
	t.Helper()
	if os.Getenv("KTUNE_SKIP_K8S") == "1" {
		t.Skip("KTUNE_SKIP_K8S=1: skipping the Kubernetes end-to-end test")
	}
	e := env{
		kubeconfig: os.Getenv("KUBECONFIG"), ktune: os.Getenv("KTUNE_K8S_KTUNE"),
		plainBootstrap: os.Getenv("KTUNE_KAFKA_BOOTSTRAP"), saslBootstrap: os.Getenv("KTUNE_KAFKA_SASL_BOOTSTRAP"),
		user: os.Getenv("KTUNE_KAFKA_SASL_USER"), pw: os.Getenv("KTUNE_KAFKA_SASL_PASSWORD"),
	}
	if e.kubeconfig == "" || e.ktune == "" || e.saslBootstrap == "" || e.pw == "" {
		t.Skip("needs KUBECONFIG and KTUNE_K8S_KTUNE (source $KTUNE_K8S_STATE/env after scripts/k8s-local.sh start) and " +
			"KTUNE_KAFKA_SASL_* (scripts/kafka.sh start --brokers 3 --sasl); scripts/test.sh sets them all")
	}
	return e
}

func clientset(t *testing.T, kubeconfig string) *kubernetes.Clientset {
	t.Helper()
	rc, err := clientcmd.BuildConfigFromFlags("", kubeconfig)
	if err != nil {
		t.Fatal(err)
	}
	cs, err := kubernetes.NewForConfig(rc)
	if err != nil {
		t.Fatal(err)
	}
	return cs
}

// namespace creates a fresh namespace that enforces the restricted Pod
// Security Standard, waits for its default service account and holds the
// client properties Secret.
func namespace(ctx context.Context, t *testing.T, cs *kubernetes.Clientset, e env) string {
	t.Helper()
	ns := "ktune-e2e-" + rand.String(6)
	_, err := cs.CoreV1().Namespaces().Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{
		Name:   ns,
		Labels: map[string]string{"pod-security.kubernetes.io/enforce": "restricted"},
	}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("namespace %s kept for inspection", ns)
			return
		}
		cs.CoreV1().Namespaces().Delete(context.Background(), ns, metav1.DeleteOptions{})
	})
	poll(ctx, t, time.Minute, "the namespace's default service account", func() (bool, error) {
		_, err := cs.CoreV1().ServiceAccounts(ns).Get(ctx, "default", metav1.GetOptions{})
		return err == nil, nil
	})
	_, err = cs.CoreV1().Secrets(ns).Create(ctx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: secretName},
		Data:       map[string][]byte{"client.properties": []byte(clientProps(e))},
	}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ns
}

// clientProps are the client properties the Secret holds: SASL/SCRAM with
// the cluster's user.
func clientProps(e env) string {
	return fmt.Sprintf("security.protocol=SASL_PLAINTEXT\nsasl.mechanism=SCRAM-SHA-512\n"+
		"sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required username=\"%s\" password=\"%s\";\n", e.user, e.pw)
}

// render runs ktune k8s render as the README shows it.
// deadline bounds each Job and sets the merge's wait for the workers.
func render(t *testing.T, e env, ns, runID, topic string, deadline time.Duration) []*batchv1.Job {
	t.Helper()
	args := []string{"k8s", "render", "--workers", strconv.Itoa(workers), "--run-id", runID, "--image", image,
		"--namespace", ns, "--config-secret", secretName, "--cpu", "100m", "--memory", "512Mi", "--deadline", deadline.String(),
		"--"}
	args = append(args, workload(e, topic)...)
	t.Logf("ktune %s", strings.Join(args, " "))
	out, err := exec.Command(e.ktune, args...).Output()
	if err != nil {
		t.Fatalf("ktune k8s render: %v\n%s", err, stderr(err))
	}
	jobs, err := k8s.Decode(out)
	if err != nil || len(jobs) != 2 {
		t.Fatalf("rendered manifests: %d jobs, %v", len(jobs), err)
	}
	return jobs
}

// workload is the run's command after k8s render's "--": the same for the
// distributed run and the one-process run it is compared with.
func workload(e env, topic string) []string {
	return []string{"produce", "--brokers", e.saslBootstrap, "--topic", topic, "--partitions", "6",
		"--records", strconv.Itoa(records), "--rate", "10000", "--record-size", "256", "-X", "acks=all", "-X", "linger.ms=5"}
}

// oneProcess runs the workload as one ktune process on this machine, with
// the Secret's client properties in a file, and returns its result.
func oneProcess(t *testing.T, e env, topic string) *result.Document {
	t.Helper()
	dir := t.TempDir()
	props := filepath.Join(dir, "client.properties")
	if err := os.WriteFile(props, []byte(clientProps(e)), 0o600); err != nil {
		t.Fatal(err)
	}
	out := filepath.Join(dir, "one.json")
	args := append(workload(e, topic), "--command-config", props, "--out", out)
	cmd := exec.Command(e.ktune, args...)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("ktune %s: %v\n%s", strings.Join(args, " "), err, b)
	}
	doc, err := result.ReadFile(out)
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func stderr(err error) string {
	if ee, ok := err.(*exec.ExitError); ok {
		return string(ee.Stderr)
	}
	return ""
}

// apply creates the Jobs as kubectl apply would, with strict field
// validation: an unknown or duplicate field is an error, not a warning.
func apply(ctx context.Context, t *testing.T, cs *kubernetes.Clientset, ns string, jobs []*batchv1.Job) {
	t.Helper()
	for _, j := range jobs {
		if _, err := cs.BatchV1().Jobs(ns).Create(ctx, j, metav1.CreateOptions{FieldValidation: "Strict"}); err != nil {
			t.Fatalf("applying job %s: %v", j.Name, err)
		}
	}
}

// waitJob waits until the Job is Complete or Failed and returns which.
func waitJob(ctx context.Context, t *testing.T, cs *kubernetes.Clientset, ns, name string, timeout time.Duration) batchv1.JobConditionType {
	t.Helper()
	var got batchv1.JobConditionType
	poll(ctx, t, timeout, "job "+name+" to finish", func() (bool, error) {
		j, err := cs.BatchV1().Jobs(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for _, c := range j.Status.Conditions {
			if (c.Type == batchv1.JobComplete || c.Type == batchv1.JobFailed) && c.Status == corev1.ConditionTrue {
				got = c.Type
				return true, nil
			}
		}
		return false, nil
	})
	return got
}

func poll(ctx context.Context, t *testing.T, timeout time.Duration, what string, f func() (bool, error)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for {
		ok, err := f()
		if err != nil {
			t.Fatalf("waiting for %s: %v", what, err)
		}
		if ok {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %v", what, timeout)
		}
		select {
		case <-ctx.Done():
			t.Fatal(ctx.Err())
		case <-time.After(time.Second):
		}
	}
}

func pods(ctx context.Context, t *testing.T, cs *kubernetes.Clientset, ns, job string) []corev1.Pod {
	t.Helper()
	l, err := cs.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "job-name=" + job})
	if err != nil {
		t.Fatal(err)
	}
	return l.Items
}

func podLog(ctx context.Context, t *testing.T, cs *kubernetes.Clientset, ns, pod string) []byte {
	t.Helper()
	b, err := cs.CoreV1().Pods(ns).GetLogs(pod, &corev1.PodLogOptions{}).DoRaw(ctx)
	if err != nil {
		t.Fatalf("logs of pod %s: %v", pod, err)
	}
	return b
}

// TestDistributedProduceOnKubernetes is the README's kubectl path: render,
// apply, wait for the merge Job, read its log as the merged document.
func TestDistributedProduceOnKubernetes(t *testing.T) {
	e := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cs := clientset(t, e.kubeconfig)
	ns := namespace(ctx, t, cs, e)
	runID := "k8s" + rand.String(6)
	topic := "k8s-e2e-" + runID
	jobs := render(t, e, ns, runID, topic, 10*time.Minute)
	start := time.Now()
	apply(ctx, t, cs, ns, jobs)
	wj, mj := jobs[0].Name, jobs[1].Name

	if got := waitJob(ctx, t, cs, ns, mj, 5*time.Minute); got != batchv1.JobComplete {
		t.Fatalf("merge job %s: %s, want Complete; merge log:\n%s", mj, got, allLogs(ctx, t, cs, ns, mj))
	}
	if got := waitJob(ctx, t, cs, ns, wj, time.Minute); got != batchv1.JobComplete {
		t.Fatalf("worker job %s: %s, want Complete", wj, got)
	}
	elapsed := time.Since(start)

	// Three worker pods ran, one per completion index, and succeeded.
	var ids []int
	for _, p := range pods(ctx, t, cs, ns, wj) {
		if p.Status.Phase != corev1.PodSucceeded {
			t.Errorf("worker pod %s: phase %s", p.Name, p.Status.Phase)
		}
		id, err := strconv.Atoi(p.Annotations[batchv1.JobCompletionIndexAnnotation])
		if err != nil {
			t.Fatalf("pod %s: completion index %q", p.Name, p.Annotations[batchv1.JobCompletionIndexAnnotation])
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	if !slices.Equal(ids, []int{0, 1, 2}) {
		t.Fatalf("worker pods ran with completion indexes %v, want [0 1 2]", ids)
	}

	var done []corev1.Pod
	for _, p := range pods(ctx, t, cs, ns, mj) {
		if p.Status.Phase == corev1.PodSucceeded {
			done = append(done, p)
		} else {
			// The merge starts beside the workers and waits for the
			// control topic they create: it must not need a retry.
			t.Errorf("merge pod %s: %s (%s); log:\n%s", p.Name, p.Status.Phase, p.Status.Message, podLog(ctx, t, cs, ns, p.Name))
		}
	}
	if len(done) != 1 {
		t.Fatalf("%d merge pods succeeded, want 1", len(done))
	}
	doc := podLog(ctx, t, cs, ns, done[0].Name)
	merged, err := result.Decode(bytes.NewReader(doc))
	if err != nil {
		t.Fatalf("the merge job's log is not a result document: %v\n%s", err, doc)
	}
	if merged.Merge == nil || merged.Merge.RunID != runID || len(merged.Merge.PerWorker) != workers || len(merged.Merge.Missing) > 0 {
		t.Fatalf("merge section %+v", merged.Merge)
	}
	for i, w := range merged.Merge.PerWorker {
		if w.ID != i || !w.Complete {
			t.Errorf("per-worker row %d: id %d complete %v", i, w.ID, w.Complete)
		}
	}
	if merged.Metrics.Records != records || merged.Metrics.ErrorsTotal != 0 || !merged.Complete || merged.Cluster.Embedded {
		t.Fatalf("merged: %d records (want %d), %d errors, complete %v", merged.Metrics.Records, records, merged.Metrics.ErrorsTotal, merged.Complete)
	}

	// The merged percentiles are those of the workers' histograms pooled.
	conn, err := cluster.Open(ctx, cluster.Config{Brokers: strings.Split(e.plainBootstrap, ",")})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	col, err := worker.Collect(ctx, conn, controlTopc, runID, workers, time.Minute)
	if err != nil || len(col.Documents) != workers {
		t.Fatalf("workers' results on the control topic: %v, %+v", err, col)
	}
	kind := result.MainLatency(merged.Kind)
	pooled := hist.New()
	for _, d := range col.Documents {
		h, ok, err := d.Metrics.Histogram(kind)
		if err != nil || !ok {
			t.Fatalf("worker %v: no %s histogram (%v)", d.Worker, kind, err)
		}
		pooled.Merge(h)
	}
	if want, got := result.Summarize(pooled), merged.Metrics.Latency[kind]; got != want {
		t.Errorf("merged %s latency %+v, want the pooled workers' %+v", kind, got, want)
	}

	// The Secret's password is in no pod spec, log or result.
	var everything bytes.Buffer
	everything.Write(doc)
	for _, job := range []string{wj, mj} {
		for _, p := range pods(ctx, t, cs, ns, job) {
			spec, _ := json.Marshal(p)
			everything.Write(spec)
			everything.Write(podLog(ctx, t, cs, ns, p.Name))
		}
		j, _ := cs.BatchV1().Jobs(ns).Get(ctx, job, metav1.GetOptions{})
		spec, _ := json.Marshal(j)
		everything.Write(spec)
	}
	for _, d := range col.Documents {
		b, _ := json.Marshal(d)
		everything.Write(b)
	}
	if bytes.Contains(everything.Bytes(), []byte(e.pw)) {
		t.Error("the Secret's password appears in a pod spec, a log or a result")
	}
	lat := merged.Metrics.Latency[kind]
	t.Logf("3 workers on Kubernetes: %d records, %.0f records/s, %s p99 %.2f ms; apply to merged %v",
		merged.Metrics.Records, merged.Metrics.RecordsPerSec, kind, lat.P99, elapsed.Round(time.Second))

	// The same workload as one process, for the README's comparison.
	one := oneProcess(t, e, topic+"-one")
	if one.Metrics.Records != records {
		t.Errorf("one process: %d records, want %d", one.Metrics.Records, records)
	}
	t.Logf("one ktune produce process: %d records, %.0f records/s, %s p99 %.2f ms",
		one.Metrics.Records, one.Metrics.RecordsPerSec, kind, one.Metrics.Latency[kind].P99)
}

// TestFailingWorkerOnKubernetes gives worker 2 only unreachable broker
// addresses: its pod fails, the worker Job fails (backoffLimit 0) and the
// merge refuses.
func TestFailingWorkerOnKubernetes(t *testing.T) {
	e := setup(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cs := clientset(t, e.kubeconfig)
	ns := namespace(ctx, t, cs, e)
	runID := "k8sf" + rand.String(6)
	// A short deadline: the merge waits for the missing worker until
	// shortly before it (1m48s).
	jobs := render(t, e, ns, runID, "k8s-e2e-"+runID, 2*time.Minute)
	// One template serves every index, so the bad address is made of the
	// completion index (see seeds): only worker 2 reaches no broker.
	args := jobs[0].Spec.Template.Spec.Containers[0].Args
	i := slices.Index(args, "--brokers")
	if i < 0 {
		t.Fatalf("worker args %q hold no --brokers", args)
	}
	args[i+1] = seeds(e.saslBootstrap)
	apply(ctx, t, cs, ns, jobs)
	wj, mj := jobs[0].Name, jobs[1].Name

	if got := waitJob(ctx, t, cs, ns, wj, 3*time.Minute); got != batchv1.JobFailed {
		t.Fatalf("worker job %s: %s, want Failed", wj, got)
	}
	var failed []string
	for _, p := range pods(ctx, t, cs, ns, wj) {
		if p.Status.Phase == corev1.PodFailed && p.Annotations[batchv1.JobCompletionIndexAnnotation] == "2" {
			failed = append(failed, p.Name)
		}
	}
	if len(failed) == 0 {
		t.Fatalf("no failed pod of worker 2 in job %s", wj)
	}
	if got := waitJob(ctx, t, cs, ns, mj, 4*time.Minute); got != batchv1.JobFailed {
		t.Fatalf("merge job %s: %s, want Failed", mj, got)
	}
	// Workers 0 and 1 joined and then aborted (stopped by the Job
	// controller while they waited, or at their join timeout); worker 2
	// never reached the cluster. The merge names it.
	logs := allLogs(ctx, t, cs, ns, mj)
	if !strings.Contains(logs, runID) || !strings.Contains(logs, "worker 2 never joined") {
		t.Errorf("the merge's refusal does not name the run and its missing worker 2:\n%s", logs)
	}
	t.Logf("merge refused: %s", firstLine(logs))
}

// seeds turns a bootstrap list of 127.0.0.1 addresses into the seeds
// 127.0.$(KTUNE_WORKER_ID).1:P and 127.0.0.$(KTUNE_WORKER_ID):P per
// address: worker 0 reaches 127.0.0.1 through the first, worker 1 through
// the second, worker 2 through neither (the brokers listen on 127.0.0.1
// only).
func seeds(bootstrap string) string {
	var out []string
	for _, a := range strings.Split(bootstrap, ",") {
		port := a[strings.LastIndexByte(a, ':')+1:]
		out = append(out, "127.0.$(KTUNE_WORKER_ID).1:"+port, "127.0.0.$(KTUNE_WORKER_ID):"+port)
	}
	return strings.Join(out, ",")
}

func allLogs(ctx context.Context, t *testing.T, cs *kubernetes.Clientset, ns, job string) string {
	var b strings.Builder
	for _, p := range pods(ctx, t, cs, ns, job) {
		fmt.Fprintf(&b, "--- pod %s (%s %s)\n%s", p.Name, p.Status.Phase, p.Status.Message, podLog(ctx, t, cs, ns, p.Name))
	}
	return b.String()
}

func firstLine(s string) string {
	for _, l := range strings.Split(s, "\n") {
		if strings.TrimSpace(l) != "" && !strings.HasPrefix(l, "---") {
			return l
		}
	}
	return ""
}
