package server

import (
	"strings"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"

	"kefu/actors"
	"kefu/store"
)

// waitMetrics scrapes until ok holds or the deadline passes. Counters move
// in the actors a moment after the frames they count leave, so a client
// that has read a frame may scrape before its count.
func (ts *testServer) waitMetrics(t *testing.T, what string, ok func(map[string]*dto.MetricFamily) bool) map[string]*dto.MetricFamily {
	t.Helper()
	deadline := time.After(testWait)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		m := ts.scrape(t)
		if ok(m) {
			return m
		}
		select {
		case <-deadline:
			t.Fatalf("waiting for %s", what)
		case <-tick.C:
		}
	}
}

// is reports whether the series' value equals want, without failing when
// the series is not there yet.
func is(m map[string]*dto.MetricFamily, want float64, name string, labels ...string) bool {
	s := sample(m, name, labels...)
	if s == nil {
		return false
	}
	switch {
	case s.Counter != nil:
		return s.GetCounter().GetValue() == want
	case s.Gauge != nil:
		return s.GetGauge().GetValue() == want
	case s.Histogram != nil:
		return float64(s.GetHistogram().GetSampleCount()) == want
	}
	return false
}

// TestMetricsMove runs a little chat, with a wait, a refused message, two
// offences, a failed commit and a tutorial agent, and checks that each of
// kefu's metrics moved by exactly what happened.
func TestMetricsMove(t *testing.T) {
	var fs *fillableStore
	ts := startServer(t, Config{MetricsAddr: "127.0.0.1:0", MaxTextBytes: 64,
		wrapConversations: func(c store.Conversations) store.Conversations {
			fs = &fillableStore{Conversations: c}
			return fs
		}})

	// A customer asks while nobody is online, and waits.
	cust := ts.customerOnline(t, "Waits")
	cust.send(obj{"type": "request"})
	cust.expectQueued(1)
	m := ts.waitMetrics(t, "one customer queued", func(m map[string]*dto.MetricFamily) bool {
		return is(m, 1, "kefu_queue_length") && is(m, 1, "kefu_connections", "role", "customer", "protocol", "native")
	})
	if got := value(t, m, "kefu_queue_oldest_wait_seconds"); got <= 0 {
		t.Fatalf("oldest wait=%v with a customer waiting, want > 0", got)
	}
	if got, want := value(t, m, "kefu_routing_events_total", "kind", "queued"), 1.0; got != want {
		t.Fatalf("queued events=%v, want %v", got, want)
	}

	// An agent comes online and gets the customer; they chat.
	agent := ts.agentOnline(t, ts.addAgent(t, "Metric", 2))
	conv := cust.expect("conv", "queued").Conv
	agent.expect("conv")
	cust.post(conv, "hello", "")
	cust.expectMsg(conv, 1, cust.me, "hello")
	agent.expectMsg(conv, 1, cust.me, "hello")
	agent.post(conv, "hi", "")
	agent.expectMsg(conv, 2, agent.me, "hi")
	cust.expectMsg(conv, 2, agent.me, "hi")

	// Two offences, and a message the store refuses.
	cust.post(conv, strings.Repeat("x", 65), "")
	cust.expectError("text_too_long")
	cust.sendRaw("not json")
	cust.expectError("bad_frame")
	fs.full.Store(true)
	cust.post(conv, "lost", "")
	cust.expectError("not_stored")
	fs.full.Store(false)

	// A tutorial agent, for the other protocol.
	ts.dial(t, "kefu", "Tutorial")
	ts.waitStats(t, "two agents online", func(s actors.Stats) bool { return s.AgentsOnline == 2 })

	m = ts.waitMetrics(t, "the chat counted", func(m map[string]*dto.MetricFamily) bool {
		return is(m, 4, "kefu_messages_delivered_total", "protocol", "native") &&
			is(m, 1, "kefu_connections", "role", "agent", "protocol", "compat")
	})
	for _, c := range []struct {
		want   float64
		name   string
		labels []string
	}{
		{1, "kefu_connections", []string{"role", "agent", "protocol", "native"}},
		{1, "kefu_connections", []string{"role", "customer", "protocol", "native"}},
		{0, "kefu_connections", []string{"role", "customer", "protocol", "compat"}},
		{3, "kefu_messages_received_total", []string{"protocol", "native"}}, // the refused one too: it was received
		{0, "kefu_messages_received_total", []string{"protocol", "compat"}},
		{4, "kefu_delivery_latency_seconds", nil}, // each stored message to both sides
		{1, "kefu_routing_events_total", []string{"kind", "assigned"}},
		{1, "kefu_time_to_assignment_seconds", nil},
		{1, "kefu_limit_violations_total", []string{"kind", "text_length"}},
		{1, "kefu_limit_violations_total", []string{"kind", "bad_frame"}},
		{0, "kefu_limit_violations_total", []string{"kind", "frame_rate"}},
		{0, "kefu_slow_clients_dropped_total", []string{"protocol", "native"}},
		{0, "kefu_queue_length", nil},
		{0, "kefu_queue_oldest_wait_seconds", nil},
		{2, "kefu_agents", nil},
		{2, "kefu_agents_online", nil},
		{2, "kefu_agents_free", nil}, // the native agent has room for one more
		{1, "kefu_customers_connected", nil},
		{1, "kefu_conversations", []string{"state", "serving"}},
		{0, "kefu_conversations", []string{"state", "queued"}},
	} {
		if got := value(t, m, c.name, c.labels...); got != c.want {
			t.Errorf("%s%v=%v, want %v", c.name, c.labels, got, c.want)
		}
	}
	if tta := sample(m, "kefu_time_to_assignment_seconds").GetHistogram(); tta.GetSampleSum() <= 0 {
		t.Errorf("time to assignment sum=%v, want the customer's wait", tta.GetSampleSum())
	}
	if got := value(t, m, "kefu_store_commit_failures_total"); got < 1 {
		t.Errorf("commit failures=%v, want at least the refused message's", got)
	}
	for _, name := range []string{"kefu_store_commit_entries", "kefu_store_commit_duration_seconds"} {
		if got := value(t, m, name); got < 3 {
			t.Errorf("%s count=%v, want a commit per stored message at least", name, got)
		}
	}
	// Messages were committed, so SQLite's log has frames (PostgreSQL
	// keeps its own); the actors ran on the pool, so it has goroutines
	// (idle ones stay 5 s).
	if ts.cfg.Store == "" {
		if got := value(t, m, "kefu_store_wal_bytes"); got <= 0 {
			t.Errorf("kefu_store_wal_bytes=%v, want the log's size after commits", got)
		}
	}
	if got := value(t, m, "kefu_actor_goroutines"); got < 1 {
		t.Errorf("kefu_actor_goroutines=%v, want the pool's", got)
	}

	// The tutorial's /getroom holds its agent for a customer to come.
	if r := ts.getRoom(t, "Comes later"); !r.Room {
		t.Fatalf("getroom=%+v, want the tutorial agent", r)
	}
	ts.waitMetrics(t, "the reservation", func(m map[string]*dto.MetricFamily) bool {
		return is(m, 1, "kefu_reservations") && is(m, 1, "kefu_agents_free")
	})
}

// TestTeamMetrics: each team's queue and inbox are gauges labelled by the
// team's id and name, so that an operator can alert on forms left waiting;
// the supervisor's team table has the inbox too.
func TestTeamMetrics(t *testing.T) {
	ts := startServer(t, Config{MetricsAddr: "127.0.0.1:0"})
	c := ts.customerOnline(t, "Form")
	c.send(obj{"type": "leave", "text": "call me back", "cid": "f1"})
	c.expect("left")
	m := ts.waitMetrics(t, "one form in the general team's inbox", func(m map[string]*dto.MetricFamily) bool {
		return is(m, 1, "kefu_team_inbox", "team", "tm_general")
	})
	if got := value(t, m, "kefu_team_inbox_oldest_seconds", "team", "tm_general"); got < 0 {
		t.Fatalf("oldest form=%v s", got)
	}
	if got := value(t, m, "kefu_team_queue_length", "team", "tm_general"); got != 0 {
		t.Fatalf("general queue=%v, want 0", got)
	}
	boss := ts.supervisorToken(t)
	ts.waitSupervisor(t, boss, "the form in the supervisor's team table", func(s statsBody) bool {
		for _, tm := range s.Teams {
			if tm.ID == "tm_general" && tm.Inbox == 1 && tm.OldestFormSeconds >= 0 {
				return true
			}
		}
		return false
	})
	w := ts.customerOnline(t, "Waits")
	w.send(obj{"type": "request"})
	w.expectQueued(1)
	ts.waitMetrics(t, "one customer in the general team's queue", func(m map[string]*dto.MetricFamily) bool {
		return is(m, 1, "kefu_team_queue_length", "team", "tm_general") && is(m, 1, "kefu_team_inbox", "team", "tm_general")
	})
}
