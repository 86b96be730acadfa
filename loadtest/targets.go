package loadtest

import (
	"fmt"
	"slices"
	"time"
)

// The targets of issue 5, for the presets that have them.
const (
	s1DeliveryP99Ms = 100
	s1ServerRSSMiB  = 250
	// Issue 17's: the server's CPU per delivered message over the window.
	s1CPUPerDeliveredUs = 80
	s3AssignP99Ms       = 20

	// The soak's flatness: the second minute at full load against the
	// last. The first minute is left out: caches, pools and the GC's
	// heap goal are still settling.
	soakRSSGrowth       = 0.10
	soakGoroutineGrowth = 0.05
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
		if c := res.Cost; c != nil && c.CPUPerDeliveredUs > 0 {
			add(fmt.Sprintf("server CPU ≤ %d µs per delivered message", s1CPUPerDeliveredUs), fmt.Sprintf("%.0f µs", c.CPUPerDeliveredUs), c.CPUPerDeliveredUs <= s1CPUPerDeliveredUs)
		}
	case "S3":
		p99 := res.Latency["assign"].P99
		add(fmt.Sprintf("p99 time to assignment ≤ %d ms", s3AssignP99Ms), fmt.Sprintf("%.1f ms", p99), res.Latency["assign"].Count > 0 && p99 <= s3AssignP99Ms)
		add("every customer assigned", fmt.Sprintf("%d of %d", res.Counts.Assigned, cfg.Customers), res.Counts.Assigned >= int64(cfg.Customers))
	case "S4":
		verified()
	case "soak":
		verified()
		early, late, ok := soakEnds(res.Series, int64(cfg.Agents+cfg.Customers))
		if !ok {
			add("flat memory and goroutines", "too short to tell (needs 3 minutes at full load)", false)
			break
		}
		if early.ServerRSSMiB > 0 {
			growth := late.ServerRSSMiB/early.ServerRSSMiB - 1
			add(fmt.Sprintf("server RSS flat (grows ≤ %.0f %% from minute 2 to the last)", 100*soakRSSGrowth),
				fmt.Sprintf("%.0f → %.0f MiB (%+.1f %%)", early.ServerRSSMiB, late.ServerRSSMiB, 100*growth), growth <= soakRSSGrowth)
		}
		if early.ServerGoroutines > 0 {
			growth := float64(late.ServerGoroutines)/float64(early.ServerGoroutines) - 1
			add(fmt.Sprintf("server goroutines flat (grow ≤ %.0f %%)", 100*soakGoroutineGrowth),
				fmt.Sprintf("%d → %d (%+.1f %%)", early.ServerGoroutines, late.ServerGoroutines, 100*growth), growth <= soakGoroutineGrowth)
		}
	case "S5":
		rt := res.Latency["roundtrip"]
		add("round trips recorded", fmt.Sprintf("%.0f/s, p99 %.1f ms", res.Rates.RoundTripsPerSec, rt.P99), rt.Count > 0)
		verified()
	}
	return out
}

// soakEnds returns the medians of the second minute at full load (every
// client connected) and of the last minute at full load, by server RSS
// and goroutines; ok is false for a run shorter than three such minutes.
func soakEnds(series []Sample, clients int64) (early, late Sample, ok bool) {
	var full []Sample
	for _, s := range series {
		if s.Connected >= clients {
			full = append(full, s)
		}
	}
	perMinute := int(time.Minute / sampleEvery)
	if len(full) < 3*perMinute {
		return Sample{}, Sample{}, false
	}
	return medianUsage(full[perMinute : 2*perMinute]), medianUsage(full[len(full)-perMinute:]), true
}

// medianUsage is the median server RSS and goroutine count of samples.
func medianUsage(samples []Sample) Sample {
	rss := make([]float64, len(samples))
	gs := make([]int64, len(samples))
	for i, s := range samples {
		rss[i], gs[i] = s.ServerRSSMiB, s.ServerGoroutines
	}
	slices.Sort(rss)
	slices.Sort(gs)
	return Sample{ServerRSSMiB: rss[len(rss)/2], ServerGoroutines: gs[len(gs)/2]}
}
