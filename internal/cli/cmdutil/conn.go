// Package cmdutil holds what ktune's commands share: connection flags,
// client properties, output flags and result writing. Commands stay thin;
// the work is in loadgen, cluster and result.
package cmdutil

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
)

// ConnFlags are the flags that say how to reach the cluster and configure
// the clients.
type ConnFlags struct {
	Brokers          []string
	TLS              bool
	TLSCA            string
	TLSCert          string
	TLSKey           string
	SASLMechanism    string
	SASLUser         string
	SASLPasswordFile string
	CommandConfig    string
	Props            []string
	ConnectTimeout   time.Duration
	AllowRemote      bool
	LogLevel         string
}

// Register adds the connection flags to cmd.
func (f *ConnFlags) Register(cmd *cobra.Command) {
	fs := cmd.Flags()
	fs.StringSliceVar(&f.Brokers, "brokers", nil, "bootstrap brokers host:port,... (default: an embedded in-process kfake cluster that "+cluster.EmbeddedBound+")")
	fs.BoolVar(&f.TLS, "tls", false, "connect with TLS")
	fs.StringVar(&f.TLSCA, "tls-ca", "", "PEM file of the CA that signed the brokers' certificates (implies --tls)")
	fs.StringVar(&f.TLSCert, "tls-cert", "", "PEM client certificate for mutual TLS (implies --tls)")
	fs.StringVar(&f.TLSKey, "tls-key", "", "PEM client key for mutual TLS")
	fs.StringVar(&f.SASLMechanism, "sasl-mechanism", "", "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	fs.StringVar(&f.SASLUser, "sasl-user", "", "SASL user name (the password comes from KTUNE_SASL_PASSWORD or --sasl-password-file)")
	fs.StringVar(&f.SASLPasswordFile, "sasl-password-file", "", "file holding the SASL password")
	fs.StringVar(&f.CommandConfig, "command-config", "", "Java .properties client config file (bootstrap.servers, security, producer and consumer properties)")
	fs.StringArrayVarP(&f.Props, "property", "X", nil, "client property in Kafka's Java name, name=value (repeatable; see 'ktune config list')")
	fs.DurationVar(&f.ConnectTimeout, "connect-timeout", 10*time.Second, "bound on the first contact with the cluster")
	fs.BoolVar(&f.AllowRemote, "allow-remote", false, "allow brokers outside the loopback range (127.0.0.0/8, ::1) as load targets")
	fs.StringVar(&f.LogLevel, "log-level", "warn", "log level on stderr: debug, info, warn or error")
}

// Logger returns the slog logger the flags ask for, writing to stderr.
func (f *ConnFlags) Logger(stderr io.Writer) (*slog.Logger, error) {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(f.LogLevel)); err != nil {
		return nil, fmt.Errorf("--log-level %q: must be debug, info, warn or error", f.LogLevel)
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl})), nil
}

// properties gathers the client properties: the --command-config file
// first, then the connection flags, then -X, later ones winning.
func (f *ConnFlags) properties() ([]clientcfg.Property, error) {
	var props []clientcfg.Property
	if f.CommandConfig != "" {
		p, err := clientcfg.LoadFile(f.CommandConfig)
		if err != nil {
			return nil, err
		}
		props = append(props, p...)
	}
	cf := clientcfg.ConnectionFlags{
		TLS: f.TLS || f.TLSCA != "" || f.TLSCert != "", CAFile: f.TLSCA, CertFile: f.TLSCert, KeyFile: f.TLSKey,
		SASLMechanism: f.SASLMechanism, SASLUser: f.SASLUser,
	}
	if f.SASLMechanism != "" || f.SASLUser != "" {
		pw, err := f.password()
		if err != nil {
			return nil, err
		}
		cf.SASLPassword = pw
	}
	p, err := clientcfg.ConnectionProps(cf)
	if err != nil {
		return nil, err
	}
	props = append(props, p...)
	x, err := clientcfg.ParseAssignments(f.Props)
	if err != nil {
		return nil, err
	}
	return append(props, x...), nil
}

func (f *ConnFlags) password() (string, error) {
	if f.SASLPasswordFile != "" {
		b, err := os.ReadFile(f.SASLPasswordFile)
		if err != nil {
			return "", fmt.Errorf("reading --sasl-password-file: %w", err)
		}
		return strings.TrimRight(string(b), "\r\n"), nil
	}
	if pw := os.Getenv("KTUNE_SASL_PASSWORD"); pw != "" {
		return pw, nil
	}
	return "", errors.New("SASL needs a password: set KTUNE_SASL_PASSWORD or pass --sasl-password-file")
}

// Session is an open connection with the resolved client configuration.
type Session struct {
	Conn   *cluster.Conn
	Client *clientcfg.Resolved
	// Consumer is set for commands that also consume (e2e).
	Consumer *clientcfg.Resolved
	Logger   *slog.Logger
}

// Close closes the connection (stopping an embedded cluster).
func (s *Session) Close() { s.Conn.Close() }

// Open resolves the client properties for roles and connects.
func (f *ConnFlags) Open(ctx context.Context, stderr io.Writer, roles ...clientcfg.Role) (*Session, error) {
	log, err := f.Logger(stderr)
	if err != nil {
		return nil, err
	}
	props, err := f.properties()
	if err != nil {
		return nil, err
	}
	admin, err := clientcfg.Resolve(props, clientcfg.Admin)
	if err != nil {
		return nil, err
	}
	s := &Session{Logger: log}
	for _, role := range roles {
		res, err := clientcfg.Resolve(props, role)
		if err != nil {
			return nil, err
		}
		if role == clientcfg.Consumer && s.Client != nil {
			s.Consumer = res
		} else {
			s.Client = res
		}
	}
	brokers := f.Brokers
	if len(brokers) == 0 {
		brokers = admin.Bootstrap
	}
	if len(brokers) == 0 {
		log.Warn("no --brokers: using an embedded in-process kfake cluster; its figures say nothing about a real broker")
	}
	conn, err := cluster.Open(ctx, cluster.Config{
		Brokers: brokers, TLS: admin.TLS, Opts: admin.Opts,
		SASLMechanism:  saslMechanism(admin.Effective),
		ConnectTimeout: f.ConnectTimeout, AllowRemote: f.AllowRemote, Logger: log,
	})
	if err != nil {
		return nil, err
	}
	s.Conn = conn
	return s, nil
}

// RedactedArgs returns args with the values of secret properties hidden.
func RedactedArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		name, _, ok := strings.Cut(strings.TrimPrefix(strings.TrimPrefix(a, "--property="), "-X"), "=")
		if ok && clientcfg.IsSecret(strings.TrimSpace(name)) {
			out[i] = a[:strings.Index(a, "=")+1] + "[hidden]"
		}
	}
	return out
}

// saslMechanism is the SASL mechanism in use, empty without SASL (the
// effective config always holds Java's default, GSSAPI).
func saslMechanism(eff map[string]string) string {
	if strings.HasPrefix(eff["security.protocol"], "SASL_") {
		return eff["sasl.mechanism"]
	}
	return ""
}
