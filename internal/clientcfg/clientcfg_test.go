package clientcfg

import (
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
)

// client builds a kgo client from a resolved configuration (the options of
// its role; a consumer's without group options), so tests read back what
// franz-go will really use.
func client(t *testing.T, r *Resolved, extra ...kgo.Opt) *kgo.Client {
	t.Helper()
	return clientWith(t, roleOpts(r, false), extra...)
}

func roleOpts(r *Resolved, group bool) []kgo.Opt {
	switch r.Role() {
	case Producer:
		return r.ProducerOpts(0, 1)
	case Consumer:
		return r.ConsumerOpts(group)
	}
	return r.AdminOpts()
}

func clientWith(t *testing.T, ropts []kgo.Opt, extra ...kgo.Opt) *kgo.Client {
	t.Helper()
	opts := append([]kgo.Opt{kgo.SeedBrokers("127.0.0.1:1")}, ropts...)
	cl, err := kgo.NewClient(append(opts, extra...)...)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(cl.Close)
	return cl
}

func mustResolve(t *testing.T, role Role, kvs ...string) *Resolved {
	t.Helper()
	props, err := ParseAssignments(kvs)
	if err != nil {
		t.Fatal(err)
	}
	r, err := Resolve(props, role)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestPropertiesMapToKgo(t *testing.T) {
	tests := []struct {
		prop      string // name=value
		role      Role
		effective string // the effective value recorded
		opt       any    // kgo option whose value is checked
		want      any    // its value, compared with reflect.DeepEqual
		with      []string
	}{
		{"batch.size=65536", Producer, "65536", kgo.ProducerBatchMaxBytes, int32(65536), nil},
		{"linger.ms=20", Producer, "20", kgo.ProducerLinger, 20 * time.Millisecond, nil},
		{"linger.ms=0", Producer, "0", kgo.ProducerLinger, time.Duration(0), nil},
		{"acks=all", Producer, "all", kgo.RequiredAcks, kgo.AllISRAcks(), nil},
		{"acks=-1", Producer, "all", kgo.RequiredAcks, kgo.AllISRAcks(), nil},
		{"acks=1", Producer, "1", kgo.RequiredAcks, kgo.LeaderAck(), nil},
		{"acks=0", Producer, "0", kgo.RequiredAcks, kgo.NoAck(), nil},
		{"enable.idempotence=false", Producer, "false", kgo.DisableIdempotentWrite, true, nil},
		// Idempotent franz-go fixes 5 in flight; without idempotence the
		// property applies.
		{"max.in.flight.requests.per.connection=3", Producer, "3", kgo.DisableIdempotentWrite, false, nil},
		{"max.in.flight.requests.per.connection=3", Producer, "3", kgo.MaxProduceRequestsInflightPerBroker, 3, []string{"enable.idempotence=false"}},
		{"buffer.memory=67108864", Producer, "67108864", kgo.MaxBufferedBytes, int64(67108864), nil},
		{"request.timeout.ms=15000", Producer, "15000", kgo.ProduceRequestTimeout, 15 * time.Second, nil},
		{"delivery.timeout.ms=60000", Producer, "60000", kgo.RecordDeliveryTimeout, time.Minute, nil},
		{"retries=7", Producer, "7", kgo.RecordRetries, int64(7), nil},
		{"transactional.id=tx", Producer, "tx", kgo.TransactionalID, "tx", nil},
		{"transaction.timeout.ms=30000", Producer, "30000", kgo.TransactionTimeout, 30 * time.Second, []string{"transactional.id=tx"}},
		// The batch cap is min(batch.size, max.request.size).
		{"max.request.size=2000000", Producer, "2000000", kgo.ProducerBatchMaxBytes, int32(2000000), []string{"batch.size=4000000"}},
		{"compression.type=lz4", Producer, "lz4", kgo.ProducerBatchCompression, []kgo.CompressionCodec{kgo.Lz4Compression()}, nil},
		{"compression.type=zstd", Producer, "zstd", kgo.ProducerBatchCompression, []kgo.CompressionCodec{kgo.ZstdCompression().WithLevel(2)}, nil},
		{"compression.zstd.level=9", Producer, "9", kgo.ProducerBatchCompression, []kgo.CompressionCodec{kgo.ZstdCompression().WithLevel(3)}, []string{"compression.type=zstd"}},
		{"compression.gzip.level=5", Producer, "5", kgo.ProducerBatchCompression, []kgo.CompressionCodec{kgo.GzipCompression().WithLevel(5)}, []string{"compression.type=gzip"}},
		{"compression.lz4.level=3", Producer, "3", kgo.ProducerBatchCompression, []kgo.CompressionCodec{kgo.Lz4Compression().WithLevel(3)}, []string{"compression.type=lz4"}},
		{"partitioner=round-robin", Producer, "round-robin", kgo.RecordPartitioner, kgo.RoundRobinPartitioner(), nil},
		{"partitioner.class=org.apache.kafka.clients.producer.RoundRobinPartitioner", Producer, "org.apache.kafka.clients.producer.RoundRobinPartitioner", kgo.RecordPartitioner, kgo.RoundRobinPartitioner(), nil},
		{"partitioner.ignore.keys=true", Producer, "true", kgo.RecordPartitioner, kgo.UniformBytesPartitioner(16384, true, false, nil), nil},
		{"client.id=bench", Producer, "bench", kgo.ClientID, "bench", nil},
		{"metadata.max.age.ms=60000", Consumer, "60000", kgo.MetadataMaxAge, time.Minute, nil},
		{"fetch.min.bytes=100000", Consumer, "100000", kgo.FetchMinBytes, int32(100000), nil},
		{"fetch.max.bytes=104857600", Consumer, "104857600", kgo.FetchMaxBytes, int32(104857600), nil},
		{"max.partition.fetch.bytes=2097152", Consumer, "2097152", kgo.FetchMaxPartitionBytes, int32(2097152), nil},
		{"fetch.max.wait.ms=100", Consumer, "100", kgo.FetchMaxWait, 100 * time.Millisecond, nil},
		// ktune's poll loop applies it (PollRecords); no client option.
		{"max.poll.records=2000", Consumer, "2000", maxPollRecords, 2000, nil},
		{"session.timeout.ms=30000", Consumer, "30000", kgo.SessionTimeout, 30 * time.Second, nil},
		{"heartbeat.interval.ms=1000", Consumer, "1000", kgo.HeartbeatInterval, time.Second, nil},
		{"max.poll.interval.ms=60000", Consumer, "60000", kgo.RebalanceTimeout, time.Minute, nil},
		{"partition.assignment.strategy=org.apache.kafka.clients.consumer.RoundRobinAssignor", Consumer, "roundrobin", kgo.Balancers, []kgo.GroupBalancer{kgo.RoundRobinBalancer()}, nil},
		{"isolation.level=read_committed", Consumer, "read_committed", kgo.FetchIsolationLevel, int8(1), nil},
		{"enable.auto.commit=false", Consumer, "false", kgo.DisableAutoCommit, true, nil},
		{"auto.commit.interval.ms=1000", Consumer, "1000", kgo.AutoCommitInterval, time.Second, nil},
		{"group.instance.id=i1", Consumer, "i1", kgo.InstanceID, "i1", nil},
		{"client.rack=r1", Consumer, "r1", kgo.Rack, "r1", nil},
		{"group.protocol=consumer", Consumer, "consumer", kgo.ServerSideBalancer, true, nil},
		{"auto.offset.reset=earliest", Consumer, "earliest", kgo.ConsumeResetOffset, kgo.NewOffset().AtStart(), nil},
		{"auto.offset.reset=latest", Consumer, "latest", kgo.ConsumeResetOffset, kgo.NewOffset().AtEnd(), nil},
		{"auto.offset.reset=none", Consumer, "none", kgo.ConsumeResetOffset, kgo.NoResetOffset(), nil},
	}
	for _, tt := range tests {
		t.Run(strings.Join(append([]string{tt.prop}, tt.with...), ","), func(t *testing.T) {
			r := mustResolve(t, tt.role, append([]string{tt.prop}, tt.with...)...)
			name, _, _ := strings.Cut(tt.prop, "=")
			if got := r.Effective()[name]; got != tt.effective {
				t.Errorf("effective %s = %q, want %q", name, got, tt.effective)
			}
			if tt.opt == nil {
				t.Fatal("every row checks the option franz-go gets")
			}
			if reflect.ValueOf(tt.opt).Pointer() == reflect.ValueOf(maxPollRecords).Pointer() {
				if r.MaxPollRecords() != tt.want {
					t.Errorf("MaxPollRecords = %d, want %v", r.MaxPollRecords(), tt.want)
				}
				return
			}
			var extra []kgo.Opt
			group := tt.role == Consumer
			if group {
				extra = append(extra, kgo.ConsumerGroup("g"), kgo.ConsumeTopics("t"))
			}
			cl := clientWith(t, roleOpts(r, group), extra...)
			if got := cl.OptValue(tt.opt); !sameValue(reflect.ValueOf(got), reflect.ValueOf(tt.want)) {
				t.Errorf("kgo value = %#v, want %#v", got, tt.want)
			}
		})
	}
}

// sameValue compares two option values field by field, unexported fields
// included; functions (a partitioner's hasher) are equal when both are set
// or both are nil, since Go cannot compare them.
func sameValue(a, b reflect.Value) bool {
	if a.IsValid() != b.IsValid() || !a.IsValid() {
		return a.IsValid() == b.IsValid()
	}
	if a.Type() != b.Type() {
		return false
	}
	switch a.Kind() {
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return sameValue(a.Elem(), b.Elem())
	case reflect.Func:
		return a.IsNil() == b.IsNil()
	case reflect.Struct:
		for i := range a.NumField() {
			if !sameValue(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	case reflect.Slice, reflect.Array:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !sameValue(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Bool:
		return a.Bool() == b.Bool()
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return a.Int() == b.Int()
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return a.Uint() == b.Uint()
	case reflect.Float32, reflect.Float64:
		return a.Float() == b.Float()
	case reflect.String:
		return a.String() == b.String()
	}
	return false
}

// maxPollRecords stands in the table for max.poll.records, which ktune's
// poll loop applies (Resolved.MaxPollRecords) rather than a kgo option.
func maxPollRecords() {}

func TestJavaDefaultsAreExplicit(t *testing.T) {
	p, err := ResolveLine(nil, Producer, Line3)
	if err != nil {
		t.Fatal(err)
	}
	cl := client(t, p)
	if got := cl.OptValue(kgo.ProducerLinger); got != time.Duration(0) {
		t.Errorf("linger = %v, want Java 3.x's 0 (franz-go's default is 10 ms)", got)
	}
	if got := cl.OptValue(kgo.ProducerBatchMaxBytes); got != int32(16384) {
		t.Errorf("batch max = %v, want Java's batch.size 16384", got)
	}
	if got := cl.OptValue(kgo.RequiredAcks); got != kgo.AllISRAcks() {
		t.Errorf("acks = %v, want all", got)
	}
	want := map[string]string{"acks": "all", "enable.idempotence": "true", "compression.type": "none", "linger.ms": "0", "batch.size": "16384", "buffer.memory": "33554432"}
	for k, v := range want {
		if p.Effective()[k] != v {
			t.Errorf("default %s = %q, want %q", k, p.Effective()[k], v)
		}
	}
	if len(p.Notes()) == 0 {
		t.Error("no notes on where franz-go differs")
	}
	c := mustResolve(t, Consumer)
	if c.MaxPollRecords() != 500 || c.Effective()["fetch.max.wait.ms"] != "500" {
		t.Errorf("consumer defaults: max.poll.records %d, fetch.max.wait.ms %s", c.MaxPollRecords(), c.Effective()["fetch.max.wait.ms"])
	}
}

func TestAcksAndIdempotence(t *testing.T) {
	r := mustResolve(t, Producer, "acks=1")
	if r.Idempotent() || r.Effective()["enable.idempotence"] != "false" {
		t.Error("acks=1 without explicit idempotence should turn it off, as Java does")
	}
	if got := client(t, r).OptValue(kgo.DisableIdempotentWrite); got != true {
		t.Error("DisableIdempotentWrite not set for acks=1")
	}
	props, _ := ParseAssignments([]string{"acks=1", "enable.idempotence=true"})
	if _, err := Resolve(props, Producer); err == nil || !strings.Contains(err.Error(), "needs acks=all") {
		t.Errorf("explicit idempotence with acks=1: %v", err)
	}
	props, _ = ParseAssignments([]string{"transactional.id=x", "acks=1"})
	if _, err := Resolve(props, Producer); err == nil {
		t.Error("transactions without idempotence accepted")
	}
}

func TestBadValuesNameThePropertyAndValidValues(t *testing.T) {
	tests := []struct{ prop, want string }{
		{"compression.type=lz5", `compression.type: "lz5" is not one of none, gzip, snappy, lz4, zstd`},
		{"acks=2", `acks: "2" is not one of 0, 1, all, -1`},
		{"batch.size=-1", `batch.size: "-1" is not a whole number`},
		{"linger.ms=soon", `linger.ms: "soon"`},
		{"enable.idempotence=yes", `"yes" is not true or false`},
		{"isolation.level=serializable", "read_uncommitted, read_committed"},
		{"partition.assignment.strategy=magic", "range, roundrobin, sticky, cooperative-sticky"},
		{"lingerms=5", `unknown client property "lingerms" (did you mean linger.ms?)`},
		{"security.protocol=SASL_PLAINTEXT", "sasl.jaas.config is empty"},
	}
	for _, tt := range tests {
		t.Run(tt.prop, func(t *testing.T) {
			props, _ := ParseAssignments([]string{tt.prop})
			_, err := Resolve(props, Producer)
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("err = %v, want it to contain %q", err, tt.want)
			}
			if !strings.HasPrefix(err.Error(), "-X ") && !strings.Contains(tt.prop, "security") {
				t.Errorf("error does not say it came from -X: %v", err)
			}
		})
	}
}

func TestOtherRolePropertiesAreAcceptedAndIgnored(t *testing.T) {
	r := mustResolve(t, Producer, "fetch.min.bytes=1000", "linger.ms=5")
	if _, ok := r.Effective()["fetch.min.bytes"]; ok {
		t.Error("consumer property leaked into the producer config")
	}
	props, _ := ParseAssignments([]string{"fetch.min.bytes=-5"})
	if _, err := Resolve(props, Producer); err == nil {
		t.Error("a bad value of another role's property should still be an error")
	}
}

func TestParseProperties(t *testing.T) {
	in := `# comment
! also a comment
bootstrap.servers=127.0.0.1:9092
linger.ms : 5
batch.size 65536
sasl.jaas.config=org.apache.kafka.common.security.scram.ScramLoginModule required \
    username="alice" \
    password="p\u00e4ss";
client.id=a\=b
`
	props, err := ParseProperties(strings.NewReader(in))
	if err != nil {
		t.Fatal(err)
	}
	want := []Property{
		{Key: "bootstrap.servers", Value: "127.0.0.1:9092", Line: 3},
		{Key: "linger.ms", Value: "5", Line: 4},
		{Key: "batch.size", Value: "65536", Line: 5},
		{Key: "sasl.jaas.config", Value: `org.apache.kafka.common.security.scram.ScramLoginModule required username="alice" password="päss";`, Line: 6},
		{Key: "client.id", Value: "a=b", Line: 9},
	}
	if len(props) != len(want) {
		t.Fatalf("got %d properties: %+v", len(props), props)
	}
	for i := range want {
		if props[i] != want[i] {
			t.Errorf("property %d = %+v, want %+v", i, props[i], want[i])
		}
	}
}

func TestSecretsAreHidden(t *testing.T) {
	props, err := ConnectionProps(ConnectionFlags{SASLMechanism: "SCRAM-SHA-512", SASLUser: "alice", SASLPassword: "s3cr3t-pw"})
	if err != nil {
		t.Fatal(err)
	}
	r, err := Resolve(props, Producer)
	if err != nil {
		t.Fatal(err)
	}
	if r.Effective()["sasl.jaas.config"] != Hidden || r.Effective()["security.protocol"] != "SASL_PLAINTEXT" || r.Effective()["sasl.mechanism"] != "SCRAM-SHA-512" {
		t.Errorf("effective: %v", r.Effective())
	}
	for k, v := range r.Effective() {
		if strings.Contains(v, "s3cr3t") {
			t.Errorf("password leaked through %s", k)
		}
	}
	for _, name := range []string{"sasl.jaas.config", "ssl.key.password", "ssl.keystore.key", "ssl.truststore.password"} {
		if !IsSecret(name) {
			t.Errorf("%s not secret", name)
		}
	}
	if IsSecret("linger.ms") {
		t.Error("linger.ms secret")
	}
}

func TestParseJAAS(t *testing.T) {
	u, p, err := parseJAAS(`org.apache.kafka.common.security.plain.PlainLoginModule required username="bob" password="a\"b";`)
	if err != nil || u != "bob" || p != `a"b` {
		t.Fatalf("got %q %q %v", u, p, err)
	}
	if _, _, err := parseJAAS(`com.sun.security.auth.module.Krb5LoginModule required;`); err == nil {
		t.Error("Kerberos accepted")
	}
}

func TestDescribeCoversEveryRole(t *testing.T) {
	for _, role := range []Role{Producer, Consumer, Admin} {
		docs := Describe(role, CurrentLine)
		if len(docs) < 10 {
			t.Errorf("%s: only %d properties described", role, len(docs))
		}
	}
}

func TestDefectsFoundInReview(t *testing.T) {
	// KIP-848 needs a range or sticky balancer beside ServerSideBalancer.
	r := mustResolve(t, Consumer, "group.protocol=consumer")
	cl := client(t, r, kgo.ConsumerGroup("g"), kgo.ConsumeTopics("t"))
	if cl.OptValue(kgo.ServerSideBalancer) != true {
		t.Error("ServerSideBalancer not set")
	}
	if bals := cl.OptValue(kgo.Balancers).([]kgo.GroupBalancer); len(bals) != 1 || bals[0].ProtocolName() != "range" {
		t.Errorf("balancers %v: franz-go would fall back to the classic protocol", bals)
	}
	// enable.auto.commit=false must not break a client without a group.
	r = mustResolve(t, Consumer, "enable.auto.commit=false")
	if len(r.ConsumerOpts(true))-len(r.ConsumerOpts(false)) != 1 {
		t.Fatal("DisableAutoCommit not among the group options")
	}
	client(t, r, kgo.ConsumeTopics("t"))
	if cl := clientWith(t, r.ConsumerOpts(true), kgo.ConsumerGroup("g"), kgo.ConsumeTopics("t")); cl.OptValue(kgo.DisableAutoCommit) != true {
		t.Error("DisableAutoCommit lost in group mode")
	}
	// zstd: Java's default level 3 is franz-go's default encoder level.
	r = mustResolve(t, Producer, "compression.type=zstd")
	codecs := client(t, r).OptValue(kgo.ProducerBatchCompression).([]kgo.CompressionCodec)
	if len(codecs) != 1 || codecs[0] != kgo.ZstdCompression().WithLevel(2) {
		t.Errorf("zstd codec %v", codecs)
	}
}

func TestResolvedChangesOnlyThroughCopies(t *testing.T) {
	r := mustResolve(t, Producer, "transactional.id=tx", "linger.ms=5")
	eff := r.Effective()
	eff["linger.ms"] = "99"
	if r.Effective()["linger.ms"] != "5" {
		t.Error("changing the returned effective map changed the configuration")
	}
	w, err := r.With(Property{Key: "transactional.id", Value: "tx-w1"}, Property{Key: "buffer.memory", Value: "1048576"})
	if err != nil {
		t.Fatal(err)
	}
	if r.TransactionalID() != "tx" || r.BufferMemory() != 33554432 || r.Effective()["transactional.id"] != "tx" {
		t.Errorf("With changed the original: %q %d", r.TransactionalID(), r.BufferMemory())
	}
	if w.TransactionalID() != "tx-w1" || w.Effective()["transactional.id"] != "tx-w1" || w.Effective()["linger.ms"] != "5" || w.BufferMemory() != 1<<20 {
		t.Errorf("copy: id %q, effective %v", w.TransactionalID(), w.Effective())
	}
	if got := client(t, w).OptValue(kgo.TransactionalID); got != "tx-w1" {
		t.Errorf("the copy's client uses transactional.id %v", got)
	}
	if got := client(t, w).OptValue(kgo.MaxBufferedBytes); got != int64(1<<20) {
		t.Errorf("the copy's client buffers %v bytes", got)
	}
	if _, err := r.With(Property{Key: "acks", Value: "1", Source: "-X"}); err == nil || !strings.Contains(err.Error(), "transactional.id needs an idempotent producer") {
		t.Errorf("With does not validate again: %v", err)
	}
}

func TestProducerOptsGiveEachClientItsTransactionalID(t *testing.T) {
	r := mustResolve(t, Producer, "transactional.id=tx", "transaction.timeout.ms=30000")
	for _, tt := range []struct {
		i, n int
		want string
	}{{0, 1, "tx"}, {0, 3, "tx-0"}, {2, 3, "tx-2"}} {
		cl := clientWith(t, r.ProducerOpts(tt.i, tt.n))
		if got := cl.OptValue(kgo.TransactionalID); got != tt.want {
			t.Errorf("client %d of %d: transactional.id %v, want %s", tt.i, tt.n, got, tt.want)
		}
		if got := cl.OptValue(kgo.TransactionTimeout); got != 30*time.Second {
			t.Errorf("client %d of %d: transaction timeout %v", tt.i, tt.n, got)
		}
	}
	if got := clientWith(t, mustResolve(t, Producer).ProducerOpts(1, 2)).OptValue(kgo.TransactionalID); got != "" {
		t.Errorf("no transactional.id, yet the client has %v", got)
	}
}

func TestLayersOrder(t *testing.T) {
	p := func(k, v, src string) Property { return Property{Key: k, Value: v, Source: src} }
	l := Layers{
		CommandConfig: []Property{p("linger.ms", "2", "client.properties"), p("batch.size", "32768", "client.properties"), p("acks", "1", "client.properties")},
		Connection:    []Property{p("security.protocol", "SSL", "flags")},
		X:             []Property{p("linger.ms", "3", "-X")},
	}
	profile := []Property{p("linger.ms", "1", "profile"), p("compression.type", "lz4", "profile"), p("acks", "all", "profile")}
	r, err := Resolve(append(l.Over(profile), p("batch.size", "65536", "sweep")), Producer)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]string{
		"compression.type":  "lz4",   // profile over the Java default
		"acks":              "1",     // --command-config over the profile
		"security.protocol": "SSL",   // connection flags
		"linger.ms":         "3",     // -X over --command-config and the profile
		"batch.size":        "65536", // a sweep dimension over everything
	}
	for k, v := range want {
		if got := r.Effective()[k]; got != v {
			t.Errorf("%s = %q, want %q", k, got, v)
		}
	}
	if got := len(l.Over(nil)); got != 5 {
		t.Errorf("layers without a profile: %d properties", got)
	}
}
