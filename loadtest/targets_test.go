package loadtest

import "testing"

// TestSoakTargets: flatness compares the second minute at full load with
// the last, ignoring ramp-up, and fails growth past the bounds.
func TestSoakTargets(t *testing.T) {
	cfg := &Config{Scenario: "soak", Agents: 1, Customers: 1}
	run := func(rssEnd float64, gEnd int64) map[string]bool {
		var series []Sample
		series = append(series, Sample{Connected: 1, ServerRSSMiB: 10, ServerGoroutines: 5}) // ramp-up
		for i := range 240 {
			s := Sample{Connected: 2, ServerRSSMiB: 100, ServerGoroutines: 1000}
			if i >= 180 {
				s.ServerRSSMiB, s.ServerGoroutines = rssEnd, gEnd
			}
			series = append(series, s)
		}
		met := map[string]bool{}
		for _, tg := range targets(&Result{Series: series}, cfg) {
			met[tg.Name] = tg.Met
		}
		return met
	}
	flat := run(105, 1020)
	grown := run(150, 1200)
	for name, ok := range flat {
		if !ok {
			t.Errorf("flat run: %q not met", name)
		}
	}
	failed := 0
	for _, ok := range grown {
		if !ok {
			failed++
		}
	}
	if failed != 2 {
		t.Errorf("grown run: %d targets missed, want 2 (memory and goroutines): %v", failed, grown)
	}
	if got := targets(&Result{Series: make([]Sample, 10)}, cfg); len(got) == 0 || got[len(got)-1].Met {
		t.Errorf("a short soak must not pass: %+v", got)
	}
}
