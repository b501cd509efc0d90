package reports

import (
	"bytes"
	"errors"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ktune/ktune/internal/advisor"
	"github.com/ktune/ktune/internal/compare"
	"github.com/ktune/ktune/result"
)

// Input is everything a report shows.
type Input struct {
	Title   string
	Results []advisor.Named[*result.Document]
	Sweeps  []advisor.Named[*result.Sweep]
	Probes  []advisor.Named[*result.Probe]
	MaxRate []advisor.Named[*result.MaxRate]
	Advice  *advisor.Advice
	// Comparison, when set, is drawn side by side; without it, saved
	// results of two or more configurations are compared (ComparisonOf).
	Comparison *result.Comparison
	// Disruptions and Drains each get a section: a summary table and a
	// timeline.
	Disruptions []advisor.Named[*result.Disruption]
	Drains      []advisor.Named[*result.Drain]
	// DrainSweeps each get a section: the drain rate of every point as
	// bars, and their figures in a table.
	DrainSweeps []advisor.Named[*result.DrainSweep]
}

// comparison is the input's comparison, given or derived.
func (in Input) comparison() *result.Comparison {
	if in.Comparison != nil {
		return in.Comparison
	}
	return ComparisonOf(in.Results)
}

// Charts returns every chart the input supports, in report order.
func Charts(in Input) []*Chart {
	var out []*Chart
	add := func(c ...*Chart) {
		for _, x := range c {
			if x != nil && (len(x.Series) > 0 || x.Heat != nil || len(x.Panels) > 0) {
				out = append(out, x)
			}
		}
	}
	add(SizingChart(in.Advice), ParetoChart(in.Advice))
	for _, s := range in.Sweeps {
		add(ThroughputVsBatch(s.Doc), BatchLingerHeat(s.Doc), Codecs(s.Doc), CPUVsBatch(s.Doc), PointsChart("sweep-points", s.Doc))
		if consumerSweep(s.Doc) {
			continue // its produce runs only feed the consumers
		}
		var runs []Run
		for _, p := range s.Doc.Points {
			if p.Produce != nil {
				runs = append(runs, Run{Name: result.ParamsLabel(p.Params), Doc: p.Produce})
			}
		}
		add(LatencyPercentiles("latency-percentiles", result.LatencyIntended, "points of "+filepath.Base(s.Path), runs))
	}
	cmp := in.comparison()
	add(CompareCharts(cmp)...)
	if cmp == nil && len(in.Results) > 0 {
		byKind := map[string][]Run{}
		for _, r := range in.Results {
			k := result.MainLatency(r.Doc.Kind)
			byKind[k] = append(byKind[k], Run{Name: filepath.Base(r.Path), Doc: r.Doc})
		}
		for _, k := range []string{result.LatencyIntended, result.LatencyE2E} {
			of := "saved runs"
			if len(byKind[k]) == 1 {
				of = byKind[k][0].Name
			}
			add(LatencyPercentiles("latency-percentiles-"+k, k, of, byKind[k]))
		}
	}
	for i, r := range in.Results {
		if i < 4 {
			add(Timeline(filepath.Base(r.Path), r.Doc)...)
		}
	}
	seen := map[string]int{}
	for _, c := range out {
		if n := seen[c.ID]; n > 0 {
			c.ID = fmt.Sprintf("%s-%d", c.ID, n)
		}
		seen[c.ID]++
	}
	return out
}

// consumerSweep reports whether a sweep varies consumer settings.
func consumerSweep(s *result.Sweep) bool {
	for _, d := range s.Dimensions {
		if d.Role == "consumer" {
			return true
		}
	}
	return false
}

type chartView struct {
	*Chart
	SVG template.HTML
	PNG string
}

// findingGroup is the findings of one severity.
type findingGroup struct {
	Severity string
	Findings []advisor.Finding
}

// groupFindings orders findings by severity: warnings first.
func groupFindings(fs []advisor.Finding) []findingGroup {
	rank := map[string]int{"critical": 0, "error": 1, "warn": 2, "info": 3, "ok": 4}
	by := map[string][]advisor.Finding{}
	var sev []string
	for _, f := range fs {
		if _, ok := by[f.Severity]; !ok {
			sev = append(sev, f.Severity)
		}
		by[f.Severity] = append(by[f.Severity], f)
	}
	sort.SliceStable(sev, func(i, j int) bool {
		ri, ok := rank[sev[i]]
		if !ok {
			ri = 5
		}
		rj, ok := rank[sev[j]]
		if !ok {
			rj = 5
		}
		return ri < rj
	})
	var out []findingGroup
	for _, s := range sev {
		out = append(out, findingGroup{s, by[s]})
	}
	return out
}

// tocEntry is one line of the table of contents.
type tocEntry struct {
	ID, Title string
	Sub       []tocEntry
}

// Write renders report.html (charts inline as SVG, the charts' font
// embedded once, no network fetches) and report.md beside it with its
// charts as PNGs under dir/charts. It returns the HTML report's path.
//
// Every file is written into a temporary folder first and moved into dir
// only once all were written, so a full or unwritable disk leaves no
// half-written report: a new dir does not appear, an existing one keeps
// its previous report.
func Write(dir string, in Input) (string, error) {
	return write(dir, in, os.WriteFile)
}

// write is Write with the function that writes each file.
func write(dir string, in Input, writeFile func(string, []byte, os.FileMode) error) (path string, err error) {
	st, err := newStage(dir)
	if err != nil {
		return "", err
	}
	defer func() {
		if err != nil {
			st.discard()
		}
	}()
	if err := os.Mkdir(filepath.Join(st.tmp, "charts"), 0o755); err != nil {
		return "", err
	}
	fontCSS, err := FontFaceCSS()
	if err != nil {
		return "", err
	}
	view := func(c *Chart) (*chartView, error) {
		svg, err := SVG(c)
		if err != nil {
			return nil, err
		}
		png, err := PNG(c)
		if err != nil {
			return nil, err
		}
		pngName := filepath.Join("charts", c.ID+".png")
		if err := writeFile(filepath.Join(st.tmp, pngName), png, 0o644); err != nil {
			return nil, err
		}
		return &chartView{Chart: c, SVG: template.HTML(svg), PNG: pngName}, nil
	}
	var views []chartView
	for _, c := range Charts(in) {
		v, err := view(c)
		if err != nil {
			return "", err
		}
		views = append(views, *v)
	}
	ops, err := opSections(in, view)
	if err != nil {
		return "", err
	}
	v := buildVerdict(in)
	cmp := in.comparison()
	data := map[string]any{
		"Title": orDefault(in.Title, "ktune report"), "Created": time.Now().UTC().Format("2006-01-02 15:04 UTC"),
		"Embedded": v.Embedded, "Verdict": v, "Advice": in.Advice, "Charts": views,
		"Probes": in.Probes, "Results": in.Results, "Sweeps": in.Sweeps, "MaxRate": in.MaxRate,
		"FontCSS": template.CSS(fontCSS), "Comparison": cmp, "Operations": ops,
	}
	var toc []tocEntry
	toc = append(toc, tocEntry{ID: "verdict", Title: "Verdict"})
	if cmp != nil {
		data["CompareRows"] = CompareRows(cmp)
		toc = append(toc, tocEntry{ID: "comparison", Title: "Comparison"})
	}
	for _, o := range ops {
		toc = append(toc, tocEntry{ID: o.ID, Title: o.Title})
	}
	if len(views) > 0 {
		e := tocEntry{ID: "charts", Title: "Charts"}
		for _, c := range views {
			e.Sub = append(e.Sub, tocEntry{ID: "chart-" + c.ID, Title: c.Title})
		}
		toc = append(toc, e)
	}
	if a := in.Advice; a != nil {
		data["Constraints"] = GenericTable(a.Sizing.Constraints)
		data["Figures"] = GenericTable(a.Sizing.Figures)
		data["FindingGroups"] = groupFindings(a.Findings)
		toc = append(toc, tocEntry{ID: "sizing", Title: "Sizing: constraints, figures, assumptions"})
		if a.Config != nil {
			toc = append(toc, tocEntry{ID: "configuration", Title: "Configuration"})
		}
		if len(a.Findings) > 0 {
			toc = append(toc, tocEntry{ID: "findings", Title: "Findings"})
		}
		if a.Audit != nil {
			toc = append(toc, tocEntry{ID: "audit", Title: "Cluster audit"})
		}
	}
	if len(in.Probes) > 0 {
		toc = append(toc, tocEntry{ID: "environment", Title: "Environment"})
	}
	if len(in.Sweeps) > 0 || len(in.Results) > 0 {
		toc = append(toc, tocEntry{ID: "runs", Title: "Every run's settings"})
	}
	data["TOC"] = toc
	var html bytes.Buffer
	if err := page.Execute(&html, data); err != nil {
		return "", err
	}
	if err := writeFile(filepath.Join(st.tmp, "report.html"), html.Bytes(), 0o644); err != nil {
		return "", err
	}
	var md bytes.Buffer
	writeMarkdown(&md, in, v, views, cmp)
	writeOpSections(&md, ops)
	if err := writeFile(filepath.Join(st.tmp, "report.md"), md.Bytes(), 0o644); err != nil {
		return "", err
	}
	if err := st.commit(); err != nil {
		return "", err
	}
	return filepath.Join(dir, "report.html"), nil
}

// stage is the temporary folder a report is written into before it is
// moved to dir: beside dir when dir does not exist yet (then renamed to
// it whole), inside dir when it does (tune's folder holds other
// artefacts; then its files are renamed into dir one by one).
type stage struct {
	dir, tmp string
	whole    bool
}

func newStage(dir string) (*stage, error) {
	st := &stage{dir: filepath.Clean(dir)}
	parent := st.dir
	if _, err := os.Stat(st.dir); errors.Is(err, os.ErrNotExist) {
		st.whole, parent = true, filepath.Dir(st.dir)
		if err := os.MkdirAll(parent, 0o755); err != nil {
			return nil, fmt.Errorf("creating the report folder: %w", err)
		}
	}
	tmp, err := os.MkdirTemp(parent, "."+filepath.Base(st.dir)+".tmp-*")
	if err != nil {
		return nil, fmt.Errorf("writing the report: %w", err)
	}
	if err := os.Chmod(tmp, 0o755); err != nil {
		os.Remove(tmp)
		return nil, err
	}
	st.tmp = tmp
	return st, nil
}

// commit moves the written report into place.
func (st *stage) commit() error {
	if st.whole {
		return os.Rename(st.tmp, st.dir)
	}
	charts, err := os.ReadDir(filepath.Join(st.tmp, "charts"))
	if err != nil {
		return err
	}
	if err := os.MkdirAll(filepath.Join(st.dir, "charts"), 0o755); err != nil {
		return err
	}
	// The charts first, report.html last: the page appears only when
	// what it links to is there.
	var names []string
	for _, c := range charts {
		names = append(names, filepath.Join("charts", c.Name()))
	}
	names = append(names, "report.md", "report.html")
	for _, n := range names {
		if err := os.Rename(filepath.Join(st.tmp, n), filepath.Join(st.dir, n)); err != nil {
			return err
		}
	}
	return os.RemoveAll(st.tmp)
}

// discard removes what a failed write left.
func (st *stage) discard() { os.RemoveAll(st.tmp) }

// writeMarkdown writes the report as Markdown: the verdict, the advice
// (advisor.WriteMarkdown), the comparison and the charts as PNGs.
func writeMarkdown(w *bytes.Buffer, in Input, v verdict, views []chartView, cmp *result.Comparison) {
	fmt.Fprintf(w, "# %s\n\n", orDefault(in.Title, "ktune report"))
	if v.Embedded {
		fmt.Fprintln(w, "> Measured on the "+result.EmbeddedLabel+".")
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, "## Verdict\n\n| | |\n|---|---|")
	for _, m := range v.Measured {
		fmt.Fprintf(w, "| %s | %s |\n", m.Label, mdCell(m.Value))
	}
	if v.MaxRate != "" {
		fmt.Fprintf(w, "| max sustainable rate | %s |\n", mdCell(v.MaxRate))
	}
	if v.Sizing != "" {
		fmt.Fprintf(w, "| sizing | %s |\n", mdCell(v.Sizing))
	}
	if v.Caution != "" {
		fmt.Fprintf(w, "| caution | %s |\n", mdCell(v.Caution))
	}
	if len(v.Changes) > 0 {
		fmt.Fprintf(w, "\nRecommended change (%s):\n\n| property | default | recommended |\n|---|---|---|\n", v.Goal)
		for _, c := range v.Changes {
			fmt.Fprintf(w, "| %s | %s | %s |\n", c.Property, c.Default, c.Value)
		}
		for _, e := range v.Effects {
			fmt.Fprintf(w, "\n- %s", e)
		}
		fmt.Fprintln(w)
	} else if v.NoChange != "" {
		fmt.Fprintf(w, "\n%s\n", v.NoChange)
	}
	if in.Advice != nil {
		fmt.Fprintln(w)
		advisor.WriteMarkdown(w, in.Advice)
	}
	if cmp != nil {
		fmt.Fprintln(w, "\n## Comparison\n\n| metric | configuration | n | mean | ± 95% CI | vs baseline | Welch p |\n|---|---|---:|---:|---:|---:|---|")
		for _, r := range CompareRows(cmp) {
			fmt.Fprintf(w, "| %s | %s | %d | %s | %s | %s | %s |\n", r.Metric, mdCell(r.Name), r.N, r.Mean, r.CI, r.Diff, r.P)
		}
	}
	for _, c := range views {
		fmt.Fprintf(w, "\n## %s\n\n![%s](%s)\n", c.Title, c.Title, c.PNG)
		if c.Caption != "" {
			fmt.Fprintf(w, "\n%s\n", c.Caption)
		}
		if t := c.Table; t != nil {
			fmt.Fprintf(w, "\n| %s |\n|%s\n", strings.Join(t.Header, " | "), strings.Repeat("---|", len(t.Header)))
			for _, r := range t.Rows {
				for i := range r {
					r[i] = mdCell(r[i])
				}
				fmt.Fprintf(w, "| %s |\n", strings.Join(r, " | "))
			}
		}
	}
}

func mdCell(s string) string { return strings.ReplaceAll(strings.ReplaceAll(s, "|", `\|`), "\n", " ") }

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"gib":   func(b uint64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) },
	"props": advisor.Properties,
	"f": func(p *float64) string {
		if p == nil {
			return "unknown"
		}
		return fmt.Sprintf("%.0f", *p)
	},
	"label": result.ParamsLabel,
	"sevclass": func(s string) string {
		switch s {
		case "warn", "error", "critical":
			return "warn"
		}
		return "info"
	},
	"rows": compare.Rows,
}).Parse(pageTemplate))
