package server

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"
	"time"
)

// statsBody is GET /api/supervisor/stats as a client reads it.
type statsBody struct {
	SampledAt *time.Time   `json:"sampledAt"`
	Now       statsPoint   `json:"now"`
	Agents    []statsAgent `json:"agents"`
	Teams     []statsTeam  `json:"teams"`
	History   []statsPoint `json:"history"`
}

type statsTeam struct {
	ID                string  `json:"id"`
	Queued            int     `json:"queued"`
	Inbox             int     `json:"inbox"`
	OldestFormSeconds float64 `json:"oldestFormSeconds"`
}

type statsPoint struct {
	At                string  `json:"at"` // kept as sent, to send back as since
	Queued            int     `json:"queued"`
	OldestWaitSeconds float64 `json:"oldestWaitSeconds"`
	AgentsOnline      int     `json:"agentsOnline"`
	AgentsFree        int     `json:"agentsFree"`
	Serving           int     `json:"serving"`
	MessagesPerSecond float64 `json:"messagesPerSecond"`
	Assignments       int     `json:"assignments"`
	Arrivals          int     `json:"arrivals"`
	TimeToAssignment  *struct {
		Count int64 `json:"count"`
	} `json:"timeToAssignment"`
}

type statsAgent struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Protocol string `json:"protocol"`
	Status   string `json:"status"`
	Online   bool   `json:"online"`
	Load     int    `json:"load"`
	Capacity int    `json:"capacity"`
}

// supervisorStats fetches the statistics with token.
func (ts *testServer) supervisorStats(t *testing.T, token, query string) (int, statsBody) {
	t.Helper()
	req, err := http.NewRequest("GET", "http://"+ts.Addr()+"/api/supervisor/stats"+query, nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out statsBody
	if res.StatusCode == http.StatusOK {
		if err := json.NewDecoder(res.Body).Decode(&out); err != nil {
			t.Fatalf("stats body: %v", err)
		}
	}
	return res.StatusCode, out
}

// waitSupervisor polls the statistics until ok holds.
func (ts *testServer) waitSupervisor(t *testing.T, token, what string, ok func(statsBody) bool) statsBody {
	t.Helper()
	deadline := time.After(testWait)
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for {
		status, s := ts.supervisorStats(t, token, "")
		if status != http.StatusOK {
			t.Fatalf("stats status=%d, want 200", status)
		}
		if ok(s) {
			return s
		}
		select {
		case <-deadline:
			t.Fatalf("waiting for %s: %+v", what, s)
		case <-tick.C:
		}
	}
}

// TestSupervisorStats: the supervisor's numbers follow a customer who
// waits, an agent who takes them and their chat, and the history grows a
// point at a time.
func TestSupervisorStats(t *testing.T) {
	ts := startServer(t, Config{StatsSampleEvery: 10 * time.Millisecond, StatsPointEvery: 50 * time.Millisecond})
	boss := ts.supervisorToken(t)
	ts.waitSupervisor(t, boss, "a first sample", func(s statsBody) bool { return s.SampledAt != nil })

	cust := ts.customerOnline(t, "Waiting")
	cust.send(obj{"type": "request"})
	cust.expectQueued(1)
	ts.waitSupervisor(t, boss, "the customer queued", func(s statsBody) bool {
		return s.Now.Queued == 1 && s.Now.OldestWaitSeconds > 0 && s.Now.AgentsOnline == 0
	})

	acct := ts.addAgent(t, "Taker", 2)
	agent := ts.agentOnline(t, acct)
	conv := cust.expect("conv", "queued").Conv
	agent.expect("conv")
	s := ts.waitSupervisor(t, boss, "the customer served", func(s statsBody) bool {
		return s.Now.Queued == 0 && s.Now.Serving == 1 && len(s.Agents) == 1 && s.Now.TimeToAssignment != nil
	})
	if got, want := s.Agents[0], (statsAgent{ID: acct.ID, Name: "Taker", Protocol: "native", Status: "available", Online: true, Load: 1, Capacity: 2}); got != want {
		t.Fatalf("agent=%+v, want %+v", got, want)
	}
	if got, want := s.Now.AgentsFree, 1; got != want {
		t.Fatalf("free agents=%d, want %d", got, want)
	}

	cust.post(conv, "hello", "")
	cust.expectMsg(conv, 1, cust.me, "hello")
	ts.waitSupervisor(t, boss, "messages per second", func(s statsBody) bool { return s.Now.MessagesPerSecond > 0 })

	t.Run("History", func(t *testing.T) {
		// Points are sampled on their own timer, behind Now: on a busy
		// machine the first three may all predate the conversation, so
		// wait for one that has it.
		served := func(s statsBody) bool {
			for _, p := range s.History {
				if p.Serving == 1 && p.AgentsOnline == 1 {
					return true
				}
			}
			return false
		}
		s := ts.waitSupervisor(t, boss, "three points, one with the conversation", func(s statsBody) bool { return len(s.History) >= 3 && served(s) })
		last := s.History[len(s.History)-1].At
		status, newer := ts.supervisorStats(t, boss, "?since="+url.QueryEscape(last))
		if status != http.StatusOK {
			t.Fatalf("since: status=%d, want 200", status)
		}
		lastAt, err := time.Parse(time.RFC3339Nano, last)
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range newer.History {
			if at, err := time.Parse(time.RFC3339Nano, p.At); err != nil || !at.After(lastAt) {
				t.Fatalf("since=%s returned the point at %s", last, p.At)
			}
		}
	})
	t.Run("ErrBadSince", func(t *testing.T) {
		if status, _ := ts.supervisorStats(t, boss, "?since=yesterday"); status != http.StatusBadRequest {
			t.Fatalf("status=%d, want 400", status)
		}
	})
	t.Run("ErrAgent", func(t *testing.T) {
		if status, _ := ts.supervisorStats(t, acct.Token, ""); status != http.StatusForbidden {
			t.Fatalf("status=%d, want 403", status)
		}
	})
}
