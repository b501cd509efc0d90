package advisor

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/result"
)

// realSweep is a sweep whose points record the effective configuration
// ktune really resolves on line (every default filled in, ktune's own
// partitioner name included), as a measured sweep does, on a real
// 3.9.2 cluster.
func realSweep(t *testing.T, line clientcfg.Line) []Named[*result.Sweep] {
	t.Helper()
	s := &result.Sweep{Header: result.NewHeader(result.KindSweep)}
	s.Cluster = result.Cluster{Bootstrap: []string{"127.0.0.1:9092"}, Brokers: 3, KafkaVersion: "3.9.2"}
	for i, p := range []struct {
		acks, partitioner, assignor string
		mbps                        float64
	}{
		{"1", "sticky", "roundrobin", 300},
		{"all", "round-robin", "cooperative-sticky", 200},
		{"all", "uniform", "range,cooperative-sticky", 150},
	} {
		prod, err := clientcfg.ResolveLine([]clientcfg.Property{{Key: "acks", Value: p.acks}, {Key: "partitioner", Value: p.partitioner}, {Key: "client.id", Value: "ktune"}}, clientcfg.Producer, line)
		if err != nil {
			t.Fatal(err)
		}
		cons, err := clientcfg.ResolveLine([]clientcfg.Property{{Key: "partition.assignment.strategy", Value: p.assignor}, {Key: "group.id", Value: "ktune-sweep-1"}}, clientcfg.Consumer, line)
		if err != nil {
			t.Fatal(err)
		}
		d := &result.Document{Header: result.NewHeader(result.KindProduce), Cluster: s.Cluster}
		d.Metrics.Records = 1
		d.Metrics.MiBPerSec = p.mbps / mibToMB
		d.Metrics.Latency = map[string]result.Latency{result.LatencyIntended: {P99: 5}}
		d.Config = result.ClientConfig{Producer: prod.Effective(), ClientLine: int(line)}
		c := &result.Document{Header: result.NewHeader(result.KindConsume), Cluster: s.Cluster}
		c.Config = result.ClientConfig{Consumer: cons.Effective(), ClientLine: int(line)}
		params := map[string]string{"producer:acks": p.acks, "producer:partitioner": p.partitioner, "consumer:partition.assignment.strategy": p.assignor}
		s.Points = append(s.Points, result.SweepPoint{Key: result.ParamsLabel(params) + "#0", Params: params, Produce: d, Consume: c, Repeat: i})
	}
	return []Named[*result.Sweep]{{Path: "sweep.json", Doc: s}}
}

// TestWrittenFilesAreRightAsWritten: for every delivery guarantee and
// both Java client lines, the written files hold only Java property names
// (never ktune's partitioner=uniform), only what differs from the line's
// defaults, each with a comment saying why; what the guarantee needs of
// the consumer (enable.auto.commit=false, read_committed) and producer
// (a transactional.id template) is there; a header names the cluster,
// its Kafka version, the date and the command; topic.properties gives
// the planned partitions, not 1.
func TestWrittenFilesAreRightAsWritten(t *testing.T) {
	stamp := FileStamp{CommandLine: []string{"ktune", "advise", "--avg-mbps", "10"}, Written: time.Date(2026, 12, 8, 1, 2, 0, 0, time.UTC)}
	for _, line := range clientcfg.Lines {
		for _, g := range []string{"at-most-once", "at-least-once", "exactly-once"} {
			t.Run(line.String()+"/"+g, func(t *testing.T) {
				a, err := Advise(Input{Workload: Workload{AvgMBps: 10, Goal: "throughput", Durability: g, ProducerPartitionMBps: 2, ConsumerPartitionMBps: 5},
					Sweeps: realSweep(t, line), ClientLine: line})
				if err != nil {
					t.Fatal(err)
				}
				dir := t.TempDir()
				if err := WriteProperties(dir, a, stamp); err != nil {
					t.Fatal(err)
				}
				files := map[string][]clientcfg.Property{}
				text := map[string]string{}
				for _, name := range []string{"producer.properties", "consumer.properties", "topic.properties"} {
					data, err := os.ReadFile(filepath.Join(dir, name))
					if err != nil {
						t.Fatal(err)
					}
					text[name] = string(data)
					if files[name], err = clientcfg.ParseProperties(strings.NewReader(string(data))); err != nil {
						t.Fatal(err)
					}
					for _, want := range []string{"# command: ktune advise --avg-mbps 10", "on 2026-12-08 01:02 UTC", "measured on: a real cluster: Kafka 3.9.2, 3 brokers"} {
						if !strings.Contains(text[name], want) {
							t.Errorf("%s: no %q in the header:\n%s", name, want, text[name])
						}
					}
					// Every property follows a comment saying why.
					lines := strings.Split(text[name], "\n")
					for i, l := range lines {
						if l != "" && !strings.HasPrefix(l, "#") && (i == 0 || !strings.HasPrefix(lines[i-1], "# ")) {
							t.Errorf("%s: %q has no comment above it", name, l)
						}
					}
				}
				get := func(file, key string) (string, bool) {
					for _, p := range files[file] {
						if p.Key == key {
							return p.Value, true
						}
					}
					return "", false
				}
				for role, file := range map[clientcfg.Role]string{clientcfg.Producer: "producer.properties", clientcfg.Consumer: "consumer.properties"} {
					def, _ := clientcfg.ResolveLine(nil, role, line)
					for _, p := range files[file] {
						if p.Key == "partitioner" || p.Key == "group.id" || p.Key == "client.id" {
							t.Errorf("%s: %s=%s is not a Java client setting to hand out", file, p.Key, p.Value)
						}
						if def.Effective()[p.Key] == p.Value {
							t.Errorf("%s: %s=%s is the Java %s default", file, p.Key, p.Value, line)
						}
						if p.Key == "partition.assignment.strategy" && !strings.Contains(p.Value, "org.apache.kafka.clients.consumer.") {
							t.Errorf("%s: assignors %q are not Java class names", file, p.Value)
						}
					}
				}
				commit, _ := get("consumer.properties", "enable.auto.commit")
				iso, _ := get("consumer.properties", "isolation.level")
				tid, hasTid := get("producer.properties", "transactional.id")
				switch g {
				case "at-most-once":
					if commit == "false" || hasTid {
						t.Errorf("at-most-once: enable.auto.commit=%q transactional.id=%q", commit, tid)
					}
				case "at-least-once":
					if commit != "false" || iso != "" || hasTid || !strings.Contains(text["consumer.properties"], "commit offsets yourself after processing") {
						t.Errorf("at-least-once consumer:\n%s", text["consumer.properties"])
					}
				case "exactly-once":
					if commit != "false" || iso != "read_committed" || tid != transactionalIDTemplate || !strings.Contains(text["producer.properties"], "Each producer instance needs its own transactional.id") {
						t.Errorf("exactly-once:\n%s\n%s", text["producer.properties"], text["consumer.properties"])
					}
				}
				if g != "at-most-once" && !strings.Contains(text["producer.properties"], "acks=all and enable.idempotence=true, which "+g+" needs, are the Java "+line.String()+" client's defaults") {
					t.Errorf("no word on the guarantee's producer settings being defaults:\n%s", text["producer.properties"])
				}
				// The sizing plans a multiple of the brokers: never 1 here.
				if p := a.Sizing.PartitionsPlan; p <= 1 || !strings.Contains(text["topic.properties"], "--partitions "+strconv.Itoa(p)+" ") {
					t.Errorf("topic.properties does not give the planned %d partitions:\n%s", p, text["topic.properties"])
				}
				if v, _ := get("topic.properties", "min.insync.replicas"); v != "2" {
					t.Errorf("min.insync.replicas %q", v)
				}
			})
		}
	}
}
