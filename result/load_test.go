package result

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadSortsDocumentsByKind: the one loader reads every kind into its
// place, keeps kinds it does not define raw, and refuses what is not a
// ktune document of this schema version.
func TestLoadSortsDocumentsByKind(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	docs := []string{
		write("p.json", `{"schema_version":1,"kind":"produce","metrics":{"records":7}}`),
		write("c.json", `{"schema_version":1,"kind":"consume"}`),
		write("s.json", `{"schema_version":1,"kind":"sweep","points":[{"key":"a"}]}`),
		write("m.json", `{"schema_version":1,"kind":"maxrate","records_per_sec":5}`),
		write("pr.json", `{"schema_version":1,"kind":"probe","quick":true}`),
		write("cmp.json", `{"schema_version":1,"kind":"comparison","repeat":3}`),
		write("a.json", `{"schema_version":1,"kind":"advice"}`),
		write("ds.json", `{"schema_version":1,"kind":"drain-sweep","points":[{"label":"consumers=1","drain":{"caught_up":true}}]}`),
	}
	set, err := Load(docs...)
	if err != nil {
		t.Fatal(err)
	}
	if len(set.Results) != 2 || set.Results[0].Doc.Metrics.Records != 7 || set.Results[0].Path != docs[0] ||
		len(set.Sweeps) != 1 || len(set.Sweeps[0].Doc.Points) != 1 || len(set.MaxRates) != 1 || set.MaxRates[0].Doc.RecordsPerSec != 5 ||
		len(set.Probes) != 1 || !set.Probes[0].Doc.Quick || len(set.Comparisons) != 1 || set.Comparisons[0].Doc.Repeat != 3 ||
		len(set.Advice) != 1 || len(set.Other) != 0 ||
		len(set.DrainSweeps) != 1 || set.DrainSweeps[0].Doc.Points[0].Label != "consumers=1" || !set.DrainSweeps[0].Doc.Points[0].Drain.CaughtUp {
		t.Fatalf("set: %+v", set)
	}
	if _, err := ReadFile(docs[2]); err == nil || !strings.Contains(err.Error(), `kind "sweep"`) {
		t.Errorf("ReadFile of a sweep: %v", err)
	}
	if _, err := ReadProbe(docs[4]); err != nil {
		t.Errorf("ReadProbe: %v", err)
	}
	for body, want := range map[string]string{
		`{"schema_version":2,"kind":"produce"}`: "unsupported result schema version 2",
		`{"kind":"produce"}`:                    "not a ktune document: no schema_version",
		`{"schema_version":1}`:                  "not a ktune document: no kind",
		`not json`:                              "invalid JSON",
	} {
		_, err := Load(write("bad.json", body))
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v; want %q", body, err, want)
		}
		if want == "unsupported result schema version 2" && !errors.Is(err, ErrVersion) {
			t.Errorf("version error does not wrap ErrVersion: %v", err)
		}
	}
}

func TestDrainSweepFastest(t *testing.T) {
	pt := func(rate float64) DrainPoint { return DrainPoint{Drain: &Drain{DrainBytesPerSec: rate}} }
	s := &DrainSweep{Points: []DrainPoint{pt(2), pt(5), pt(1), pt(5)}}
	if f, sl, ok := s.Fastest(); !ok || f != 1 || sl != 2 {
		t.Errorf("fastest %d, slowest %d, ok %v; want 1, 2, true", f, sl, ok)
	}
	if _, _, ok := (&DrainSweep{}).Fastest(); ok {
		t.Error("an empty sweep has a fastest point")
	}
}
