package transport

import (
	"reflect"
	"testing"
	"time"

	"kefu/actors"
)

// TestSupervision: since keeps only newer points, times are to the
// millisecond so a point's at sent back names exactly it, and a point
// without assignments has no percentiles.
func TestSupervision(t *testing.T) {
	t0 := time.Date(2026, 11, 26, 9, 0, 0, 123_456_789, time.UTC)
	s := &actors.Supervision{
		Sampled:     t0.Add(25 * time.Second),
		SampleEvery: 2 * time.Second,
		PointEvery:  10 * time.Second,
		Now: actors.SupervisionPoint{At: t0.Add(25 * time.Second), Queued: 2, OldestWait: 1500 * time.Millisecond,
			TimeToAssignment: actors.Percentiles{Count: 3, P50: time.Millisecond, P90: 12 * time.Second, P99: 12 * time.Second}},
		Agents: []actors.AgentStat{{ID: "ag_1", Name: "<b>A</b>", Pool: actors.PoolCompat, Status: actors.StatusAway, Load: 1, Capacity: 1}},
		History: []actors.SupervisionPoint{
			{At: t0}, {At: t0.Add(10 * time.Second)}, {At: t0.Add(20 * time.Second)},
		},
	}
	t.Run("OK", func(t *testing.T) {
		out := supervision(s, time.Time{})
		if got, want := len(out.History), 3; got != want {
			t.Fatalf("history has %d points, want %d", got, want)
		}
		if got, want := out.History[0].At, t0.Truncate(time.Millisecond); !got.Equal(want) || got.Nanosecond()%int(time.Millisecond) != 0 {
			t.Fatalf("at=%v, want %v", got, want)
		}
		if out.History[0].TimeToAssignment != nil {
			t.Fatalf("a point without assignments has percentiles: %+v", out.History[0].TimeToAssignment)
		}
		if got, want := *out.Now.TimeToAssignment, (waitsOut{Count: 3, P50: 0.001, P90: 12, P99: 12}); got != want {
			t.Fatalf("now's percentiles=%+v, want %+v", got, want)
		}
		if got, want := out.Now.OldestWaitSeconds, 1.5; got != want {
			t.Fatalf("oldest wait=%v, want %v", got, want)
		}
		if got, want := out.Agents[0], (agentStatOut{ID: "ag_1", Name: "<b>A</b>", Protocol: "compat", Status: "away", Load: 1, Capacity: 1, Teams: []string{}}); !reflect.DeepEqual(got, want) {
			t.Fatalf("agent=%+v, want %+v", got, want)
		}
	})
	t.Run("Since", func(t *testing.T) {
		since := supervision(s, time.Time{}).History[1].At
		out := supervision(s, since)
		if len(out.History) != 1 || !out.History[0].At.After(since) {
			t.Fatalf("since %v: history %+v, want only the last point", since, out.History)
		}
	})
	t.Run("NotSampledYet", func(t *testing.T) {
		if out := supervision(&actors.Supervision{}, time.Time{}); out.SampledAt != nil || out.Agents == nil || out.History == nil {
			t.Fatalf("out=%+v, want sampledAt null and empty lists, not null", out)
		}
	})
}
