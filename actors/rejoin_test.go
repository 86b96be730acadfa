package actors

import (
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
		c := hello(t, f, dir, auth, RoleCustomer, name)
		c.command("request", &CmdRequest{})
		conv := c.next(func(m any) bool { _, ok := m.(*ConvOpened); return ok }).(*ConvOpened).Conv
		agent.next(isOpened(conv))
		convs, served = append(convs, conv), append(served, c)
	}
	served[0].post(convs[0], "before", "m1")
	served[0].next(isAck("m1"))
	agent.next(isMsg(convs[0], 1))
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
