package advisor

import (
	"errors"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/result"
)

// ErrNoConfig says there is no recommended configuration to write.
var ErrNoConfig = errors.New("no recommended configuration to write: give --results with a sweep document")

// setting is one property of a written file and why it is set.
type setting struct{ key, value, why string }

// FileStamp is what the written files' headers say about how they were
// made, besides the advice itself.
type FileStamp struct {
	// CommandLine is the command as run, secrets removed.
	CommandLine []string
	Written     time.Time
}

// WriteProperties writes producer.properties, consumer.properties and
// topic.properties of the recommended configuration into dir: Java client
// (and topic config) property names only, only what differs from the
// defaults of the client line the advice is for, each with a comment
// saying why, under a header naming the cluster measured, the date and
// the command.
func WriteProperties(dir string, a *Advice, stamp FileStamp) error {
	if a.Config == nil || a.Config.Producer == nil {
		return ErrNoConfig
	}
	files, err := PropertiesFiles(a, stamp)
	if err != nil {
		return err
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	for _, name := range slices.Sorted(maps.Keys(files)) {
		if err := result.WriteAtomic(filepath.Join(dir, name), []byte(files[name])); err != nil {
			return err
		}
	}
	return nil
}

// PropertiesFiles returns the text of each file WriteProperties writes,
// by file name.
func PropertiesFiles(a *Advice, stamp FileStamp) (map[string]string, error) {
	c := a.Config
	if c == nil || c.Producer == nil {
		return nil, ErrNoConfig
	}
	line := clientcfg.Line(c.ClientLine).OrCurrent()
	prod, prodNotes := clientSettings(c, clientcfg.Producer, line)
	cons, consNotes := clientSettings(c, clientcfg.Consumer, line)
	topic, topicNotes := topicSettings(a)
	out := map[string]string{}
	for _, f := range []struct {
		name  string
		set   []setting
		notes []string
	}{{"producer.properties", prod, prodNotes}, {"consumer.properties", cons, consNotes}, {"topic.properties", topic, topicNotes}} {
		var b strings.Builder
		writeHeader(&b, f.name, a, stamp, line)
		for _, n := range f.notes {
			comment(&b, n)
		}
		if len(f.set) == 0 {
			comment(&b, "nothing differs from the defaults")
		}
		for _, s := range f.set {
			b.WriteString("\n")
			comment(&b, s.why)
			fmt.Fprintf(&b, "%s=%s\n", escapeKey(s.key), escapeValue(s.value))
		}
		out[f.name] = b.String()
	}
	return out, nil
}

func writeHeader(b *strings.Builder, name string, a *Advice, stamp FileStamp, line clientcfg.Line) {
	c := a.Config
	when := "at an unknown time"
	if !stamp.Written.IsZero() {
		when = "on " + stamp.Written.UTC().Format("2006-01-02 15:04 UTC")
	}
	if name == "topic.properties" {
		comment(b, fmt.Sprintf("%s: topic configs, written by ktune advise %s", name, when))
	} else {
		comment(b, fmt.Sprintf("%s for the Java %s client, written by ktune advise %s", name, line, when))
	}
	if len(stamp.CommandLine) > 0 {
		comment(b, "command: "+strings.Join(stamp.CommandLine, " "))
	}
	comment(b, "measured on: "+describeCluster(c.Cluster))
	comment(b, fmt.Sprintf("goal %s, delivery guarantee %s: %s", c.Goal, c.Durability, c.Why))
	if c.Best == nil {
		comment(b, "NOT a measured point: re-run the sweep with these settings before relying on them")
	}
	if name != "topic.properties" {
		comment(b, fmt.Sprintf("Only what differs from the Java %s client's defaults is set, each with why ('ktune config list --client-line %d' lists the defaults; docs/client-lines.md what differs between lines).", line, int(line)))
	}
}

// describeCluster says which cluster the figures came from, and warns
// when it was the embedded one.
func describeCluster(cl *result.Cluster) string {
	if cl == nil {
		return "an unrecorded cluster"
	}
	if cl.Embedded {
		return "ktune's embedded in-process broker (kfake), NOT a real Kafka cluster: its figures say nothing about a real broker; re-run the sweep against your cluster"
	}
	v := cl.KafkaVersion
	if v == "" {
		v = "of unrecorded version"
	}
	s := fmt.Sprintf("a real cluster: Kafka %s, %d brokers", v, cl.Brokers)
	if len(cl.Bootstrap) > 0 {
		s += " at " + strings.Join(cl.Bootstrap, ",")
	}
	return s
}

// comment writes text as # lines.
func comment(b *strings.Builder, text string) {
	for _, l := range strings.Split(text, "\n") {
		fmt.Fprintf(b, "# %s\n", l)
	}
}

// escapeKey and escapeValue write Java .properties text (no line breaks,
// separators escaped in keys).
func escapeKey(s string) string {
	return strings.NewReplacer(`\`, `\\`, "=", `\=`, ":", `\:`, " ", `\ `, "\n", `\n`).Replace(s)
}

func escapeValue(s string) string {
	return strings.NewReplacer(`\`, `\\`, "\n", `\n`).Replace(s)
}

// transactionalIDTemplate is the transactional.id written for
// exactly-once: a template each instance fills in with its own index.
const transactionalIDTemplate = "my-app-producer-0"

// producerGuarantee is what a delivery guarantee asks of the producer
// and is not the Java client's default on any line: a transactional.id.
func producerGuarantee(durability string) []setting {
	if durability != "exactly-once" {
		return nil
	}
	return []setting{{"transactional.id", transactionalIDTemplate,
		"exactly-once: transactions need a transactional.id. A template: replace my-app with the application's name and 0 with this instance's own index, stable across restarts.\n" +
			"Each producer instance needs its own transactional.id: two live instances with one id fence each other (the older one fails with ProducerFencedException)."}}
}

// instanceProp reports whether a property names one client instance or
// how it connects (the run's own ids, security), which the advice leaves
// to the operator.
func instanceProp(k string) bool {
	switch k {
	case "group.id", "group.instance.id", "client.rack", "transactional.id", "auto.offset.reset":
		return true
	}
	return connectionProp(k)
}

// clientSettings is the client file of role: every property of the
// recommended configuration that differs from line's defaults, in Java
// names, plus what the delivery guarantee asks; notes are comments for
// the file's head.
func clientSettings(c *ConfigAdvice, role clientcfg.Role, line clientcfg.Line) ([]setting, []string) {
	m, req := c.Producer, producerGuarantee(c.Durability)
	if role == clientcfg.Consumer {
		m, req = c.Consumer, consumerGuarantee(c.Durability)
	}
	def := defaultsOf(role, line)
	point := c.Best
	if point == nil {
		point = c.Closest
	}
	var notes []string
	byKey := map[string]setting{}
	for k, v := range m {
		if v == "" || v == clientcfg.Hidden || instanceProp(k) || k == "partitioner" || k == "partitioner.class" || def[k] == v {
			continue
		}
		byKey[k] = setting{k, v, reasonFor(c, point, role, k, v, def[k])}
	}
	if role == clientcfg.Producer {
		for _, s := range partitionerSettings(m["partitioner"], line, &notes) {
			byKey[s.key] = s
		}
	}
	if v, ok := byKey["partition.assignment.strategy"]; ok {
		v.value = javaAssignors(v.value)
		byKey[v.key] = v
	}
	for _, s := range req {
		byKey[s.key] = s
	}
	var kept []string
	if role == clientcfg.Producer && c.Durability != "at-most-once" {
		for _, k := range []string{"acks", "enable.idempotence"} {
			if _, set := byKey[k]; !set && m[k] != "" {
				kept = append(kept, k+"="+m[k])
			}
		}
	}
	if len(kept) > 0 {
		notes = append(notes, fmt.Sprintf("%s, which %s needs, are the Java %s client's defaults: not set here; do not override them.", strings.Join(kept, " and "), c.Durability, line))
	}
	out := make([]setting, 0, len(byKey))
	for _, s := range byKey {
		out = append(out, s)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].key < out[j].key })
	return out, notes
}

// differing is the client file of role as name=value lines, without the
// comments: what the summary shows.
func differing(c *ConfigAdvice, role clientcfg.Role) string {
	set, _ := clientSettings(c, role, clientcfg.Line(c.ClientLine).OrCurrent())
	var b strings.Builder
	for _, s := range set {
		fmt.Fprintf(&b, "%s=%s\n", s.key, s.value)
	}
	return b.String()
}

// reasonFor says why property k=v of the recommended configuration is set.
func reasonFor(c *ConfigAdvice, point *ParetoPoint, role clientcfg.Role, k, v, def string) string {
	was := def
	if was == "" {
		was = "unset"
	}
	if _, ok := c.Changes[k]; ok {
		return fmt.Sprintf("needed for %s (default %s); not measured", c.Durability, was)
	}
	label := "the recommended point"
	if point != nil {
		label = fmt.Sprintf("the point %s of %s", result.ParamsLabel(point.Params), point.From)
		if _, swept := point.Params[role.String()+":"+k]; swept {
			return fmt.Sprintf("swept: %s measured %s=%s (default %s)", label, k, v, was)
		}
	}
	return fmt.Sprintf("%s ran with %s=%s (default %s): its base settings (profile, --command-config, -X), not swept", label, k, v, was)
}

// Java partitioner classes; Kafka 4.0 removed DefaultPartitioner and
// UniformStickyPartitioner (KIP-794 deprecated them in 3.3), leaving the
// built-in partitioner and RoundRobinPartitioner.
const (
	roundRobinClass    = "org.apache.kafka.clients.producer.RoundRobinPartitioner"
	uniformStickyClass = "org.apache.kafka.clients.producer.UniformStickyPartitioner"
	defaultPartClass   = "org.apache.kafka.clients.producer.internals.DefaultPartitioner"
)

// partitionerSettings turns ktune's own partitioner name (a property no
// Java client knows) into the Java client's settings on line.
func partitionerSettings(name string, line clientcfg.Line, notes *[]string) []setting {
	why := fmt.Sprintf("the recommended point used ktune's %s partitioner; this is the Java %s client's equivalent", name, line)
	switch name {
	case "round-robin":
		return []setting{{"partitioner.class", roundRobinClass, why}}
	case "sticky":
		if line == clientcfg.Line3 {
			return []setting{{"partitioner.class", uniformStickyClass, why}}
		}
		return []setting{{"partitioner.ignore.keys", "true", why + " (UniformStickyPartitioner was removed in Kafka 4.0; the built-in partitioner with keys ignored replaces it)"}}
	case "key-hash":
		if line == clientcfg.Line3 {
			return []setting{{"partitioner.class", defaultPartClass, why}}
		}
		*notes = append(*notes, "The recommended point used ktune's key-hash partitioner (the 3.x DefaultPartitioner, removed in Kafka 4.0); the 4.x built-in partitioner hashes keys the same way and spreads unkeyed records by bytes, so nothing is set.")
	}
	return nil
}

// javaAssignors turns ktune's short assignor names into the Java class
// names partition.assignment.strategy takes.
func javaAssignors(v string) string {
	classes := map[string]string{
		"range": "org.apache.kafka.clients.consumer.RangeAssignor", "roundrobin": "org.apache.kafka.clients.consumer.RoundRobinAssignor",
		"sticky": "org.apache.kafka.clients.consumer.StickyAssignor", "cooperative-sticky": "org.apache.kafka.clients.consumer.CooperativeStickyAssignor",
	}
	parts := strings.Split(v, ",")
	for i, p := range parts {
		if c, ok := classes[strings.TrimSpace(p)]; ok {
			parts[i] = c
		}
	}
	return strings.Join(parts, ",")
}

// topicSettings is topic.properties: topic configs (TopicConfig names)
// and, as comments, the partitions and replication factor to create the
// topic with.
func topicSettings(a *Advice) ([]setting, []string) {
	c := a.Config
	var notes []string
	rf := c.Topic["replication.factor"]
	if p := topicPartitions(a.Sizing); p > 0 {
		notes = append(notes, fmt.Sprintf("create the topic with --partitions %d --replication-factor %s (partitions: the sizing's plan, %s)", p, rf, partitionsSource(a.Sizing)))
	} else {
		notes = append(notes, fmt.Sprintf("create the topic with --replication-factor %s; partitions were not sized (no single-partition throughput: run ktune produce and consume on a 1-partition topic, or pass --producer-partition-mbps and --consumer-partition-mbps)", rf))
	}
	set := []setting{{"min.insync.replicas", c.Topic["min.insync.replicas"], fmt.Sprintf("acks=all writes need this many in-sync replicas (replication factor %s); the broker default is 1", rf)}}
	if c.Durability != "at-most-once" {
		set = append(set, setting{"unclean.leader.election.enable", "false", c.Durability + ": never elect an out-of-sync replica leader, which loses acknowledged records (the default, set per topic so a broker-wide change cannot turn it on)"})
	}
	return set, notes
}

// topicPartitions is the partition count the sizing planned per topic: a
// multiple of the brokers, at least the consumers of a group.
func topicPartitions(s Sizing) int {
	if s.PartitionsPlan > 0 {
		return s.PartitionsPlan
	}
	return s.Partitions
}

func partitionsSource(s Sizing) string {
	if s.PartitionsPlan > 0 {
		return fmt.Sprintf("ceil(target / per-partition throughput) = %d, rounded up to a multiple of the %d brokers and at least the consumers per group", s.PartitionsRaw, s.Brokers)
	}
	return "as sized"
}
