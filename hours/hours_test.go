package hours

import (
	"errors"
	"testing"
	"time"
)

// weekdays9to18 is Monday to Friday, 09:00-18:00, with lunch 12:00-13:00.
func weekdays9to18(zone string, closed ...string) Spec {
	s := Spec{TimeZone: zone, Closed: closed}
	for d := time.Monday; d <= time.Friday; d++ {
		s.Week[d] = []Span{{Opens: 13 * 60, Closes: 18 * 60}, {Opens: 9 * 60, Closes: 12 * 60}}
	}
	return s
}

func mustParse(t *testing.T, s Spec) Schedule {
	t.Helper()
	sc, err := Parse(s)
	if err != nil {
		t.Fatalf("Parse(%+v): %v", s, err)
	}
	return sc
}

func at(t *testing.T, zone, wall string) time.Time {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	v, err := time.ParseInLocation(time.DateTime, wall, loc)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestOpenAndNext(t *testing.T) {
	const zone = "Asia/Shanghai"
	sc := mustParse(t, weekdays9to18(zone, "2026-12-07")) // Monday 7 December closed
	cases := []struct {
		now, next string // wall clock in zone; next "" means open now
	}{
		{"2026-12-03 10:00:00", ""},                    // Thursday morning
		{"2026-12-03 12:30:00", "2026-12-03 13:00:00"}, // lunch
		{"2026-12-03 18:00:00", "2026-12-04 09:00:00"}, // closes at 18:00 exactly
		{"2026-12-04 20:00:00", "2026-12-08 09:00:00"}, // Friday night: the weekend, then the closed Monday
		{"2026-12-06 08:59:00", "2026-12-08 09:00:00"},
		{"2026-12-08 08:59:59", "2026-12-08 09:00:00"},
	}
	for _, c := range cases {
		now := at(t, zone, c.now)
		next, ok := sc.NextOpen(now)
		if !ok {
			t.Fatalf("%s: no next opening", c.now)
		}
		if c.next == "" {
			if !sc.Open(now) || !next.Equal(now) {
				t.Fatalf("%s: open %v, next %v; want open now", c.now, sc.Open(now), next)
			}
			continue
		}
		if sc.Open(now) {
			t.Fatalf("%s: open, want closed", c.now)
		}
		if want := at(t, zone, c.next); !next.Equal(want) {
			t.Fatalf("%s: next opening %v, want %v", c.now, next.In(sc.Location()), want)
		}
	}
}

// TestNextOpenIsAnInstant: the next opening is one instant, whatever zone
// the customer words it in: 09:00 in Shanghai is 20:00 the evening before
// in New York (EST).
func TestNextOpenIsAnInstant(t *testing.T) {
	sc := mustParse(t, weekdays9to18("Asia/Shanghai"))
	next, _ := sc.NextOpen(at(t, "America/New_York", "2026-12-03 06:00:00")) // 19:00 in Shanghai
	if got, want := next.In(mustLoc(t, "America/New_York")).Format(time.DateTime), "2026-12-03 20:00:00"; got != want {
		t.Fatalf("next opening in New York: %s, want %s", got, want)
	}
}

func mustLoc(t *testing.T, zone string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(zone)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// TestClockChanges: a span that starts in the hour a spring-forward skips
// opens when the clock jumps; one in the hour a fall-back repeats opens at
// its first occurrence (Europe/Berlin, 2026: 29 March 02:00 → 03:00, 25
// October 03:00 → 02:00; America/New_York, 8 March 02:00 → 03:00).
func TestClockChanges(t *testing.T) {
	for _, c := range []struct {
		zone, now, want string // want: RFC 3339 with the offset in force
	}{
		{"Europe/Berlin", "2026-03-29 00:00:00", "2026-03-29T03:00:00+02:00"},
		{"Europe/Berlin", "2026-10-25 00:00:00", "2026-10-25T02:30:00+02:00"},
		{"America/New_York", "2026-03-08 00:00:00", "2026-03-08T03:00:00-04:00"},
	} {
		s := Spec{TimeZone: c.zone}
		s.Week[time.Sunday] = []Span{{Opens: 2*60 + 30, Closes: 5 * 60}}
		sc := mustParse(t, s)
		next, ok := sc.NextOpen(at(t, c.zone, c.now))
		if got := next.Format(time.RFC3339); !ok || got != c.want {
			t.Fatalf("%s %s: next opening %s, want %s", c.zone, c.now, got, c.want)
		}
		if !sc.Open(next) || sc.Open(next.Add(-time.Minute)) {
			t.Fatalf("%s: not open at %s, or open the minute before", c.zone, next.Format(time.RFC3339))
		}
	}
}

func TestAlwaysOpenAndNever(t *testing.T) {
	always := mustParse(t, Spec{TimeZone: "Asia/Shanghai", AlwaysOpen: true})
	if !always.Open(time.Now()) {
		t.Fatal("an always-open schedule is closed")
	}
	if !(Schedule{}).Open(time.Now()) {
		t.Fatal("the zero schedule is closed")
	}
	never := mustParse(t, Spec{TimeZone: "UTC"})
	if _, ok := never.NextOpen(time.Now()); ok {
		t.Fatal("a schedule without spans has a next opening")
	}
}

func TestParseRefuses(t *testing.T) {
	bad := []Spec{
		{TimeZone: "Mars/Olympus"},
		{Week: [7][]Span{time.Monday: {{Opens: 600, Closes: 600}}}},
		{Week: [7][]Span{time.Monday: {{Opens: -1, Closes: 60}}}},
		{Week: [7][]Span{time.Monday: {{Opens: 0, Closes: 24*60 + 1}}}},
		{Week: [7][]Span{time.Monday: {{Opens: 0, Closes: 120}, {Opens: 60, Closes: 180}}}},
		{Week: [7][]Span{time.Monday: {{0, 10}, {20, 30}, {40, 50}, {60, 70}, {80, 90}}}},
		{Closed: []string{"2026-13-01"}},
	}
	for _, s := range bad {
		if _, err := Parse(s); !errors.Is(err, ErrInvalid) {
			t.Fatalf("Parse(%+v): %v, want ErrInvalid", s, err)
		}
	}
}
