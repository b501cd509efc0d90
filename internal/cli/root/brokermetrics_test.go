package root

import (
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"

	"github.com/ktune/ktune/result"
)

// TestBrokerMetricsEndpointHangs runs produce with --broker-metrics at an
// endpoint that never answers: the run completes with all its records,
// every scrape is a gap, and stderr has one warning line about it.
func TestBrokerMetricsEndpointHangs(t *testing.T) {
	hang := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-hang:
		}
	}))
	defer srv.Close()
	defer close(hang)
	path := filepath.Join(t.TempDir(), "p.json")
	_, errOut, err := run(t, "produce", "--records", "2000", "--record-size", "200", "--interval", "200ms",
		"--broker-metrics", srv.URL+"/metrics", "--out", path, "--timeout", "2m")
	if err != nil {
		t.Fatalf("%v\n%s", err, errOut)
	}
	doc, err := result.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if doc.Metrics.Records != 2000 || doc.Brokers == nil || len(doc.Brokers.Brokers) != 1 {
		t.Fatalf("records %d, broker metrics %+v", doc.Metrics.Records, doc.Brokers)
	}
	b := doc.Brokers.Brokers[0]
	if b.Window != nil || b.Scrapes < 2 || len(b.Gaps) != b.Scrapes {
		t.Errorf("window %v, %d scrapes, gaps %v", b.Window, b.Scrapes, b.Gaps)
	}
	if n := strings.Count(errOut, "warning"); n != 1 {
		t.Errorf("%d warning lines:\n%s", n, errOut)
	}
}

func TestBrokerMetricsBadURLIsOneLine(t *testing.T) {
	for _, u := range []string{"ftp://127.0.0.1:1/metrics", "http://{host}:7071/metrics,http://127.0.0.1:1/metrics", "http://10.1.2.3:7071/metrics"} {
		_, _, err := run(t, "produce", "--records", "10", "--broker-metrics", u, "--out", "-")
		if err == nil || strings.Contains(err.Error(), "\n") || !strings.Contains(err.Error(), "--broker-metrics") {
			t.Errorf("%s: %v", u, err)
		}
	}
}
