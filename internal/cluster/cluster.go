// Package cluster connects ktune to a Kafka cluster: a real one named by
// bootstrap addresses, or an in-process kfake cluster when none is named. It
// guards the load target (loopback only unless the operator allows remote
// hosts), checks the connection up front with clear errors, and creates
// topics.
package cluster

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/twmb/franz-go/pkg/kadm"
	"github.com/twmb/franz-go/pkg/kerr"
	"github.com/twmb/franz-go/pkg/kfake"
	"github.com/twmb/franz-go/pkg/kgo"

	"github.com/ktune/ktune/result"
)

// Config says how to reach the cluster.
type Config struct {
	// Brokers are bootstrap host:port addresses. Empty starts an embedded
	// kfake cluster for the life of the connection.
	Brokers []string
	// TLS, when non-nil, wraps every connection in TLS.
	TLS *tls.Config
	// Opts are connection options every client gets (SASL, client.id).
	Opts []kgo.Opt
	// SASLMechanism names the SASL mechanism in use, for the result.
	SASLMechanism string
	// ConnectTimeout bounds the first contact with the cluster. Default 10 s.
	ConnectTimeout time.Duration
	// AllowRemote permits load against hosts outside the loopback range
	// (127.0.0.0/8, ::1). Off by default: ktune refuses to send load to a
	// host that was not explicitly allowed.
	AllowRemote bool
	// EmbeddedBrokers is the broker count of the embedded cluster. Default 3.
	EmbeddedBrokers int
	// EmbeddedMaxBytes bounds the records the embedded cluster keeps.
	// Default DefaultEmbeddedMaxBytes.
	EmbeddedMaxBytes int64
	// Logger receives connection logs. Default: discard.
	Logger *slog.Logger
}

// Conn is a checked connection to a cluster.
type Conn struct {
	// Info describes the cluster for result documents.
	Info result.Cluster
	// Fake is the embedded cluster, nil for a real one.
	Fake *kfake.Cluster

	embedded *Embedded
	seeds    []string
	opts     []kgo.Opt
	log      *slog.Logger
}

// KeptBytes is how many bytes of records the cluster keeps over all
// partitions before it drops the oldest: the embedded cluster's bound, 0
// (no bound ktune knows of) for a real cluster.
func (c *Conn) KeptBytes() int64 {
	if c.embedded == nil {
		return 0
	}
	return c.embedded.cfg.MaxBytes
}

// DefaultConnectTimeout bounds the first contact with a cluster when
// Config.ConnectTimeout is not set.
const DefaultConnectTimeout = 10 * time.Second

// Open starts the embedded cluster or checks the real one, within
// cfg.ConnectTimeout, and learns its broker count and Kafka version.
func Open(ctx context.Context, cfg Config) (*Conn, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	if cfg.ConnectTimeout <= 0 {
		cfg.ConnectTimeout = DefaultConnectTimeout
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	c := &Conn{log: cfg.Logger}
	if len(cfg.Brokers) == 0 {
		e, err := StartEmbedded(EmbeddedConfig{Brokers: cfg.EmbeddedBrokers, MaxBytes: cfg.EmbeddedMaxBytes, Logger: cfg.Logger})
		if err != nil {
			return nil, err
		}
		c.embedded, c.Fake = e, e.Cluster
		c.seeds = e.Addrs()
		c.Info.Embedded = true
		cfg.Logger.Info("started embedded kfake cluster; its results say nothing about a real broker", "brokers", e.cfg.Brokers, "max_bytes", e.cfg.MaxBytes, "addrs", c.seeds)
	} else {
		for _, b := range cfg.Brokers {
			if err := checkTarget(b, cfg.AllowRemote); err != nil {
				return nil, err
			}
		}
		c.seeds = cfg.Brokers
	}
	c.Info.Bootstrap = c.seeds
	c.Info.TLS = cfg.TLS != nil
	c.Info.SASLMechanism = cfg.SASLMechanism

	d := &guardedDialer{allowRemote: cfg.AllowRemote || c.Fake != nil, tls: cfg.TLS, timeout: cfg.ConnectTimeout}
	c.opts = append([]kgo.Opt{kgo.SeedBrokers(c.seeds...), kgo.Dialer(d.DialContext)}, cfg.Opts...)

	err := c.check(ctx, cfg.ConnectTimeout)
	if err == nil && ctx.Err() != nil {
		// The check beat ctx by a hair: ctx still ended the connecting.
		err = c.explain(ctx, ctx.Err(), cfg.ConnectTimeout)
	}
	if err != nil {
		c.Close()
		return nil, err
	}
	return c, nil
}

// check contacts the cluster and fills Info.Brokers and Info.KafkaVersion.
func (c *Conn) check(ctx context.Context, timeout time.Duration) error {
	cl, err := c.NewClient(kgo.RequestRetries(1), kgo.RetryTimeout(timeout))
	if err != nil {
		return err
	}
	defer cl.Close()
	cctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	adm := kadm.NewClient(cl)
	vs, err := adm.ApiVersions(cctx)
	if err != nil {
		return c.explain(ctx, err, timeout)
	}
	c.Info.Brokers = len(vs)
	for _, v := range vs.Sorted() {
		if v.Err != nil {
			return c.explain(ctx, v.Err, timeout)
		}
		if c.Fake == nil && c.Info.KafkaVersion == "" {
			c.Info.KafkaVersion = v.VersionGuess()
		}
	}
	if c.Fake == nil {
		// A kfake cluster served by another process (ktune embedded) is
		// still an in-memory fake: label it so, so it never sizes hardware.
		if meta, err := adm.BrokerMetadata(cctx); err == nil && meta.Cluster == "kfake" {
			c.Info.Embedded = true
		}
	}
	if c.Info.Embedded {
		c.Info.KafkaVersion = "kfake (embedded)"
	}
	return nil
}

// explain turns a first-contact failure into one line that says what to do.
func (c *Conn) explain(ctx context.Context, err error, timeout time.Duration) error {
	addrs := strings.Join(c.seeds, ",")
	switch {
	case ctx.Err() != nil:
		// The caller's context ended (a deadline or an interruption):
		// say which, so the command can tell a --timeout from Ctrl-C.
		return fmt.Errorf("connecting to Kafka at %s: %w", addrs, ctx.Err())
	case errors.Is(err, kerr.SaslAuthenticationFailed), errors.Is(err, kerr.IllegalSaslState), errors.Is(err, kerr.UnsupportedSaslMechanism):
		return fmt.Errorf("authentication to %s failed: %v; check the user, the password (KTUNE_SASL_PASSWORD or --sasl-password-file) and the mechanism", addrs, err)
	case errors.Is(err, kerr.ClusterAuthorizationFailed):
		return fmt.Errorf("not authorized on the cluster at %s: %v", addrs, err)
	case errors.Is(err, ErrRemoteTarget):
		return err
	case tlsRefused(err) != "":
		return fmt.Errorf("TLS with %s failed: %v; %s", addrs, err, tlsRefused(err))
	case errors.Is(err, context.DeadlineExceeded), isNetErr(err):
		return fmt.Errorf("cannot reach Kafka at %s within %s (%v); check --brokers and that the brokers listen there", addrs, timeout, err)
	default:
		return fmt.Errorf("connecting to Kafka at %s: %w", addrs, err)
	}
}

// tlsRefused says what to do about a TLS handshake failure, "" for
// another error.
func tlsRefused(err error) string {
	var (
		unknownCA x509.UnknownAuthorityError
		verify    *tls.CertificateVerificationError
		host      x509.HostnameError
		remote    *net.OpError
	)
	switch {
	case errors.As(err, &unknownCA):
		return "pass the CA that signed the brokers' certificates with --tls-ca (ssl.truststore.location)"
	case errors.As(err, &host):
		return "the brokers' certificate does not name the address in --brokers; connect by a name it carries"
	case errors.As(err, &verify):
		return "check the brokers' certificate and --tls-ca (ssl.truststore.location)"
	case errors.As(err, &remote) && remote.Op == "remote error" && strings.Contains(remote.Err.Error(), "certificate"):
		// A TLS alert from the broker (bad_certificate,
		// certificate_required): it did not accept the client's.
		return "the brokers refused the client certificate: pass --tls-cert and --tls-key signed by a CA they trust"
	}
	return ""
}

func isNetErr(err error) bool {
	var ne net.Error
	var oe *net.OpError
	return errors.As(err, &ne) || errors.As(err, &oe)
}

// NewClient returns a kgo client connected to the cluster with the
// connection options and extra.
func (c *Conn) NewClient(extra ...kgo.Opt) (*kgo.Client, error) {
	opts := append(append([]kgo.Opt{}, c.opts...), extra...)
	cl, err := kgo.NewClient(opts...)
	if err != nil {
		return nil, fmt.Errorf("configuring the Kafka client: %w", err)
	}
	return cl, nil
}

// Close stops the embedded cluster, if any.
func (c *Conn) Close() {
	if c.embedded != nil {
		c.embedded.Close()
		c.embedded, c.Fake = nil, nil
	}
}
