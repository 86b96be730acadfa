package actors

import (
	"time"

	"github.com/HdrHistogram/hdrhistogram-go"
)

// Supervision answers GetSupervision: what the supervisor's view shows.
type Supervision struct {
	// Sampled is when the dispatcher last answered; zero before its first
	// answer, when Now and Agents are empty.
	Sampled     time.Time
	SampleEvery time.Duration
	PointEvery  time.Duration
	// Nodes is how many nodes' message counts MessagesPerSecond covers:
	// those heard from in the last nodeSilentSamples samples (one on a
	// single node).
	Nodes int
	// Now is the latest sample, with messages per second over the last
	// PointEvery and time-to-assignment percentiles over the last
	// ttaWindowPoints points.
	Now    SupervisionPoint
	Agents []AgentStat
	Teams  []TeamStat // each team's queue, inbox and agents now, with members and hours
	// History is one point per PointEvery, oldest first, at most Keep of
	// them.
	History []SupervisionPoint
}

// SupervisionPoint is the state at At and, for a history point, what
// happened in the interval that ended then.
type SupervisionPoint struct {
	At                time.Time
	Queued            int
	OldestWait        time.Duration // the longest any waiting customer has waited since first asking (Stats.OldestQueued)
	AgentsOnline      int
	AgentsFree        int // able to take a customer now
	Serving           int // conversations with an agent
	MessagesPerSecond float64
	Assignments       int // native customers given an agent out of the queue
	Arrivals          int // customers who joined the queue
	TimeToAssignment  Percentiles
	Teams             []TeamPoint // each team's share of the state at At
}

// TeamPoint is one team's queue, inbox and agents at a point: what the
// supervisor's charts show when one team is chosen. What happened in the
// interval (messages, assignments, waits) is counted for the desk only.
type TeamPoint struct {
	ID           string
	Queued       int
	OldestWait   time.Duration // as SupervisionPoint.OldestWait, in this team's queue
	AgentsOnline int
	AgentsFree   int
	Inbox        int
}

// Percentiles summarise how long customers waited for an agent. All zero
// when nobody was assigned.
type Percentiles struct {
	Count         int64
	P50, P90, P99 time.Duration
}

func percentiles(h *hdrhistogram.Histogram) Percentiles {
	n := h.TotalCount()
	if n == 0 {
		return Percentiles{}
	}
	ms := func(q float64) time.Duration { return time.Duration(h.ValueAtQuantile(q)) * time.Millisecond }
	return Percentiles{Count: n, P50: ms(50), P90: ms(90), P99: ms(99)}
}

// report builds the answer to q: copies only, nothing of the monitor's
// state leaves the actor.
func (m *monitor) report(q *GetSupervision) *Supervision {
	out := &Supervision{
		Sampled:     m.sampled,
		SampleEvery: m.SampleEvery,
		PointEvery:  m.PointEvery,
		Nodes:       len(m.nodes),
	}
	if !q.NoHistory {
		for _, p := range m.ring.items() {
			if p.At.After(q.Since) {
				out.History = append(out.History, p)
			}
		}
	}
	if m.latest == nil {
		return out
	}
	out.Now = m.current(m.sampled)
	out.Now.At = m.sampled
	if oldest, ok := m.recent.oldest(); ok {
		newest, _ := m.recent.newest()
		out.Now.MessagesPerSecond = perSecond(newest.count-oldest.count, newest.at.Sub(oldest.at))
	}
	out.Now.Assignments, out.Now.Arrivals = m.point.assignments, m.point.arrivals
	out.Now.TimeToAssignment = percentiles(m.waits.Merge())
	out.Agents = append([]AgentStat(nil), m.latest.Agents...)
	out.Teams = append([]TeamStat(nil), m.latest.Teams...)
	return out
}
