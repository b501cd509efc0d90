package integration

import (
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/loadgen/payload"
	"github.com/ktune/ktune/internal/sweep"
	"github.com/ktune/ktune/result"
)

// TestAdvisedPropertiesLoadInJava sweeps on the real cluster with the
// Java client line of its Kafka version, has `ktune advise
// --write-properties` write the files for every delivery guarantee, and
// loads each with the real Java client's config classes from that
// version's kafka-clients jar (testdata/CheckProperties.java): any
// property they do not know (ktune's own partitioner=uniform, say) or
// any value they refuse fails the test.
func TestAdvisedPropertiesLoadInJava(t *testing.T) {
	bootstrap(t)
	kafkaScriptPath(t)
	version := os.Getenv("KTUNE_KAFKA_VERSION")
	line := clientcfg.Line(kafkaMajor())
	if line != clientcfg.Line3 && line != clientcfg.Line4 {
		t.Skipf("KTUNE_KAFKA_VERSION %q is neither 3.x nor 4.x", version)
	}
	if _, err := exec.LookPath("java"); err != nil {
		t.Skip("no java on PATH (scripts/test.sh installs it)")
	}
	classpath := strings.TrimSpace(kafkaScript(t, "classpath", "--version", version))
	conn := connect(t)
	// Dimensions whose values ktune names its own way (partitioner,
	// assignors) and acks, so at-most-once may pick acks=1.
	sw, err := sweep.Run(context.Background(), conn, sweep.Config{
		Topic: topicName(t), Partitions: 3, Records: 500, RecordSize: 512, Values: payload.ValueConfig{Compressibility: 0.5}, Line: line,
		Dimensions: []result.Dimension{
			{Role: sweep.RoleProducer, Name: "partitioner", Values: []string{"sticky", "round-robin"}},
			{Role: sweep.RoleProducer, Name: "acks", Values: []string{"1", "all"}},
			{Role: sweep.RoleConsumer, Name: "partition.assignment.strategy", Values: []string{"cooperative-sticky"}},
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	sweepFile := filepath.Join(dir, "sweep.json")
	if err := result.WriteJSON(sweepFile, sw); err != nil {
		t.Fatal(err)
	}
	for _, g := range []string{"at-most-once", "at-least-once", "exactly-once"} {
		out := filepath.Join(dir, g)
		if msg, err := runKtune(t, nil, "advise", "--avg-mbps", "10", "--producer-partition-mbps", "2", "--consumer-partition-mbps", "5", "--durability", g, "--results", sweepFile,
			"--client-line", line.String(), "--write-properties", out, "-o", "json", "--out", filepath.Join(dir, g+".json")); err != nil {
			t.Fatalf("%s: advise: %v\n%s", g, err, msg)
		}
		files := []string{filepath.Join(out, "producer.properties"), filepath.Join(out, "consumer.properties"), filepath.Join(out, "topic.properties")}
		text := map[string]string{}
		for _, f := range files {
			data, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			text[filepath.Base(f)] = string(data)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		msg, err := exec.CommandContext(ctx, "java", append([]string{"-cp", classpath, "testdata/CheckProperties.java"}, files...)...).CombinedOutput()
		cancel()
		if err != nil {
			t.Errorf("%s: the Java %s client (Kafka %s) refuses the written files: %v\n%s\n%s", g, line, version, err, msg, text)
			continue
		}
		for name, want := range map[string][]string{
			"producer.properties": {"measured on: a real cluster: Kafka ", "# command: ", "written by ktune advise on ", "for the Java " + line.String() + " client"},
			"topic.properties":    {"min.insync.replicas=", "--partitions 6 "},
		} {
			for _, w := range want {
				if !strings.Contains(text[name], w) {
					t.Errorf("%s: %s lacks %q:\n%s", g, name, w, text[name])
				}
			}
		}
		if g == "exactly-once" && (!strings.Contains(text["producer.properties"], "\ntransactional.id=") || !strings.Contains(text["consumer.properties"], "\nisolation.level=read_committed\n")) {
			t.Errorf("exactly-once files without transactional.id or read_committed:\n%s", text)
		}
	}
}
