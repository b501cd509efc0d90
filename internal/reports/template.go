package reports

// pageTemplate is report.html: the verdict first, then a table of
// contents and the sections. Everything is inline: no scripts, no
// network fetches; the charts' font is embedded once.
const pageTemplate = `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>{{.Title}}</title>
<style>
{{.FontCSS}}
:root{--ink:#1d2330;--muted:#5a6270;--line:#d7dbe2;--warn:#b35900;--warnbg:#fff4e5;--ok:#1a6e3a}
*{box-sizing:border-box}
body{font-family:"Liberation Sans",system-ui,-apple-system,"Segoe UI",Arial,sans-serif;max-width:1040px;margin:1.5em auto;padding:0 1.2em;color:var(--ink);line-height:1.45;font-size:15px}
h1{font-size:1.7em;margin:.2em 0} h2{font-size:1.3em;margin-top:1.8em;border-bottom:2px solid var(--line);padding-bottom:.2em} h3{font-size:1.05em;margin:1.3em 0 .4em}
.sub{color:var(--muted);margin:0 0 1em}
table{border-collapse:collapse;margin:.5em 0 1em;font-size:.9em;width:100%}
td,th{border:1px solid var(--line);padding:.3em .55em;text-align:left;vertical-align:top;white-space:pre-line;overflow-wrap:break-word}
th{background:#f3f5f8;font-weight:600} td.num{text-align:right;font-variant-numeric:tabular-nums}
.verdict{border:2px solid var(--ink);border-radius:6px;padding:.8em 1.1em;margin:1em 0}
.verdict h2{margin-top:.2em;border:0}
.verdict table th{width:13em} table.operation th{width:13em}
.answer{font-size:1.15em;font-weight:600}
ul.assumptions{columns:2;column-gap:2em;font-size:.88em;color:var(--muted)} ul.assumptions li{break-inside:avoid}
.note{background:var(--warnbg);border-left:4px solid var(--warn);padding:.5em 1em;margin:1em 0}
td.caution{color:var(--warn)} td.caution a{color:inherit}
.sev-warn{color:var(--warn);font-weight:600} .sev-info{color:var(--muted);font-weight:600}
nav.toc{background:#f7f8fa;border:1px solid var(--line);border-radius:6px;padding:.6em 1.2em;margin:1.2em 0}
nav.toc ol{margin:.2em 0;padding-left:1.4em} nav.toc ol ol{font-size:.92em}
figure.chart{margin:1.2em 0 1.8em;break-inside:avoid}
figure.chart svg{width:100%;max-width:760px;height:auto;display:block}
figcaption{color:var(--muted);font-size:.92em;margin-top:.3em}
pre.props{background:#f5f6f8;padding:.6em;white-space:pre-wrap;overflow-wrap:break-word;font-size:.85em}
table.findings td:nth-child(1){width:12%} table.findings td:nth-child(2){width:36%} table.findings td:nth-child(3){width:28%}
details{margin:.4em 0} summary{cursor:pointer}
ul{margin:.3em 0 .8em;padding-left:1.3em}
@page{size:A4;margin:14mm}
@media print{body{max-width:none;margin:0;padding:0;font-size:10.5pt} nav.toc{break-after:page} h2{break-after:avoid} table{break-inside:auto} tr{break-inside:avoid} figure.chart{break-inside:avoid}}
</style></head><body>
<h1>{{.Title}}</h1>
<p class="sub">Generated {{.Created}} by ktune.</p>
{{if .Embedded}}<p class="note">Measured on the <b>embedded kfake cluster</b> (in memory, no disk, no replication, sharing ktune's process and cores): these figures say nothing about a real broker, and the advisor did not size hardware from them.</p>{{end}}
{{with .Verdict}}<section class="verdict" id="verdict"><h2>Verdict</h2>
<table>
{{range .Measured}}<tr><th>{{.Label}}</th><td>{{.Value}}</td></tr>
{{end}}{{if .MaxRate}}<tr><th>max sustainable rate</th><td class="answer">{{.MaxRate}}</td></tr>
{{end}}{{if .Sizing}}<tr><th>sizing</th><td class="answer">{{.Sizing}}</td></tr>
{{end}}{{if .Caution}}<tr><th>caution</th><td class="caution"><a href="#finding-client-bottleneck">{{.Caution}}</a></td></tr>
{{end}}</table>
{{if .Changes}}<h3 id="recommended-change">Recommended change ({{.Goal}}): only the properties that differ from the defaults</h3>
<table id="changed-properties"><tr><th>client</th><th>property</th><th>default</th><th>recommended</th></tr>
{{range .Changes}}<tr><td>{{.Role}}</td><td><code>{{.Property}}</code></td><td>{{.Default}}</td><td><b>{{.Value}}</b></td></tr>
{{end}}</table>
{{if .Effects}}<p>Measured effect against the sweep's defaults point:</p><ul>{{range .Effects}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{else if .NoChange}}<p>{{.NoChange}}</p>{{end}}
{{if .Assumptions}}<p>The sizing assumes:</p><ul class="assumptions">{{range .Assumptions}}<li>{{.}}</li>{{end}}</ul>{{end}}
</section>{{end}}
<nav class="toc"><b>Contents</b><ol>{{range .TOC}}<li><a href="#{{.ID}}">{{.Title}}</a>{{if .Sub}}<ol>{{range .Sub}}<li><a href="#{{.ID}}">{{.Title}}</a></li>{{end}}</ol>{{end}}</li>{{end}}</ol></nav>
{{with .Comparison}}<h2 id="comparison">Comparison</h2>
<p>Each configuration's mean over its runs with the 95% confidence interval, the difference to the baseline (A) and Welch's t-test p-value; differences with p &ge; 0.05 are marked not significant.</p>
<table id="comparison-table"><tr><th>metric</th><th>configuration</th><th>n</th><th>mean</th><th>&plusmn; 95% CI</th><th>vs baseline</th><th>Welch p</th></tr>
{{range $.CompareRows}}<tr><td>{{.Metric}}</td><td>{{.Name}}</td><td class="num">{{.N}}</td><td class="num">{{.Mean}}</td><td class="num">{{.CI}}</td><td class="num">{{.Diff}}</td><td>{{.P}}</td></tr>
{{end}}</table>{{end}}
{{range .Operations}}<h2 id="{{.ID}}">{{.Title}}</h2>
<table class="operation" id="{{.ID}}-summary">{{range .Rows}}<tr><th>{{.Label}}</th><td>{{.Value}}</td></tr>
{{end}}</table>
{{with .Chart}}<figure class="chart" id="chart-{{.ID}}">{{.SVG}}{{if .Caption}}<figcaption>{{.Caption}}</figcaption>{{end}}</figure>{{end}}
{{with .Table}}<table class="operation" id="{{$.ID}}-points"><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{end}}
{{if .Notes}}<ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{end}}{{if .Charts}}<h2 id="charts">Charts</h2>
<p class="sub">Hover a point or bar for its exact values.</p>
{{range .Charts}}<figure class="chart" id="chart-{{.ID}}">{{.SVG}}{{if .Caption}}<figcaption>{{.Caption}}</figcaption>{{end}}
{{with .Table}}<details><summary>Figures behind the chart ({{len .Rows}} rows)</summary><table><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table></details>{{end}}</figure>
{{end}}{{end}}
{{with .Advice}}
<h2 id="sizing">Sizing: constraints, figures, assumptions</h2>
{{with .Sizing}}<p><b>{{.Brokers}} brokers</b> (binding constraint: {{.Binding}}; the textbook formula gives {{.TextbookBrokers}}), <b>{{printf "%.0f" .DiskTotalGB}} GB</b> of disk in all ({{printf "%.0f" .DiskPerBrokerGB}} GB per broker), <b>{{printf "%.0f" .MemoryPerBrokerGB}} GB</b> of memory per broker ({{printf "%.0f" .HeapGB}} GB heap + {{printf "%.2f" .PageCacheGB}} GB page cache), a <b>{{.NICGbps}} Gbit/s</b> NIC{{if .Partitions}}, <b>{{.Partitions}} partitions</b> per topic{{end}}; num.io.threads={{.NumIOThreads}}, num.network.threads={{.NumNetworkThreads}}, num.replica.fetchers={{.NumReplicaFetch}}.</p>{{end}}
{{with $.Constraints}}<h3>What each resource needs</h3><table id="constraints"><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{end}}
{{with $.Figures}}<h3>Figures: formula, inputs and their sources</h3><table id="figures"><tr>{{range .Header}}<th>{{.}}</th>{{end}}</tr>
{{range .Rows}}<tr>{{range .}}<td>{{.}}</td>{{end}}</tr>
{{end}}</table>{{end}}
{{if .Assumptions}}<h3>Assumptions</h3><ul>{{range .Assumptions}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Notes}}<h3>Notes</h3><ul>{{range .Notes}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{with .Config}}<h2 id="configuration">Configuration (goal: {{.Goal}})</h2>
{{if .Best}}<p>Chosen: <code>{{label .Best.Params}}</code>: {{.Why}}; p99 {{printf "%.2f" .Best.P99Ms}} ms.</p>
<h3>Pareto front (throughput against p99)</h3>
<table id="pareto"><tr><th>point</th><th>MB/s</th><th>p99 ms</th></tr>
{{range .Pareto}}<tr><td>{{label .Params}}</td><td class="num">{{printf "%.1f" .MBps}}</td><td class="num">{{printf "%.2f" .P99Ms}}</td></tr>
{{end}}</table>
<details id="effective-configuration"><summary>The full effective configuration of the recommendation (every property, defaults included)</summary>
<h3>producer.properties</h3><pre class="props">{{props .Producer}}</pre>
{{if .Consumer}}<h3>consumer.properties</h3><pre class="props">{{props .Consumer}}</pre>{{end}}
<h3>topic</h3><pre class="props">{{props .Topic}}</pre></details>
{{else}}<p>{{.Why}}.</p>{{end}}{{end}}
{{if .Findings}}<h2 id="findings">Findings</h2>
{{range $.FindingGroups}}<h3><span class="sev-{{sevclass .Severity}}">{{.Severity}}</span> ({{len .Findings}})</h3>
<table class="findings"><tr><th>finding</th><th>evidence</th><th>recommendation</th><th>why, and source</th></tr>
{{range .Findings}}<tr id="finding-{{.ID}}"><td><b>{{.ID}}</b></td><td>{{.Evidence}}</td><td>{{.Recommendation}}</td><td>{{.Rationale}}{{if .Source}} ({{.Source}}){{end}}</td></tr>
{{end}}</table>{{end}}{{end}}
{{with .Audit}}<h2 id="audit">Cluster audit</h2>
<table><tr><th>brokers</th><td>{{.Brokers}}</td></tr><tr><th>topics</th><td>{{.Topics}}</td></tr><tr><th>partitions</th><td>{{.Partitions}}</td></tr>
<tr><th>under-replicated partitions</th><td>{{if .UnderReplicated}}{{range .UnderReplicated}}{{.}} {{end}}{{else}}none{{end}}</td></tr>
<tr><th>partitions under min ISR</th><td>{{if .UnderMinISR}}{{range .UnderMinISR}}{{.}} {{end}}{{else}}none{{end}}</td></tr>
<tr><th>topics under replication 3</th><td>{{if .LowReplication}}{{range .LowReplication}}{{.}} {{end}}{{else}}none{{end}}</td></tr></table>
<table><tr><th>broker</th><th>replicas</th><th>leaders</th></tr>{{$l := .LeadersPerBroker}}{{range $b, $n := .ReplicasPerBroker}}<tr><td>{{$b}}</td><td class="num">{{$n}}</td><td class="num">{{index $l $b}}</td></tr>{{end}}</table>
<details><summary>Broker settings read</summary><pre class="props">{{props .BrokerConfig}}</pre></details>{{end}}
{{end}}
{{range .Probes}}<h2 id="environment">Environment ({{.Path}})</h2>
<table><tr><th>cpu</th><td>{{.Doc.CPU.Model}}, {{.Doc.CPU.LogicalCores}} logical cores</td></tr>
<tr><th>memory</th><td>{{gib .Doc.Memory.Total}}</td></tr>
{{range .Doc.Disks}}<tr><th>disk {{.LogDir}}</th><td>{{.Filesystem}} on {{.Device}}; sequential write {{f .SeqWriteMiBps}} MiB/s, read {{f .SeqReadMiBps}} MiB/s</td></tr>{{end}}
<tr><th>kernel</th><td>{{.Doc.OS.Kernel}} ({{.Doc.OS.Virtualization}})</td></tr></table>
<details><summary>Host checks ({{len .Doc.Checks}})</summary><table><tr><th>check</th><th>status</th><th>finding</th><th>recommended</th></tr>
{{range .Doc.Checks}}<tr><td>{{.ID}}</td><td>{{.Severity}}</td><td>{{.Finding}}</td><td>{{.Recommended}}</td></tr>{{end}}</table></details>{{end}}
{{if or .Sweeps .Results}}<h2 id="runs">Every run's settings</h2>
{{range .Sweeps}}<h3>Sweep {{.Path}} ({{len .Doc.Points}} points)</h3>
<table><tr><th>point</th><th>produce MiB/s</th><th>p99 ms</th><th>client CPU s</th><th>CPU s per GiB</th><th>consume MiB/s</th><th>consume CPU s</th></tr>
{{range .Doc.Points}}<tr><td>{{label .Params}}{{if .Repeat}} #{{.Repeat}}{{end}}</td>{{with .Produce}}<td class="num">{{printf "%.2f" .Metrics.MiBPerSec}}</td><td class="num">{{printf "%.2f" (index .Metrics.Latency "intended").P99}}</td><td class="num">{{printf "%.3f" .Metrics.ClientCPUS}}</td><td class="num">{{printf "%.2f" .Metrics.ClientCPUSPerGiB}}</td>{{else}}<td></td><td></td><td></td><td></td>{{end}}{{with .Consume}}<td class="num">{{printf "%.2f" .Metrics.MiBPerSec}}</td><td class="num">{{printf "%.3f" .Metrics.ClientCPUS}}</td>{{else}}<td></td><td></td>{{end}}</tr>
{{end}}</table>
{{range .Doc.Points}}{{if .Produce}}<details><summary>{{label .Params}}: effective client settings</summary><pre class="props">{{props .Produce.Config.Producer}}{{with .Consume}}{{props .Config.Consumer}}{{end}}</pre></details>{{end}}{{end}}{{end}}
{{if .Results}}<table><tr><th>run</th><th>kind</th><th>records/s</th><th>MiB/s</th><th>client CPU s</th><th>CPU s per GiB</th></tr>
{{range .Results}}<tr><td>{{.Path}}</td><td>{{.Doc.Kind}}</td><td class="num">{{printf "%.0f" .Doc.Metrics.RecordsPerSec}}</td><td class="num">{{printf "%.2f" .Doc.Metrics.MiBPerSec}}</td><td class="num">{{printf "%.3f" .Doc.Metrics.ClientCPUS}}</td><td class="num">{{printf "%.2f" .Doc.Metrics.ClientCPUSPerGiB}}</td></tr>
{{end}}</table>
{{range .Results}}<details><summary>{{.Path}} ({{.Doc.Kind}}): effective client settings</summary><pre class="props">{{props .Doc.Config.Producer}}{{props .Doc.Config.Consumer}}</pre></details>{{end}}{{end}}{{end}}
</body></html>
`
