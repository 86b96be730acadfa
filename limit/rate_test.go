package limit

import (
	"testing"

	"golang.org/x/time/rate"
)

func TestParseLimit(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		for _, tc := range []struct {
			in   string
			want rate.Limit
			out  string
		}{
			{"20/s", 20, "20/s"},
			{"20", 20, "20/s"},
			{"5/m", 5.0 / 60, "5/m"},
			{"5/min", 5.0 / 60, "5/m"},
			{"100/h", 100.0 / 3600, "100/h"},
			{"3/10s", 0.3, "18/m"},
			{"0.5/s", 0.5, "30/m"},
			{"inf", rate.Inf, "inf"},
		} {
			got, err := ParseLimit(tc.in)
			if err != nil {
				t.Fatalf("ParseLimit(%q): %v", tc.in, err)
			}
			if got != tc.want {
				t.Errorf("ParseLimit(%q)=%v, want %v", tc.in, got, tc.want)
			}
			if got, want := FormatLimit(got), tc.out; got != want {
				t.Errorf("FormatLimit(ParseLimit(%q))=%q, want %q", tc.in, got, want)
			}
		}
	})
	t.Run("ErrBad", func(t *testing.T) {
		for _, in := range []string{"", "0/s", "-1/s", "x/s", "5/fortnight", "5/-1s", "NaN", "off"} {
			if l, err := ParseLimit(in); err == nil {
				t.Errorf("ParseLimit(%q)=%v, want an error", in, l)
			}
		}
	})
}

func TestRateOr(t *testing.T) {
	def := Rate{Limit: 20, Burst: 40}
	for _, tc := range []struct {
		in, want Rate
	}{
		{Rate{}, def},
		{Rate{Limit: 5}, Rate{Limit: 5, Burst: 40}},
		{Rate{Limit: 5, Burst: 1}, Rate{Limit: 5, Burst: 1}},
		{Unlimited(), Unlimited()},
	} {
		if got := tc.in.Or(def); got != tc.want {
			t.Errorf("%+v.Or(%+v)=%+v, want %+v", tc.in, def, got, tc.want)
		}
	}
}
