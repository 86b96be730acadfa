package actors

import (
	"fmt"
	"testing"
	"time"
)

// seatCustomer connects a customer, asks for an agent and waits until it
// has a conversation.
func seatCustomer(t *testing.T, f *fixture, name string) (Party, *probe, ConvID) {
	t.Helper()
	c, p := f.customer(name)
	f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
	return c, p, waitFor[*ConvOpened](t, p, nil).Conv
}

func TestAgentBackWithinGrace(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	a, ap := f.agent("a", 2)
	c, cp, conv := seatCustomer(t, f, "c")
	f.send(f.dir.PID(KindConv, string(conv)), &Post{From: c, Conn: cp.id, Text: "hello?"})
	waitFor[*ConvMessage](t, ap, nil)

	f.system.Root.Stop(ap.pid) // the agent's network drops
	f.waitStats("agent not free while away", func(s Stats) bool { return s.FreeAgents == 0 && s.Agents == 1 })

	back := f.probe()
	adm, ok := f.ask(&AgentConnect{Agent: a, Capacity: 2, Conn: back.id, Pool: PoolNative}).(*AgentAdmitted)
	if !ok || len(adm.Convs) != 1 || adm.Convs[0] != conv {
		t.Fatalf("admitted=%#v, want the open conversation %s", adm, conv)
	}
	// The conversation carries on with the new connection.
	f.send(f.dir.PID(KindConv, string(conv)), &Post{From: c, Conn: cp.id, Text: "still there?"})
	if got := waitFor[*ConvMessage](t, back, nil); got.Text != "still there?" || got.Seq != 2 {
		t.Fatalf("agent got %+v, want seq 2 'still there?'", got)
	}
	select {
	case ev := <-f.events:
		if ev.Kind == RoutingRequeued {
			t.Fatalf("requeued within grace: %+v", ev)
		}
	default:
	}
}

func TestAgentGoneRequeuesAtHeadInOrder(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: 50 * time.Millisecond, CustomerGrace: time.Minute})
	_, ap := f.agent("a", 3)
	var seated []Party
	var convs []ConvID
	var probes []*probe
	for i := range 3 {
		c, p, conv := seatCustomer(t, f, fmt.Sprintf("c%d", i))
		seated, convs, probes = append(seated, c), append(convs, conv), append(probes, p)
	}
	late, lp := f.customer("late") // already waiting when the agent vanishes
	f.send(f.dispatcher, &RequestAgent{Customer: late.ID})
	waitFor[*Queued](t, lp, nil)

	f.system.Root.Stop(ap.pid)
	for i, p := range probes {
		if got := waitFor[*Requeued](t, p, nil); got.Conv != convs[i] || got.Reason != ReasonAgentLost {
			t.Fatalf("customer %d got %+v, want requeued %s agent_lost", i, got, convs[i])
		}
		if got, want := waitFor[*Queued](t, p, nil).Position, i+1; got != want {
			t.Fatalf("customer %d at position %d, want %d", i, got, want)
		}
	}
	if got, want := waitFor[*Queued](t, lp, func(q *Queued) bool { return q.Position != 1 }).Position, 4; got != want {
		t.Fatalf("the customer already waiting is at %d, want %d (behind the re-queued)", got, want)
	}

	for range 3 { // (and skip past the first assignments in the log)
		f.event(RoutingRequeued)
	}
	// A new agent takes them in their original order, each keeping its
	// conversation; the customer who was waiting already comes after.
	_, bp := f.agent("b", 4)
	for i := range 3 {
		ev := f.event(RoutingAssigned)
		if ev.Conv != convs[i] || ev.Customer != seated[i].ID {
			t.Fatalf("assignment %d is %s of %s, want %s of %s", i, ev.Conv, ev.Customer, convs[i], seated[i].ID)
		}
	}
	if got := f.event(RoutingAssigned).Customer; got != late.ID {
		t.Fatalf("fourth assignment is %s's, want %s's", got, late.ID)
	}
	for range 4 {
		if opened := waitFor[*ConvOpened](t, bp, nil); opened.Agent.Name != "b" {
			t.Fatalf("new agent got %+v", opened)
		}
	}
}

func TestCustomerGrace(t *testing.T) {
	t.Run("QueuePlaceKeptWithinGrace", func(t *testing.T) {
		f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
		c, p := f.customer("c")
		f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
		waitFor[*Queued](t, p, nil)
		f.system.Root.Stop(p.pid)
		back := f.probe()
		adm := f.ask(&CustomerConnect{Customer: c, Conn: back.id, Pool: PoolNative}).(*CustomerAdmitted)
		if !adm.Queued || adm.Position != 1 {
			t.Fatalf("resumed=%+v, want queued at 1", adm)
		}
	})
	t.Run("QueuePlaceLostPastGrace", func(t *testing.T) {
		f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: 20 * time.Millisecond})
		c, p := f.customer("c")
		f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
		waitFor[*Queued](t, p, nil)
		f.system.Root.Stop(p.pid)
		if ev := f.event(RoutingLeftQueue); ev.Customer != c.ID {
			t.Fatalf("left queue: %+v, want %s", ev, c.ID)
		}
		f.waitStats("queue empty", func(s Stats) bool { return s.Queued == 0 })
	})
	t.Run("ConversationEndsPastGrace", func(t *testing.T) {
		f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: 20 * time.Millisecond})
		_, ap := f.agent("a", 1)
		_, cp, conv := seatCustomer(t, f, "c")
		f.system.Root.Stop(cp.pid)
		if got := waitFor[*ConvClosed](t, ap, nil); got.Conv != conv || got.Reason != ReasonCustomerLeft {
			t.Fatalf("agent got %+v, want %s customer_left", got, conv)
		}
		f.waitStats("agent free", func(s Stats) bool { return s.FreeAgents == 1 && s.Conversations == 0 })
	})
}

func TestTransfer(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	a, ap := f.agent("a", 1)
	c, cp, conv := seatCustomer(t, f, "c")
	b, bp := f.agent("b", 1)
	f.send(f.dir.PID(KindConv, string(conv)), &Post{From: c, Conn: cp.id, Text: "help"})
	waitFor[*ConvMessage](t, ap, nil) // stored and delivered

	t.Run("ErrNotYours", func(t *testing.T) {
		if fe, ok := f.ask(&TransferConv{Conv: conv, By: b.ID, To: a.ID}).(*FrameError); !ok || fe.Code != ErrCodeForbidden {
			t.Fatalf("transfer by a stranger=%#v, want forbidden", fe)
		}
	})
	t.Run("ToAgent", func(t *testing.T) {
		f.send(f.dispatcher, &TransferConv{Conv: conv, By: a.ID, To: b.ID, Note: "refund checked"})
		if got := waitFor[*ConvClosed](t, ap, nil); got.Reason != ReasonTransferred {
			t.Fatalf("old agent got %+v, want transferred", got)
		}
		opened := waitFor[*ConvOpened](t, bp, nil)
		if opened.Why != WhyTransferred || len(opened.History) != 1 || opened.History[0].Text != "help" {
			t.Fatalf("new agent got %+v, want the history", opened)
		}
		// Who handed it on is the dispatcher's record of a, named as a's
		// account is.
		if got := opened.Handoffs; len(got) != 1 || got[0].By != a || got[0].To != b || got[0].Note != "refund checked" || got[0].At.IsZero() {
			t.Fatalf("new agent's hand-offs=%+v, want a to b with the note", got)
		}
		if got := waitFor[*AgentChanged](t, cp, nil).Agent.ID; got != b.ID {
			t.Fatalf("customer told agent %s, want %s", got, b.ID)
		}
		// The note is for agents: a customer's sync never carries it.
		f.send(f.dir.PID(KindConv, string(conv)), &Sync{Conn: cp.id, Party: c})
		if got := waitFor[*ConvOpened](t, cp, nil); got.Why != WhySync || got.Handoffs != nil {
			t.Fatalf("customer's sync=%+v, want no hand-offs", got)
		}
	})
	t.Run("ErrTargetFull", func(t *testing.T) {
		_, _, _ = seatCustomer(t, f, "c2") // a takes the next customer
		if fe, ok := f.ask(&TransferConv{Conv: conv, By: b.ID, To: a.ID}).(*FrameError); !ok || fe.Code != ErrCodeUnavailable {
			t.Fatalf("transfer to a full agent=%#v, want agent_unavailable", fe)
		}
	})
	t.Run("ToQueue", func(t *testing.T) {
		f.send(f.dispatcher, &TransferConv{Conv: conv, By: b.ID})
		if got := waitFor[*Requeued](t, cp, nil); got.Reason != ReasonRequeued {
			t.Fatalf("customer got %+v, want requeued", got)
		}
		// b is free again and the head of the queue is this very
		// conversation: it comes straight back, history and all.
		opened := waitFor[*ConvOpened](t, bp, func(o *ConvOpened) bool { return o.Why == WhyAssigned })
		if opened.Conv != conv || len(opened.History) != 1 {
			t.Fatalf("reassigned %+v, want %s with its history", opened, conv)
		}
		// Both hand-offs, oldest first; the trip to the queue names no one
		// it went to.
		if got := opened.Handoffs; len(got) != 2 || got[0].By != a || got[1].By != b || got[1].To != (Party{}) || got[1].Note != "" {
			t.Fatalf("hand-offs=%+v, want a's transfer then b's trip to the queue", got)
		}
	})
}
