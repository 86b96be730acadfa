// Package hours is a team's business hours: a week of opening spans in a
// named time zone, plus closed days. It answers whether a team is open at
// an instant and when it opens next. The zone database is embedded
// (time/tzdata), so a container without /usr/share/zoneinfo knows every
// zone too.
package hours

import (
	"errors"
	"fmt"
	"slices"
	"time"
	_ "time/tzdata" // zones on machines without a zone database
)

// Span is one opening within a local day, in minutes since its midnight:
// open from Opens until Closes (exclusive). A night shift is two spans,
// one on each day.
type Span struct {
	Opens  int `json:"opens"`
	Closes int `json:"closes"`
}

// Spec is a team's hours as the supervisor sets them and the store keeps
// them.
type Spec struct {
	TimeZone   string    `json:"timeZone"`   // an IANA name: "Asia/Shanghai"
	AlwaysOpen bool      `json:"alwaysOpen"` // no hours: open whenever someone is online
	Week       [7][]Span `json:"week"`       // by time.Weekday, Sunday first
	Closed     []string  `json:"closed"`     // days closed all day, "2006-01-02" in TimeZone
}

// Limits of a Spec: a format rule, not a load limit.
const (
	MaxSpansPerDay = 4
	minutesPerDay  = 24 * 60
	// searchDays bounds NextOpen: a schedule with no opening within a
	// year and a month (every weekday empty, or every day closed) has
	// none to show.
	searchDays = 400
	dayLayout  = time.DateOnly
)

// ErrInvalid is what Parse returns for a Spec it cannot use.
var ErrInvalid = errors.New("invalid hours")

// Schedule is a parsed Spec. The zero Schedule is always open, in UTC.
type Schedule struct {
	loc    *time.Location
	always bool
	week   [7][]Span
	closed map[string]bool
}

// Parse checks s and makes its Schedule: the zone must be known, each
// day's spans within the day, at most MaxSpansPerDay, and not overlapping;
// closed days must be dates.
func Parse(s Spec) (Schedule, error) {
	name := s.TimeZone
	if name == "" {
		name = "UTC"
	}
	loc, err := time.LoadLocation(name)
	if err != nil {
		return Schedule{}, fmt.Errorf("%w: unknown time zone %q", ErrInvalid, s.TimeZone)
	}
	sc := Schedule{loc: loc, always: s.AlwaysOpen, closed: map[string]bool{}}
	for day, spans := range s.Week {
		if len(spans) > MaxSpansPerDay {
			return Schedule{}, fmt.Errorf("%w: %s has %d spans, at most %d", ErrInvalid, time.Weekday(day), len(spans), MaxSpansPerDay)
		}
		sorted := slices.Clone(spans)
		slices.SortFunc(sorted, func(a, b Span) int { return a.Opens - b.Opens })
		for i, sp := range sorted {
			if sp.Opens < 0 || sp.Closes > minutesPerDay || sp.Opens >= sp.Closes {
				return Schedule{}, fmt.Errorf("%w: %s span %d-%d is not within the day", ErrInvalid, time.Weekday(day), sp.Opens, sp.Closes)
			}
			if i > 0 && sp.Opens < sorted[i-1].Closes {
				return Schedule{}, fmt.Errorf("%w: %s spans overlap", ErrInvalid, time.Weekday(day))
			}
		}
		sc.week[day] = sorted
	}
	for _, d := range s.Closed {
		if _, err := time.ParseInLocation(dayLayout, d, loc); err != nil {
			return Schedule{}, fmt.Errorf("%w: closed day %q is not a date (YYYY-MM-DD)", ErrInvalid, d)
		}
		sc.closed[d] = true
	}
	return sc, nil
}

// Location is the schedule's time zone.
func (s Schedule) Location() *time.Location {
	if s.loc == nil {
		return time.UTC
	}
	return s.loc
}

// Open reports whether the schedule is open at t.
func (s Schedule) Open(t time.Time) bool {
	if s.always || s.loc == nil {
		return true
	}
	lt := t.In(s.loc)
	if s.closed[lt.Format(dayLayout)] {
		return false
	}
	m := lt.Hour()*60 + lt.Minute()
	for _, sp := range s.week[lt.Weekday()] {
		if sp.Opens <= m && m < sp.Closes {
			return true
		}
	}
	return false
}

// NextOpen is the first instant at or after t when the schedule is open:
// t itself when open now. ok is false when it opens on none of the next
// searchDays days.
func (s Schedule) NextOpen(t time.Time) (at time.Time, ok bool) {
	if s.Open(t) {
		return t, true
	}
	lt := t.In(s.loc)
	y, mo, d := lt.Date()
	for i := range searchDays {
		day := time.Date(y, mo, d+i, 12, 0, 0, 0, s.loc) // noon: never in a transition
		if s.closed[day.Format(dayLayout)] {
			continue
		}
		for _, sp := range s.week[day.Weekday()] {
			start := s.opening(day, sp)
			if start.After(t) {
				return start, true
			}
		}
	}
	return time.Time{}, false
}

// opening is when span sp of day starts: the first instant of that day
// whose wall clock is at or past sp.Opens. Around a clock change time.Date
// may pick either side: a start in a spring-forward gap (02:30 on the
// night clocks jump from 02:00 to 03:00) does not exist on the wall clock,
// and the span opens at 03:00; a start in a fall-back hour exists twice,
// and the span opens at the first.
func (s Schedule) opening(day time.Time, sp Span) time.Time {
	y, mo, d := day.Date()
	within := func(t time.Time) bool {
		lt := t.In(s.loc)
		return lt.Day() == d && lt.Hour()*60+lt.Minute() >= sp.Opens
	}
	start := time.Date(y, mo, d, sp.Opens/60, sp.Opens%60, 0, 0, s.loc)
	if earlier := start.Add(-time.Hour); earlier.In(s.loc).Format(time.DateTime) == start.In(s.loc).Format(time.DateTime) {
		start = earlier // the first of a wall-clock time that happens twice
	}
	for range 3 * 60 { // forward out of a gap time.Date resolved early
		if within(start) {
			break
		}
		start = start.Add(time.Minute)
	}
	for range 3 * 60 { // back to the first minute of the day at or past it
		if prev := start.Add(-time.Minute); within(prev) {
			start = prev
			continue
		}
		break
	}
	return start
}
