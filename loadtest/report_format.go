package loadtest

// How the reports write figures and the run's own strings: numbers with
// their separators and units, and text made safe to print.

import (
	"math"
	"strconv"
	"strings"
	"unicode"
)

// printable escapes control characters (escape sequences, tabs, newlines), so
// a string from the run stays on its line and in its column.
func printable(s string) string {
	if !strings.ContainsFunc(s, unicode.IsControl) {
		return s
	}
	var b strings.Builder
	for _, c := range s {
		if unicode.IsControl(c) {
			q := strconv.QuoteRune(c)
			b.WriteString(q[1 : len(q)-1])
			continue
		}
		b.WriteRune(c)
	}
	return b.String()
}

func orDash(s string) string {
	if s == "" {
		return "–"
	}
	return s
}

// fmtInt writes n with thousands separators: 12,000.
func fmtInt(n int64) string {
	s := strconv.FormatInt(n, 10)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// fmtRate writes a per-second rate with one decimal: 4,998.3.
func fmtRate(f float64) string {
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return strconv.FormatFloat(f, 'f', -1, 64)
	}
	whole, frac := math.Modf(math.Round(math.Abs(f)*10) / 10)
	s := fmtInt(int64(whole)) + "." + strconv.Itoa(int(math.Round(frac*10)))
	if f < 0 {
		s = "-" + s
	}
	return s
}

// fmtMs writes milliseconds with three significant figures or more:
// 0.412, 4.12, 41.2, 412, 4,120.
func fmtMs(f float64) string {
	switch a := math.Abs(f); {
	case math.IsNaN(f) || math.IsInf(f, 0):
		return strconv.FormatFloat(f, 'f', -1, 64)
	case a < 1:
		return strconv.FormatFloat(f, 'f', 3, 64)
	case a < 10:
		return strconv.FormatFloat(f, 'f', 2, 64)
	case a < 100:
		return strconv.FormatFloat(f, 'f', 1, 64)
	default:
		return fmtInt(int64(math.Round(f)))
	}
}

// fmtSeconds writes a duration in seconds: "60.0 s", "0.25 s".
func fmtSeconds(d Duration) string {
	s := float64(d) / 1e9
	if s != 0 && math.Abs(s) < 1 {
		return strconv.FormatFloat(s, 'f', -1, 64) + " s"
	}
	return strconv.FormatFloat(s, 'f', 1, 64) + " s"
}
