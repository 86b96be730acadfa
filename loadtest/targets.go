package loadtest

import (
	"fmt"
)

// The targets of issue 5, for the presets that have them.
const (
	s1DeliveryP99Ms = 100
	s1ServerRSSMiB  = 250
	s3AssignP99Ms   = 20
)

// targets measures the run against its scenario's targets. A custom run
// has none; S2's comparison of two runs is made by whoever runs both.
func targets(res *Result, cfg *Config) []Target {
	var out []Target
	add := func(name, value string, met bool) { out = append(out, Target{Name: name, Value: value, Met: met}) }
	verified := func() {
		v := res.Verify
		add("zero lost, duplicated, out of order", fmt.Sprintf("%d / %d / %d", v.Lost, v.Duplicated, v.OutOfOrder), v.OK())
	}
	switch cfg.Scenario {
	case "S1":
		errs := int64(0)
		for _, n := range res.Errors {
			errs += n
		}
		add("zero errors", fmt.Sprint(errs), errs == 0)
		verified()
		p99 := res.Latency["delivery"].P99
		add(fmt.Sprintf("p99 delivery ≤ %d ms", s1DeliveryP99Ms), fmt.Sprintf("%.1f ms", p99), res.Latency["delivery"].Count > 0 && p99 <= s1DeliveryP99Ms)
		if res.Server_ != nil {
			add(fmt.Sprintf("server RSS ≤ %d MiB", s1ServerRSSMiB), fmt.Sprintf("%.0f MiB peak", res.Server_.PeakRSSMiB), res.Server_.PeakRSSMiB <= s1ServerRSSMiB)
		}
	case "S3":
		p99 := res.Latency["assign"].P99
		add(fmt.Sprintf("p99 time to assignment ≤ %d ms", s3AssignP99Ms), fmt.Sprintf("%.1f ms", p99), res.Latency["assign"].Count > 0 && p99 <= s3AssignP99Ms)
		add("every customer assigned", fmt.Sprintf("%d of %d", res.Counts.Assigned, cfg.Customers), res.Counts.Assigned >= int64(cfg.Customers))
	case "S4":
		verified()
	case "S5":
		rt := res.Latency["roundtrip"]
		add("round trips recorded", fmt.Sprintf("%.0f/s, p99 %.1f ms", res.Rates.RoundTripsPerSec, rt.P99), rt.Count > 0)
		verified()
	}
	return out
}
