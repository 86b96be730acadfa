package loadtest

import (
	"math"
	"strconv"
)

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
