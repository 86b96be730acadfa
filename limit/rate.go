// Package limit holds what kefu's abuse limits are built from: a rate as an
// operator writes it, token buckets kept per key in bounded memory, and the
// count and log of every refusal. golang.org/x/time/rate does the bucket
// arithmetic; this package decides what is kept, and for how long.
package limit

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a token bucket: Limit tokens a second on average, up to Burst at
// once. The zero Rate means "not set" and takes the caller's default;
// Unlimited turns a limit off.
type Rate struct {
	Limit rate.Limit
	Burst int
}

// Unlimited returns a Rate that refuses nothing.
func Unlimited() Rate { return Rate{Limit: rate.Inf} }

// Off says whether r refuses nothing.
func (r Rate) Off() bool { return r.Limit == rate.Inf }

// Or returns r, or def when r is not set.
func (r Rate) Or(def Rate) Rate {
	if r == (Rate{}) {
		return def
	}
	if r.Burst == 0 && !r.Off() {
		r.Burst = def.Burst
	}
	return r
}

// NewLimiter returns a full bucket of r.
func (r Rate) NewLimiter() *rate.Limiter { return rate.NewLimiter(r.Limit, r.Burst) }

func (r Rate) String() string { return FormatLimit(r.Limit) + " burst " + strconv.Itoa(r.Burst) }

// ParseLimit reads a rate as operators write it: "20/s", "5/m", "100/h",
// "3/10s" (any Go duration after the slash), a bare number (a second), or
// "inf" (no limit).
func ParseLimit(s string) (rate.Limit, error) {
	s = strings.TrimSpace(s)
	if s == "inf" {
		return rate.Inf, nil
	}
	num, per, found := strings.Cut(s, "/")
	n, err := strconv.ParseFloat(num, 64)
	if err != nil || n <= 0 || math.IsInf(n, 0) || math.IsNaN(n) {
		return 0, fmt.Errorf("rate %q: want a positive count, such as 20/s, 5/m or 100/h, or inf", s)
	}
	if !found {
		return rate.Limit(n), nil
	}
	var d time.Duration
	switch per {
	case "s", "sec", "second":
		d = time.Second
	case "m", "min", "minute":
		d = time.Minute
	case "h", "hour":
		d = time.Hour
	default:
		if d, err = time.ParseDuration(per); err != nil || d <= 0 {
			return 0, fmt.Errorf("rate %q: after the slash want s, m, h or a duration such as 10s", s)
		}
	}
	return rate.Limit(n / d.Seconds()), nil
}

// FormatLimit writes l the way ParseLimit reads it, in the largest unit that
// keeps the count whole: 20/s, 5/m, 100/h.
func FormatLimit(l rate.Limit) string {
	if l == rate.Inf {
		return "inf"
	}
	for _, u := range []struct {
		name string
		secs float64
	}{{"s", 1}, {"m", 60}, {"h", 3600}} {
		n := float64(l) * u.secs
		if r := math.Round(n); r >= 1 && math.Abs(n-r) < 1e-9*r {
			return strconv.FormatFloat(r, 'f', -1, 64) + "/" + u.name
		}
	}
	return strconv.FormatFloat(float64(l), 'g', 6, 64) + "/s"
}

// LimitFlag is a flag.Value for a rate.Limit, in ParseLimit's forms.
type LimitFlag struct{ L *rate.Limit }

func (f LimitFlag) String() string {
	if f.L == nil {
		return ""
	}
	return FormatLimit(*f.L)
}

// Set implements flag.Value.
func (f LimitFlag) Set(s string) error {
	l, err := ParseLimit(s)
	if err != nil {
		return err
	}
	*f.L = l
	return nil
}
