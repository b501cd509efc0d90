package tune

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/cluster"
	"github.com/ktune/ktune/internal/reports/reportcheck"
	"github.com/ktune/ktune/result"
)

func TestTuneEmbedded(t *testing.T) {
	conn, err := cluster.Open(context.Background(), cluster.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dir := t.TempDir()
	var stages []string
	began := time.Now()
	sum, err := Run(context.Background(), conn, Config{Dir: dir, Stage: func(i, n int, name string) { stages = append(stages, name) },
		Version: "v-test", CommandLine: []string{"ktune", "tune"}})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("tune took %s", time.Since(began))
	if len(stages) != 8 || stages[7] != "done" {
		t.Errorf("stages: %v", stages)
	}
	for _, f := range []string{"probe.json", "maxrate.json", "produce-1-partition.json", "consume-1-partition.json", "sweep-producer.json", "sweep-consumer.json", "advice.json", "report.html", "report.md"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("artefact %s: %v", f, err)
		}
	}
	// Every document artefact carries the version and the command line.
	for _, f := range sum.Files {
		h := readHeader(t, f)
		if h.KtuneVersion != "v-test" || len(h.CommandLine) != 2 || h.Kind == "" {
			t.Errorf("%s: version %q command line %v kind %q", f, h.KtuneVersion, h.CommandLine, h.Kind)
		}
	}
	if len(sum.Files) != 7 {
		t.Errorf("%d document artefacts: %v", len(sum.Files), sum.Files)
	}
	if sum.Report != filepath.Join(dir, "report.html") || sum.Advice == nil || sum.Advice.Config == nil || sum.Advice.Config.Best == nil {
		t.Fatalf("summary: %+v", sum)
	}
	// The embedded cluster's figures never size hardware.
	if sum.Advice.Sizing.Partitions != 0 {
		t.Error("partitions were sized from embedded runs")
	}
	// This host runs the load: without --broker-probe or --probe-is-broker
	// its disk sizes nothing, and the assumed rate is named.
	if s := sum.Advice.Sizing; s.Mode != "textbook" || s.Hardware != nil {
		t.Errorf("sizing mode %s from hardware %+v", s.Mode, s.Hardware)
	}
	if !strings.Contains(sum.Advice.AssumedSummary(), "assumed: 10 MB/s average (pass --avg-mbps)") {
		t.Errorf("assumptions: %s", sum.Advice.AssumedSummary())
	}
	if src := sum.Advice.Sizing.Figures[0].Inputs[0].Source; !strings.HasPrefix(src, "assumption") {
		t.Errorf("the assumed average's source is %q", src)
	}
	notes := strings.Join(sum.Advice.Notes, "\n")
	if !strings.Contains(notes, "produce-1-partition.json: from the embedded cluster; not used for sizing") {
		t.Errorf("notes: %s", notes)
	}
	sw, err := os.ReadFile(filepath.Join(dir, "sweep-producer.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := result.DecodeSweep(bytes.NewReader(sw))
	if err != nil || len(doc.Points) == 0 {
		t.Fatalf("sweep: %v", err)
	}
	// The client's CPU is measured for every run and every sweep point.
	for _, f := range []string{"sweep-producer.json", "sweep-consumer.json"} {
		data, err := os.ReadFile(filepath.Join(dir, f))
		if err != nil {
			t.Fatal(err)
		}
		s, err := result.DecodeSweep(bytes.NewReader(data))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range s.Points {
			for _, d := range []*result.Document{p.Produce, p.Consume} {
				if d != nil && d.Metrics.ClientCPUS <= 0 {
					t.Errorf("%s point %s (%s): no client_cpu_s", f, p.Key, d.Kind)
				}
			}
		}
	}
	for _, f := range []string{"produce-1-partition.json", "consume-1-partition.json"} {
		d, err := result.ReadFile(filepath.Join(dir, f))
		if err != nil || d.Metrics.ClientCPUS <= 0 || d.Metrics.ClientCPUSPerGiB <= 0 {
			t.Errorf("%s: client CPU not recorded (%v)", f, err)
		}
	}
	// What an operator opens: checked in Chromium when it is installed.
	page := reportcheck.Check(t, sum.Report, 1200, 1000)
	if len(page.Charts) < 5 {
		t.Errorf("the report shows %d charts", len(page.Charts))
	}
	if shot := os.Getenv("KTUNE_TUNE_SCREENSHOT"); shot != "" {
		data, err := os.ReadFile(page.Screenshot)
		if err == nil {
			err = os.WriteFile(shot, data, 0o644)
		}
		if err != nil {
			t.Error(err)
		}
	}
}

// Ctrl-C during a stage ends tune after it: the documents measured so far
// are kept, the one cut short says so, and no advice or report is made
// from a partial run.
func TestTuneInterruptedMakesNoAdvice(t *testing.T) {
	conn, err := cluster.Open(context.Background(), cluster.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dir := t.TempDir()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	sum, err := Run(ctx, conn, Config{Dir: dir, Version: "v-test", Stage: func(_, _ int, name string) {
		if name == "producer sweep" {
			cancel() // Ctrl-C as the producer sweep starts
		}
	}})
	if !errors.Is(err, context.Canceled) || !strings.Contains(err.Error(), "interrupted during the producer sweep") {
		t.Fatalf("error %v", err)
	}
	for _, f := range []string{"advice.json", "report.html", "sweep-consumer.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err == nil {
			t.Errorf("%s was written after the interruption", f)
		}
	}
	if sum == nil || sum.Advice != nil || sum.Report != "" {
		t.Fatalf("summary %+v", sum)
	}
	data, err := os.ReadFile(filepath.Join(dir, "sweep-producer.json"))
	if err != nil {
		t.Fatal(err)
	}
	sw, err := result.DecodeSweep(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	if sw.Complete || sw.StopReason != result.StopInterrupted {
		t.Errorf("the interrupted sweep says complete %v, stop reason %q", sw.Complete, sw.StopReason)
	}
	for _, f := range []string{"probe.json", "maxrate.json", "produce-1-partition.json", "consume-1-partition.json"} {
		if _, err := os.Stat(filepath.Join(dir, f)); err != nil {
			t.Errorf("%s measured before the interruption was not kept: %v", f, err)
		}
	}
}

// A budget trims the stages to fit; it does not fail the run in the middle
// of talking to the cluster, and every document it cut says so.
func TestTuneBudgetTrims(t *testing.T) {
	conn, err := cluster.Open(context.Background(), cluster.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	dir := t.TempDir()
	sum, err := Run(context.Background(), conn, Config{Dir: dir, Budget: 12 * time.Second, Version: "v-test"})
	if err != nil {
		t.Fatalf("tune --budget 12s: %v", err)
	}
	if sum.Advice == nil || sum.Report == "" {
		t.Fatalf("summary %+v", sum)
	}
	for _, f := range sum.Files {
		h := readHeader(t, f)
		if h.End.IsZero() || !h.Complete && h.StopReason != result.StopTrimmed {
			t.Errorf("%s: end %v complete %v stop reason %q", f, h.End, h.Complete, h.StopReason)
		}
	}
}

// readHeader reads the header of the document at path.
func readHeader(t *testing.T, path string) result.Header {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var h result.Header
	if err := json.Unmarshal(data, &h); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	return h
}
