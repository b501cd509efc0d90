// Package integration tests ktune against a real Apache Kafka cluster
// started by scripts/kafka.sh (scripts/test.sh does it all). Without
// KTUNE_KAFKA_BOOTSTRAP every test skips with a message.
package integration

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/loadgen"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/testkit"
	"github.com/ktune/ktune/result"
)

var ktuneBin string

func TestMain(m *testing.M) {
	if os.Getenv("KTUNE_KAFKA_BOOTSTRAP") == "" {
		fmt.Println("integration: KTUNE_KAFKA_BOOTSTRAP is not set; skipping the real-Kafka tests (scripts/test.sh starts a cluster and sets it)")
		os.Exit(m.Run())
	}
	dir, err := os.MkdirTemp("", "ktune-it")
	if err != nil {
		panic(err)
	}
	if ktuneBin, err = testkit.Build(dir); err != nil {
		fmt.Printf("building ktune: %v\n", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

func bootstrap(t *testing.T) []string {
	t.Helper()
	b := os.Getenv("KTUNE_KAFKA_BOOTSTRAP")
	if b == "" {
		t.Skip("KTUNE_KAFKA_BOOTSTRAP not set: no real Kafka cluster")
	}
	return strings.Split(b, ",")
}

func brokers() int {
	var n int
	fmt.Sscan(os.Getenv("KTUNE_KAFKA_BROKERS"), &n)
	return n
}

func connect(t *testing.T) *cluster.Conn {
	t.Helper()
	conn, err := cluster.Open(context.Background(), cluster.Config{Brokers: bootstrap(t)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(conn.Close)
	return conn
}

func topicName(t *testing.T) string {
	name := strings.NewReplacer("/", "-", "=", "-", " ", "-", ",", "-").Replace(t.Name())
	return fmt.Sprintf("it-%s-%d", strings.ToLower(name), time.Now().UnixNano()%1e9)
}

func newTopic(t *testing.T, conn *cluster.Conn, partitions int, configs map[string]string) string {
	t.Helper()
	name := topicName(t)
	if _, err := conn.EnsureTopic(context.Background(), cluster.TopicSpec{Name: name, Partitions: partitions, Configs: configs}); err != nil {
		t.Fatal(err)
	}
	return name
}

func produce(t *testing.T, conn *cluster.Conn, topic string, n int64, size int, kvs ...string) *result.Document {
	t.Helper()
	cfg := loadgen.ProduceConfig{
		Topic: topic, Records: n, Interval: time.Second,
		Values: payload.ValueConfig{Kind: payload.Random, Size: size, Compressibility: 0.5},
		Client: testkit.Resolve(t, clientcfg.Producer, kvs...),
	}
	doc, err := loadgen.Produce(context.Background(), conn, cfg)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Metrics.Records != n || doc.Metrics.ErrorsTotal != 0 {
		t.Fatalf("produced %d of %d (errors %v)", doc.Metrics.Records, n, doc.Metrics.Errors)
	}
	return doc
}

func consume(t *testing.T, conn *cluster.Conn, topic string, n int64, kvs ...string) *result.Document {
	t.Helper()
	doc, err := loadgen.Consume(context.Background(), conn, loadgen.ConsumeConfig{
		Topic: topic, Records: n, IdleTimeout: 15 * time.Second, Interval: time.Second,
		Client: testkit.Resolve(t, clientcfg.Consumer, kvs...),
	})
	if err != nil {
		t.Fatal(err)
	}
	if doc.Metrics.Records != n {
		t.Fatalf("consumed %d of %d", doc.Metrics.Records, n)
	}
	return doc
}

// runKtune runs the ktune binary and returns its combined output.
func runKtune(t *testing.T, env []string, args ...string) (string, error) {
	t.Helper()
	cmd := exec.Command(ktuneBin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

// kafkaScript runs scripts/kafka.sh with args.
// kafkaScriptPath is the kafka.sh that started the cluster
// (KTUNE_KAFKA_SCRIPT); a test that needs it is skipped without it.
func kafkaScriptPath(t *testing.T) string {
	t.Helper()
	script := os.Getenv("KTUNE_KAFKA_SCRIPT")
	if script == "" {
		t.Skip("KTUNE_KAFKA_SCRIPT not set")
	}
	return script
}

func kafkaScript(t *testing.T, args ...string) string {
	t.Helper()
	out, err := exec.Command(kafkaScriptPath(t), args...).Output()
	if err != nil {
		t.Fatalf("kafka.sh %v: %v", args, err)
	}
	return string(out)
}
