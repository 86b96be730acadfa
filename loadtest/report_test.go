package loadtest

import (
	"bytes"
	"encoding/json"
	"html"
	"math"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"
)

const hostile = "<script>alert(1)</script>"

// syntheticResult is a plausible S1 run: 60 seconds of samples, four
// latency distributions, errors, a met and a missed target, and hostile
// strings where the run's own strings go.
func syntheticResult(tb testing.TB) *Result {
	tb.Helper()
	r := &Result{
		Scenario: "S1",
		Protocol: "native",
		Server:   "http://127.0.0.1:8080",
		Started:  time.Date(2026, 11, 25, 21, 30, 0, 0, time.UTC),
		Duration: Duration(60 * time.Second),
		Machine: Machine{CPUs: 2, CPUModel: "AMD EPYC 7B13", MemoryGiB: 24,
			GoVersion: "go1.26.8", OS: "linux/amd64", Hostname: "bench-1", FDLimit: 1048576},
		Settings: Settings{Agents: 2000, Capacity: 5, Customers: 10000,
			MessageEvery: Duration(2 * time.Second), ThinkTime: Duration(50 * time.Millisecond),
			RunFor: Duration(60 * time.Second)},
		Counts: Counts{SocketsPeak: 12000, Connected: 12000, Queued: 10000, Assigned: 10000,
			Sent: 299880, Acked: 299880, Delivered: 299875, Reconnects: 0},
		Errors: map[string]int64{"timeout": 12, "closed": 3, "error_frame:slow": 3, hostile: 1},
		Verify: Verify{Conversations: 10000},
		Latency: map[string]Latency{
			"connect":  syntheticLatency(12000, 0.4, 1.2, 3.1, 9.8, 31, 80),
			"assign":   syntheticLatency(10000, 0.3, 0.9, 2.2, 6.5, 14, 22),
			"delivery": syntheticLatency(299875, 0.6, 4.1, 11.5, 38.2, 71, 128),
			"ack":      syntheticLatency(299880, 0.5, 2.8, 7.9, 24.6, 52, 96),
		},
		Rates:   Rates{SentPerSec: 4998.0, DeliveredPerSec: 4997.92, AckedPerSec: 4998.0},
		Server_: &ServerUsage{PeakRSSMiB: 262.4, CPUSeconds: 71.3},
		Cost: &Cost{CPUPerDeliveredUs: 212.5, CPUPerDeliveredRunUs: 237.8, CPUPerDeliveredSteadyUs: 209.1,
			HarnessCPUPerDeliveredUs: 88.4, GCCPUPerDeliveredUs: 21.7, AllocBytesPerDelivered: 4617, AllocsPerDelivered: 61.2,
			LiveHeapMiB: 96.5, LiveHeapPerSocketKiB: 8.2, PeakRSSPerSocketKiB: 22.4},
		Targets: []Target{
			{Name: "zero errors", Value: "19 errors", Met: false},
			{Name: "zero lost, duplicated, reordered", Value: "0 / 0 / 0", Met: true},
			{Name: "p99 delivery ≤ 100 ms", Value: "38.2 ms", Met: true},
			{Name: "server RSS ≤ 250 MB", Value: "262.4 MiB", Met: false},
		},
		Notes: []string{
			"fd soft limit raised from 1024 to 1048576",
			"a hostile note " + hostile + " \x1b[2J stays text",
		},
	}
	for i := range 60 {
		t := float64(i + 1)
		ramp := min(1, t/5)
		s := Sample{
			T:               t,
			Connected:       int64(12000 * ramp),
			Assigned:        int64(10000 * ramp),
			SentPerSec:      4998 * ramp * (1 + 0.03*math.Sin(t/3)),
			DeliveredPerSec: 4998 * ramp * (1 + 0.03*math.Sin((t-0.4)/3)),
			DeliveryP99Ms:   36 + 6*math.Sin(t/4),
			ServerRSSMiB:    140 + 2*t,
		}
		if t <= 6 {
			s.Queued = int64(3000 * math.Sin(t/6*math.Pi))
		}
		if t == 41 {
			s.DeliveryP99Ms, s.Errors = 92, 12
		}
		r.Series = append(r.Series, s)
	}
	return r
}

// syntheticLatency is a summary with a percentile curve through its
// figures, as HdrHistogram would give it: percentiles 0, 50, 75, 87.5 ...
// ending at 100.
func syntheticLatency(count int64, minMs, p50, p90, p99, p999, maxMs float64) Latency {
	l := Latency{Count: count, Min: minMs, Mean: p50 * 1.3, P50: p50, P90: p90, P99: p99, P999: p999, Max: maxMs}
	anchors := [][2]float64{{0, minMs}, {math.Log10(2), p50}, {1, p90}, {2, p99}, {3, p999}, {4.5, maxMs}}
	for k := 0; ; k++ {
		pct := 100 * (1 - math.Pow(0.5, float64(k)))
		x := nines(pct)
		if x > 4.5 {
			break
		}
		l.Distribution = append(l.Distribution, Point{Percentile: pct, Ms: interpolateLog(anchors, x)})
	}
	l.Distribution = append(l.Distribution, Point{Percentile: 100, Ms: maxMs})
	return l
}

// interpolateLog interpolates log(ms) linearly between anchors.
func interpolateLog(anchors [][2]float64, x float64) float64 {
	for i := 1; i < len(anchors); i++ {
		a, b := anchors[i-1], anchors[i]
		if x <= b[0] {
			f := (x - a[0]) / (b[0] - a[0])
			return math.Exp(math.Log(a[1]) + f*(math.Log(b[1])-math.Log(a[1])))
		}
	}
	return anchors[len(anchors)-1][1]
}

func TestReportTable(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		var b bytes.Buffer
		WriteTable(&b, syntheticResult(t))
		out := b.String()
		for _, want := range []string{
			"scenario", "S1", "native", "http://127.0.0.1:8080", "2026-11-25 21:30:00 UTC", "60.0 s",
			"2 CPUs (AMD EPYC 7B13), 24 GiB, go1.26.8, linux/amd64, bench-1, fd limit 1,048,576",
			"12,000", "299,880", "299,875", "4,998.0", "4,997.9", "262.4 MiB",
			"p50", "p99.9", "38.2", "128", "4.10",
			"verification (10,000 conversations)", "verdict", "errors (19)",
			"targets (2 of 4 met)", "✔ p99 delivery ≤ 100 ms", "✘ server RSS ≤ 250 MB", "262.4 MiB",
			hostile, "fd soft limit raised",
			"cost (per delivered message, measured window)", "212.5 µs", "4617 B", "61.2 objects", "8.2 KiB", "22.4 KiB",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("table lacks %q:\n%s", want, out)
			}
		}
		if got, want := lineWith(t, out, "out of order"), "OK"; !strings.HasSuffix(got, want) {
			t.Errorf("out-of-order line=%q, want it to end in %q", got, want)
		}
		if got := lineWith(t, out, "verdict"); !strings.Contains(got, "OK") {
			t.Errorf("verdict line=%q, want OK", got)
		}
		if strings.Contains(out, "\x1b") {
			t.Errorf("table holds a raw escape character")
		}
		// Errors come most frequent first, ties by kind.
		order := []string{"timeout", "closed", "error_frame:slow", hostile}
		for i := 1; i < len(order); i++ {
			if strings.Index(out, "  "+order[i-1]) > strings.Index(out, "  "+order[i]) {
				t.Errorf("error %q listed after %q", order[i-1], order[i])
			}
		}
		// The latency rows line up: every "p99" column ends at the same place.
		var ends []int
		for _, kind := range latencyKinds {
			ends = append(ends, len([]rune(lineWith(t, out, "  "+kind+" "))))
		}
		for _, e := range ends[1:] {
			if e != ends[0] {
				t.Errorf("latency rows have lengths %v, want them equal", ends)
				break
			}
		}
	})

	t.Run("Failed", func(t *testing.T) {
		r := syntheticResult(t)
		r.Verify.Lost, r.Verify.OutOfOrder = 1, 2
		var b bytes.Buffer
		WriteTable(&b, r)
		out := b.String()
		if got := lineWith(t, out, "lost"); !strings.HasSuffix(got, "FAIL") {
			t.Errorf("lost line=%q, want FAIL", got)
		}
		if got := lineWith(t, out, "duplicated"); !strings.HasSuffix(got, "OK") {
			t.Errorf("duplicated line=%q, want OK", got)
		}
		if got := lineWith(t, out, "verdict"); !strings.Contains(got, "FAIL") {
			t.Errorf("verdict line=%q, want FAIL", got)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		for _, r := range []*Result{nil, {}} {
			var b bytes.Buffer
			WriteTable(&b, r)
			if got := lineWith(t, b.String(), "verdict"); !strings.Contains(got, "NOT CHECKED") {
				t.Errorf("verdict line=%q, want NOT CHECKED", got)
			}
		}
	})
}

func TestReportJSON(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		want := syntheticResult(t)
		var b bytes.Buffer
		if err := WriteJSON(&b, want); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "\n  \"duration\": 60,\n") {
			t.Errorf("duration is not written as seconds:\n%.400s", b.String())
		}
		var got Result
		if err := json.Unmarshal(b.Bytes(), &got); err != nil {
			t.Fatal(err)
		}
		if !got.Started.Equal(want.Started) {
			t.Errorf("started=%v, want %v", got.Started, want.Started)
		}
		got.Started = want.Started
		// Everything else survives as it was.
		for _, f := range []struct {
			name      string
			got, want any
		}{
			{"scenario", got.Scenario, want.Scenario},
			{"duration", got.Duration, want.Duration},
			{"machine", got.Machine, want.Machine},
			{"settings", got.Settings, want.Settings},
			{"counts", got.Counts, want.Counts},
			{"errors", got.Errors, want.Errors},
			{"verify", got.Verify, want.Verify},
			{"latency", got.Latency, want.Latency},
			{"rates", got.Rates, want.Rates},
			{"series", got.Series, want.Series},
			{"serverUsage", got.Server_, want.Server_},
			{"cost", got.Cost, want.Cost},
			{"targets", got.Targets, want.Targets},
			{"notes", got.Notes, want.Notes},
		} {
			if !reflect.DeepEqual(f.got, f.want) {
				t.Errorf("%s=%+v, want %+v", f.name, f.got, f.want)
			}
		}
	})

	t.Run("ErrNaN", func(t *testing.T) {
		r := syntheticResult(t)
		r.Rates.SentPerSec = math.NaN()
		if err := WriteJSON(&bytes.Buffer{}, r); err == nil {
			t.Fatal("WriteJSON wrote a NaN rate without error")
		}
	})
}

func TestReportHTML(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		r := syntheticResult(t)
		out := renderHTML(t, r)
		if path := os.Getenv("KEFU_REPORT_HTML"); path != "" {
			if err := os.WriteFile(path, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
		}
		checkSelfContained(t, out, r.Server)
		if strings.Contains(out, "\x1b") {
			t.Errorf("html holds a raw escape character")
		}
		for _, want := range []string{
			"✔ VERIFIED", "10,000 conversations", "Targets · 2 of 4 met", "server RSS ≤ 250 MB",
			"Latency distribution", "99.99%", ">max<", "Throughput", "Queue length", "Connected clients",
			"Delivery latency, p99 per second", "Server memory", "4,998.0", "299,875",
			html.EscapeString(hostile), "fd soft limit raised", `\x1b[2J stays text`,
			"Cost · per delivered message", "212.5 µs",
		} {
			if !strings.Contains(out, want) {
				t.Errorf("html lacks %q", want)
			}
		}
		// One distribution chart and five time series, each a curve or two.
		if got, want := strings.Count(out, "<svg"), 6; got != want {
			t.Errorf("%d charts, want %d", got, want)
		}
		if got, want := strings.Count(out, `<path class="series`), 4+2+1+1+1+1; got != want {
			t.Errorf("%d curves, want %d", got, want)
		}
	})

	t.Run("Failed", func(t *testing.T) {
		r := syntheticResult(t)
		r.Verify.Duplicated = 3
		out := renderHTML(t, r)
		if !strings.Contains(out, `class="badge fail"`) || !strings.Contains(out, "✘ FAILED") {
			t.Errorf("html has no failed verdict")
		}
	})

	t.Run("Gaps", func(t *testing.T) {
		r := syntheticResult(t)
		r.Series[10].DeliveredPerSec, r.Series[10].DeliveryP99Ms = 0, 0
		r.Series[20].ServerRSSMiB = 0
		out := renderHTML(t, r)
		// The p99 and RSS curves each break once: two moves instead of one.
		for _, title := range []string{"Delivery latency, p99 per second", "Server memory"} {
			fig := out[strings.Index(out, "<figcaption>"+title):]
			path := fig[strings.Index(fig, ` d="`):]
			path = path[:strings.Index(path, "/>")]
			if got, want := strings.Count(path, "M"), 2; got != want {
				t.Errorf("%s: %d line starts, want %d", title, got, want)
			}
		}
	})

	t.Run("NoRSS", func(t *testing.T) {
		r := syntheticResult(t)
		for i := range r.Series {
			r.Series[i].ServerRSSMiB = 0
		}
		r.Server_ = nil
		out := renderHTML(t, r)
		if strings.Contains(out, "Server memory") {
			t.Errorf("html draws server memory it never saw")
		}
		if got, want := strings.Count(out, "<svg"), 5; got != want {
			t.Errorf("%d charts, want %d", got, want)
		}
	})

	t.Run("Empty", func(t *testing.T) {
		out := renderHTML(t, &Result{})
		checkSelfContained(t, out, "")
		for _, want := range []string{"NOT CHECKED", "No latency distribution was recorded.", "No samples were recorded."} {
			if !strings.Contains(out, want) {
				t.Errorf("html lacks %q", want)
			}
		}
	})
}

func TestReportFormat(t *testing.T) {
	for _, tt := range []struct{ got, want string }{
		{fmtInt(0), "0"},
		{fmtInt(999), "999"},
		{fmtInt(1000), "1,000"},
		{fmtInt(-1234567), "-1,234,567"},
		{fmtRate(0.96), "1.0"},
		{fmtRate(4997.92), "4,997.9"},
		{fmtMs(0.4123), "0.412"},
		{fmtMs(4.1), "4.10"},
		{fmtMs(38.24), "38.2"},
		{fmtMs(1234.5), "1,235"},
		{fmtTick(0.1 * 3), "0.3"},
		{fmtTick(2500), "2,500"},
		{fmtTick(12000), "12,000"},
		{linearAxis(0, 12000).label(8000), "8k"},
		{linearAxis(0, 6000).label(6000), "6,000"},
		{fmtSeconds(Duration(60 * time.Second)), "60.0 s"},
		{fmtSeconds(Duration(250 * time.Millisecond)), "0.25 s"},
		{ninesLabel(1), "90%"},
		{ninesLabel(2), "99%"},
		{ninesLabel(4), "99.99%"},
		{printable("a\tb\x1b[2J"), `a\tb\x1b[2J`},
	} {
		if tt.got != tt.want {
			t.Errorf("got %q, want %q", tt.got, tt.want)
		}
	}
	if got, want := linearAxis(0, 4998*1.03).ticks, []float64{0, 1000, 2000, 3000, 4000, 5000, 6000}; !reflect.DeepEqual(got, want) {
		t.Errorf("linear ticks=%v, want %v", got, want)
	}
	var labels []string
	for _, v := range logAxis(0.3, 128).ticks {
		labels = append(labels, fmtTick(v))
	}
	if got, want := strings.Join(labels, " "), "0.2 0.5 1 2 5 10 20 50 100 200"; got != want {
		t.Errorf("log ticks=%s, want %s", got, want)
	}
}

func renderHTML(tb testing.TB, r *Result) string {
	tb.Helper()
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		tb.Fatal(err)
	}
	return b.String()
}

// checkSelfContained fails when the page could load anything or run a
// string from the run: no scripts, no links out, no NaN in a chart. The
// server's own address may appear, as text.
func checkSelfContained(tb testing.TB, out, server string) {
	tb.Helper()
	if !strings.HasPrefix(out, "<!doctype html>") || !strings.Contains(out, "</html>") {
		tb.Errorf("html is not a whole page")
	}
	if got, want := strings.Count(out, "<svg"), strings.Count(out, "</svg>"); got != want {
		tb.Errorf("%d <svg> and %d </svg>", got, want)
	}
	if strings.Contains(out, "NaN") || strings.Contains(out, "Inf") {
		tb.Errorf("html holds a NaN or an infinity")
	}
	if server != "" {
		out = strings.ReplaceAll(out, html.EscapeString(server), "")
	}
	lower := strings.ToLower(out)
	for _, bad := range []string{"<script", "http://", "https://", "//cdn", "src=", "href=", "<link", "@import", "url("} {
		if strings.Contains(lower, bad) {
			i := strings.Index(lower, bad)
			tb.Errorf("html holds %q: ...%s...", bad, out[max(0, i-60):min(len(out), i+60)])
		}
	}
}

// lineWith is the first line of out that contains s, trimmed.
func lineWith(tb testing.TB, out, s string) string {
	tb.Helper()
	for _, l := range strings.Split(out, "\n") {
		if strings.Contains(l, s) {
			return strings.TrimSpace(l)
		}
	}
	tb.Fatalf("no line holds %q in:\n%s", s, out)
	return ""
}
