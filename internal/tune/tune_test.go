package tune

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/ktune/ktune/internal/cluster"
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
	sum, err := Run(context.Background(), conn, Config{Dir: dir, Budget: 150 * time.Second, Stage: func(i, n int, name string) { stages = append(stages, name) }})
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
}
