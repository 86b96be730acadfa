package loadtest

import (
	_ "embed"
	"fmt"
	"html/template"
	"io"
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
	Cost         []nameValue
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
		Cost:       costRows(r.Cost),
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
