package loadtest

// This file holds the report's charts: the latency distribution and the
// run second by second, laid out on report_svg.go's charts.

import (
	"math"
	"slices"
	"strings"
)

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

// isFinite says whether v can be drawn: neither NaN nor infinite.
func isFinite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
