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
	"github.com/spf13/pflag"

	"github.com/ktune/ktune/internal/clientcfg"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/livemetrics"
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
	// MetricsAddr, when set, is where the run's live /metrics endpoint
	// listens (see package livemetrics).
	MetricsAddr string
	// Line is the Java client line whose defaults apply (--client-line);
	// 0 is the current line.
	Line clientcfg.Line
	// cmd is the command the flags belong to: its --log-level (a flag of
	// the root, see LogLevelFlag) sets the logger.
	cmd *cobra.Command
}

// Register adds the connection flags to cmd.
func (f *ConnFlags) Register(cmd *cobra.Command) {
	f.Bind(cmd)
	fs := cmd.Flags()
	fs.StringSliceVar(&f.Brokers, "brokers", nil, "bootstrap brokers host:port,... (default: an embedded in-process kfake cluster that "+cluster.EmbeddedBound+")")
	f.RegisterClient(cmd)
	fs.DurationVar(&f.ConnectTimeout, "connect-timeout", cluster.DefaultConnectTimeout, "bound on the first contact with the cluster")
	fs.BoolVar(&f.AllowRemote, "allow-remote", false, "allow brokers outside the loopback range (127.0.0.0/8, ::1) as load targets")
	fs.StringVar(&f.MetricsAddr, "metrics-addr", "", "serve the run's metrics for Prometheus at http://HOST:PORT/metrics while it runs (:PORT listens on 127.0.0.1; default off)")
}

// RegisterClient adds the flags that turn into client properties: TLS,
// SASL, --command-config and -X.
func (f *ConnFlags) RegisterClient(cmd *cobra.Command) {
	f.Bind(cmd)
	fs := cmd.Flags()
	fs.BoolVar(&f.TLS, "tls", false, "connect with TLS")
	fs.StringVar(&f.TLSCA, "tls-ca", "", "PEM file of the CA that signed the brokers' certificates (implies --tls)")
	fs.StringVar(&f.TLSCert, "tls-cert", "", "PEM client certificate for mutual TLS (implies --tls)")
	fs.StringVar(&f.TLSKey, "tls-key", "", "PEM client key for mutual TLS")
	fs.StringVar(&f.SASLMechanism, "sasl-mechanism", "", "SASL mechanism: PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512")
	fs.StringVar(&f.SASLUser, "sasl-user", "", "SASL user name (the password comes from KTUNE_SASL_PASSWORD or --sasl-password-file)")
	fs.StringVar(&f.SASLPasswordFile, "sasl-password-file", "", "file holding the SASL password")
	fs.StringVar(&f.CommandConfig, "command-config", "", "Java .properties client config file (bootstrap.servers, security, producer and consumer properties)")
	fs.StringArrayVarP(&f.Props, "property", "X", nil, "client property in Kafka's Java name, name=value (repeatable; see 'ktune config list')")
	ClientLineVar(fs, &f.Line)
}

// Bind ties the flags to cmd without registering them, for commands that
// register their own subset (advise): the logger follows cmd's --log-level.
func (f *ConnFlags) Bind(cmd *cobra.Command) { f.cmd = cmd }

// DefaultLogLevel is the level of the logs on stderr without --log-level.
const DefaultLogLevel = "warn"

// LogLevelFlag adds --log-level to fs: the root command has it as a
// persistent flag, so every command takes it.
func LogLevelFlag(fs *pflag.FlagSet) {
	fs.String("log-level", DefaultLogLevel, "log level on stderr: debug, info, warn or error")
}

// Logger returns the slog logger the command's --log-level asks for,
// writing to stderr.
func (f *ConnFlags) Logger(stderr io.Writer) (*slog.Logger, error) { return Logger(f.cmd, stderr) }

// Logger returns the slog logger cmd's --log-level asks for, writing to
// stderr.
func Logger(cmd *cobra.Command, stderr io.Writer) (*slog.Logger, error) {
	level := DefaultLogLevel
	if cmd != nil {
		if fl := cmd.Flag("log-level"); fl != nil {
			level = fl.Value.String()
		}
	}
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("--log-level %q: must be debug, info, warn or error", level)
	}
	return slog.New(slog.NewTextHandler(stderr, &slog.HandlerOptions{Level: lvl})), nil
}

// ClientProps returns the client properties of a command: profile (nil
// without one) under --command-config, the connection flags and -X, in the
// one layering every command uses (clientcfg.Layers). Sweeps add their
// dimensions over it per point.
func (f *ConnFlags) ClientProps(profile []clientcfg.Property) ([]clientcfg.Property, error) {
	l, err := f.layers()
	if err != nil {
		return nil, err
	}
	return l.Over(profile), nil
}

// layers reads the --command-config file, the connection flags and -X.
func (f *ConnFlags) layers() (clientcfg.Layers, error) {
	var l clientcfg.Layers
	if f.CommandConfig != "" {
		p, err := clientcfg.LoadFile(f.CommandConfig)
		if err != nil {
			return l, err
		}
		l.CommandConfig = p
	}
	cf := clientcfg.ConnectionFlags{
		TLS: f.TLS || f.TLSCA != "" || f.TLSCert != "", CAFile: f.TLSCA, CertFile: f.TLSCert, KeyFile: f.TLSKey,
		SASLMechanism: f.SASLMechanism, SASLUser: f.SASLUser,
	}
	if f.SASLMechanism != "" || f.SASLUser != "" {
		pw, err := f.password()
		if err != nil {
			return l, err
		}
		cf.SASLPassword = pw
	}
	var err error
	if l.Connection, err = clientcfg.ConnectionProps(cf); err != nil {
		return l, err
	}
	l.X, err = clientcfg.ParseAssignments(f.Props)
	return l, err
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
	// Metrics is the live /metrics endpoint (--metrics-addr); nil when off.
	Metrics *livemetrics.Server
	Conn    *cluster.Conn
	Client  *clientcfg.Resolved
	// Consumer is set for commands that also consume (e2e).
	Consumer *clientcfg.Resolved
	Logger   *slog.Logger
}

// Close closes the connection (stopping an embedded cluster) and the
// metrics endpoint.
func (s *Session) Close() {
	s.Conn.Close()
	s.closeMetrics()
}

// metricsCloseWait bounds how long closing the endpoint waits for a
// scrape under way.
const metricsCloseWait = 2 * time.Second

func (s *Session) closeMetrics() {
	if s.Metrics == nil {
		return
	}
	ctx, cancel := context.WithTimeout(context.Background(), metricsCloseWait)
	defer cancel()
	_ = s.Metrics.Close(ctx)
}

// Resolve returns the configuration of role that the flags give, with
// every property validated.
func (f *ConnFlags) Resolve(role clientcfg.Role) (*clientcfg.Resolved, error) {
	props, err := f.ClientProps(nil)
	if err != nil {
		return nil, err
	}
	return clientcfg.ResolveLine(props, role, f.Line.OrCurrent())
}

// Validate checks every connection flag and client property for roles,
// as Open does, without starting or contacting a cluster.
func (f *ConnFlags) Validate(roles ...clientcfg.Role) error {
	_, _, err := f.prepare(io.Discard, roles)
	return err
}

// prepare validates the flags and resolves the clients' configuration:
// everything Open does before it starts or contacts a cluster.
func (f *ConnFlags) prepare(stderr io.Writer, roles []clientcfg.Role) (*Session, cluster.Config, error) {
	log, err := f.Logger(stderr)
	if err != nil {
		return nil, cluster.Config{}, err
	}
	props, err := f.ClientProps(nil)
	if err != nil {
		return nil, cluster.Config{}, err
	}
	admin, err := clientcfg.ResolveLine(props, clientcfg.Admin, f.Line.OrCurrent())
	if err != nil {
		return nil, cluster.Config{}, err
	}
	s := &Session{Logger: log}
	for _, role := range roles {
		res, err := clientcfg.ResolveLine(props, role, f.Line.OrCurrent())
		if err != nil {
			return nil, cluster.Config{}, err
		}
		if role == clientcfg.Consumer && s.Client != nil {
			s.Consumer = res
		} else {
			s.Client = res
		}
	}
	brokers := f.Brokers
	if len(brokers) == 0 {
		brokers = admin.Bootstrap()
	}
	if f.ConnectTimeout <= 0 {
		return nil, cluster.Config{}, fmt.Errorf("--connect-timeout %s: must be positive", f.ConnectTimeout)
	}
	if f.MetricsAddr != "" {
		if _, err := livemetrics.Address(f.MetricsAddr); err != nil {
			return nil, cluster.Config{}, err
		}
	}
	cfg := cluster.Config{
		Brokers: brokers, TLS: admin.TLS(), Opts: admin.AdminOpts(),
		SASLMechanism:  saslMechanism(admin.Effective()),
		ConnectTimeout: f.ConnectTimeout, AllowRemote: f.AllowRemote, Logger: log,
	}
	return s, cfg, cfg.Validate()
}

// Open resolves the client properties for roles and connects. Under a
// dry run (WithDryRun) it returns ErrDryRun once everything is validated,
// before starting or contacting a cluster. When ctx ends before the
// connection is checked, the error is BeforeStart's: the --timeout (or
// the interruption), naming the connection.
func (f *ConnFlags) Open(ctx context.Context, stderr io.Writer, roles ...clientcfg.Role) (*Session, error) {
	s, cfg, err := f.prepare(stderr, roles)
	if err != nil {
		return nil, err
	}
	if isDryRun(ctx) {
		return nil, ErrDryRun
	}
	if f.MetricsAddr != "" {
		if s.Metrics, err = livemetrics.Listen(f.MetricsAddr); err != nil {
			return nil, err
		}
		fmt.Fprintf(stderr, "serving metrics at %s\n", s.Metrics.URL())
	}
	if len(cfg.Brokers) == 0 {
		s.Logger.Warn("no --brokers: using an embedded in-process kfake cluster; its figures say nothing about a real broker")
	}
	conn, err := cluster.Open(ctx, cfg)
	if err != nil {
		s.closeMetrics()
		return nil, BeforeStart(ctx, err)
	}
	s.Conn = conn
	return s, nil
}

// ErrDryRun is what Open returns under a dry run, after validating.
var ErrDryRun = errors.New("dry run: validated, not connected")

type dryRunKey struct{}

// WithDryRun marks ctx so that a command run with it validates its flags
// and stops at Open, before any cluster is started or contacted (k8s
// render checks a run this way).
func WithDryRun(ctx context.Context) context.Context {
	return context.WithValue(ctx, dryRunKey{}, true)
}

func isDryRun(ctx context.Context) bool {
	v, _ := ctx.Value(dryRunKey{}).(bool)
	return v
}

// Check returns the first of errs that is not nil: a command's checks of
// its flags, run before any work starts, as one call.
func Check(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// RedactedArgs returns args with the values of secret properties hidden,
// in every form -X takes (-X name=v, -Xname=v, -X=name=v, --property=name=v),
// keeping the property's name.
func RedactedArgs(args []string) []string {
	out := make([]string, len(args))
	for i, a := range args {
		out[i] = a
		prefix := ""
		for _, p := range []string{"--property=", "-X=", "-X"} {
			if strings.HasPrefix(a, p) {
				prefix = p
				break
			}
		}
		name, _, ok := strings.Cut(a[len(prefix):], "=")
		if ok && clientcfg.IsSecret(strings.TrimSpace(name)) {
			out[i] = prefix + name + "=" + clientcfg.Hidden
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
