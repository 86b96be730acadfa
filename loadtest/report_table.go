package loadtest

import (
	"cmp"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"text/tabwriter"
)

// latencyKinds are the latency rows every report shows, in this order, even
// when a run did not measure one (a compat run has no acknowledgements).
// Any other kinds in Result.Latency follow, sorted.
var latencyKinds = []string{"connect", "assign", "delivery", "ack"}

// WriteTable writes r as the final human-readable table, for stdout. Strings
// from the run (error kinds, notes, target names) have control characters
// escaped, so a hostile value cannot move the cursor or break the columns.
func WriteTable(w io.Writer, r *Result) {
	if r == nil {
		r = &Result{}
	}
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	p := func(format string, a ...any) { fmt.Fprintf(tw, format, a...) }

	p("kefu loadtest\n")
	p("  scenario\t%s\n", orDash(printable(r.Scenario)))
	p("  protocol\t%s\n", orDash(printable(r.Protocol)))
	p("  server\t%s\n", orDash(printable(r.Server)))
	p("  started\t%s\n", startedText(r))
	p("  duration\t%s (measured window, ramp-up excluded)\n", fmtSeconds(r.Duration))
	p("  machine\t%s\n", orDash(printable(machineText(r.Machine))))
	p("  settings\t%s\n", orDash(printable(settingsText(r.Settings))))

	p("\ncounts\n")
	var counts [][]string
	for _, c := range countRows(r) {
		counts = append(counts, []string{c.Name, c.Value})
	}
	writeRows(tw, counts, 1)
	if len(r.Nodes) > 0 {
		p("\nnodes (%d servers; /metrics needs kefu serve -metrics-on-main)\n", len(r.Nodes))
		writeRows(tw, nodeCells(r), 6)
	}

	p("\nrates (per second, measured window)\n")
	writeRows(tw, [][]string{
		{"sent", fmtRate(r.Rates.SentPerSec)},
		{"delivered", fmtRate(r.Rates.DeliveredPerSec)},
		{"acknowledged", fmtRate(r.Rates.AckedPerSec)},
	}, 1)

	if rows := costRows(r.Cost); len(rows) > 0 {
		p("\ncost (per delivered message, measured window)\n")
		var cells [][]string
		for _, c := range rows {
			cells = append(cells, []string{c.Name, c.Value})
		}
		writeRows(tw, cells, 1)
	}

	p("\nlatency (ms)\n")
	writeRows(tw, latencyCells(r), 6)

	v := r.Verify
	p("\nverification (%s conversations)\n", fmtInt(int64(v.Conversations)))
	writeRows(tw, [][]string{
		{"lost", fmtInt(v.Lost), okFail(v.Lost)},
		{"duplicated", fmtInt(v.Duplicated), okFail(v.Duplicated)},
		{"out of order", fmtInt(v.OutOfOrder), okFail(v.OutOfOrder)},
		{"verdict", "", verdictOf(v).Word},
	}, 1)

	errs, total := sortedErrors(r.Errors)
	p("\nerrors (%s)\n", fmtInt(total))
	if len(errs) == 0 {
		p("  none\n")
	}
	var errRows [][]string
	for _, e := range errs {
		errRows = append(errRows, []string{printable(e.Kind), fmtInt(e.Count)})
	}
	writeRows(tw, errRows, 1)

	if len(r.Targets) > 0 {
		p("\ntargets (%d of %d met)\n", targetsMet(r.Targets), len(r.Targets))
		for _, t := range r.Targets {
			p("  %s %s\t%s\n", checkMark(t.Met), printable(t.Name), printable(t.Value))
		}
	}

	if len(r.Notes) > 0 {
		p("\nnotes\n")
		for _, n := range r.Notes {
			p("  - %s\n", printable(n))
		}
	}
	tw.Flush()
}

// writeRows writes cells as indented rows; columns 1..numeric hold numbers and
// are right-aligned, the others (labels, verdicts) left-aligned.
func writeRows(w io.Writer, cells [][]string, numeric int) {
	for _, row := range justifyRight(cells, numeric) {
		fmt.Fprintf(w, "  %s\n", strings.Join(row, "\t"))
	}
}

// latencyCells is the latency table as rows of cells, the header first;
// kinds the run did not measure show a dash in every column.
func latencyCells(r *Result) [][]string {
	writeRows := [][]string{{"kind", "count", "p50", "p90", "p99", "p99.9", "max"}}
	for _, kind := range latencyOrder(r.Latency) {
		l, ok := r.Latency[kind]
		if !ok {
			writeRows = append(writeRows, []string{printable(kind), "–", "–", "–", "–", "–", "–"})
			continue
		}
		writeRows = append(writeRows, []string{printable(kind), fmtInt(l.Count),
			fmtMs(l.P50), fmtMs(l.P90), fmtMs(l.P99), fmtMs(l.P999), fmtMs(l.Max)})
	}
	return writeRows
}

// justifyRight pads the cells of columns 1..numeric on the left to their
// column's width, so numbers line up by their last digit in a
// left-aligning tabwriter.
func justifyRight(writeRows [][]string, numeric int) [][]string {
	var width []int
	for _, row := range writeRows {
		for i, c := range row {
			if i >= len(width) {
				width = append(width, 0)
			}
			width[i] = max(width[i], len([]rune(c)))
		}
	}
	out := make([][]string, len(writeRows))
	for j, row := range writeRows {
		out[j] = make([]string, len(row))
		for i, c := range row {
			if i > 0 && i <= numeric {
				c = strings.Repeat(" ", width[i]-len([]rune(c))) + c
			}
			out[j][i] = c
		}
	}
	return out
}

// latencyOrder is the kinds to show: the four standard ones, then any
// others the run measured, sorted.
func latencyOrder(m map[string]Latency) []string {
	kinds := slices.Clone(latencyKinds)
	var more []string
	for k := range m {
		if !slices.Contains(latencyKinds, k) {
			more = append(more, k)
		}
	}
	slices.Sort(more)
	return append(kinds, more...)
}

// nameValue is one labelled figure.
type nameValue struct{ Name, Value string }

// countRows are the run's totals, with the server's usage when known.
func countRows(r *Result) []nameValue {
	c := r.Counts
	writeRows := []nameValue{
		{"sockets (peak)", fmtInt(int64(c.SocketsPeak))},
		{"connected", fmtInt(c.Connected)},
		{"queued", fmtInt(c.Queued)},
		{"assigned", fmtInt(c.Assigned)},
		{"sent", fmtInt(c.Sent)},
		{"acknowledged", fmtInt(c.Acked)},
		{"delivered", fmtInt(c.Delivered)},
		{"reconnects", fmtInt(c.Reconnects)},
	}
	if s := r.Server_; s != nil {
		writeRows = append(writeRows,
			nameValue{"server peak RSS", strconv.FormatFloat(s.PeakRSSMiB, 'f', 1, 64) + " MiB"},
			nameValue{"server CPU", strconv.FormatFloat(s.CPUSeconds, 'f', 1, 64) + " s"})
	}
	return writeRows
}

// errorCount is one kind of error and how often it happened.
type errorCount struct {
	Kind  string
	Count int64
}

// sortedErrors lists the errors most frequent first (ties by kind) and
// their total.
func sortedErrors(m map[string]int64) ([]errorCount, int64) {
	var out []errorCount
	var total int64
	for k, n := range m {
		out = append(out, errorCount{k, n})
		total += n
	}
	slices.SortFunc(out, func(a, b errorCount) int {
		if c := cmp.Compare(b.Count, a.Count); c != 0 {
			return c
		}
		return strings.Compare(a.Kind, b.Kind)
	})
	return out, total
}

// reportVerdict is the verification outcome in words.
type reportVerdict struct {
	Word  string // "OK", "FAIL" or "NOT CHECKED"
	Class string // "ok", "fail" or "none", for the HTML badge
}

// verdictOf judges v. A run that checked no conversation proved nothing,
// so it is neither OK nor FAIL.
func verdictOf(v Verify) reportVerdict {
	switch {
	case !v.OK():
		return reportVerdict{"FAIL", "fail"}
	case v.Conversations == 0:
		return reportVerdict{"NOT CHECKED", "none"}
	default:
		return reportVerdict{"OK", "ok"}
	}
}

func okFail(n int64) string {
	if n == 0 {
		return "OK"
	}
	return "FAIL"
}

func checkMark(met bool) string {
	if met {
		return "✔"
	}
	return "✘"
}

func targetsMet(ts []Target) int {
	n := 0
	for _, t := range ts {
		if t.Met {
			n++
		}
	}
	return n
}

func startedText(r *Result) string {
	if r.Started.IsZero() {
		return "–"
	}
	return r.Started.Format("2006-01-02 15:04:05 MST")
}

// machineText is the machine on one line: "2 CPUs (AMD EPYC), 24 GiB, ...".
func machineText(m Machine) string {
	var parts []string
	if m.CPUs > 0 {
		s := strconv.Itoa(m.CPUs) + " CPUs"
		if m.CPUModel != "" {
			s += " (" + m.CPUModel + ")"
		}
		parts = append(parts, s)
	} else if m.CPUModel != "" {
		parts = append(parts, m.CPUModel)
	}
	if m.MemoryGiB > 0 {
		parts = append(parts, strconv.Itoa(m.MemoryGiB)+" GiB")
	}
	for _, s := range []string{m.GoVersion, m.OS, m.Hostname} {
		if s != "" {
			parts = append(parts, s)
		}
	}
	if m.FDLimit > 0 {
		parts = append(parts, "fd limit "+fmtInt(int64(min(m.FDLimit, math.MaxInt64))))
	}
	return strings.Join(parts, ", ")
}

// settingsText is the run's knobs on one line.
func settingsText(s Settings) string {
	parts := []string{
		fmtInt(int64(s.Agents)) + " agents × " + strconv.Itoa(s.Capacity),
		fmtInt(int64(s.Customers)) + " customers",
	}
	if s.ArrivalOver > 0 {
		parts = append(parts, "arriving over "+fmtSeconds(s.ArrivalOver))
	} else {
		parts = append(parts, "all at once")
	}
	if s.MessageEvery > 0 {
		parts = append(parts, "a message every "+fmtSeconds(s.MessageEvery))
	} else {
		parts = append(parts, "closed loop")
	}
	if s.Messages > 0 {
		parts = append(parts, strconv.Itoa(s.Messages)+" messages each")
	}
	if s.ThinkTime > 0 {
		parts = append(parts, "think "+fmtSeconds(s.ThinkTime))
	}
	if s.Churn > 0 {
		parts = append(parts, fmt.Sprintf("churn %g%% every %s", s.Churn*100, fmtSeconds(s.ChurnEvery)))
	}
	if s.RunFor > 0 {
		parts = append(parts, "run for "+fmtSeconds(s.RunFor))
	}
	if s.StoreOff {
		parts = append(parts, "store off")
	}
	return strings.Join(parts, ", ")
}
