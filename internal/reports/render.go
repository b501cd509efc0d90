package reports

import (
	"bytes"
	"fmt"
	"html"
	"image/color"
	"math"
	"strconv"
	"strings"
	"sync"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/font"
	"gonum.org/v1/plot/palette/brewer"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgimg"
	"gonum.org/v1/plot/vg/vgsvg"
)

// okabeIto is a colour-blind safe palette (Okabe and Ito, 2008).
var okabeIto = []color.Color{
	color.RGBA{0, 114, 178, 255},   // blue
	color.RGBA{230, 159, 0, 255},   // orange
	color.RGBA{0, 158, 115, 255},   // bluish green
	color.RGBA{204, 121, 167, 255}, // reddish purple
	color.RGBA{86, 180, 233, 255},  // sky blue
	color.RGBA{213, 94, 0, 255},    // vermillion
	color.RGBA{240, 228, 66, 255},  // yellow
	color.RGBA{0, 0, 0, 255},       // black
}

// Size of every chart's plot area; a legend below it adds to the height.
const (
	Width  = 16 * vg.Centimeter
	Height = 9 * vg.Centimeter
)

// sans is the charts' typeface: Liberation Sans, embedded once per page.
var sans = font.Font{Typeface: "Liberation", Variant: "Sans"}

func sized(size float64) font.Font {
	f := sans
	f.Size = vg.Points(size)
	return f
}

// Plot turns the data of one chart (or one panel) into a gonum plot. Its
// legend entries go to leg, drawn below the data by the figure, never on
// top of it.
func Plot(c *Chart, leg *plot.Legend) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = c.Title
	p.Title.TextStyle.Font = sized(12)
	p.X.Label.Text, p.Y.Label.Text = c.XLabel, c.YLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font = sized(10)
		a.Tick.Label.Font = sized(9)
	}
	p.Add(plotter.NewGrid())
	p.Y.Tick.Marker = niceTicks{}
	if !c.XLog && len(c.XTicks) == 0 {
		p.X.Tick.Marker = niceTicks{}
	}
	switch c.Kind {
	case "line", "scatter":
		if err := addSpans(p, c, leg); err != nil {
			return nil, err
		}
		for i, s := range c.Series {
			xys := make(plotter.XYs, len(s.X))
			for j := range s.X {
				xys[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
			}
			k := c.colorBase + i
			col := okabeIto[k%len(okabeIto)]
			line, points, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.ID, err)
			}
			line.Color, line.Width = col, vg.Points(2)
			points.Color, points.Shape = col, shapes[k%len(shapes)]
			if c.Kind == "scatter" && i > 0 {
				// Later scatter series are clouds of points, not lines.
				p.Add(points)
				leg.Add(s.Name, points)
				continue
			}
			if c.Kind == "scatter" {
				line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			p.Add(line, points)
			leg.Add(s.Name, line, points)
		}
		if c.Mark != nil {
			sc, err := plotter.NewScatter(plotter.XYs{{X: c.Mark.X[0], Y: c.Mark.Y[0]}})
			if err != nil {
				return nil, err
			}
			sc.Shape, sc.Color, sc.Radius = draw.PyramidGlyph{}, okabeIto[5], vg.Points(7)
			p.Add(sc)
			leg.Add(c.Mark.Name, sc)
		}
		if c.XLog {
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = plot.LogTicks{Prec: -1}
		}
		if len(c.XTicks) > 0 {
			ticks := make([]plot.Tick, len(c.XTicks))
			for i, t := range c.XTicks {
				ticks[i] = plot.Tick{Value: t.Value, Label: t.Label}
			}
			p.X.Tick.Marker = plot.ConstantTicks(ticks)
		}
		if c.YFromZero {
			p.Y.Min, p.Y.Max = 0, yTop(c)
		}
	case "bars":
		n := float64(len(c.Series))
		w := barWidth(c)
		top := 0.0
		for i, s := range c.Series {
			bars, err := plotter.NewBarChart(plotter.Values(s.Y), w)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.ID, err)
			}
			bars.Color, bars.LineStyle.Width = okabeIto[i%len(okabeIto)], 0
			bars.Offset = vg.Length(float64(i)-(n-1)/2) * w
			p.Add(bars)
			if len(c.Series) > 1 {
				leg.Add(s.Name, bars)
			}
			for j, y := range s.Y {
				if j < len(s.Err) {
					y += s.Err[j]
				}
				top = math.Max(top, y)
			}
			if len(s.Err) == len(s.Y) {
				eb, err := plotter.NewYErrorBars(errXYs{s})
				if err != nil {
					return nil, fmt.Errorf("%s: %w", c.ID, err)
				}
				eb.LineStyle.Width, eb.CapWidth = vg.Points(1.2), w/2
				p.Add(eb)
			}
		}
		if len(c.Series) > 0 {
			p.NominalX(c.Series[0].Labels...)
			p.X.Min, p.X.Max = -0.6, float64(len(c.Series[0].Y))-0.4
		}
		// Every bar (and its error bar) inside the axis, with room above.
		p.Y.Min, p.Y.Max = 0, math.Max(top*1.12, 1e-9)
	case "heat":
		pal, err := brewer.GetPalette(brewer.TypeSequential, "YlGnBu", 9)
		if err != nil {
			return nil, err
		}
		// The lighter two thirds, so the values written in the cells read.
		hm := plotter.NewHeatMap(grid{c.Heat}, colors(pal.Colors()[:6]))
		p.Add(hm)
		p.NominalX(c.Heat.Cols...)
		yt := make([]plot.Tick, len(c.Heat.Rows))
		for i, r := range c.Heat.Rows {
			yt[i] = plot.Tick{Value: float64(i), Label: r}
		}
		p.Y.Tick.Marker = plot.ConstantTicks(yt)
		// Values written in each cell, since colour alone does not read:
		// the heat map labels its data directly and needs no legend.
		for r, row := range c.Heat.Z {
			for col, z := range row {
				if math.IsNaN(z) {
					continue
				}
				l, err := plotter.NewLabels(plotter.XYLabels{XYs: []plotter.XY{{X: float64(col), Y: float64(r)}}, Labels: []string{fmt.Sprintf("%.0f", z)}})
				if err == nil {
					l.TextStyle[0].Font = sized(10)
					l.TextStyle[0].XAlign, l.TextStyle[0].YAlign = draw.XCenter, draw.YCenter
					p.Add(l)
				}
			}
		}
	default:
		return nil, fmt.Errorf("chart %s: unknown kind %q", c.ID, c.Kind)
	}
	return p, nil
}

// yTop is the top of a line chart's Y axis from zero: room above the
// highest point and, when spans are marked, a lane for each above it.
func yTop(c *Chart) float64 {
	top := 0.0
	for _, s := range c.Series {
		for _, y := range s.Y {
			top = math.Max(top, y)
		}
	}
	top = math.Max(top, 1e-9)
	if lanes := markLanes(c); lanes > 0 {
		return top * (1.08 + spanLane*float64(lanes))
	}
	return top * 1.06
}

// spanLane is the height of one lane of marked spans, as a share of the
// data's highest value.
const spanLane = 0.06

// markLanes is how many lanes of marked spans a chart draws.
func markLanes(c *Chart) int {
	n := 0
	for _, sp := range c.Spans {
		if sp.Mark {
			n = max(n, sp.Lane+1)
		}
	}
	return n
}

// spanShade is the fill of shaded spans: a light grey that lines read
// through.
var spanShade = color.RGBA{0, 0, 0, 30}

// spanY is the height of lane's bar on a chart whose data reach top.
func spanY(c *Chart, lane int) float64 {
	top := yTop(c) / (1.08 + spanLane*float64(markLanes(c)))
	return top * (1.06 + spanLane*(float64(lane)+0.5))
}

// addSpans draws a line chart's spans under its data: shaded stretches
// over the whole height, marked ones as bars in lanes above the data. Each
// name gets one legend entry.
func addSpans(p *plot.Plot, c *Chart, leg *plot.Legend) error {
	if len(c.Spans) == 0 {
		return nil
	}
	named := map[string]bool{}
	top := yTop(c)
	for _, sp := range c.Spans {
		var th plot.Thumbnailer
		if sp.Mark {
			y := spanY(c, sp.Lane)
			l, err := plotter.NewLine(plotter.XYs{{X: sp.From, Y: y}, {X: sp.To, Y: y}})
			if err != nil {
				return fmt.Errorf("%s: %w", c.ID, err)
			}
			l.Color, l.Width = okabeIto[5], vg.Points(5)
			p.Add(l)
			th = l
		} else {
			poly, err := plotter.NewPolygon(plotter.XYs{{X: sp.From, Y: 0}, {X: sp.To, Y: 0}, {X: sp.To, Y: top}, {X: sp.From, Y: top}})
			if err != nil {
				return fmt.Errorf("%s: %w", c.ID, err)
			}
			poly.Color, poly.LineStyle.Width = spanShade, 0
			p.Add(poly)
			th = poly
		}
		if !c.quietSpans && sp.Name != "" && !named[sp.Name] {
			named[sp.Name] = true
			leg.Add(sp.Name, th)
		}
	}
	return nil
}

// spanNames is how many legend entries a chart's spans add.
func spanNames(c *Chart) int {
	named := map[string]bool{}
	for _, sp := range c.Spans {
		if sp.Name != "" {
			named[sp.Name] = true
		}
	}
	return len(named)
}

// shapes tell series apart without colour.
var shapes = []draw.GlyphDrawer{draw.CircleGlyph{}, draw.BoxGlyph{}, draw.TriangleGlyph{}, draw.RingGlyph{}, draw.SquareGlyph{}, draw.CrossGlyph{}, draw.PlusGlyph{}}

func barWidth(c *Chart) vg.Length {
	slots := 1
	if len(c.Series) > 0 {
		slots = len(c.Series[0].Y) * len(c.Series)
	}
	width := Width
	if c.width > 0 {
		width = c.width
	}
	return min(width*0.5/vg.Length(max(slots, 1)), vg.Points(40))
}

type errXYs struct{ s Series }

func (e errXYs) Len() int                    { return len(e.s.Y) }
func (e errXYs) XY(i int) (float64, float64) { return float64(i), e.s.Y[i] }
func (e errXYs) YError(i int) (float64, float64) {
	return e.s.Err[i], e.s.Err[i]
}

type colors []color.Color

func (c colors) Colors() []color.Color { return c }

type grid struct{ h *Heat }

func (g grid) Dims() (int, int)   { return len(g.h.Cols), len(g.h.Rows) }
func (g grid) Z(c, r int) float64 { return g.h.Z[r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// figure is a chart ready to draw: its plot (or one per panel, side by
// side) and its legend, below the data areas.
type figure struct {
	chart  *Chart
	panels []*Chart
	plots  []*plot.Plot
	legend plot.Legend
	n      int // legend entries
}

func newFigure(c *Chart) (*figure, error) {
	f := &figure{chart: c, legend: plot.NewLegend()}
	f.legend.TextStyle.Font = sized(9.5)
	f.legend.Top, f.legend.Left = true, true
	f.legend.Padding = vg.Points(2)
	f.panels = c.Panels
	if len(f.panels) == 0 {
		f.panels = []*Chart{c}
	}
	for i, pc := range f.panels {
		if len(c.Panels) > 0 && !c.Stacked {
			pc.width = Width / vg.Length(len(c.Panels))
		}
		pc.quietSpans = c.Stacked && i > 0
		if c.Stacked && i > 0 {
			// One legend for every panel: colours go on from the panel above.
			pc.colorBase = f.panels[i-1].colorBase + len(f.panels[i-1].Series)
		}
		p, err := Plot(pc, &f.legend)
		if err != nil {
			return nil, err
		}
		if len(c.Panels) > 0 {
			p.Title.TextStyle.Font = sized(10)
		}
		f.plots = append(f.plots, p)
	}
	f.n = countEntries(c)
	if f.n < 2 {
		f.legend = plot.NewLegend() // one series: the title names it
		f.n = 0
	}
	return f, nil
}

// countEntries is how many legend entries a chart has.
func countEntries(c *Chart) int {
	n := 0
	for i, pc := range append([]*Chart{c}, c.Panels...) {
		switch pc.Kind {
		case "line", "scatter":
			n += len(pc.Series)
			if !c.Stacked || i <= 1 { // a stacked figure's top panel names the spans
				n += spanNames(pc)
			}
			if pc.Mark != nil {
				n++
			}
		case "bars":
			if len(pc.Series) > 1 {
				n += len(pc.Series)
			}
		}
	}
	return n
}

// titleH is the height of a panelled figure's own title.
const titleH = 18

func (f *figure) legendHeight() vg.Length {
	if f.n == 0 {
		return 0
	}
	eh := f.legend.TextStyle.Rectangle("Xg").Max.Y
	return vg.Length(f.n)*(eh+f.legend.Padding) + vg.Points(10)
}

func (f *figure) size() (vg.Length, vg.Length) {
	h := Height + f.legendHeight()
	if f.chart.Stacked && len(f.chart.Panels) > 1 {
		h += Height * 0.8 * vg.Length(len(f.chart.Panels)-1)
	}
	if len(f.chart.Panels) > 0 {
		h += vg.Points(titleH)
	}
	return Width, h
}

// layout is where a drawn figure put things: the data area of each
// plot, the legend's box, and the hover targets.
type layout struct {
	data   []vg.Rectangle
	legend *vg.Rectangle
	tips   []tip
}

// tip is a hover target: a circle (point) or a rectangle (bar, cell).
type tip struct {
	r      vg.Rectangle
	circle bool
	text   string
}

func (f *figure) draw(dc draw.Canvas) layout {
	var out layout
	lh := f.legendHeight()
	area := draw.Crop(dc, 0, 0, lh, 0)
	if len(f.chart.Panels) > 0 {
		st := f.plots[0].Title.TextStyle
		st.Font = sized(12)
		st.XAlign, st.YAlign = draw.XCenter, draw.YCenter
		dc.FillText(st, vg.Point{X: dc.Center().X, Y: dc.Max.Y - vg.Points(titleH)/2}, f.chart.Title)
		area = draw.Crop(area, 0, 0, 0, -vg.Points(titleH))
	}
	canvases := []draw.Canvas{area}
	switch {
	case len(f.plots) > 1 && f.chart.Stacked:
		t := draw.Tiles{Rows: len(f.plots), Cols: 1, PadY: vg.Points(10), PadLeft: vg.Points(2), PadRight: vg.Points(6)}
		rows := make([][]*plot.Plot, len(f.plots))
		for i, p := range f.plots {
			rows[i] = []*plot.Plot{p}
		}
		canvases = nil
		for _, r := range plot.Align(rows, t, area) {
			canvases = append(canvases, r[0])
		}
	case len(f.plots) > 1:
		t := draw.Tiles{Rows: 1, Cols: len(f.plots), PadX: vg.Points(14), PadLeft: vg.Points(2), PadRight: vg.Points(6)}
		row := plot.Align([][]*plot.Plot{f.plots}, t, area)
		canvases = row[0]
	}
	for i, p := range f.plots {
		p.Draw(canvases[i])
		da := p.DataCanvas(canvases[i])
		out.data = append(out.data, da.Rectangle)
		out.tips = append(out.tips, tips(f.panels[i], p, da)...)
	}
	if f.n > 0 {
		la := draw.Canvas{Canvas: dc.Canvas, Rectangle: vg.Rectangle{
			Min: vg.Point{X: dc.Min.X + vg.Points(36), Y: dc.Min.Y},
			Max: vg.Point{X: dc.Max.X, Y: dc.Min.Y + lh - vg.Points(4)},
		}}
		f.legend.Draw(la)
		r := f.legend.Rectangle(la)
		// Legend.Rectangle places a left legend at the right edge; the
		// legend is drawn from the left edge.
		box := vg.Rectangle{Min: vg.Point{X: la.Min.X, Y: r.Min.Y}, Max: vg.Point{X: la.Min.X + r.Size().X + vg.Points(4), Y: r.Max.Y}}
		out.legend = &box
	}
	return out
}

// tips returns the hover targets of one plot's data.
func tips(c *Chart, p *plot.Plot, da draw.Canvas) []tip {
	xf, yf := p.Transforms(&da)
	var out []tip
	pt := func(x, y vg.Length, text string) {
		const r = 5
		out = append(out, tip{r: vg.Rectangle{Min: vg.Point{X: x - r, Y: y - r}, Max: vg.Point{X: x + r, Y: y + r}}, circle: true, text: text})
	}
	span := func(sp Span) {
		lo, hi := yf(0), yf(yTop(c))
		if sp.Mark {
			y := yf(spanY(c, sp.Lane))
			lo, hi = y-vg.Points(4), y+vg.Points(4)
		}
		out = append(out, tip{r: vg.Rectangle{Min: vg.Point{X: xf(sp.From), Y: lo}, Max: vg.Point{X: max(xf(sp.To), xf(sp.From)+vg.Points(3)), Y: hi}}, text: sp.Tip})
	}
	switch c.Kind {
	case "line", "scatter":
		// Shaded spans first, under the points' targets; marks last.
		for _, sp := range c.Spans {
			if !sp.Mark {
				span(sp)
			}
		}
		for _, s := range c.Series {
			for j := range s.X {
				pt(xf(s.X[j]), yf(s.Y[j]), tipText(c, s, j))
			}
		}
		for _, sp := range c.Spans {
			if sp.Mark {
				span(sp)
			}
		}
		if m := c.Mark; m != nil {
			pt(xf(m.X[0]), yf(m.Y[0]), tipText(c, *m, 0))
		}
	case "bars":
		n := float64(len(c.Series))
		w := barWidth(c)
		for i, s := range c.Series {
			off := vg.Length(float64(i)-(n-1)/2) * w
			for j, y := range s.Y {
				x := xf(float64(j)) + off
				out = append(out, tip{r: vg.Rectangle{Min: vg.Point{X: x - w/2, Y: yf(0)}, Max: vg.Point{X: x + w/2, Y: max(yf(y), yf(0)+vg.Points(3))}}, text: tipText(c, s, j)})
			}
		}
	case "heat":
		for r, row := range c.Heat.Z {
			for col, z := range row {
				if math.IsNaN(z) {
					continue
				}
				out = append(out, tip{r: vg.Rectangle{Min: vg.Point{X: xf(float64(col) - 0.5), Y: yf(float64(r) - 0.5)}, Max: vg.Point{X: xf(float64(col) + 0.5), Y: yf(float64(r) + 0.5)}},
					text: fmt.Sprintf("%s %s, %s %s: %s", c.XLabel, c.Heat.Cols[col], c.YLabel, c.Heat.Rows[r], num(z))})
			}
		}
	}
	return out
}

// tipText is what hovering point j of s shows: its exact values.
func tipText(c *Chart, s Series, j int) string {
	if j < len(s.Tips) {
		return s.Tips[j]
	}
	x := num(s.X[j])
	if j < len(s.Labels) {
		x = s.Labels[j]
	}
	t := fmt.Sprintf("%s\n%s: %s\n%s: %s", s.Name, c.XLabel, x, c.YLabel, num(s.Y[j]))
	if j < len(s.Err) {
		t += fmt.Sprintf(" ± %s (95%% CI)", num(s.Err[j]))
	}
	return t
}

func num(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// overlay is the SVG of a layout, in the drawing's coordinates: the data
// areas and the legend box as invisible rectangles (classes data-area and
// legend-box, which tests measure) and the hover targets with <title>.
func overlay(l layout) string {
	var b strings.Builder
	b.WriteString(`<g class="ktune-overlay">`)
	rect := func(class string, r vg.Rectangle) {
		fmt.Fprintf(&b, `<rect class="%s" x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="none" stroke="none"/>`, class, r.Min.X, r.Min.Y, r.Size().X, r.Size().Y)
	}
	for _, r := range l.data {
		rect("data-area", r)
	}
	if l.legend != nil {
		rect("legend-box", *l.legend)
	}
	for _, t := range l.tips {
		title := "<title>" + html.EscapeString(t.text) + "</title>"
		if t.circle {
			c := t.r.Min.Add(t.r.Max).Scale(0.5)
			fmt.Fprintf(&b, `<circle class="tip" cx="%.2f" cy="%.2f" r="%.2f" fill="transparent">%s</circle>`, c.X, c.Y, t.r.Size().X/2, title)
			continue
		}
		fmt.Fprintf(&b, `<rect class="tip" x="%.2f" y="%.2f" width="%.2f" height="%.2f" fill="transparent">%s</rect>`, t.r.Min.X, t.r.Min.Y, t.r.Size().X, t.r.Size().Y, title)
	}
	b.WriteString("</g>")
	return b.String()
}

// SVG renders the chart as an SVG element for an HTML page: without its
// fonts (the page embeds them once, FontFaceCSS) and with hover targets.
func SVG(c *Chart) ([]byte, error) {
	return renderSVG(c, false)
}

func renderSVG(c *Chart, embed bool) ([]byte, error) {
	f, err := newFigure(c)
	if err != nil {
		return nil, err
	}
	w, h := f.size()
	canvas := vgsvg.NewWith(vgsvg.UseWH(w, h), vgsvg.EmbedFonts(embed))
	l := f.draw(draw.New(canvas))
	var b bytes.Buffer
	if _, err := canvas.WriteTo(&b); err != nil {
		return nil, err
	}
	s := b.String()
	if i := strings.Index(s, "<svg"); i > 0 {
		s = s[i:] // no XML prolog inside HTML
	}
	// The overlay goes inside the outer group, which flips the y axis.
	i := strings.LastIndex(s, "</g>")
	if i < 0 {
		return nil, fmt.Errorf("chart %s: unexpected SVG from the renderer", c.ID)
	}
	s = s[:i] + overlay(l) + s[i:]
	s = strings.Replace(s, "<svg ", fmt.Sprintf(`<svg role="img" aria-label="%s" `, html.EscapeString(c.Title)), 1)
	return []byte(s), nil
}

// FontFaceCSS is the @font-face rule of the charts' typeface, to embed
// once in a page of charts.
var FontFaceCSS = sync.OnceValues(func() (string, error) {
	svg, err := renderSVG(&Chart{ID: "font", Kind: "line", Title: "x", Series: []Series{{Name: "x", X: []float64{0, 1}, Y: []float64{0, 1}}}}, true)
	if err != nil {
		return "", err
	}
	s := string(svg)
	i, j := strings.Index(s, "<style>"), strings.Index(s, "</style>")
	if i < 0 || j < i {
		return "", fmt.Errorf("no embedded font in the renderer's SVG")
	}
	return strings.TrimSpace(s[i+len("<style>") : j]), nil
})

// PNG renders the chart as a 144 dpi PNG (for report.md).
func PNG(c *Chart) ([]byte, error) {
	f, err := newFigure(c)
	if err != nil {
		return nil, err
	}
	w, h := f.size()
	canvas := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(w, h), vgimg.UseDPI(144))}
	f.draw(draw.New(canvas))
	var b bytes.Buffer
	if _, err := canvas.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// niceTicks labels a linear axis at 1, 2 or 5 times a power of ten, about
// five labels, with no more decimals than the step needs.
type niceTicks struct{}

func (niceTicks) Ticks(lo, hi float64) []plot.Tick {
	if !(hi > lo) {
		return []plot.Tick{{Value: lo, Label: num(lo)}}
	}
	raw := (hi - lo) / 5
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	step := mag
	for _, m := range []float64{1, 2, 5, 10} {
		if m*mag >= raw {
			step = m * mag
			break
		}
	}
	prec := max(0, -int(math.Floor(math.Log10(step))))
	var out []plot.Tick
	for v := math.Ceil(lo/step) * step; v <= hi+step*1e-9; v += step {
		out = append(out, plot.Tick{Value: v, Label: strconv.FormatFloat(v, 'f', prec, 64)})
		// Minor ticks halfway.
		if h := v + step/2; h < hi {
			out = append(out, plot.Tick{Value: h})
		}
	}
	return out
}
