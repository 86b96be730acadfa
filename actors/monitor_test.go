package actors

import (
	"sync/atomic"
	"testing"
	"time"
)

// fakeClock is a clock the test moves by hand, shared by the dispatcher
// (queue times) and the monitor (intervals), so waits are exact.
type fakeClock struct{ ns atomic.Int64 }

func newFakeClock() *fakeClock {
	c := &fakeClock{}
	c.ns.Store(time.Date(2026, 11, 26, 9, 0, 0, 0, time.UTC).UnixNano())
	return c
}

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()).UTC() }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// monitorSampleEvery is the fixture monitor's SampleEvery: its ticks
// are real time, its points and its nodes' silence on the fake clock.
const monitorSampleEvery = 5 * time.Millisecond

func (f *fixture) startMonitor(clock *fakeClock) {
	f.t.Helper()
	cfg := MonitorConfig{
		Dir:         f.dir,
		SampleEvery: monitorSampleEvery,
		PointEvery:  10 * time.Second, // on the fake clock: a point closes when the test says
		Keep:        time.Hour,
		Now:         clock.now,
	}
	if _, err := f.dir.Spawn(KindMonitor, MonitorID, NewMonitorProps(cfg)); err != nil {
		f.t.Fatal(err)
	}
}

// nodeSample tells the monitor node's count, as that node's reporter
// does, and returns once the monitor has it: the next message it handles
// (a tick that closes a point) counts it.
func (f *fixture) nodeSample(node string, messages uint64) {
	f.t.Helper()
	f.send(f.dir.PID(KindMonitor, MonitorID), &NodeSample{Node: node, Messages: messages})
	f.supervision() // answered behind the sample
}

func (f *fixture) supervision() *Supervision {
	f.t.Helper()
	res, err := f.system.Root.RequestFuture(f.dir.PID(KindMonitor, MonitorID), &GetSupervision{}, testWait).Result()
	if err != nil {
		f.t.Fatalf("GetSupervision: %v", err)
	}
	return res.(*Supervision)
}

// waitSupervision polls the monitor until ok holds.
func (f *fixture) waitSupervision(what string, ok func(*Supervision) bool) *Supervision {
	f.t.Helper()
	deadline := time.After(testWait)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		s := f.supervision()
		if ok(s) {
			return s
		}
		select {
		case <-deadline:
			f.t.Fatalf("waiting for %s: now %+v, history %+v", what, s.Now, s.History)
		case <-tick.C:
		}
	}
}

// near says whether d is within 1% of want: the histogram keeps two
// significant digits.
func near(d, want time.Duration) bool {
	diff := d - want
	return diff >= -want/100 && diff <= want/100
}

// TestMonitor follows one agent and two customers: the second waits 30 s.
// The monitor's current numbers, its history points and the
// time-to-assignment percentiles all show it.
func TestMonitor(t *testing.T) {
	clock := newFakeClock()
	f := newFixture(t, DispatcherConfig{Now: clock.now, AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.startMonitor(clock)
	f.waitSupervision("a first sample", func(s *Supervision) bool { return !s.Sampled.IsZero() })
	f.nodeSample("n1", 0) // the node's baseline, as its reporter sends at start

	agent, agentConn := f.agent("Ann", 1)
	c1, _ := f.customer("c1")
	c2, _ := f.customer("c2")
	f.send(f.dispatcher, &RequestAgent{Customer: c1.ID})
	first := f.event(RoutingAssigned)
	f.send(f.dispatcher, &RequestAgent{Customer: c2.ID})
	f.event(RoutingQueued)

	t.Run("Now", func(t *testing.T) {
		s := f.waitSupervision("c2 queued", func(s *Supervision) bool { return s.Now.Queued == 1 && s.Now.Assignments == 1 })
		if got, want := s.Now.Arrivals, 2; got != want {
			t.Fatalf("arrivals=%d, want %d", got, want)
		}
		if got, want := s.Now.Serving, 1; got != want {
			t.Fatalf("serving=%d, want %d", got, want)
		}
		if len(s.Agents) != 1 || s.Agents[0].ID != agent.ID || s.Agents[0].Load != 1 || !s.Agents[0].Online || s.Agents[0].Status != StatusAvailable {
			t.Fatalf("agents=%+v, want Ann online, available, load 1", s.Agents)
		}
		if got, want := s.Now.AgentsFree, 0; got != want {
			t.Fatalf("free agents=%d, want %d", got, want)
		}
	})

	f.nodeSample("n1", 300)
	clock.advance(30 * time.Second)
	t.Run("FirstPoint", func(t *testing.T) {
		s := f.waitSupervision("the first point", func(s *Supervision) bool { return len(s.History) == 1 })
		p := s.History[0]
		if got, want := p.OldestWait, 30*time.Second; got != want {
			t.Fatalf("oldest wait=%v, want %v", got, want)
		}
		if got, want := p.MessagesPerSecond, 10.0; got != want {
			t.Fatalf("messages/s=%v, want %v", got, want)
		}
		if p.Queued != 1 || p.Assignments != 1 || p.Arrivals != 2 || p.TimeToAssignment.Count != 1 {
			t.Fatalf("point=%+v, want 1 queued, 1 assignment, 2 arrivals", p)
		}
		if got, want := p.TimeToAssignment.P99, time.Millisecond; got != want {
			t.Fatalf("p99=%v, want %v: c1 was assigned at once", got, want)
		}
	})

	// Ann ends c1's conversation: c2, who waited 30 s, is hers.
	f.end(first.Conv, agent, agentConn)
	if ev := f.event(RoutingAssigned); ev.Customer != c2.ID || ev.Waited != 30*time.Second {
		t.Fatalf("assigned %+v, want c2 after 30s", ev)
	}
	t.Run("Percentiles", func(t *testing.T) {
		s := f.waitSupervision("c2 assigned", func(s *Supervision) bool { return s.Now.Queued == 0 && s.Now.Assignments == 1 })
		tta := s.Now.TimeToAssignment
		if tta.Count != 2 || !near(tta.P99, 30*time.Second) || tta.P50 != time.Millisecond {
			t.Fatalf("time to assignment=%+v, want 2 waits: 1ms and 30s", tta)
		}
		if got, want := s.Now.OldestWait, time.Duration(0); got != want {
			t.Fatalf("oldest wait=%v with nobody waiting, want 0", got)
		}
	})

	clock.advance(10 * time.Second)
	t.Run("SecondPoint", func(t *testing.T) {
		s := f.waitSupervision("the second point", func(s *Supervision) bool { return len(s.History) == 2 })
		p := s.History[1]
		if p.Assignments != 1 || p.Arrivals != 0 || p.MessagesPerSecond != 0 || p.Queued != 0 {
			t.Fatalf("point=%+v, want 1 assignment and nothing else", p)
		}
		if p.TimeToAssignment.Count != 1 || !near(p.TimeToAssignment.P50, 30*time.Second) {
			t.Fatalf("time to assignment=%+v, want c2's 30s", p.TimeToAssignment)
		}
		if !s.History[0].At.Before(p.At) {
			t.Fatalf("history %v then %v: want oldest first", s.History[0].At, p.At)
		}
	})
	t.Run("HistorySince", func(t *testing.T) {
		ask := func(q *GetSupervision) *Supervision {
			res, err := f.system.Root.RequestFuture(f.dir.PID(KindMonitor, MonitorID), q, testWait).Result()
			if err != nil {
				t.Fatal(err)
			}
			return res.(*Supervision)
		}
		all := ask(&GetSupervision{}).History
		if got := ask(&GetSupervision{Since: all[0].At}).History; len(got) != 1 || !got[0].At.Equal(all[1].At) {
			t.Fatalf("since the first point: %+v, want the second only", got)
		}
		if s := ask(&GetSupervision{NoHistory: true}); len(s.History) != 0 || s.Sampled.IsZero() {
			t.Fatalf("no history: %d points, sampled %v; want none, and the rest", len(s.History), s.Sampled)
		}
	})
}

// TestMonitorTeamPoints: each point carries every team's share (its
// queue, oldest wait, agents), for the charts of one team.
func TestMonitorTeamPoints(t *testing.T) {
	clock := newFakeClock()
	f := newFixture(t, DispatcherConfig{Now: clock.now, AgentGrace: time.Minute, CustomerGrace: time.Minute})
	f.setTeam("tm_x", 1, "xena")
	f.startMonitor(clock)
	f.agent("xena", 1)
	c, _ := f.customer("c")
	f.request(c, "tm_general") // xena is in the general team, as everyone is: served
	f.event(RoutingAssigned)
	d, _ := f.customer("d")
	f.request(d, "tm_x") // xena is full: d waits in tm_x
	f.event(RoutingQueued)
	// A sample asked for before d queued may come in after the clock
	// moves and close the point: wait for one that has d first.
	f.waitSupervision("a sample with d waiting", func(s *Supervision) bool { return s.Now.Queued == 1 })
	clock.advance(20 * time.Second)
	s := f.waitSupervision("a point with d waiting", func(s *Supervision) bool { return len(s.History) > 0 && s.History[len(s.History)-1].Queued == 1 })
	shares := map[string]TeamPoint{}
	for _, tp := range s.History[len(s.History)-1].Teams {
		shares[tp.ID] = tp
	}
	x, g := shares["tm_x"], shares["tm_general"]
	if x.Queued != 1 || x.OldestWait != 20*time.Second || x.AgentsOnline != 1 || x.AgentsFree != 0 {
		t.Fatalf("tm_x's share=%+v, want d waiting 20 s and xena online, full", x)
	}
	if g.Queued != 0 || g.OldestWait != 0 || g.AgentsOnline != 1 {
		t.Fatalf("general's share=%+v, want nobody waiting, xena online", g)
	}
	if len(s.Now.Teams) != 2 {
		t.Fatalf("now's teams=%+v, want both", s.Now.Teams)
	}
}

func TestRing(t *testing.T) {
	r := newRing[int](3)
	if _, ok := r.oldest(); ok {
		t.Fatal("an empty ring has an oldest item")
	}
	for i := 1; i <= 5; i++ {
		r.push(i)
	}
	got := r.items()
	if len(got) != 3 || got[0] != 3 || got[1] != 4 || got[2] != 5 {
		t.Fatalf("items=%v, want [3 4 5]", got)
	}
	if o, _ := r.oldest(); o != 3 {
		t.Fatalf("oldest=%d, want 3", o)
	}
	if n, _ := r.newest(); n != 5 {
		t.Fatalf("newest=%d, want 5", n)
	}
}
