package bench

import (
	"fmt"
	"image/color"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"gonum.org/v1/plot"
	"gonum.org/v1/plot/plotter"
	"gonum.org/v1/plot/plotutil"
	"gonum.org/v1/plot/vg"
	"gonum.org/v1/plot/vg/draw"
	"gonum.org/v1/plot/vg/vgsvg"
)

// ticks125 marks 1, 2 and 5 times each power of ten, for log axes.
type ticks125 struct{}

func (ticks125) Ticks(lo, hi float64) []plot.Tick {
	var ts []plot.Tick
	for e := math.Floor(math.Log10(lo)); e <= math.Ceil(math.Log10(hi)); e++ {
		p := math.Pow(10, e)
		for m := 1; m <= 9; m++ {
			v := float64(m) * p
			if v < lo*0.999 || v > hi*1.001 {
				continue
			}
			t := plot.Tick{Value: v}
			if m == 1 || m == 2 || m == 5 {
				t.Label = strconv.FormatFloat(v, 'g', -1, 64)
			}
			ts = append(ts, t)
		}
	}
	return ts
}

func (r *Results) newPlot(title, x, y string) *plot.Plot {
	p := plot.New()
	p.Title.Text = title + "\n" + r.Machine.Line()
	p.X.Label.Text = x
	p.Y.Label.Text = y
	p.Add(plotter.NewGrid())
	return p
}

// palette is Tableau 10: ten colors that stay apart.
var palette = []color.Color{
	color.RGBA{0x4e, 0x79, 0xa7, 0xff}, color.RGBA{0xf2, 0x8e, 0x2b, 0xff}, color.RGBA{0xe1, 0x57, 0x59, 0xff},
	color.RGBA{0x76, 0xb7, 0xb2, 0xff}, color.RGBA{0x59, 0xa1, 0x4f, 0xff}, color.RGBA{0xed, 0xc9, 0x48, 0xff},
	color.RGBA{0xb0, 0x7a, 0xa1, 0xff}, color.RGBA{0xff, 0x9d, 0xa7, 0xff}, color.RGBA{0x9c, 0x75, 0x5f, 0xff},
	color.RGBA{0xba, 0xb0, 0xac, 0xff},
}

// style gives each contender the same color, shape and dash in every plot;
// injectq backends draw solid and thicker.
func (r *Results) style(impl string) (color.Color, draw.GlyphDrawer, []vg.Length, vg.Length) {
	i := slices.Index(r.impls(), impl)
	c := palette[i%len(palette)]
	g := plotutil.Shape(i)
	if r.isInjectq(impl) {
		return c, g, nil, vg.Points(2)
	}
	return c, g, []vg.Length{vg.Points(4), vg.Points(2)}, vg.Points(1)
}

func logRange(vals []float64) (lo, hi float64) {
	lo, hi = math.Inf(1), math.Inf(-1)
	for _, v := range vals {
		if v > 0 && !math.IsInf(v, 0) {
			lo, hi = min(lo, v), max(hi, v)
		}
	}
	if math.IsInf(lo, 1) {
		return 0.1, 1
	}
	return lo / 1.3, hi * 1.3
}

func (r *Results) plotNames() []string { return r.plots }

// writePlots writes the SVG plots into dir.
func (r *Results) writePlots(dir string) error {
	r.plots = nil
	save := func(p *plot.Plot, w, h vg.Length, name string) error {
		if err := saveSVG(p, w, h, filepath.Join(dir, name)); err != nil {
			return fmt.Errorf("bench: plot %s: %w", name, err)
		}
		r.plots = append(r.plots, name)
		return nil
	}

	// Per-item time vs batch size.
	if cells := r.cellsOf("batch"); len(cells) > 0 {
		p := r.newPlot("Per-item time vs batch size (PushBatch then PopN, one goroutine)", "batch size", "ns per item (median)")
		var all []float64
		var sizes []float64
		for _, c := range cells {
			sizes = append(sizes, float64(sizeOf(c)))
		}
		for _, impl := range r.impls() {
			var pts plotter.XYs
			for _, c := range cells {
				if sm, ok := r.sum("batch", c, "time", impl); ok && sm.Med > 0 {
					pts = append(pts, plotter.XY{X: float64(sizeOf(c)), Y: sm.Med})
					all = append(all, sm.Min, sm.Max)
				}
			}
			if len(pts) == 0 {
				continue
			}
			l, s, err := plotter.NewLinePoints(pts)
			if err != nil {
				return err
			}
			col, g, dash, width := r.style(impl)
			l.Color, l.Dashes, l.Width = col, dash, width
			s.Color, s.Shape = col, g
			p.Add(l, s)
			p.Legend.Add(r.displayName(impl), l, s)
		}
		p.X.Scale, p.Y.Scale = plot.LogScale{}, plot.LogScale{}
		p.X.Tick.Marker, p.Y.Tick.Marker = ticks125{}, ticks125{}
		p.X.Min, p.X.Max = logRange(sizes)
		p.Y.Min, p.Y.Max = logRange(all)
		if err := save(p, 9*vg.Inch, 6*vg.Inch, "batch.svg"); err != nil {
			return err
		}
	}

	// MPMC throughput: grouped bars per (batch, GOMAXPROCS).
	for _, g := range r.mpmcGroups() {
		cells := g.cells
		p := r.newPlot(fmt.Sprintf("MPMC throughput, producers×consumers, %s, GOMAXPROCS=%d", g.op(), g.procs), "producers×consumers", "Mitems/s (median; bars = min–max)")
		var labels []string
		for _, c := range cells {
			labels = append(labels, shapeOf(c))
		}
		impls := r.impls()
		w := vg.Points(math.Max(3, math.Min(12, 600/float64(len(cells)*len(impls)))))
		for i, impl := range impls {
			vals := make(plotter.Values, len(cells))
			errs := make(plotter.YErrors, len(cells))
			for j, c := range cells {
				if sm, ok := r.sum("mpmc", c, "time", impl); ok && sm.Med > 0 {
					vals[j] = 1000 / sm.Med
					errs[j].Low = vals[j] - 1000/sm.Max
					errs[j].High = 1000/sm.Min - vals[j]
				}
			}
			bars, err := plotter.NewBarChart(vals, w)
			if err != nil {
				return err
			}
			col, _, _, _ := r.style(impl)
			bars.Color = col
			bars.LineStyle.Width = 0
			bars.Offset = vg.Length(float64(i)-float64(len(impls)-1)/2) * w
			p.Add(bars)
			p.Legend.Add(r.displayName(impl), bars)
			eb := &plotter.YErrorBars{XYs: make(plotter.XYs, len(cells)), YErrors: errs, LineStyle: draw.LineStyle{Color: color.Gray{Y: 40}, Width: vg.Points(0.5)}, CapWidth: w / 2}
			for j := range cells {
				eb.XYs[j] = plotter.XY{X: float64(j), Y: vals[j]}
			}
			p.Add(offsetErrBars{eb, bars.Offset}) // on the bar, not the group centre
		}
		p.NominalX(labels...)
		p.Y.Min = 0
		name := fmt.Sprintf("mpmc_procs%d_batch%d.svg", g.procs, g.batch)
		if err := save(p, 12*vg.Inch, 5.5*vg.Inch, name); err != nil {
			return err
		}
	}

	// Latency CDFs.
	for _, lc := range r.latCells {
		slug := strings.NewReplacer("/", "_", "=", "").Replace(lc)
		for _, tail := range []bool{false, true} {
			title := "Push→pop latency CDF, " + lc
			ylab := "fraction of items ≤ latency"
			if tail {
				title = "Push→pop latency tail (1 − CDF), " + lc
				ylab = "fraction of items > latency"
			}
			p := r.newPlot(fmt.Sprintf("%s, GOMAXPROCS=%d", title, PrimaryProcs), "latency µs", ylab)
			var all []float64
			for _, impl := range r.impls() {
				lat := slices.Clone(r.lat[lc][impl])
				if len(lat) == 0 {
					continue
				}
				slices.Sort(lat)
				pts := cdfPoints(lat, tail)
				for _, pt := range pts {
					all = append(all, pt.X)
				}
				if err := r.addLine(p, impl, pts); err != nil {
					return err
				}
			}
			if len(all) == 0 {
				continue
			}
			p.X.Scale = plot.LogScale{}
			p.X.Tick.Marker = ticks125{}
			p.X.Min, p.X.Max = logRange(all)
			if tail {
				p.Y.Scale = plot.LogScale{}
				p.Y.Tick.Marker = plot.LogTicks{Prec: -1}
				p.Y.Min, p.Y.Max = 1e-5, 1
			} else {
				p.Y.Min, p.Y.Max = 0, 1
			}
			name := "latency_cdf_" + slug + ".svg"
			if tail {
				name = "latency_tail_" + slug + ".svg"
			}
			if err := save(p, 9*vg.Inch, 6*vg.Inch, name); err != nil {
				return err
			}
		}
	}
	return r.plotTimeline(save)
}

// saveSVG writes p as SVG with its legend in a column right of the plot,
// where it cannot hide data.
func saveSVG(p *plot.Plot, w, h vg.Length, path string) error {
	c := vgsvg.New(w, h)
	dc := draw.New(c)
	leg := p.Legend
	p.Legend = plot.NewLegend()
	leg.Top, leg.Left = true, true
	legW := leg.Rectangle(dc).Size().X + vg.Points(24)
	p.Draw(draw.Crop(dc, 0, -legW, 0, 0))
	titleH := p.Title.TextStyle.Rectangle(p.Title.Text).Size().Y + p.Title.Padding
	leg.Draw(draw.Crop(dc, w-legW+vg.Points(6), 0, 0, -titleH-vg.Points(6)))
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	if _, err := c.WriteTo(f); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// cdfPoints samples the CDF (or, for tail, 1 − CDF) of sorted latencies
// (ns) at about 600 points, denser in the tail; X in µs.
func cdfPoints(sorted []int64, tail bool) plotter.XYs {
	n := len(sorted)
	var pts plotter.XYs
	last := -1
	add := func(q float64) {
		i := min(n-1, int(q*float64(n-1)))
		if i == last {
			return
		}
		last = i
		x := math.Max(float64(sorted[i])/1000, 0.001)
		y := float64(i+1) / float64(n)
		if tail {
			y = 1 - float64(i)/float64(n)
		}
		pts = append(pts, plotter.XY{X: x, Y: y})
	}
	for k := 0; k <= 300; k++ {
		add(0.99 * float64(k) / 300)
	}
	for k := 1; k <= 300; k++ {
		add(1 - 0.01*math.Pow(10, -4*float64(k)/300))
	}
	add(1)
	return pts
}

// offsetErrBars draws error bars shifted sideways by the offset of the
// bar chart they belong to.
type offsetErrBars struct {
	*plotter.YErrorBars
	off vg.Length
}

func (e offsetErrBars) Plot(c draw.Canvas, p *plot.Plot) {
	c.Rectangle.Min.X += e.off
	c.Rectangle.Max.X += e.off
	e.YErrorBars.Plot(c, p)
}

// plotTimeline draws the memory scenario's burst-idle timelines: the Go
// heap in use through a burst and the idle period after it.
func (r *Results) plotTimeline(save func(*plot.Plot, vg.Length, vg.Length, string) error) error {
	if len(r.timelines) == 0 {
		return nil
	}
	p := r.newPlot("Go heap through a burst and 1.5 s idle (a GC every 100 ms)", "seconds since the burst began", "heap in use (MB)")
	for _, impl := range r.impls() {
		tl, ok := r.timelines[impl]
		if !ok {
			continue
		}
		var pts plotter.XYs
		for _, s := range tl {
			pts = append(pts, plotter.XY{X: s.at.Seconds(), Y: float64(s.heap) / 1e6})
		}
		if err := r.addLine(p, impl, pts); err != nil {
			return err
		}
	}
	p.Y.Min = 0
	return save(p, 9*vg.Inch, 6*vg.Inch, "memory_timeline.svg")
}

// addLine adds impl's line through pts to p, in impl's style, with its
// legend entry.
func (r *Results) addLine(p *plot.Plot, impl string, pts plotter.XYs) error {
	l, err := plotter.NewLine(pts)
	if err != nil {
		return err
	}
	col, _, dash, width := r.style(impl)
	l.Color, l.Dashes, l.Width = col, dash, width
	p.Add(l)
	p.Legend.Add(r.displayName(impl), l)
	return nil
}
