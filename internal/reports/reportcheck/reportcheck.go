// Package reportcheck opens a ktune report in headless Chromium, as an
// operator would, and checks what they would see: the page renders
// without console errors, stays small and self-contained, its summary
// lists only changed properties, no <pre> holds a Markdown table, and no
// chart's legend covers its data. Tests of the packages that write
// reports share it.
package reportcheck

import (
	"bytes"
	"fmt"
	"html"
	"image/png"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// MaxBytes is the largest report.html the checks accept.
const MaxBytes = 1_500_000

// Chart is what the browser measured of one chart.
type Chart struct {
	ID string
	// Legend is true when the chart has a legend box; Overlap when that
	// box intersects one of its data areas.
	Legend, Overlap bool
	DataAreas       int
	// Tips counts the hover targets with a <title>.
	Tips int
}

// Page is what the checks read from the rendered page.
type Page struct {
	Charts []Chart
	// Changed maps each property of the verdict's change table to its
	// recommended value.
	Changed map[string]string
	// Screenshot is a PNG of the page's top, width x height.
	Screenshot string
}

// geometryScript measures every chart's legend box against its data
// areas in the laid-out page and writes the result into the DOM.
const geometryScript = `<script>
(function(){
  const out = [];
  document.querySelectorAll('figure.chart').forEach(f => {
    const legend = f.querySelector('.legend-box');
    const areas = [...f.querySelectorAll('.data-area')];
    const r = legend ? legend.getBoundingClientRect() : null;
    let overlap = false;
    if (r) for (const a of areas) {
      const b = a.getBoundingClientRect();
      if (r.left < b.right && r.right > b.left && r.top < b.bottom && r.bottom > b.top) overlap = true;
    }
    out.push([f.id, r ? 1 : 0, overlap ? 1 : 0, areas.length, f.querySelectorAll('.tip > title').length].join(','));
  });
  const d = document.createElement('div');
  d.id = 'ktune-geometry';
  d.setAttribute('data-result', out.join(';'));
  document.body.appendChild(d);
})();
</script>`

var (
	preRe     = regexp.MustCompile(`(?s)<pre[^>]*>(.*?)</pre>`)
	mdTableRe = regexp.MustCompile(`(?m)^\s*\|.*\|\s*$|\|\s*-{3,}`)
	changeRe  = regexp.MustCompile(`(?s)<tr><td>[^<]*</td><td><code>([^<]*)</code></td><td>([^<]*)</td><td><b>([^<]*)</b></td></tr>`)
	geomRe    = regexp.MustCompile(`id="ktune-geometry" data-result="([^"]*)"`)
)

// Check opens the report at path in Chromium (skipping the test when it
// is not installed) and fails t for each problem; it returns what it
// measured for further checks.
func Check(t *testing.T, path string, width, height int) Page {
	t.Helper()
	bin, err := exec.LookPath("chromium")
	if err != nil {
		t.Skip("chromium not installed (apt-get install chromium); scripts/test.sh installs it")
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) >= MaxBytes {
		t.Errorf("report.html is %d bytes, want under %d", len(raw), MaxBytes)
	}
	if regexp.MustCompile(`(src|href)="https?:|@import|url\(https?:`).Match(raw) {
		t.Error("the report fetches from the network")
	}
	if strings.Count(string(raw), "@font-face") > 1 {
		t.Errorf("the font is embedded %d times", strings.Count(string(raw), "@font-face"))
	}
	dir := t.TempDir()
	flags := []string{"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
		"--disable-component-update", "--disable-sync", "--user-data-dir=" + filepath.Join(dir, "profile"), "--enable-logging=stderr", "--v=0"}
	page := Page{Screenshot: filepath.Join(dir, "shot.png"), Changed: map[string]string{}}
	cmd := exec.Command(bin, append(flags, fmt.Sprintf("--window-size=%d,%d", width, height), "--hide-scrollbars", "--screenshot="+page.Screenshot, "file://"+path)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("chromium: %v\n%s", err, stderr.String())
	}
	for _, line := range strings.Split(stderr.String(), "\n") {
		if strings.Contains(line, "CONSOLE") || strings.Contains(line, "Uncaught") {
			t.Errorf("console: %s", line)
		}
	}
	checkNotBlank(t, page.Screenshot)

	dom, err := exec.Command(bin, append(flags[:len(flags)-2], "--dump-dom", "file://"+path)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	for _, m := range preRe.FindAllSubmatch(dom, -1) {
		if mdTableRe.Match(m[1]) {
			t.Errorf("a <pre> holds Markdown table syntax:\n%.300s", m[1])
		}
	}
	for _, m := range changeRe.FindAllSubmatch(dom, -1) {
		prop, def, val := html.UnescapeString(string(m[1])), html.UnescapeString(string(m[2])), html.UnescapeString(string(m[3]))
		if def == val {
			t.Errorf("the summary lists %s, unchanged from its default %s", prop, def)
		}
		page.Changed[prop] = val
	}

	// The chart geometry, measured by the browser in a copy with a script.
	probe := filepath.Join(filepath.Dir(path), ".reportcheck-"+filepath.Base(path))
	withScript := strings.Replace(string(raw), "</body>", geometryScript+"</body>", 1)
	if err := os.WriteFile(probe, []byte(withScript), 0o644); err != nil {
		t.Fatal(err)
	}
	defer os.Remove(probe)
	dom2, err := exec.Command(bin, append(flags[:len(flags)-2], "--window-size=1200,2000", "--dump-dom", "file://"+probe)...).Output()
	if err != nil {
		t.Fatal(err)
	}
	m := geomRe.FindSubmatch(dom2)
	if m == nil {
		t.Fatal("the geometry script did not run")
	}
	for _, rec := range strings.Split(string(m[1]), ";") {
		if rec == "" {
			continue
		}
		var c Chart
		var legend, overlap int
		if _, err := fmt.Sscanf(strings.ReplaceAll(rec, ",", " "), "%s %d %d %d %d", &c.ID, &legend, &overlap, &c.DataAreas, &c.Tips); err != nil {
			t.Fatalf("geometry %q: %v", rec, err)
		}
		c.Legend, c.Overlap = legend == 1, overlap == 1
		if c.Overlap {
			t.Errorf("%s: the legend box overlaps the data area", c.ID)
		}
		if c.DataAreas == 0 {
			t.Errorf("%s: no data area found (did the SVG load?)", c.ID)
		}
		if c.Tips == 0 {
			t.Errorf("%s: hovering shows no values (no <title> targets)", c.ID)
		}
		page.Charts = append(page.Charts, c)
	}
	return page
}

func checkNotBlank(t *testing.T, shot string) {
	t.Helper()
	f, err := os.Open(shot)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	img, err := png.Decode(f)
	if err != nil {
		t.Fatal(err)
	}
	colors := map[uint32]bool{}
	b := img.Bounds()
	for y := b.Min.Y; y < b.Max.Y; y += 7 {
		for x := b.Min.X; x < b.Max.X; x += 7 {
			r, g, bb, _ := img.At(x, y).RGBA()
			colors[r>>8<<16|g>>8<<8|bb>>8] = true
		}
	}
	if len(colors) < 20 {
		t.Errorf("the screenshot looks blank: %d colours", len(colors))
	}
}
