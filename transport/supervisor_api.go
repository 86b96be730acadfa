package transport

import (
	"net/http"
	"time"

	"kefu/actors"
)

// The supervisor's live statistics, over HTTP with the login token as a
// bearer token, for supervisors only:
//
//	GET /api/supervisor/stats?since=TIME
//
// since (the at of the newest history point the caller has) trims the
// history to what is newer, so a page polling every 2 s fetches the hour
// once and then a point at a time.

// monitorTimeout bounds the wait for the monitor's answer; it answers
// from memory, so only a stuck actor takes this long.
const monitorTimeout = 2 * time.Second

type supervisionOut struct {
	SampledAt          *time.Time     `json:"sampledAt"` // null before the first sample
	SampleEverySeconds float64        `json:"sampleEverySeconds"`
	PointEverySeconds  float64        `json:"pointEverySeconds"`
	Nodes              int            `json:"nodes"` // whose message counts messagesPerSecond covers
	Now                pointOut       `json:"now"`
	Agents             []agentStatOut `json:"agents"`
	Teams              []teamStatOut  `json:"teams"`
	History            []pointOut     `json:"history"`
}

// teamStatOut is one team now: its queue, its longest wait, its members
// online and free, whether its hours have it open.
type teamStatOut struct {
	ID                string   `json:"id"`
	Name              string   `json:"name"`
	Open              bool     `json:"open"`
	Archived          bool     `json:"archived"`
	Queued            int      `json:"queued"`
	OldestWaitSeconds float64  `json:"oldestWaitSeconds"`
	AgentsOnline      int      `json:"agentsOnline"`
	AgentsFree        int      `json:"agentsFree"`
	Inbox             int      `json:"inbox"`
	OldestFormSeconds float64  `json:"oldestFormSeconds"` // how long the oldest form has waited; 0 when none
	Everyone          bool     `json:"everyone"`
	Members           []string `json:"members"` // agent ids online or within their grace; [] when everyone
}

type pointOut struct {
	At                time.Time      `json:"at"`
	Queued            int            `json:"queued"`
	OldestWaitSeconds float64        `json:"oldestWaitSeconds"`
	AgentsOnline      int            `json:"agentsOnline"`
	AgentsFree        int            `json:"agentsFree"`
	Serving           int            `json:"serving"`
	MessagesPerSecond float64        `json:"messagesPerSecond"`
	Assignments       int            `json:"assignments"`
	Arrivals          int            `json:"arrivals"`
	TimeToAssignment  *waitsOut      `json:"timeToAssignment"` // null when nobody was assigned
	Teams             []teamPointOut `json:"teams"`
}

// teamPointOut is one team's figures at a point, for the charts of one
// team.
type teamPointOut struct {
	ID                string  `json:"id"`
	Queued            int     `json:"queued"`
	OldestWaitSeconds float64 `json:"oldestWaitSeconds"`
	AgentsOnline      int     `json:"agentsOnline"`
	AgentsFree        int     `json:"agentsFree"`
	Inbox             int     `json:"inbox"`
}

type waitsOut struct {
	Count int64   `json:"count"`
	P50   float64 `json:"p50"`
	P90   float64 `json:"p90"`
	P99   float64 `json:"p99"`
}

type agentStatOut struct {
	ID       string   `json:"id"`
	Name     string   `json:"name"`
	Protocol string   `json:"protocol"`
	Status   string   `json:"status"`
	Online   bool     `json:"online"`
	Load     int      `json:"load"`
	Capacity int      `json:"capacity"`
	Teams    []string `json:"teams"`
}

// SupervisorStats serves GET /api/supervisor/stats: the monitor's view,
// asked of the monitor actor.
func (g *Gateway) SupervisorStats() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.agentCaller(w, r)
		if !ok {
			return
		}
		if !who.supervisor {
			writeError(w, http.StatusForbidden, "forbidden", "only supervisors see the live statistics")
			return
		}
		var since time.Time
		if v := r.URL.Query().Get("since"); v != "" {
			t, err := time.Parse(time.RFC3339Nano, v)
			if err != nil {
				writeError(w, http.StatusBadRequest, "bad_value", "since must be a time in RFC 3339, as a point's at")
				return
			}
			since = t
		}
		monitor := g.cfg.Dir.PID(actors.KindMonitor, actors.MonitorID)
		// The monitor sends only the points after since; the filter
		// below drops those whose stamp (milliseconds) is since itself.
		res, err := g.cfg.Root.RequestFuture(monitor, &actors.GetSupervision{Since: since}, monitorTimeout).Result()
		s, ok := res.(*actors.Supervision)
		if err != nil || !ok {
			g.cfg.Log.Error("supervisor stats: the monitor did not answer", "err", err)
			writeError(w, http.StatusServiceUnavailable, "unavailable", "the statistics did not answer; try again")
			return
		}
		writeJSON(w, http.StatusOK, supervision(s, since))
	})
}

func supervision(s *actors.Supervision, since time.Time) supervisionOut {
	out := supervisionOut{
		SampleEverySeconds: s.SampleEvery.Seconds(),
		PointEverySeconds:  s.PointEvery.Seconds(),
		Nodes:              s.Nodes,
		Now:                point(s.Now),
		Agents:             make([]agentStatOut, 0, len(s.Agents)),
		Teams:              make([]teamStatOut, 0, len(s.Teams)),
		History:            make([]pointOut, 0, len(s.History)),
	}
	if !s.Sampled.IsZero() {
		t := stamp(s.Sampled)
		out.SampledAt = &t
	}
	for _, a := range s.Agents {
		out.Agents = append(out.Agents, agentStatOut{
			ID: a.ID, Name: a.Name, Protocol: a.Pool.String(), Status: string(a.Status),
			Online: a.Online, Load: a.Load, Capacity: a.Capacity, Teams: nonNil(a.Teams),
		})
	}
	for _, t := range s.Teams {
		tm := teamStatOut{ID: t.ID, Name: t.Name, Open: t.Open, Archived: t.Archived, Queued: t.Queued,
			AgentsOnline: t.AgentsOnline, AgentsFree: t.AgentsFree, Everyone: t.Everyone, Members: nonNil(t.Members)}
		if !t.OldestQueued.IsZero() {
			tm.OldestWaitSeconds = s.Sampled.Sub(t.OldestQueued).Seconds()
		}
		tm.Inbox = t.Inbox
		if !t.OldestInbox.IsZero() {
			tm.OldestFormSeconds = max(s.Sampled.Sub(t.OldestInbox).Seconds(), 0)
		}
		out.Teams = append(out.Teams, tm)
	}
	for _, p := range s.History {
		if stamp(p.At).After(since) {
			out.History = append(out.History, point(p))
		}
	}
	return out
}

// nonNil is s, or an empty list: JSON shows [] rather than null.
func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// stamp is a time as the API shows it: UTC, to the millisecond, so that a
// point's at sent back as since names exactly that point.
func stamp(t time.Time) time.Time { return t.UTC().Truncate(time.Millisecond) }

func point(p actors.SupervisionPoint) pointOut {
	out := pointOut{
		At: stamp(p.At), Queued: p.Queued, OldestWaitSeconds: p.OldestWait.Seconds(),
		AgentsOnline: p.AgentsOnline, AgentsFree: p.AgentsFree, Serving: p.Serving,
		MessagesPerSecond: p.MessagesPerSecond, Assignments: p.Assignments, Arrivals: p.Arrivals,
	}
	if tta := p.TimeToAssignment; tta.Count > 0 {
		out.TimeToAssignment = &waitsOut{Count: tta.Count, P50: tta.P50.Seconds(), P90: tta.P90.Seconds(), P99: tta.P99.Seconds()}
	}
	out.Teams = make([]teamPointOut, 0, len(p.Teams))
	for _, t := range p.Teams {
		out.Teams = append(out.Teams, teamPointOut{ID: t.ID, Queued: t.Queued, OldestWaitSeconds: t.OldestWait.Seconds(),
			AgentsOnline: t.AgentsOnline, AgentsFree: t.AgentsFree, Inbox: t.Inbox})
	}
	return out
}
