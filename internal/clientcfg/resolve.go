package clientcfg

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"maps"
	"math"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kgo"
	"github.com/twmb/franz-go/pkg/sasl"
	"github.com/twmb/franz-go/pkg/sasl/plain"
	"github.com/twmb/franz-go/pkg/sasl/scram"
)

// Resolved is a validated configuration for one client role. It is
// immutable: everything in it is derived once from the properties it was
// resolved from, the franz-go options are built when a client asks for them
// (ProducerOpts, ConsumerOpts, AdminOpts), and a change (With) resolves a
// new configuration, so no setting is kept in two places that could drift.
type Resolved struct {
	role  Role
	line  Line
	props []Property

	effective map[string]string
	notes     []string
	tls       *tls.Config
	bootstrap []string

	// common are the options every client of the role gets (client.id,
	// metadata, retries, SASL); producer and consumer those of the role
	// alone, transactional.id apart: ProducerOpts adds it per client.
	common, producer, consumer []kgo.Opt
	// group are options franz-go accepts only on a consumer-group client
	// (enable.auto.commit=false).
	group []kgo.Opt

	maxPollRecords                          int
	transactionalID                         string
	transactionTimeout                      time.Duration
	idempotent                              bool
	acks                                    string
	batchSize, maxRequestSize, bufferMemory int
	deliveryTimeout                         time.Duration
	partitioner                             kgo.Partitioner
	codec                                   kgo.CompressionCodec
}

// Resolve is ResolveLine on the current Java client line.
func Resolve(props []Property, role Role) (*Resolved, error) {
	return ResolveLine(props, role, CurrentLine)
}

// ResolveLine validates every property and returns the configuration of
// role, with line's defaults for what props leave unset. Later properties
// override earlier ones. Properties of another role are validated and then
// ignored, so one file can serve producer and consumer; a name no role
// knows is an error.
func ResolveLine(props []Property, role Role, line Line) (*Resolved, error) {
	if line != Line3 && line != Line4 {
		return nil, fmt.Errorf("client line %d: ktune knows the Java client lines 3 and 4", int(line))
	}
	vals := map[string]string{}
	set := map[string]bool{}
	for _, p := range props {
		s, ok := specs[p.Key]
		if !ok {
			return nil, propErr(p, fmt.Errorf("unknown client property %q%s; run 'ktune config list' for the supported ones", p.Key, suggest(p.Key)))
		}
		v, err := s.norm(p.Value)
		if err != nil {
			return nil, propErr(p, fmt.Errorf("%s: %v", p.Key, err))
		}
		if s.roles.has(role) {
			vals[p.Key], set[p.Key] = v, true
		}
	}
	for _, s := range specList {
		if _, ok := vals[s.name]; !ok && s.roles.has(role) && s.defaultFor(line) != "" {
			vals[s.name] = s.defaultFor(line)
		}
	}
	b := &builder{vals: vals, set: set, line: line, res: &Resolved{role: role, line: line, props: slices.Clone(props)}}
	if err := b.build(role); err != nil {
		return nil, err
	}
	b.res.effective = map[string]string{}
	for k, v := range vals {
		if specs[k].secret || IsSecret(k) {
			v = Hidden
		}
		b.res.effective[k] = v
	}
	return b.res, nil
}

// With returns the configuration resolved again with props applied over
// the ones r came from (later ones win); r itself is unchanged.
func (r *Resolved) With(props ...Property) (*Resolved, error) {
	return ResolveLine(append(slices.Clone(r.props), props...), r.role, r.line)
}

// Role is the client role r was resolved for.
func (r *Resolved) Role() Role { return r.role }

// Line is the Java client line whose defaults r applies.
func (r *Resolved) Line() Line { return r.line }

// Effective returns every property of the role in Java names, defaults
// filled in, secrets replaced by Hidden (a copy the caller owns).
func (r *Resolved) Effective() map[string]string { return maps.Clone(r.effective) }

// Notes say where franz-go behaves differently from the Java client for
// these values.
func (r *Resolved) Notes() []string { return slices.Clone(r.notes) }

// TLS is non-nil for security.protocol SSL and SASL_SSL (shared: do not
// change it, Clone it).
func (r *Resolved) TLS() *tls.Config { return r.tls }

// Bootstrap is bootstrap.servers, if given.
func (r *Resolved) Bootstrap() []string { return slices.Clone(r.bootstrap) }

// MaxPollRecords is max.poll.records (consumer).
func (r *Resolved) MaxPollRecords() int { return r.maxPollRecords }

// TransactionalID is transactional.id (producer), empty without
// transactions. ProducerOpts gives each client of a run its own.
func (r *Resolved) TransactionalID() string { return r.transactionalID }

// Idempotent says whether the producer is idempotent.
func (r *Resolved) Idempotent() bool { return r.idempotent }

// Acks is "0", "1" or "all" (producer).
func (r *Resolved) Acks() string { return r.acks }

// BatchSize is batch.size in bytes (producer).
func (r *Resolved) BatchSize() int { return r.batchSize }

// MaxRequestSize is max.request.size in bytes (producer).
func (r *Resolved) MaxRequestSize() int { return r.maxRequestSize }

// BufferMemory is buffer.memory in bytes (producer).
func (r *Resolved) BufferMemory() int { return r.bufferMemory }

// DeliveryTimeout is delivery.timeout.ms: how long a record may wait for
// its acknowledgement (producers; 0 for other roles).
func (r *Resolved) DeliveryTimeout() time.Duration { return r.deliveryTimeout }

// Partitioner is the producer's partitioner (also in ProducerOpts), for
// callers that wrap it.
func (r *Resolved) Partitioner() kgo.Partitioner { return r.partitioner }

// Compressor is the producer's batch compressor as franz-go builds it from
// ProducerBatchCompression (also in ProducerOpts), for callers that wrap it
// with kgo.WithCompressor.
func (r *Resolved) Compressor() kgo.Compressor {
	c, err := kgo.DefaultCompressor(r.codec)
	if err != nil {
		return nil // not reached: the codec is one franz-go offers
	}
	return c
}

// AdminOpts are the franz-go options every client of the configuration
// gets: client.id, metadata age, idle connections, retry backoff and SASL
// (no seed brokers, dialer or TLS: the connection adds those).
func (r *Resolved) AdminOpts() []kgo.Opt { return slices.Clone(r.common) }

// ProducerOpts are the franz-go options of producer client i of n clients
// of a run (a configuration resolved for Producer). With transactional.id
// set, each of several clients gets its own, transactional.id-i, so they
// do not fence each other; a single client keeps transactional.id itself.
func (r *Resolved) ProducerOpts(i, n int) []kgo.Opt {
	opts := append(slices.Clone(r.common), r.producer...)
	if id := r.transactionalID; id != "" {
		if n > 1 {
			id = fmt.Sprintf("%s-%d", id, i)
		}
		opts = append(opts, kgo.TransactionalID(id), kgo.TransactionTimeout(r.transactionTimeout))
	}
	return opts
}

// ConsumerOpts are the franz-go options of a consumer (a configuration
// resolved for Consumer); group adds those franz-go accepts only on a
// consumer-group client.
func (r *Resolved) ConsumerOpts(group bool) []kgo.Opt {
	opts := append(slices.Clone(r.common), r.consumer...)
	if group {
		opts = append(opts, r.group...)
	}
	return opts
}

func propErr(p Property, err error) error {
	switch {
	case p.Source != "" && p.Source != "-X" && p.Line > 0:
		return fmt.Errorf("%s:%d: %w", p.Source, p.Line, err)
	case p.Source == "-X":
		return fmt.Errorf("-X %w", err)
	}
	return err
}

// suggest names a known property close to an unknown one.
func suggest(name string) string {
	best, bestD := "", 4
	for k := range specs {
		if d := distance(name, k); d < bestD {
			best, bestD = k, d
		}
	}
	if best == "" {
		return ""
	}
	return fmt.Sprintf(" (did you mean %s?)", best)
}

func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+c)
		}
		prev = cur
	}
	return prev[len(b)]
}

type builder struct {
	vals map[string]string
	set  map[string]bool
	line Line
	res  *Resolved
}

func (b *builder) int(name string) int {
	n, _ := strconv.ParseInt(b.vals[name], 10, 64)
	return int(min(n, math.MaxInt))
}

func (b *builder) ms(name string) time.Duration {
	return time.Duration(b.int(name)) * time.Millisecond
}

// opt adds client-wide options; popt and copt the producer's and the
// consumer's.
func (b *builder) opt(o ...kgo.Opt)  { b.res.common = append(b.res.common, o...) }
func (b *builder) popt(o ...kgo.Opt) { b.res.producer = append(b.res.producer, o...) }
func (b *builder) copt(o ...kgo.Opt) { b.res.consumer = append(b.res.consumer, o...) }

func (b *builder) note(format string, args ...any) {
	b.res.notes = append(b.res.notes, fmt.Sprintf(format, args...))
}

func (b *builder) build(role Role) error {
	if v := b.vals["bootstrap.servers"]; v != "" {
		for _, s := range strings.Split(v, ",") {
			if s = strings.TrimSpace(s); s != "" {
				b.res.bootstrap = append(b.res.bootstrap, s)
			}
		}
	}
	b.opt(kgo.ClientID(b.vals["client.id"]), kgo.MetadataMaxAge(b.ms("metadata.max.age.ms")), kgo.ConnIdleTimeout(b.ms("connections.max.idle.ms")))
	backoff := b.ms("retry.backoff.ms")
	b.opt(kgo.RetryBackoffFn(func(int) time.Duration { return backoff }))
	if err := b.security(); err != nil {
		return err
	}
	for k := range b.set {
		if specs[k].ignored {
			b.note("%s is accepted but has no franz-go equivalent; ktune ignores it", k)
		}
	}
	switch role {
	case Producer:
		if err := b.producer(); err != nil {
			return err
		}
	case Consumer:
		if err := b.consumer(); err != nil {
			return err
		}
	}
	sort.Strings(b.res.notes)
	return nil
}

func (b *builder) producer() error {
	v := b.vals
	idem := v["enable.idempotence"] == "true"
	acks := v["acks"]
	inflight := b.int("max.in.flight.requests.per.connection")
	if idem && acks != "all" {
		if b.set["enable.idempotence"] {
			return fmt.Errorf("enable.idempotence=true needs acks=all, not acks=%s; set -X enable.idempotence=false to use acks=%s", acks, acks)
		}
		idem = false
		v["enable.idempotence"] = "false"
		b.note("acks=%s turns idempotence off, as the Java client does when enable.idempotence is not set explicitly", acks)
	}
	if idem && inflight > 5 {
		if b.set["enable.idempotence"] {
			return fmt.Errorf("enable.idempotence=true needs max.in.flight.requests.per.connection <= 5, not %d", inflight)
		}
		idem = false
		v["enable.idempotence"] = "false"
		b.note("max.in.flight.requests.per.connection=%d turns idempotence off, as the Java client does when enable.idempotence is not set explicitly", inflight)
	}
	b.res.idempotent, b.res.acks = idem, acks
	switch acks {
	case "0":
		b.popt(kgo.RequiredAcks(kgo.NoAck()))
	case "1":
		b.popt(kgo.RequiredAcks(kgo.LeaderAck()))
	default:
		b.popt(kgo.RequiredAcks(kgo.AllISRAcks()))
	}
	if idem {
		if inflight != 5 {
			b.note("franz-go keeps 5 produce requests in flight per broker while idempotent; max.in.flight.requests.per.connection=%d is not applied", inflight)
		}
	} else {
		b.popt(kgo.DisableIdempotentWrite(), kgo.MaxProduceRequestsInflightPerBroker(inflight))
	}

	b.res.batchSize = b.int("batch.size")
	b.res.maxRequestSize = b.int("max.request.size")
	b.res.bufferMemory = b.int("buffer.memory")
	batch := min(b.res.batchSize, b.res.maxRequestSize)
	b.popt(kgo.ProducerBatchMaxBytes(int32(batch)))
	b.note("batch.size is a cap per partition batch in franz-go, as in Java; a record larger than batch.size gets a batch of its own up to max.request.size (ktune raises the cap for such records)")
	b.popt(kgo.ProducerLinger(b.ms("linger.ms")))
	if !b.set["linger.ms"] {
		b.note("linger.ms=%s (the Java %s client's default) is set explicitly; franz-go's own default is 10 ms", b.vals["linger.ms"], b.line)
	}

	codec, err := b.codec()
	if err != nil {
		return err
	}
	b.res.codec = codec
	b.popt(kgo.ProducerBatchCompression(codec))
	if v["compression.type"] == "none" {
		b.note("compression.type=none (the Java default) is set explicitly; franz-go's own default is snappy")
	}

	b.popt(kgo.MaxBufferedBytes(b.res.bufferMemory), kgo.MaxBufferedRecords(math.MaxInt32))
	b.note("buffer.memory maps to franz-go's MaxBufferedBytes; franz-go's extra 50,000-record buffer limit is lifted so buffer.memory alone binds, as in Java")
	b.res.deliveryTimeout = b.ms("delivery.timeout.ms")
	b.popt(kgo.ProduceRequestTimeout(b.ms("request.timeout.ms")), kgo.RecordDeliveryTimeout(b.res.deliveryTimeout), kgo.RecordRetries(b.int("retries")))

	p, err := b.partitioner()
	if err != nil {
		return err
	}
	b.res.partitioner = p
	b.popt(kgo.RecordPartitioner(p))

	if id := v["transactional.id"]; id != "" {
		if !idem {
			return errors.New("transactional.id needs an idempotent producer: acks=all and enable.idempotence=true")
		}
		b.res.transactionalID, b.res.transactionTimeout = id, b.ms("transaction.timeout.ms")
	}
	return nil
}

func (b *builder) codec() (kgo.CompressionCodec, error) {
	switch b.vals["compression.type"] {
	case "gzip":
		c := kgo.GzipCompression()
		if l := b.int("compression.gzip.level"); l != -1 {
			c = c.WithLevel(l)
		}
		return c, nil
	case "snappy":
		return kgo.SnappyCompression(), nil
	case "lz4":
		c := kgo.Lz4Compression()
		if l := b.int("compression.lz4.level"); l != 9 {
			c = c.WithLevel(l)
			b.note("franz-go's lz4 has fast (level 0) and high-compression levels; compression.lz4.level=%d is passed through", l)
		}
		return c, nil
	case "zstd":
		// franz-go's zstd has four encoder levels; Java's default 3 is the
		// Go encoder's default, higher Java levels its better and best.
		c := kgo.ZstdCompression()
		switch l := b.int("compression.zstd.level"); {
		case l <= 2:
			c = c.WithLevel(1)
		case l <= 6:
			c = c.WithLevel(2)
		case l <= 10:
			c = c.WithLevel(3)
		default:
			c = c.WithLevel(4)
		}
		if b.set["compression.zstd.level"] {
			b.note("franz-go's zstd has 4 levels: Java levels 1-2 map to its fastest, 3-6 to its default, 7-10 to better, 11+ to best")
		}
		return c, nil
	}
	return kgo.NoCompression(), nil
}

func (b *builder) partitioner() (kgo.Partitioner, error) {
	name := b.vals["partitioner"]
	if cls := b.vals["partitioner.class"]; cls != "" {
		if b.set["partitioner"] {
			return nil, errors.New("set either partitioner or partitioner.class, not both")
		}
		name = partitionerClasses[cls]
		b.vals["partitioner"] = name
	}
	adaptive := b.vals["partitioner.adaptive.partitioning.enable"] == "true"
	ignoreKeys := b.vals["partitioner.ignore.keys"] == "true"
	switch name {
	case "round-robin":
		return kgo.RoundRobinPartitioner(), nil
	case "sticky":
		// Java's UniformStickyPartitioner: sticky for every record, keys
		// ignored.
		return kgo.StickyPartitioner(), nil
	case "key-hash":
		// Java's DefaultPartitioner: murmur2 of the key, sticky without one.
		return kgo.StickyKeyPartitioner(nil), nil
	}
	// Java's built-in partitioner: keyed records by murmur2 hash, unkeyed
	// ones stick to a partition for batch.size bytes.
	return kgo.UniformBytesPartitioner(b.res.batchSize, adaptive, !ignoreKeys, nil), nil
}

func (b *builder) consumer() error {
	v := b.vals
	b.res.maxPollRecords = b.int("max.poll.records")
	b.copt(
		kgo.FetchMinBytes(int32(b.int("fetch.min.bytes"))),
		kgo.FetchMaxBytes(int32(b.int("fetch.max.bytes"))),
		kgo.FetchMaxPartitionBytes(int32(b.int("max.partition.fetch.bytes"))),
		kgo.FetchMaxWait(b.ms("fetch.max.wait.ms")),
		kgo.SessionTimeout(b.ms("session.timeout.ms")),
		kgo.HeartbeatInterval(b.ms("heartbeat.interval.ms")),
		kgo.RebalanceTimeout(b.ms("max.poll.interval.ms")),
		kgo.AutoCommitInterval(b.ms("auto.commit.interval.ms")),
	)
	if v["fetch.max.wait.ms"] == "500" {
		b.note("fetch.max.wait.ms=500 (the Java default) is set explicitly; franz-go's own default is 5 s")
	}
	if b.int("heartbeat.interval.ms")*3 > b.int("session.timeout.ms") {
		b.note("heartbeat.interval.ms is more than a third of session.timeout.ms; Kafka advises at most a third")
	}
	var bals []kgo.GroupBalancer
	for _, a := range strings.Split(v["partition.assignment.strategy"], ",") {
		switch a {
		case "range":
			bals = append(bals, kgo.RangeBalancer())
		case "roundrobin":
			bals = append(bals, kgo.RoundRobinBalancer())
		case "sticky":
			bals = append(bals, kgo.StickyBalancer())
		case "cooperative-sticky":
			bals = append(bals, kgo.CooperativeStickyBalancer())
		}
	}
	if v["group.protocol"] == "consumer" {
		// franz-go speaks KIP-848 only with a range or sticky balancer
		// configured; with its default cooperative-sticky it silently
		// stays on the classic protocol.
		b.copt(kgo.ServerSideBalancer(), kgo.Balancers(kgo.RangeBalancer()))
		b.note("group.protocol=consumer uses the KIP-848 protocol; the broker assigns partitions and partition.assignment.strategy is not used")
	} else {
		b.copt(kgo.Balancers(bals...))
	}
	// ktune's own consumers start where --from says (it comes later and
	// wins); the property holds for any other client built from these.
	switch v["auto.offset.reset"] {
	case "earliest":
		b.opt(kgo.ConsumeResetOffset(kgo.NewOffset().AtStart()))
	case "none":
		b.opt(kgo.ConsumeResetOffset(kgo.NoResetOffset()))
	default:
		b.opt(kgo.ConsumeResetOffset(kgo.NewOffset().AtEnd()))
	}
	if v["isolation.level"] == "read_committed" {
		b.copt(kgo.FetchIsolationLevel(kgo.ReadCommitted()))
	}
	if v["enable.auto.commit"] == "false" {
		// franz-go refuses this option on a client without a group.
		b.res.group = append(b.res.group, kgo.DisableAutoCommit())
	}
	if id := v["group.instance.id"]; id != "" {
		b.copt(kgo.InstanceID(id))
	}
	if r := v["client.rack"]; r != "" {
		b.copt(kgo.Rack(r))
	}
	return nil
}

// security sets up TLS and SASL from security.protocol and friends.
func (b *builder) security() error {
	v := b.vals
	proto := v["security.protocol"]
	if proto == "SSL" || proto == "SASL_SSL" {
		cfg, err := b.tlsConfig()
		if err != nil {
			return err
		}
		b.res.tls = cfg
	}
	if proto != "SASL_PLAINTEXT" && proto != "SASL_SSL" {
		return nil
	}
	mech := v["sasl.mechanism"]
	user, pass, err := parseJAAS(v["sasl.jaas.config"])
	if err != nil {
		return err
	}
	var m sasl.Mechanism
	switch mech {
	case "PLAIN":
		m = plain.Auth{User: user, Pass: pass}.AsMechanism()
	case "SCRAM-SHA-256":
		m = scram.Auth{User: user, Pass: pass}.AsSha256Mechanism()
	case "SCRAM-SHA-512":
		m = scram.Auth{User: user, Pass: pass}.AsSha512Mechanism()
	default:
		return fmt.Errorf("sasl.mechanism %s is not supported; use PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", mech)
	}
	b.opt(kgo.SASL(m))
	return nil
}

var jaasField = regexp.MustCompile(`(\w+)\s*=\s*"((?:[^"\\]|\\.)*)"`)

// parseJAAS reads username and password from a sasl.jaas.config value.
func parseJAAS(s string) (user, pass string, err error) {
	if strings.TrimSpace(s) == "" {
		return "", "", errors.New("SASL is on but sasl.jaas.config is empty: pass --sasl-user with KTUNE_SASL_PASSWORD, or a sasl.jaas.config")
	}
	if !strings.Contains(s, "PlainLoginModule") && !strings.Contains(s, "ScramLoginModule") {
		return "", "", errors.New("sasl.jaas.config: only PlainLoginModule and ScramLoginModule are supported")
	}
	for _, m := range jaasField.FindAllStringSubmatch(s, -1) {
		val := strings.ReplaceAll(strings.ReplaceAll(m[2], `\"`, `"`), `\\`, `\`)
		switch m[1] {
		case "username":
			user = val
		case "password":
			pass = val
		}
	}
	if user == "" {
		return "", "", errors.New(`sasl.jaas.config has no username="..."`)
	}
	return user, pass, nil
}

func (b *builder) tlsConfig() (*tls.Config, error) {
	v := b.vals
	cfg := &tls.Config{MinVersion: tls.VersionTLS12}
	if v["ssl.endpoint.identification.algorithm"] == "" {
		cfg.InsecureSkipVerify = true
		b.note("ssl.endpoint.identification.algorithm is empty: the broker's certificate is not checked at all (franz-go cannot check the chain without the host name)")
	}
	pemTrust := v["ssl.truststore.certificates"]
	if loc := v["ssl.truststore.location"]; loc != "" {
		if v["ssl.truststore.type"] != "PEM" && !strings.HasSuffix(strings.ToLower(loc), ".pem") && !strings.HasSuffix(strings.ToLower(loc), ".crt") {
			return nil, fmt.Errorf("ssl.truststore.location %s: ktune reads PEM trust stores only; convert it (keytool -exportcert -rfc) and set ssl.truststore.type=PEM", loc)
		}
		data, err := os.ReadFile(loc)
		if err != nil {
			return nil, fmt.Errorf("ssl.truststore.location: %w", err)
		}
		pemTrust = string(data)
	}
	if pemTrust != "" {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM([]byte(pemTrust)) {
			return nil, errors.New("the trust store holds no PEM certificate")
		}
		cfg.RootCAs = pool
	}
	chain, key := v["ssl.keystore.certificate.chain"], v["ssl.keystore.key"]
	if loc := v["ssl.keystore.location"]; loc != "" {
		if v["ssl.keystore.type"] != "PEM" && !strings.HasSuffix(strings.ToLower(loc), ".pem") {
			return nil, fmt.Errorf("ssl.keystore.location %s: ktune reads PEM key stores only; convert it (openssl pkcs12 -nodes) and set ssl.keystore.type=PEM", loc)
		}
		data, err := os.ReadFile(loc)
		if err != nil {
			return nil, fmt.Errorf("ssl.keystore.location: %w", err)
		}
		chain, key = string(data), string(data)
	}
	if chain != "" || key != "" {
		if v["ssl.key.password"] != "" {
			return nil, errors.New("encrypted client keys are not supported: decrypt the key (openssl pkey) and drop ssl.key.password")
		}
		cert, err := tls.X509KeyPair([]byte(chain), []byte(key))
		if err != nil {
			return nil, fmt.Errorf("client certificate and key: %w", err)
		}
		cfg.Certificates = []tls.Certificate{cert}
	}
	return cfg, nil
}

// ConnectionFlags are ktune's connection flags, turned into properties by
// ConnectionProps.
type ConnectionFlags struct {
	TLS                       bool
	CAFile, CertFile, KeyFile string
	SASLMechanism, SASLUser   string
	SASLPassword              string
}

// ConnectionProps returns the Java properties equivalent to f, so flags and
// files go through the same mapping. The password ends up only inside a
// sasl.jaas.config, which is secret.
func ConnectionProps(f ConnectionFlags) ([]Property, error) {
	var props []Property
	add := func(k, v string) { props = append(props, Property{Key: k, Value: v, Source: "flags"}) }
	sasl := f.SASLMechanism != "" || f.SASLUser != ""
	switch {
	case f.TLS && sasl:
		add("security.protocol", "SASL_SSL")
	case f.TLS:
		add("security.protocol", "SSL")
	case sasl:
		add("security.protocol", "SASL_PLAINTEXT")
	}
	if f.CAFile != "" {
		add("ssl.truststore.type", "PEM")
		add("ssl.truststore.location", f.CAFile)
	}
	if f.CertFile != "" || f.KeyFile != "" {
		if f.CertFile == "" || f.KeyFile == "" {
			return nil, errors.New("--tls-cert and --tls-key go together")
		}
		cert, err := os.ReadFile(f.CertFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-cert: %w", err)
		}
		key, err := os.ReadFile(f.KeyFile)
		if err != nil {
			return nil, fmt.Errorf("--tls-key: %w", err)
		}
		add("ssl.keystore.type", "PEM")
		add("ssl.keystore.certificate.chain", string(cert))
		add("ssl.keystore.key", string(key))
	}
	if sasl {
		mech := f.SASLMechanism
		if mech == "" {
			mech = "SCRAM-SHA-512"
		}
		switch strings.ToUpper(mech) {
		case "PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512":
		default:
			return nil, fmt.Errorf("--sasl-mechanism %q: must be PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512", f.SASLMechanism)
		}
		if f.SASLUser == "" {
			return nil, errors.New("--sasl-mechanism needs --sasl-user")
		}
		module := "org.apache.kafka.common.security.scram.ScramLoginModule"
		if strings.EqualFold(mech, "PLAIN") {
			module = "org.apache.kafka.common.security.plain.PlainLoginModule"
		}
		esc := strings.NewReplacer(`\`, `\\`, `"`, `\"`)
		add("sasl.mechanism", strings.ToUpper(mech))
		add("sasl.jaas.config", fmt.Sprintf(`%s required username="%s" password="%s";`, module, esc.Replace(f.SASLUser), esc.Replace(f.SASLPassword)))
	}
	return props, nil
}
