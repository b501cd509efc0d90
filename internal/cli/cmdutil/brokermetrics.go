package cmdutil

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/url"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/ktune/ktune/internal/brokermetrics"
	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/result"
)

// hostPlaceholder in a --broker-metrics template is replaced by each
// broker's advertised host from the cluster's metadata.
const hostPlaceholder = "{host}"

// BrokerMetricsFlags scrape the brokers' Prometheus endpoints during a run.
type BrokerMetricsFlags struct {
	URLs []string
}

// Register adds --broker-metrics to cmd.
func (b *BrokerMetricsFlags) Register(cmd *cobra.Command) {
	cmd.Flags().StringSliceVar(&b.URLs, "broker-metrics", nil,
		"scrape the brokers' Prometheus endpoints (the JMX exporter agent with scripts/kafka/jmx-exporter.yaml) every --interval and record their figures: one URL per broker, or one template such as http://{host}:7071/metrics")
}

// Enabled reports whether the run scrapes the brokers.
func (b *BrokerMetricsFlags) Enabled() bool { return len(b.URLs) > 0 }

// Validate checks the URLs before any work starts: http or https, a
// host, a {host} template alone, and a loopback host unless allowRemote.
func (b *BrokerMetricsFlags) Validate(allowRemote bool) error {
	for _, raw := range b.URLs {
		templ := strings.Contains(raw, hostPlaceholder)
		if templ && len(b.URLs) > 1 {
			return fmt.Errorf("--broker-metrics %s: a %s template stands for every broker; pass it alone", raw, hostPlaceholder)
		}
		u, err := url.Parse(strings.ReplaceAll(raw, hostPlaceholder, "127.0.0.1"))
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("--broker-metrics %s: not an http(s)://host:port/path URL", raw)
		}
		if templ {
			continue // the brokers' hosts pass the brokers' own guard
		}
		port := u.Port()
		if port == "" {
			port = "80"
		}
		if err := cluster.CheckTarget(net.JoinHostPort(u.Hostname(), port), allowRemote); err != nil {
			return fmt.Errorf("--broker-metrics %s: %w", raw, err)
		}
	}
	return nil
}

// endpoints are the URLs to scrape: the given ones, or the template
// filled with every broker's host.
func (b *BrokerMetricsFlags) endpoints(ctx context.Context, s *Session) ([]string, error) {
	if len(b.URLs) != 1 || !strings.Contains(b.URLs[0], hostPlaceholder) {
		return b.URLs, nil
	}
	hosts, err := s.Conn.BrokerHosts(ctx)
	if err != nil {
		return nil, err
	}
	var out []string
	seen := map[string]bool{}
	for _, h := range hosts {
		u := strings.ReplaceAll(b.URLs[0], hostPlaceholder, h)
		if seen[u] {
			return nil, fmt.Errorf("--broker-metrics %s: two brokers share host %s, so the template names one endpoint for both; list one URL per broker", b.URLs[0], h)
		}
		seen[u] = true
		out = append(out, u)
	}
	return out, nil
}

// around returns what runs one run's load with the brokers scraped
// around it: a first scrape of every broker before the load (at most one
// interval), one each interval in the background, a last one after the
// load, all in the run's document. scrapedBy says which worker of a
// distributed run scrapes ("" for a single process). Without
// --broker-metrics it runs the load alone.
func (b *BrokerMetricsFlags) around(ctx context.Context, stderr io.Writer, s *Session, interval time.Duration, scrapedBy string) (func(load func() (*result.Document, error)) (*result.Document, error), error) {
	if !b.Enabled() {
		return func(load func() (*result.Document, error)) (*result.Document, error) { return load() }, nil
	}
	urls, err := b.endpoints(ctx, s)
	if err != nil {
		return nil, err
	}
	cfg := brokermetrics.Config{
		Endpoints: urls, Interval: interval,
		Warn: func(msg string) { fmt.Fprintf(stderr, "ktune: warning: %s\n", msg) },
	}
	return func(load func() (*result.Document, error)) (*result.Document, error) {
		rec := brokermetrics.Start(ctx, cfg)
		doc, err := load()
		start := time.Now()
		if doc != nil {
			start = doc.Start
		}
		brokers := rec.Stop(ctx, start)
		if doc != nil {
			brokers.ScrapedBy = scrapedBy
			doc.Brokers = brokers
		}
		return doc, err
	}, nil
}
