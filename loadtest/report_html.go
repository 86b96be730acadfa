package loadtest

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
)

// The report is one HTML file that opens offline: the styles are inline,
// the charts are SVG drawn here, and nothing is loaded from anywhere.
// Every string from the Result goes through html/template, which escapes it
// for where it lands; the charts are built as numbers and escaped the same
// way, so no string is ever trusted as markup.

//go:embed report.html.tmpl
var reportTemplate string

var reportHTML = template.Must(template.New("report").
	Funcs(template.FuncMap{
		"n":         fmtCoord,
		"add":       func(a, b float64) float64 { return a + b },
		"half":      func(a float64) float64 { return a / 2 },
		"int64":     func(n int) int64 { return int64(n) },
		"fmtInt":    fmtInt,
		"okFail":    okFail,
		"printable": printable,
	}).
	Parse(reportTemplate))

// WriteHTML writes r as a self-contained HTML report (--html FILE).
func WriteHTML(w io.Writer, r *Result) error {
	if r == nil {
		r = &Result{}
	}
	if err := reportHTML.Execute(w, newHTMLView(r)); err != nil {
		return fmt.Errorf("cannot write html report: %w", err)
	}
	return nil
}

// htmlView is what the template shows: the Result, with its figures
// already formatted and its charts already laid out. The template passes
// the run's own strings through printable, as the table does.
type htmlView struct {
	R            *Result
	Started      string
	Duration     string
	Machine      string
	Settings     string
	Verdict      reportVerdict
	TargetsMet   int
	Counts       []nameValue
	Rates        []nameValue
	Latency      [][]string // the header first
	Errors       []errorCount
	ErrorsTotal  int64
	Distribution svgChart
	Series       []svgChart
}

func newHTMLView(r *Result) htmlView {
	errs, total := sortedErrors(r.Errors)
	return htmlView{
		R:          r,
		Started:    startedText(r),
		Duration:   fmtSeconds(r.Duration),
		Machine:    printable(machineText(r.Machine)),
		Settings:   settingsText(r.Settings),
		Verdict:    verdictOf(r.Verify),
		TargetsMet: targetsMet(r.Targets),
		Counts:     countRows(r),
		Rates: []nameValue{
			{"sent / s", fmtRate(r.Rates.SentPerSec)},
			{"delivered / s", fmtRate(r.Rates.DeliveredPerSec)},
			{"acknowledged / s", fmtRate(r.Rates.AckedPerSec)},
		},
		Latency:      latencyCells(r),
		Errors:       errs,
		ErrorsTotal:  total,
		Distribution: distributionChart(r.Latency),
		Series:       seriesCharts(r.Series),
	}
}

// Chart geometry in SVG units. The page is 1200 px wide, so a wide chart
// and two half charts side by side show at about their natural size.
const (
	wideW, wideH = 1140, 420
	halfW, halfH = 560, 290
	marginLeft   = 64 // room for y tick labels and the axis title
	marginRight  = 24
	marginTop    = 40 // room for the legend
	marginBottom = 48 // room for x tick labels and the axis title
)

// Series colours: restrained, distinguishable, and the same kind always
// gets the same one.
var (
	latencyColors = map[string]string{
		"connect": "#2563eb", "assign": "#d97706", "delivery": "#059669", "ack": "#7c3aed",
	}
	otherColors = []string{"#db2777", "#0891b2", "#65a30d", "#475569"}
)

// svgChart is one SVG chart, laid out: every coordinate is final.
type svgChart struct {
	Title          string
	W, H           int
	X, Y, PW, PH   float64 // the plot area
	XTicks, YTicks []svgTick
	XLabel, YLabel string
	Lines          []svgLine
	Empty          string // why there is nothing to draw
}

// svgTick is one labelled position on an axis, in SVG units.
type svgTick struct {
	Pos   float64
	Label string
}

// svgLine is one series: its SVG path and its legend entry.
type svgLine struct {
	Name, Color string
	D           string  // the path, "M x y L x y ..."
	Dash        bool    // drawn dashed, to tell it apart without colour
	LegendX     float64 // where its legend entry starts
}

func newSVGChart(title string, w, h int) svgChart {
	return svgChart{
		Title: title, W: w, H: h,
		X: marginLeft, Y: marginTop,
		PW: float64(w - marginLeft - marginRight),
		PH: float64(h - marginTop - marginBottom),
	}
}

// addLine adds a series from points given as fractions of the plot area
// (0,0 bottom left); a NaN point breaks the line.
func (c *svgChart) addLine(name, color string, pts [][2]float64) {
	var b strings.Builder
	move := true
	for _, p := range pts {
		if math.IsNaN(p[0]) || math.IsNaN(p[1]) {
			move = true
			continue
		}
		if move {
			b.WriteString("M")
			move = false
		} else {
			b.WriteString(" L")
		}
		b.WriteString(fmtCoord(c.X + p[0]*c.PW))
		b.WriteString(" ")
		b.WriteString(fmtCoord(c.Y + (1-p[1])*c.PH))
	}
	if b.Len() == 0 {
		return
	}
	lx := c.X
	if n := len(c.Lines); n > 0 {
		prev := c.Lines[n-1]
		lx = prev.LegendX + legendWidth(prev.Name)
	}
	c.Lines = append(c.Lines, svgLine{Name: name, Color: color, D: b.String(),
		Dash: len(c.Lines)%2 == 1, LegendX: lx})
}

// legendWidth estimates a legend entry's width: the swatch, then the text
// at about 7 units a character in 12 px type.
func legendWidth(name string) float64 {
	return 30 + 7*float64(len([]rune(name))) + 18
}

// distributionChart draws each latency kind's percentile curve the way
// HdrHistogram's plotter does: x is 1/(1-p) on a log scale, so 90 %,
// 99 %, 99.9 % ... are evenly spaced and the tail gets the room. The
// maximum (p = 100 %) sits in its own column at the right. Latency spans
// decades, so y is on a log scale too.
func distributionChart(lat map[string]Latency) svgChart {
	c := newSVGChart("Latency distribution", wideW, wideH)
	c.XLabel, c.YLabel = "percentile", "ms (log scale)"

	type curve struct {
		kind string
		pts  []Point // percentiles 0..100
	}
	var curves []curve
	for _, kind := range latencyOrder(lat) {
		pts := lat[kind].Distribution
		if len(pts) == 0 {
			continue
		}
		// HdrHistogram gives percentiles 0..100; accept fractions too.
		if pts[len(pts)-1].Percentile <= 1 {
			pts = slices.Clone(pts)
			for i := range pts {
				pts[i].Percentile *= 100
			}
		}
		curves = append(curves, curve{kind, pts})
	}
	if len(curves) == 0 {
		c.Empty = "No latency distribution was recorded."
		return c
	}

	// x: decades of 1/(1-p), at least to 99.99 %, at most to 99.99999 %.
	decades := 4.0
	lo, hi := math.Inf(1), 0.0
	for _, cv := range curves {
		for _, p := range cv.pts {
			if x := nines(p.Percentile); !math.IsInf(x, 1) {
				decades = max(decades, math.Ceil(x-1e-9))
			}
			if p.Ms > 0 && !math.IsInf(p.Ms, 0) {
				lo, hi = min(lo, p.Ms), max(hi, p.Ms)
			}
		}
	}
	decades = min(decades, 7)
	span := decades + 0.6 // and a column for the maximum
	xOf := func(pct float64) float64 {
		x := nines(pct)
		if math.IsInf(x, 1) || math.IsNaN(x) {
			return 1
		}
		return min(x, decades) / span
	}
	for d := 0.0; d <= decades; d++ {
		c.XTicks = append(c.XTicks, svgTick{c.X + c.PW*d/span, ninesLabel(int(d))})
		if d == 0 {
			c.XTicks = append(c.XTicks, svgTick{c.X + c.PW*math.Log10(2)/span, "50%"})
		}
	}
	c.XTicks = append(c.XTicks, svgTick{c.X + c.PW, "max"})

	if hi == 0 { // nothing above zero: draw flat at the bottom of 0.1..1 ms
		lo, hi = 0.1, 1
	}
	y := logAxis(lo, hi)
	for _, t := range y.ticks {
		c.YTicks = append(c.YTicks, svgTick{c.Y + (1-y.frac(t))*c.PH, y.label(t)})
	}
	for i, cv := range curves {
		pts := make([][2]float64, 0, len(cv.pts))
		for _, p := range cv.pts {
			pts = append(pts, [2]float64{xOf(p.Percentile), y.frac(max(p.Ms, y.min))})
		}
		c.addLine(cv.kind, colorFor(cv.kind, i), pts)
	}
	return c
}

// nines is log10(1/(1-p)) for a percentile p: 0 at 0 %, 1 at 90 %, 2 at
// 99 %, +Inf at 100 %.
func nines(pct float64) float64 {
	if pct >= 100 {
		return math.Inf(1)
	}
	return -math.Log10(1 - pct/100)
}

// ninesLabel names the percentile d decades along: 0%, 90%, 99%, 99.9% ...
func ninesLabel(d int) string {
	switch d {
	case 0:
		return "0%"
	case 1:
		return "90%"
	case 2:
		return "99%"
	}
	return "99." + strings.Repeat("9", d-2) + "%"
}

func colorFor(kind string, i int) string {
	if c, ok := latencyColors[kind]; ok {
		return c
	}
	return otherColors[i%len(otherColors)]
}

// seriesSpec is one line of a time-series chart.
type seriesSpec struct {
	name, color string
	value       func(Sample) float64
}

// seriesCharts draws the run second by second. A second with nothing to
// show (no deliveries for the p99, no RSS reading) is a gap in the line,
// and the server RSS chart is drawn only when the harness saw it at all.
func seriesCharts(ss []Sample) []svgChart {
	charts := []svgChart{
		timeChart("Throughput", "messages / s", ss,
			seriesSpec{"sent / s", "#2563eb", func(s Sample) float64 { return s.SentPerSec }},
			seriesSpec{"delivered / s", "#059669", func(s Sample) float64 { return s.DeliveredPerSec }}),
		timeChart("Queue length", "customers waiting", ss,
			seriesSpec{"queued", "#d97706", func(s Sample) float64 { return float64(s.Queued) }}),
		timeChart("Connected clients", "sockets", ss,
			seriesSpec{"connected", "#7c3aed", func(s Sample) float64 { return float64(s.Connected) }}),
		timeChart("Delivery latency, p99 per second", "ms", ss,
			seriesSpec{"delivery p99", "#059669", func(s Sample) float64 {
				if s.DeliveredPerSec == 0 && s.DeliveryP99Ms == 0 {
					return math.NaN() // nothing delivered: no p99, not 0 ms
				}
				return s.DeliveryP99Ms
			}}),
	}
	if slices.ContainsFunc(ss, func(s Sample) bool { return s.ServerRSSMiB > 0 }) {
		charts = append(charts, timeChart("Server memory", "RSS, MiB", ss,
			seriesSpec{"server RSS", "#475569", func(s Sample) float64 {
				if s.ServerRSSMiB <= 0 {
					return math.NaN()
				}
				return s.ServerRSSMiB
			}}))
	}
	return charts
}

// timeChart draws values over the seconds of the run, y from zero.
func timeChart(title, ylabel string, ss []Sample, specs ...seriesSpec) svgChart {
	c := newSVGChart(title, halfW, halfH)
	c.XLabel, c.YLabel = "seconds", ylabel
	if len(ss) == 0 {
		c.Empty = "No samples were recorded."
		return c
	}
	t0, t1, top := min(0, ss[0].T), ss[0].T, 0.0
	for _, s := range ss {
		t0, t1 = min(t0, s.T), max(t1, s.T)
		for _, sp := range specs {
			if v := sp.value(s); isFinite(v) {
				top = max(top, v)
			}
		}
	}
	x := linearAxis(t0, t1)
	y := linearAxis(0, top)
	for _, t := range x.ticks {
		c.XTicks = append(c.XTicks, svgTick{c.X + x.frac(t)*c.PW, x.label(t)})
	}
	for _, t := range y.ticks {
		c.YTicks = append(c.YTicks, svgTick{c.Y + (1-y.frac(t))*c.PH, y.label(t)})
	}
	for _, sp := range specs {
		pts := make([][2]float64, len(ss))
		for i, s := range ss {
			pts[i] = [2]float64{math.NaN(), math.NaN()}
			if v := sp.value(s); isFinite(v) && isFinite(s.T) {
				pts[i] = [2]float64{x.frac(s.T), y.frac(v)}
			}
		}
		c.addLine(sp.name, sp.color, pts)
	}
	return c
}

// chartAxis maps values to fractions of a plot's side and knows its ticks.
type chartAxis struct {
	min, max float64
	log      bool
	ticks    []float64
}

func (a chartAxis) frac(v float64) float64 {
	if a.log {
		return (math.Log10(v) - math.Log10(a.min)) / (math.Log10(a.max) - math.Log10(a.min))
	}
	return (v - a.min) / (a.max - a.min)
}

// label writes a tick's value in the same unit along the whole axis: an
// axis that reaches 10,000 counts in thousands (0, 2k ... 12k).
func (a chartAxis) label(v float64) string {
	if !a.log && max(math.Abs(a.min), math.Abs(a.max)) >= 1e4 && v != 0 {
		return fmtTick(v/1e3) + "k"
	}
	return fmtTick(v)
}

// linearAxis spans lo..hi rounded out to about six round steps.
func linearAxis(lo, hi float64) chartAxis {
	if !(hi > lo) {
		hi = lo + 1
	}
	step := niceStep((hi - lo) / 6)
	a := chartAxis{min: math.Floor(lo/step) * step, max: math.Ceil(hi/step-1e-9) * step}
	for v := a.min; v <= a.max+step/2; v += step {
		a.ticks = append(a.ticks, math.Round(v/step)*step)
	}
	return a
}

// niceStep rounds a raw step up to 1, 2, 2.5 or 5 times a power of ten.
func niceStep(raw float64) float64 {
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 2.5, 5} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

// logAxis spans lo..hi (both above zero) rounded out to 1, 2 or 5 times
// a power of ten, with ticks at 1, 2 and 5 of each decade while there are
// few decades, and at each power of ten past that.
func logAxis(lo, hi float64) chartAxis {
	a := chartAxis{log: true, min: round125(lo, false), max: round125(hi, true)}
	if a.max <= a.min {
		a.max = round125(a.min*1.5, true)
	}
	steps := []float64{1, 2, 5}
	if a.max/a.min > 1e4 {
		steps = []float64{1}
	}
	const tol = 1 + 1e-9
	for d := math.Pow(10, math.Floor(math.Log10(a.min))); d <= a.max*tol; d *= 10 {
		for _, m := range steps {
			if v := d * m; v*tol >= a.min && v <= a.max*tol {
				a.ticks = append(a.ticks, v)
			}
		}
	}
	return a
}

// round125 rounds v > 0 down (or up) to 1, 2 or 5 times a power of ten.
func round125(v float64, up bool) float64 {
	const tol = 1e-9
	d := math.Pow(10, math.Floor(math.Log10(v)))
	if up {
		for _, m := range []float64{1, 2, 5, 10} {
			if m*d >= v*(1-tol) {
				return m * d
			}
		}
	}
	for _, m := range []float64{5, 2, 1} {
		if m*d <= v*(1+tol) {
			return m * d
		}
	}
	return d
}

// fmtTick writes a tick's value: 0, 0.5, 2.5, 250, 1,000.
func fmtTick(v float64) string {
	// Drop float noise such as 0.30000000000000004 first.
	v, _ = strconv.ParseFloat(strconv.FormatFloat(v, 'g', 12, 64), 64)
	if math.Abs(v) >= 1000 {
		return fmtInt(int64(math.Round(v)))
	}
	return strconv.FormatFloat(v, 'f', -1, 64)
}

// fmtCoord writes an SVG coordinate with one decimal.
func fmtCoord(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
