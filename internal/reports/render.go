package reports

import (
	"bytes"
	"fmt"
	"image/color"
	"math"

	"gonum.org/v1/plot"
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

// Size of every chart.
const (
	Width  = 16 * vg.Centimeter
	Height = 10 * vg.Centimeter
)

// Plot turns chart data into a gonum plot.
func Plot(c *Chart) (*plot.Plot, error) {
	p := plot.New()
	p.Title.Text = c.Title
	p.Title.TextStyle.Font.Size = vg.Points(13)
	p.X.Label.Text, p.Y.Label.Text = c.XLabel, c.YLabel
	for _, a := range []*plot.Axis{&p.X, &p.Y} {
		a.Label.TextStyle.Font.Size = vg.Points(11)
		a.Tick.Label.Font.Size = vg.Points(10)
	}
	p.Legend.Top = true
	p.Legend.TextStyle.Font.Size = vg.Points(10)
	p.Add(plotter.NewGrid())
	switch c.Kind {
	case "line", "scatter":
		for i, s := range c.Series {
			xys := make(plotter.XYs, len(s.X))
			for j := range s.X {
				xys[j] = plotter.XY{X: s.X[j], Y: s.Y[j]}
			}
			col := okabeIto[i%len(okabeIto)]
			line, points, err := plotter.NewLinePoints(xys)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.ID, err)
			}
			line.Color, line.Width = col, vg.Points(2)
			points.Color, points.Shape = col, draw.CircleGlyph{}
			if c.Kind == "scatter" && i > 0 {
				// Later scatter series are clouds of points, not lines.
				p.Add(points)
				p.Legend.Add(s.Name, points)
				continue
			}
			if c.Kind == "scatter" {
				line.Dashes = []vg.Length{vg.Points(4), vg.Points(3)}
			}
			p.Add(line, points)
			p.Legend.Add(s.Name, line, points)
		}
		if c.Mark != nil {
			sc, err := plotter.NewScatter(plotter.XYs{{X: c.Mark.X[0], Y: c.Mark.Y[0]}})
			if err != nil {
				return nil, err
			}
			sc.Shape, sc.Color, sc.Radius = draw.PyramidGlyph{}, okabeIto[5], vg.Points(7)
			p.Add(sc)
			p.Legend.Add(c.Mark.Name, sc)
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
	case "bars":
		n := float64(len(c.Series))
		w := vg.Points(24)
		for i, s := range c.Series {
			bars, err := plotter.NewBarChart(plotter.Values(s.Y), w)
			if err != nil {
				return nil, fmt.Errorf("%s: %w", c.ID, err)
			}
			bars.Color, bars.LineStyle.Width = okabeIto[i%len(okabeIto)], 0
			bars.Offset = vg.Length(float64(i)-(n-1)/2) * w
			p.Add(bars)
			p.Legend.Add(s.Name, bars)
		}
		if len(c.Series) > 0 {
			p.NominalX(c.Series[0].Labels...)
		}
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
		// Values written in each cell, since colour alone does not read.
		for r, row := range c.Heat.Z {
			for col, z := range row {
				if math.IsNaN(z) {
					continue
				}
				l, err := plotter.NewLabels(plotter.XYLabels{XYs: []plotter.XY{{X: float64(col), Y: float64(r)}}, Labels: []string{fmt.Sprintf("%.0f", z)}})
				if err == nil {
					l.TextStyle[0].Font.Size = vg.Points(10)
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

type colors []color.Color

func (c colors) Colors() []color.Color { return c }

type grid struct{ h *Heat }

func (g grid) Dims() (int, int)   { return len(g.h.Cols), len(g.h.Rows) }
func (g grid) Z(c, r int) float64 { return g.h.Z[r][c] }
func (g grid) X(c int) float64    { return float64(c) }
func (g grid) Y(r int) float64    { return float64(r) }

// SVG renders the chart as SVG with its fonts embedded.
func SVG(c *Chart) ([]byte, error) {
	p, err := Plot(c)
	if err != nil {
		return nil, err
	}
	canvas := vgsvg.NewWith(vgsvg.UseWH(Width, Height), vgsvg.EmbedFonts(true))
	p.Draw(draw.New(canvas))
	var b bytes.Buffer
	if _, err := canvas.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// PNG renders the chart as a 144 dpi PNG.
func PNG(c *Chart) ([]byte, error) {
	p, err := Plot(c)
	if err != nil {
		return nil, err
	}
	canvas := vgimg.PngCanvas{Canvas: vgimg.NewWith(vgimg.UseWH(Width, Height), vgimg.UseDPI(144))}
	p.Draw(draw.New(canvas))
	var b bytes.Buffer
	if _, err := canvas.WriteTo(&b); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}
