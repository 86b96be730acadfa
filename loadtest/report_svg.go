package loadtest

// This file holds the report's SVG charts as the template draws them:
// their geometry, colours and lines, every coordinate final. What goes in
// them is in report_charts.go, their axes in report_axis.go.

import (
	"math"
	"strconv"
	"strings"
)

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

// colorFor is kind's colour: its own for a latency kind, else the i-th
// of the others.
func colorFor(kind string, i int) string {
	if c, ok := latencyColors[kind]; ok {
		return c
	}
	return otherColors[i%len(otherColors)]
}

// fmtCoord writes an SVG coordinate with one decimal.
func fmtCoord(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }
