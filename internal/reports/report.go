package reports

import (
	"bytes"
	"fmt"
	"html/template"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/ktune/ktune/internal/advisor"
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
}

// Charts returns every chart the input supports, in report order.
func Charts(in Input) []*Chart {
	var out []*Chart
	add := func(c ...*Chart) {
		for _, x := range c {
			if x != nil && (len(x.Series) > 0 || x.Heat != nil) {
				out = append(out, x)
			}
		}
	}
	add(SizingChart(in.Advice), ParetoChart(in.Advice))
	for _, s := range in.Sweeps {
		add(ThroughputVsBatch(s.Doc), BatchLingerHeat(s.Doc), Codecs(s.Doc))
		named := map[string]*result.Document{}
		for _, p := range s.Doc.Points {
			if p.Produce != nil && len(named) < 6 {
				named[label(p.Params)] = p.Produce
			}
		}
		add(LatencyPercentiles(named))
	}
	if len(in.Results) > 0 {
		named := map[string]*result.Document{}
		for _, r := range in.Results {
			named[filepath.Base(r.Path)] = r.Doc
		}
		add(LatencyPercentiles(named))
		add(Timeline(filepath.Base(in.Results[0].Path), in.Results[0].Doc)...)
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

func label(params map[string]string) string {
	var kv []string
	for k, v := range params {
		_, n, _ := strings.Cut(k, ":")
		kv = append(kv, n+"="+v)
	}
	sort.Strings(kv)
	if len(kv) == 0 {
		return "(base)"
	}
	return strings.Join(kv, " ")
}

type chartView struct {
	*Chart
	SVG template.HTML
	PNG string
}

// Write renders every chart (PNG and SVG under dir/charts), report.html
// with the charts inline and no network fetches, and report.md beside it.
// It returns the HTML report's path.
func Write(dir string, in Input) (string, error) {
	if err := os.MkdirAll(filepath.Join(dir, "charts"), 0o755); err != nil {
		return "", err
	}
	var views []chartView
	for _, c := range Charts(in) {
		svg, err := SVG(c)
		if err != nil {
			return "", err
		}
		png, err := PNG(c)
		if err != nil {
			return "", err
		}
		pngName := filepath.Join("charts", c.ID+".png")
		if err := result.WriteAtomic(filepath.Join(dir, pngName), png); err != nil {
			return "", err
		}
		if err := result.WriteAtomic(filepath.Join(dir, "charts", c.ID+".svg"), svg); err != nil {
			return "", err
		}
		// Inline SVG: drop the XML prolog.
		s := string(svg)
		if i := strings.Index(s, "<svg"); i > 0 {
			s = s[i:]
		}
		views = append(views, chartView{Chart: c, SVG: template.HTML(s), PNG: pngName})
	}
	var md bytes.Buffer
	if in.Advice != nil {
		advisor.WriteMarkdown(&md, in.Advice)
	}
	data := map[string]any{
		"Title": orDefault(in.Title, "ktune report"), "Created": time.Now().UTC().Format(time.RFC3339),
		"Embedded": embedded(in), "Advice": in.Advice, "AdviceMD": md.String(), "Charts": views,
		"Probes": in.Probes, "Results": in.Results, "Sweeps": in.Sweeps, "MaxRate": in.MaxRate,
	}
	var html bytes.Buffer
	if err := page.Execute(&html, data); err != nil {
		return "", err
	}
	path := filepath.Join(dir, "report.html")
	if err := result.WriteAtomic(path, html.Bytes()); err != nil {
		return "", err
	}
	var mdr bytes.Buffer
	fmt.Fprintf(&mdr, "# %s\n\n", data["Title"])
	if embedded(in) {
		fmt.Fprintln(&mdr, "> Measured on the embedded kfake cluster (in memory, no disk): not a measurement of a real broker.")
	}
	for _, m := range in.MaxRate {
		fmt.Fprintf(&mdr, "\nMax sustainable rate: **%.0f records/s** (%.2f MiB/s) with %s p99 <= %.1f ms.\n", m.Doc.RecordsPerSec, m.Doc.MiBPerSec, m.Doc.LatencyKind, m.Doc.P99Ms)
	}
	mdr.WriteString("\n" + md.String())
	for _, v := range views {
		fmt.Fprintf(&mdr, "\n## %s\n\n![%s](%s)\n", v.Title, v.Title, v.PNG)
		if v.Note != "" {
			fmt.Fprintf(&mdr, "\n%s\n", v.Note)
		}
	}
	if err := result.WriteAtomic(filepath.Join(dir, "report.md"), mdr.Bytes()); err != nil {
		return "", err
	}
	return path, nil
}

func embedded(in Input) bool {
	for _, r := range in.Results {
		if r.Doc.Cluster.Embedded {
			return true
		}
	}
	for _, s := range in.Sweeps {
		if s.Doc.Cluster.Embedded {
			return true
		}
	}
	return false
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

var page = template.Must(template.New("report").Funcs(template.FuncMap{
	"kv": func(m map[string]string) string {
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		var b strings.Builder
		for _, k := range keys {
			fmt.Fprintf(&b, "%s=%s\n", k, m[k])
		}
		return b.String()
	},
	"gib":    func(b uint64) string { return fmt.Sprintf("%.1f GiB", float64(b)/(1<<30)) },
	"mul100": func(p *float64) float64 { return *p * 100 },
	"props":  advisor.Properties,
	"f": func(p *float64) string {
		if p == nil {
			return "unknown"
		}
		return fmt.Sprintf("%.0f", *p)
	},
}).Parse(`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{{.Title}}</title>
<style>
body{font-family:system-ui,-apple-system,"Segoe UI",sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222;line-height:1.45}
h1{font-size:1.8em} h2{margin-top:1.6em;border-bottom:1px solid #ddd;padding-bottom:.2em}
table{border-collapse:collapse;margin:.6em 0;font-size:.92em} td,th{border:1px solid #ccc;padding:.25em .6em;text-align:left;vertical-align:top}
.note{background:#fff4d6;border-left:4px solid #e69f00;padding:.5em 1em}
.chart{margin:1.2em 0} .chart svg{width:100%;max-width:900px;height:auto;display:block}
pre{background:#f5f5f5;padding:.6em;overflow:auto;font-size:.85em}
.big{font-size:1.15em}
</style></head><body>
<h1>{{.Title}}</h1>
<p>Generated {{.Created}} by ktune.</p>
{{if .Embedded}}<p class="note">Measured on the embedded kfake cluster (in memory, no disk, no replication): these figures say nothing about a real broker, and the advisor did not size hardware from them.</p>{{end}}
<h2>Summary</h2>
{{with .Advice}}<p class="big">{{if eq .Sizing.Mode "textbook"}}Textbook sizing (no broker hardware given): {{end}}<b>{{.Sizing.Brokers}} brokers</b> (binding: {{.Sizing.Binding}}), <b>{{printf "%.0f" .Sizing.DiskTotalGB}} GB</b> disk in all, <b>{{.Sizing.MemoryPerBrokerGB}} GB</b> memory per broker, <b>{{.Sizing.NICGbps}} Gbit/s</b> NIC{{if .Sizing.Partitions}}, <b>{{.Sizing.Partitions}} partitions</b> per topic{{end}}.</p>
{{with .Config}}{{if .Best}}<p>Recommended for {{.Goal}}: {{.Why}}; p99 {{printf "%.2f" .Best.P99Ms}} ms{{if .GainOverDefaults}}, {{printf "%+.0f" (mul100 .GainOverDefaults)}}% throughput over the defaults point{{end}}.</p>
<pre id="producer-properties">{{props .Producer}}</pre>{{end}}{{end}}{{end}}
{{range .MaxRate}}<p>Max sustainable rate: <b>{{printf "%.0f" .Doc.RecordsPerSec}} records/s</b> ({{printf "%.2f" .Doc.MiBPerSec}} MiB/s) with {{.Doc.LatencyKind}} p99 &le; {{.Doc.P99Ms}} ms, confirmed over two windows.</p>{{end}}
<h2>Charts</h2>
{{range .Charts}}<div class="chart" id="chart-{{.ID}}">{{.SVG}}{{if .Note}}<p><i>{{.Note}}</i></p>{{end}}</div>
{{end}}
{{if .AdviceMD}}<h2>Recommendations and evidence</h2>
<pre>{{.AdviceMD}}</pre>{{end}}
{{range .Probes}}<h2>Environment ({{.Path}})</h2>
<table><tr><th>cpu</th><td>{{.Doc.CPU.Model}}, {{.Doc.CPU.LogicalCores}} logical cores</td></tr>
<tr><th>memory</th><td>{{gib .Doc.Memory.Total}}</td></tr>
{{range .Doc.Disks}}<tr><th>disk {{.LogDir}}</th><td>{{.Filesystem}} on {{.Device}}; sequential write {{f .SeqWriteMiBps}} MiB/s, read {{f .SeqReadMiBps}} MiB/s</td></tr>{{end}}
<tr><th>kernel</th><td>{{.Doc.OS.Kernel}} ({{.Doc.OS.Virtualization}})</td></tr></table>
<table><tr><th>check</th><th>status</th><th>finding</th><th>recommended</th></tr>
{{range .Doc.Checks}}<tr><td>{{.ID}}</td><td>{{.Severity}}</td><td>{{.Finding}}</td><td>{{.Recommended}}</td></tr>{{end}}</table>{{end}}
<h2>Raw settings of every run</h2>
{{range .Sweeps}}<h3>Sweep {{.Path}} ({{len .Doc.Points}} points)</h3>
{{range .Doc.Points}}{{if .Produce}}<details><summary>{{.Key}}: {{printf "%.2f" .Produce.Metrics.MiBPerSec}} MiB/s</summary><pre>{{kv .Produce.Config.Producer}}</pre></details>{{end}}{{end}}{{end}}
{{range .Results}}<details><summary>{{.Path}} ({{.Doc.Kind}})</summary><pre>{{kv .Doc.Config.Producer}}{{kv .Doc.Config.Consumer}}</pre></details>{{end}}
</body></html>
`))
