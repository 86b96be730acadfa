package actors

import (
	"slices"
	"testing"
	"time"

	"kefu/internal/ids"
)

// Tests of the connections' rejoin (connection_rejoin.go): where actors
// move, a pool's dispatcher activated again (its node died) restores what
// the store holds, and the connections, whose sockets stayed open, admit
// themselves again, as the same parties coming back.

// TestDispatcherMovedRejoin: an agent serving two customers at its
// capacity and a customer waiting in the queue; the dispatcher stops
// abruptly and is activated again from the store. The agent is known again
// (it takes the waiting customer when a slot frees, never more than its
// capacity), the waiting customer keeps its place ahead of one who came
// after the move, chat in an open conversation goes on, and no client is
// welcomed twice or sent away.
func TestDispatcherMovedRejoin(t *testing.T) {
	st := openSQLite(t)
	f, dir, cfg := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	auth := anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 2}
	agent := hello(t, f, dir, auth, RoleAgent, "a")
	var convs []ConvID
	var served []*client
	for _, name := range []string{"c1", "c2"} {
		c, conv := seatWith(t, f, dir, auth, agent, name)
		// Acknowledged once stored, after the conversation's record: the
		// store has it for the dispatcher that comes next.
		c.post(conv, "before", "m1")
		c.next(isAck("m1"))
		agent.next(isMsg(conv, 1))
		convs, served = append(convs, conv), append(served, c)
	}
	waiting := hello(t, f, dir, auth, RoleCustomer, "w1")
	waiting.command("request", &CmdRequest{})
	waiting.next(isQueued(1)) // stored before it is told

	moveDispatcher(t, f, st, cfg)

	f.waitStats("everyone back", func(s Stats) bool {
		return s.AgentsOnline == 1 && s.Customers == 3 && s.Serving == 2 && s.Queued == 1 && s.FreeAgents == 0
	})
	later := hello(t, f, dir, auth, RoleCustomer, "w2")
	later.command("request", &CmdRequest{})
	later.next(isQueued(2))
	f.waitStats("capacity holds", func(s Stats) bool { return s.Serving == 2 && s.Queued == 2 })

	t.Run("ChatGoesOn", func(t *testing.T) {
		served[0].post(convs[0], "after", "m2")
		served[0].next(isAck("m2"))
		agent.next(isMsg(convs[0], 2))
		agent.post(convs[0], "answer", "a1")
		agent.next(isAck("a1"))
		served[0].next(isMsg(convs[0], 3))
	})
	t.Run("WaiterServedInOrder", func(t *testing.T) {
		served[1].command("end", &CmdEnd{Conv: convs[1]})
		served[1].next(func(m any) bool { e, ok := m.(*ConvClosed); return ok && e.Conv == convs[1] })
		opened := waiting.next(func(m any) bool { _, ok := m.(*ConvOpened); return ok }).(*ConvOpened)
		if opened.Agent.ID != auth.agent.ID {
			t.Fatalf("waiting customer served by %+v, want %s", opened.Agent, auth.agent.ID)
		}
		agent.next(isOpened(opened.Conv))
		later.next(isQueued(1))
		f.waitStats("the agent full again", func(s Stats) bool { return s.Serving == 2 && s.Queued == 1 && s.FreeAgents == 0 })
	})
	t.Run("NoSecondWelcome", func(t *testing.T) {
		for _, c := range append([]*client{agent, waiting, later}, served...) {
			c.flush()
			if got, want := count[*Welcome](c), 1; got != want {
				t.Errorf("%s welcomed %d times, want %d", c.me.Name, got, want)
			}
			if got := count[*Kick](c); got != 0 {
				t.Errorf("%s kicked %d times", c.me.Name, got)
			}
			for _, m := range c.seen {
				if e, ok := m.(*ConvClosed); ok && e.Reason != ReasonCustomerEnded {
					t.Errorf("%s told %+v", c.me.Name, e)
				}
			}
		}
	})
}

// TestRejoinWhereNothingMoved: a rejoin that reaches a dispatcher that
// knows the connection already (one repeated while the dispatcher came
// back, or a watch that ended for nothing) is answered as before and
// changes nothing: no connection is replaced, no compat name refused.
func TestRejoinWhereNothingMoved(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	a, ap := f.agent("a", 1)
	c, cp, conv := seatCustomer(t, f, "c")
	w, wp := f.customer("w")
	f.send(f.dispatcher, &RequestAgent{Customer: w.ID})
	waitFor[*Queued](t, wp, nil)

	if adm, ok := f.ask(&AgentConnect{Agent: a, Capacity: 1, Conn: ap.id, Pool: PoolNative, Rejoin: true, Status: StatusAvailable, Convs: []ConvID{conv}}).(*AgentAdmitted); !ok || len(adm.Convs) != 1 || adm.Convs[0] != conv {
		t.Fatalf("agent's rejoin answered %#v, want its conversation %s", adm, conv)
	}
	if adm, ok := f.ask(&CustomerConnect{Customer: c, Conn: cp.id, Pool: PoolNative, Rejoin: true}).(*CustomerAdmitted); !ok || adm.Conv != conv {
		t.Fatalf("customer's rejoin answered %#v, want its conversation %s", adm, conv)
	}
	if adm, ok := f.ask(&CustomerConnect{Customer: w, Conn: wp.id, Pool: PoolNative, Rejoin: true}).(*CustomerAdmitted); !ok || !adm.Queued || adm.Position != 1 {
		t.Fatalf("waiting customer's rejoin answered %#v, want queued first", adm)
	}
	f.waitStats("nothing changed", func(s Stats) bool {
		return s.AgentsOnline == 1 && s.Customers == 2 && s.Serving == 1 && s.Queued == 1 && s.FreeAgents == 0
	})
	// Anything the dispatcher sent them is ahead of this mark.
	for _, p := range []*probe{ap, cp, wp} {
		f.send(p.pid, &Pong{})
		for {
			m := waitFor[any](t, p, nil)
			if _, ok := m.(*Kick); ok {
				t.Fatalf("%s kicked: %+v", p.id, m)
			}
			if _, ok := m.(*Pong); ok {
				break
			}
		}
	}

	t.Run("CompatAgent", func(t *testing.T) {
		compat := f.dir.PID(KindDispatcher, DispatcherID(PoolCompat))
		p := f.probe()
		agent := Party{Role: RoleAgent, ID: ids.Compat + "x", Name: "x"}
		for _, rejoin := range []bool{false, true} {
			res, err := f.system.Root.RequestFuture(compat, &AgentConnect{Agent: agent, Conn: p.id, Pool: PoolCompat, Rejoin: rejoin}, testWait).Result()
			if _, ok := res.(*AgentAdmitted); err != nil || !ok {
				t.Fatalf("compat agent (rejoin %v) answered %#v, %v; want admitted", rejoin, res, err)
			}
		}
	})
}

// TestDispatcherMovedAgentAway: an agent who chose away before the
// dispatcher moved is away after it too (its rejoin says so; the store
// knows no status), so the customer waiting is not given to it, and no
// new state is sent to its tab; once it is back, the customer is served.
func TestDispatcherMovedAgentAway(t *testing.T) {
	st := openSQLite(t)
	f, dir, cfg := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	auth := anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 2}
	agent := hello(t, f, dir, auth, RoleAgent, "a")
	served := hello(t, f, dir, auth, RoleCustomer, "c1")
	served.command("request", &CmdRequest{})
	conv := served.next(func(m any) bool { _, ok := m.(*ConvOpened); return ok }).(*ConvOpened).Conv
	agent.next(isOpened(conv))
	served.post(conv, "before", "m1") // acknowledged once stored, after the record
	served.next(isAck("m1"))
	agent.command("away", &CmdStatus{Status: StatusAway})
	agent.next(func(m any) bool { s, ok := m.(*AgentState); return ok && s.Status == StatusAway })
	waiting := hello(t, f, dir, auth, RoleCustomer, "w1")
	waiting.command("request", &CmdRequest{})
	waiting.next(isQueued(1))

	moveDispatcher(t, f, st, cfg)

	f.waitStats("everyone back", func(s Stats) bool { return s.AgentsOnline == 1 && s.Customers == 2 })
	if s := f.stats(); s.Queued != 1 || s.FreeAgents != 0 {
		t.Fatalf("after the move %+v, want the customer still waiting for an agent who is away", s)
	}
	agent.flush()
	if got := count[*AgentState](agent); got != 1 {
		t.Fatalf("tab sent %d states, want only the one it asked for", got)
	}
	agent.command("back", &CmdStatus{Status: StatusAvailable})
	waiting.next(func(m any) bool { _, ok := m.(*ConvOpened); return ok })
}

// TestDispatcherMovedNewTab: a conversation that never stopped while its
// dispatcher moved takes the agent actor the new dispatcher made for its
// agent (its start again, from the restore), so a tab the agent opens
// after the move hears its messages too, and the tab from before hears
// each once.
func TestDispatcherMovedNewTab(t *testing.T) {
	st := openSQLite(t)
	f, dir, cfg := newClusterFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	auth := anyone{agent: Party{Role: RoleAgent, ID: ids.Agent + "a", Name: "a"}, capacity: 2}
	agent := hello(t, f, dir, auth, RoleAgent, "a")
	c, conv := seatWith(t, f, dir, auth, agent, "c1")
	c.post(conv, "m1", "m1") // acknowledged once stored, after the record
	c.next(isAck("m1"))
	agent.next(isMsg(conv, 1))

	moveDispatcher(t, f, st, cfg)

	f.waitStats("everyone back", func(s Stats) bool { return s.AgentsOnline == 1 && s.Customers == 1 && s.Serving == 1 })
	tab := hello(t, f, dir, auth, RoleAgent, "a")
	tab.next(isOpened(conv))
	for i, cid := range []string{"m2", "m3"} {
		c.post(conv, cid, cid)
		c.next(isAck(cid))
		tab.next(isMsg(conv, uint64(i+2)))
		agent.next(isMsg(conv, uint64(i+2)))
	}
	agent.flush()
	if got, want := agent.messages(conv), []uint64{1, 2, 3}; !slices.Equal(got, want) {
		t.Fatalf("first tab got %v, want %v", got, want)
	}
}
