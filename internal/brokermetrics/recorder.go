package brokermetrics

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/ktune/ktune/result"
)

// Config configures a Recorder.
type Config struct {
	// Endpoints are the brokers' metrics URLs, one per broker.
	Endpoints []string
	// Interval is the scrape interval; it also bounds every scrape.
	Interval time.Duration
	// Warn prints one warning line (a metric an endpoint lacks, the first
	// failed scrape of an endpoint).
	Warn func(string)
	// Client makes the requests (default: a client of its own).
	Client *http.Client
}

// Recorder scrapes every endpoint each interval in the background.
type Recorder struct {
	cfg    Config
	cancel context.CancelFunc
	wg     sync.WaitGroup
	series []*series

	mu      sync.Mutex
	warned  map[string]bool
	missing []string
}

// series is one endpoint's scrapes; only its own goroutine writes it
// until Stop.
type series struct {
	url     string
	samples []Sample
	tries   int
	gaps    []gap
}

// gap is a failed scrape.
type gap struct {
	at  time.Time
	err string
}

// Start takes a first scrape of every endpoint (at most one interval,
// before the load starts) and then scrapes each interval until Stop.
func Start(ctx context.Context, cfg Config) *Recorder {
	if cfg.Client == nil {
		cfg.Client = &http.Client{}
	}
	if cfg.Warn == nil {
		cfg.Warn = func(string) {}
	}
	ctx, cancel := context.WithCancel(ctx)
	r := &Recorder{cfg: cfg, cancel: cancel, warned: map[string]bool{}}
	for _, u := range cfg.Endpoints {
		r.series = append(r.series, &series{url: u})
	}
	r.scrapeAll(ctx)
	for _, s := range r.series {
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			t := time.NewTicker(cfg.Interval)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					r.scrape(ctx, s)
				}
			}
		}()
	}
	return r
}

// scrapeAll scrapes every endpoint at once and waits for all of them.
func (r *Recorder) scrapeAll(ctx context.Context) {
	var wg sync.WaitGroup
	for _, s := range r.series {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r.scrape(ctx, s)
		}()
	}
	wg.Wait()
}

// scrape scrapes s once, bounded by the interval.
func (r *Recorder) scrape(ctx context.Context, s *series) {
	sctx, cancel := context.WithTimeout(ctx, r.cfg.Interval)
	defer cancel()
	at := time.Now()
	sample, missing, err := Scrape(sctx, r.cfg.Client, s.url)
	if ctx.Err() != nil {
		return // stopped: not a gap of the broker
	}
	s.tries++
	if err != nil {
		if sctx.Err() != nil {
			err = fmt.Errorf("no answer within the %s interval", r.cfg.Interval)
		}
		s.gaps = append(s.gaps, gap{at, err.Error()})
		r.warnOnce("scrape "+s.url, fmt.Sprintf("broker metrics: scraping %s failed (%v); failed scrapes are recorded as gaps and the run goes on", s.url, err))
		return
	}
	s.samples = append(s.samples, sample)
	for _, m := range missing {
		if r.warnOnce("metric "+m, "") {
			r.mu.Lock()
			r.missing = append(r.missing, m)
			r.mu.Unlock()
		}
	}
}

// warnOnce prints msg the first time key is seen and reports whether it
// was the first; an empty msg records the key without printing (metrics
// are named together at Stop).
func (r *Recorder) warnOnce(key, msg string) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.warned[key] {
		return false
	}
	r.warned[key] = true
	if msg != "" {
		r.cfg.Warn(msg)
	}
	return true
}

// Stop ends the background scrapes, takes a last scrape of every endpoint
// (bounded by the interval) and returns the document's section, its times
// in seconds since start (the run's start). ctx only bounds the last
// scrape further.
func (r *Recorder) Stop(ctx context.Context, start time.Time) *result.BrokerMetrics {
	r.cancel()
	r.wg.Wait()
	r.scrapeAll(context.WithoutCancel(ctx))
	out := &result.BrokerMetrics{
		Version:   result.BrokerMetricsVersion,
		IntervalS: r.cfg.Interval.Seconds(),
		Missing:   r.missing,
	}
	if len(r.missing) > 0 {
		r.cfg.Warn("broker metrics: the endpoints lack " + strings.Join(r.missing, ", ") + "; the figures they feed stay 0 (see scripts/kafka/jmx-exporter.yaml)")
	}
	for _, s := range r.series {
		bs := result.BrokerSeries{Endpoint: s.url, Scrapes: s.tries}
		for _, g := range s.gaps {
			bs.Gaps = append(bs.Gaps, result.ScrapeGap{T: result.Round(g.at.Sub(start).Seconds()), Error: g.err})
		}
		for i := 1; i < len(s.samples); i++ {
			f := Figures(start, s.samples[i-1:i+1])
			bs.Intervals = append(bs.Intervals, result.BrokerInterval{T: f.EndS, BrokerFigures: f})
		}
		if len(s.samples) >= 2 {
			w := Figures(start, s.samples)
			bs.Window = &w
		}
		out.Brokers = append(out.Brokers, bs)
	}
	return out
}
