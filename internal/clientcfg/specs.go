package clientcfg

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Role says which client a property set configures.
type Role int

// The client roles.
const (
	Producer Role = iota
	Consumer
	Admin
)

func (r Role) String() string {
	return [...]string{"producer", "consumer", "admin"}[r]
}

// roles is a set of roles a property applies to.
type roles uint8

const (
	rP   roles = 1 << Producer
	rC   roles = 1 << Consumer
	rA   roles = 1 << Admin
	rAll       = rP | rC | rA
)

func (rs roles) has(r Role) bool { return rs&(1<<r) != 0 }

// spec describes one supported property.
type spec struct {
	name  string
	roles roles
	def   string
	// valid describes the valid values, for errors and docs.
	valid string
	// norm validates and normalises a value.
	norm func(string) (string, error)
	// kgo names the franz-go mapping, for docs.
	kgo string
	doc string
	// secret values are never printed or written.
	secret bool
	// ignored properties are accepted so existing files load, but have no
	// franz-go equivalent.
	ignored bool
	// differs says how franz-go (or ktune on it) behaves differently from
	// the Java client for this property; empty when it does not.
	differs string
	// file properties name a file on the local machine; inline names the
	// properties that carry its content instead, for where the file is
	// not (a Kubernetes pod).
	file   bool
	inline string
}

// PropertyDoc describes one property for `ktune config list`.
type PropertyDoc struct {
	Name string `json:"name"`
	// Roles are the clients the property configures: producer, consumer,
	// admin.
	Roles []string `json:"roles"`
	// Default is the value ktune applies when the property is not set:
	// the default of the Java client line described, set explicitly.
	Default string `json:"default"`
	// Line is the Java client line whose defaults Default holds.
	Line  int    `json:"client_line"`
	Valid string `json:"valid"`
	Kgo   string `json:"franz_go_option,omitempty"`
	// FranzGo says how franz-go behaves differently from the Java client;
	// empty when it does not.
	FranzGo string `json:"franz_go_differs,omitempty"`
	Doc     string `json:"doc"`
	Secret  bool   `json:"secret"`
	// LocalFile properties name a file on this machine.
	LocalFile bool `json:"local_file,omitempty"`
	Ignored   bool `json:"ignored,omitempty"`
}

// Describe lists the properties of role with line's defaults, in the
// table's order.
func Describe(role Role, line Line) []PropertyDoc {
	var out []PropertyDoc
	for _, s := range specList {
		if s.roles.has(role) {
			out = append(out, s.describe(line))
		}
	}
	return out
}

// DescribeAll lists every supported property with line's defaults, in the
// table's order.
func DescribeAll(line Line) []PropertyDoc {
	out := make([]PropertyDoc, len(specList))
	for i, s := range specList {
		out[i] = s.describe(line)
	}
	return out
}

func (s *spec) describe(line Line) PropertyDoc {
	d := PropertyDoc{Name: s.name, Default: s.defaultFor(line), Line: int(line), Valid: s.valid, Kgo: s.kgo, FranzGo: s.differs, Doc: s.doc,
		Secret: s.secret || IsSecret(s.name), LocalFile: s.file || isFilePattern(s.name), Ignored: s.ignored}
	if s.ignored && d.FranzGo == "" {
		d.FranzGo = "no equivalent: accepted and ignored"
	}
	for _, r := range []Role{Producer, Consumer, Admin} {
		if s.roles.has(r) {
			d.Roles = append(d.Roles, r.String())
		}
	}
	return d
}

// ParseRole reads a role name: producer, consumer or admin.
func ParseRole(name string) (Role, error) {
	for _, r := range []Role{Producer, Consumer, Admin} {
		if name == r.String() {
			return r, nil
		}
	}
	return 0, fmt.Errorf("--role %q: must be producer, consumer or admin", name)
}

// LocalFile reports whether a property's value names a file on the local
// machine (ssl.*.location, sasl.kerberos.*, *.file), and the properties
// that carry the file's content instead, if any.
func LocalFile(name string) (inline string, ok bool) {
	if s, known := specs[name]; known && s.file {
		return s.inline, true
	}
	return "", isFilePattern(name)
}

func isFilePattern(name string) bool {
	n := strings.ToLower(name)
	return strings.HasPrefix(n, "ssl.") && strings.HasSuffix(n, ".location") ||
		strings.HasPrefix(n, "sasl.kerberos.") || strings.HasSuffix(n, ".file")
}

// IsSecret reports whether a property's value must never be printed or
// written: passwords, keys and JAAS configs.
func IsSecret(name string) bool {
	if s, ok := specs[name]; ok && s.secret {
		return true
	}
	n := strings.ToLower(name)
	return strings.Contains(n, "password") || strings.Contains(n, "jaas") || strings.Contains(n, "secret") || strings.HasSuffix(n, ".key")
}

// Hidden replaces secret values in the effective configuration.
const Hidden = "[hidden]"

func oneOf(vals ...string) func(string) (string, error) {
	return func(v string) (string, error) {
		for _, ok := range vals {
			if strings.EqualFold(v, ok) {
				return ok, nil
			}
		}
		return "", fmt.Errorf("%q is not one of %s", v, strings.Join(vals, ", "))
	}
}

func intRange(lo, hi int64) func(string) (string, error) {
	return func(v string) (string, error) {
		n, err := strconv.ParseInt(strings.TrimSpace(v), 10, 64)
		if err != nil || n < lo || n > hi {
			return "", fmt.Errorf("%q is not a whole number from %d to %d", v, lo, hi)
		}
		return strconv.FormatInt(n, 10), nil
	}
}

func boolean(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "true":
		return "true", nil
	case "false":
		return "false", nil
	}
	return "", fmt.Errorf("%q is not true or false", v)
}

func anyString(v string) (string, error) { return v, nil }

const i32 = math.MaxInt32

// specList is every supported property.
var specList = []spec{
	// Connection and common.
	{name: "bootstrap.servers", roles: rAll, valid: "host:port,...", norm: anyString, kgo: "SeedBrokers", doc: "brokers to bootstrap from (--brokers wins)"},
	{name: "client.id", roles: rAll, def: "ktune", valid: "text", norm: anyString, kgo: "ClientID", doc: "client id sent to brokers", differs: "Java generates producer-N or consumer-N; ktune names its clients ktune"},
	{name: "security.protocol", roles: rAll, def: "PLAINTEXT", valid: "PLAINTEXT, SSL, SASL_PLAINTEXT, SASL_SSL", norm: oneOf("PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"), kgo: "Dialer (TLS), SASL", doc: "transport security"},
	{name: "sasl.mechanism", roles: rAll, def: "GSSAPI", valid: "PLAIN, SCRAM-SHA-256, SCRAM-SHA-512 (GSSAPI, OAUTHBEARER unsupported)", norm: oneOf("GSSAPI", "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512", "OAUTHBEARER"), kgo: "SASL(plain/scram)", doc: "SASL mechanism", differs: "GSSAPI (Kerberos) and OAUTHBEARER are not supported"},
	{name: "sasl.jaas.config", roles: rAll, valid: `...LoginModule required username="u" password="p";`, norm: anyString, kgo: "SASL", doc: "SASL credentials", secret: true},
	{name: "ssl.truststore.type", roles: rAll, def: "JKS", valid: "PEM (JKS and PKCS12 must be converted to PEM)", norm: oneOf("JKS", "PKCS12", "PEM"), kgo: "tls.Config.RootCAs", doc: "trust store format", differs: "PEM only: convert JKS and PKCS12 stores"},
	{name: "ssl.truststore.location", roles: rAll, valid: "PEM file", norm: anyString, kgo: "tls.Config.RootCAs", doc: "CA certificates", file: true, inline: "ssl.truststore.certificates"},
	{name: "ssl.truststore.certificates", roles: rAll, valid: "PEM text", norm: anyString, kgo: "tls.Config.RootCAs", doc: "CA certificates inline"},
	{name: "ssl.truststore.password", roles: rAll, valid: "text", norm: anyString, secret: true, ignored: true, doc: "not used with PEM"},
	{name: "ssl.keystore.type", roles: rAll, def: "JKS", valid: "PEM (JKS and PKCS12 must be converted to PEM)", norm: oneOf("JKS", "PKCS12", "PEM"), kgo: "tls.Config.Certificates", doc: "key store format", differs: "PEM only: convert JKS and PKCS12 stores"},
	{name: "ssl.keystore.location", roles: rAll, valid: "PEM file with certificate chain and key", norm: anyString, kgo: "tls.Config.Certificates", doc: "client certificate and key", file: true, inline: "ssl.keystore.certificate.chain and ssl.keystore.key"},
	{name: "ssl.keystore.certificate.chain", roles: rAll, valid: "PEM text", norm: anyString, kgo: "tls.Config.Certificates", doc: "client certificate inline"},
	{name: "ssl.keystore.key", roles: rAll, valid: "PEM text", norm: anyString, kgo: "tls.Config.Certificates", doc: "client key inline", secret: true},
	{name: "ssl.keystore.password", roles: rAll, valid: "text", norm: anyString, secret: true, ignored: true, doc: "not used with PEM"},
	{name: "ssl.key.password", roles: rAll, valid: "text", norm: anyString, secret: true, doc: "password of an encrypted key (unsupported: decrypt the key)", differs: "encrypted keys are not supported: decrypt the key (openssl pkey)"},
	{name: "ssl.endpoint.identification.algorithm", roles: rAll, def: "https", valid: "https or empty (no host name check)", norm: oneOf("https", ""), kgo: "tls.Config.InsecureSkipVerify", doc: "check the broker's host name", differs: "empty turns off every certificate check, not only the host name check"},
	{name: "metadata.max.age.ms", roles: rAll, def: "300000", valid: "0..2147483647 ms", norm: intRange(0, i32), kgo: "MetadataMaxAge", doc: "metadata refresh interval"},
	{name: "retry.backoff.ms", roles: rAll, def: "100", valid: "0..2147483647 ms", norm: intRange(0, i32), kgo: "RetryBackoffFn", doc: "wait between retries", differs: "a constant wait; Java 3.7+ backs off exponentially up to retry.backoff.max.ms"},
	{name: "connections.max.idle.ms", roles: rAll, def: "540000", valid: "0..1099511627776 ms", norm: intRange(0, 1<<40), kgo: "ConnIdleTimeout", doc: "close idle connections after", differs: "its own default is 20 s; ktune sets Java's 9 minutes"},
	{name: "request.timeout.ms", roles: rAll, def: "30000", valid: "1..2147483647 ms", norm: intRange(1, i32), kgo: "ProduceRequestTimeout (producer)", doc: "how long a produce request may wait on the broker", differs: "bounds produce requests only; it times other requests itself"},
	// Producer.
	{name: "acks", roles: rP, def: "all", valid: "0, 1, all, -1", norm: normAcks, kgo: "RequiredAcks", doc: "acknowledgements required"},
	{name: "enable.idempotence", roles: rP, def: "true", valid: "true, false", norm: boolean, kgo: "DisableIdempotentWrite when false", doc: "idempotent producer (needs acks=all)"},
	{name: "batch.size", roles: rP, def: "16384", valid: "1..2147483647 bytes", norm: intRange(1, i32), kgo: "ProducerBatchMaxBytes", doc: "batch size per partition", differs: "its own cap is about 1 MB; ktune sets Java's 16384 (a larger record gets a batch of its own)"},
	{name: "linger.ms", roles: rP, valid: "0..2147483647 ms", norm: intRange(0, i32), kgo: "ProducerLinger", doc: "wait for a batch to fill", differs: "its own default is 10 ms; ktune sets the Java line's (0 on 3.x, 5 on 4.x)"},
	{name: "compression.type", roles: rP, def: "none", valid: "none, gzip, snappy, lz4, zstd", norm: oneOf("none", "gzip", "snappy", "lz4", "zstd"), kgo: "ProducerBatchCompression", doc: "batch compression codec", differs: "its own default is snappy; ktune sets Java's none"},
	{name: "compression.gzip.level", roles: rP, def: "-1", valid: "-1 (default) or 1..9", norm: intRange(-1, 9), kgo: "GzipCompression().WithLevel", doc: "gzip level"},
	{name: "compression.lz4.level", roles: rP, def: "9", valid: "1..17", norm: intRange(1, 17), kgo: "Lz4Compression().WithLevel", doc: "lz4 level", differs: "its lz4 levels are not Java's; the level is passed through"},
	{name: "compression.zstd.level", roles: rP, def: "3", valid: "-131072..22", norm: intRange(-131072, 22), kgo: "ZstdCompression().WithLevel", doc: "zstd level", differs: "it has 4 zstd levels: Java 1-2 map to its fastest, 3-6 default, 7-10 better, 11+ best"},
	{name: "buffer.memory", roles: rP, def: "33554432", valid: "1..9223372036854775807 bytes", norm: intRange(1, math.MaxInt64), kgo: "MaxBufferedBytes", doc: "client buffer; sends block when full", differs: "its extra 50,000-record buffer limit is lifted, so buffer.memory alone binds"},
	{name: "max.in.flight.requests.per.connection", roles: rP, def: "5", valid: "1.. (at most 5 with idempotence)", norm: intRange(1, i32), kgo: "MaxProduceRequestsInflightPerBroker", doc: "produce requests in flight per broker", differs: "while idempotent it keeps 5 requests in flight whatever the value"},
	{name: "max.request.size", roles: rP, def: "1048576", valid: "1..2147483647 bytes", norm: intRange(1, i32), kgo: "record size check; caps ProducerBatchMaxBytes", doc: "largest record and request"},
	{name: "delivery.timeout.ms", roles: rP, def: "120000", valid: "1..2147483647 ms", norm: intRange(1, i32), kgo: "RecordDeliveryTimeout", doc: "give up on a record after"},
	{name: "retries", roles: rP, def: "2147483647", valid: "0..2147483647", norm: intRange(0, i32), kgo: "RecordRetries", doc: "retries of a record"},
	{name: "partitioner.class", roles: rP, valid: "Java class names of RoundRobinPartitioner, UniformStickyPartitioner, DefaultPartitioner", norm: normPartitionerClass, kgo: "RecordPartitioner", doc: "partitioner (prefer 'partitioner')", differs: "only the Java client's built-in partitioner classes"},
	{name: "partitioner", roles: rP, def: "uniform", valid: "uniform (Java's built-in), sticky, round-robin, key-hash", norm: oneOf("uniform", "sticky", "round-robin", "key-hash"), kgo: "RecordPartitioner", doc: "ktune's short partitioner name", differs: "ktune's own property; the Java client has partitioner.class"},
	{name: "partitioner.adaptive.partitioning.enable", roles: rP, def: "true", valid: "true, false", norm: boolean, kgo: "UniformBytesPartitioner(adaptive)", doc: "prefer partitions of faster brokers"},
	{name: "partitioner.ignore.keys", roles: rP, def: "false", valid: "true, false", norm: boolean, kgo: "UniformBytesPartitioner(keys)", doc: "spread keyed records like unkeyed ones"},
	{name: "transactional.id", roles: rP, valid: "text", norm: anyString, kgo: "TransactionalID", doc: "enables transactions"},
	{name: "transaction.timeout.ms", roles: rP, def: "60000", valid: "1..2147483647 ms", norm: intRange(1, i32), kgo: "TransactionTimeout", doc: "transaction timeout"},
	{name: "max.block.ms", roles: rP, def: "60000", valid: "0..2147483647 ms", norm: intRange(0, i32), ignored: true, doc: "franz-go blocks until buffer space frees or the run ends"},
	{name: "key.serializer", roles: rP, valid: "class", norm: anyString, ignored: true, doc: "ktune sends bytes"},
	{name: "value.serializer", roles: rP, valid: "class", norm: anyString, ignored: true, doc: "ktune sends bytes"},
	// Consumer.
	{name: "group.id", roles: rC, valid: "text", norm: anyString, kgo: "ConsumerGroup", doc: "consumer group (--group wins)"},
	{name: "group.instance.id", roles: rC, valid: "text", norm: anyString, kgo: "InstanceID", doc: "static membership"},
	{name: "group.protocol", roles: rC, def: "classic", valid: "classic, consumer", norm: oneOf("classic", "consumer"), kgo: "ServerSideBalancer for consumer (KIP-848)", doc: "group protocol", differs: "consumer (KIP-848) uses its server-side balancer; partition.assignment.strategy is then unused"},
	{name: "fetch.min.bytes", roles: rC, def: "1", valid: "1..2147483647 bytes", norm: intRange(1, i32), kgo: "FetchMinBytes", doc: "wait for this much data"},
	{name: "fetch.max.bytes", roles: rC, def: "52428800", valid: "1..2147483647 bytes", norm: intRange(1, i32), kgo: "FetchMaxBytes", doc: "largest fetch response"},
	{name: "max.partition.fetch.bytes", roles: rC, def: "1048576", valid: "1..2147483647 bytes", norm: intRange(1, i32), kgo: "FetchMaxPartitionBytes", doc: "largest per-partition fetch"},
	{name: "fetch.max.wait.ms", roles: rC, def: "500", valid: "0..2147483647 ms", norm: intRange(0, i32), kgo: "FetchMaxWait", doc: "upper bound on the wait for fetch.min.bytes", differs: "its own default is 5 s; ktune sets Java's 500 ms"},
	{name: "max.poll.records", roles: rC, def: "500", valid: "1..2147483647", norm: intRange(1, i32), kgo: "PollRecords(n)", doc: "records per poll", differs: "no poll limit of its own; ktune polls this many records"},
	{name: "session.timeout.ms", roles: rC, def: "45000", valid: "1..2147483647 ms", norm: intRange(1, i32), kgo: "SessionTimeout", doc: "group session timeout"},
	{name: "heartbeat.interval.ms", roles: rC, def: "3000", valid: "1..2147483647 ms", norm: intRange(1, i32), kgo: "HeartbeatInterval", doc: "group heartbeat interval"},
	{name: "max.poll.interval.ms", roles: rC, def: "300000", valid: "1..2147483647 ms", norm: intRange(1, i32), kgo: "RebalanceTimeout", doc: "rebalance timeout"},
	{name: "partition.assignment.strategy", roles: rC, def: "range,cooperative-sticky", valid: "comma list of range, roundrobin, sticky, cooperative-sticky (or Java class names)", norm: normAssignors, kgo: "Balancers", doc: "group assignors", differs: "its own default is cooperative-sticky; ktune sets Java's range,cooperative-sticky"},
	{name: "isolation.level", roles: rC, def: "read_uncommitted", valid: "read_uncommitted, read_committed", norm: oneOf("read_uncommitted", "read_committed"), kgo: "FetchIsolationLevel", doc: "transactional read isolation"},
	{name: "auto.offset.reset", roles: rC, def: "latest", valid: "earliest, latest, none", norm: oneOf("earliest", "latest", "none"), kgo: "ConsumeResetOffset", doc: "start without a committed offset (ktune's --from wins)", differs: "ktune's --from (default earliest) wins"},
	{name: "enable.auto.commit", roles: rC, def: "true", valid: "true, false", norm: boolean, kgo: "DisableAutoCommit when false", doc: "commit offsets in the background"},
	{name: "auto.commit.interval.ms", roles: rC, def: "5000", valid: "1..2147483647 ms", norm: intRange(1, i32), kgo: "AutoCommitInterval", doc: "auto commit interval"},
	{name: "client.rack", roles: rC, valid: "text", norm: anyString, kgo: "Rack", doc: "fetch from the closest replica"},
	{name: "check.crcs", roles: rC, def: "true", valid: "true, false", norm: boolean, ignored: true, doc: "franz-go always checks CRCs"},
	{name: "allow.auto.create.topics", roles: rC, def: "true", valid: "true, false", norm: boolean, ignored: true, doc: "ktune creates topics itself"},
	{name: "exclude.internal.topics", roles: rC, def: "true", valid: "true, false", norm: boolean, ignored: true, doc: "ktune reads one topic"},
	{name: "key.deserializer", roles: rC, valid: "class", norm: anyString, ignored: true, doc: "ktune reads bytes"},
	{name: "value.deserializer", roles: rC, valid: "class", norm: anyString, ignored: true, doc: "ktune reads bytes"},
}

// ignoredCommon are Java client properties accepted everywhere so existing
// files load; franz-go has no equivalent.
var ignoredCommon = []string{
	"reconnect.backoff.ms", "reconnect.backoff.max.ms", "send.buffer.bytes", "receive.buffer.bytes",
	"socket.connection.setup.timeout.ms", "socket.connection.setup.timeout.max.ms", "client.dns.lookup",
	"metric.reporters", "metrics.num.samples", "metrics.recording.level", "metrics.sample.window.ms",
	"auto.include.jmx.reporter", "enable.metrics.push", "interceptor.classes", "default.api.timeout.ms",
	"retry.backoff.max.ms", "ssl.protocol", "ssl.enabled.protocols", "ssl.cipher.suites", "ssl.provider",
	"ssl.keymanager.algorithm", "ssl.trustmanager.algorithm", "ssl.secure.random.implementation",
	"sasl.kerberos.service.name", "sasl.login.class", "sasl.client.callback.handler.class", "sasl.login.callback.handler.class",
}

var specs = func() map[string]*spec {
	for _, n := range ignoredCommon {
		specList = append(specList, spec{name: n, roles: rAll, valid: "any", norm: anyString, ignored: true, doc: "accepted; franz-go has no equivalent"})
	}
	m := make(map[string]*spec, len(specList))
	for i := range specList {
		m[specList[i].name] = &specList[i]
	}
	return m
}()

func normAcks(v string) (string, error) {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "0":
		return "0", nil
	case "1":
		return "1", nil
	case "all", "-1":
		return "all", nil
	}
	return "", fmt.Errorf("%q is not one of 0, 1, all, -1", v)
}

var partitionerClasses = map[string]string{
	"org.apache.kafka.clients.producer.RoundRobinPartitioner":        "round-robin",
	"org.apache.kafka.clients.producer.UniformStickyPartitioner":     "sticky",
	"org.apache.kafka.clients.producer.internals.DefaultPartitioner": "uniform",
}

func normPartitionerClass(v string) (string, error) {
	if v == "" {
		return "", nil
	}
	if _, ok := partitionerClasses[v]; ok {
		return v, nil
	}
	return "", fmt.Errorf("%q is not one of org.apache.kafka.clients.producer.RoundRobinPartitioner, org.apache.kafka.clients.producer.UniformStickyPartitioner, org.apache.kafka.clients.producer.internals.DefaultPartitioner (or use -X partitioner=uniform|sticky|round-robin|key-hash)", v)
}

var assignorNames = map[string]string{
	"range": "range", "org.apache.kafka.clients.consumer.rangeassignor": "range",
	"roundrobin": "roundrobin", "org.apache.kafka.clients.consumer.roundrobinassignor": "roundrobin",
	"sticky": "sticky", "org.apache.kafka.clients.consumer.stickyassignor": "sticky",
	"cooperative-sticky": "cooperative-sticky", "org.apache.kafka.clients.consumer.cooperativestickyassignor": "cooperative-sticky",
}

func normAssignors(v string) (string, error) {
	var out []string
	for _, part := range strings.Split(v, ",") {
		p := strings.ToLower(strings.TrimSpace(part))
		if p == "" {
			continue
		}
		n, ok := assignorNames[p]
		if !ok {
			return "", fmt.Errorf("%q is not one of range, roundrobin, sticky, cooperative-sticky (or their Java class names)", part)
		}
		out = append(out, n)
	}
	if len(out) == 0 {
		return "", fmt.Errorf("%q names no assignor", v)
	}
	return strings.Join(out, ","), nil
}
