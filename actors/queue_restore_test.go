package actors

import (
	"testing"
	"time"

	"kefu/internal/ids"
	"kefu/store"
)

// restoreWaiters sends the dispatcher a Restore of these waiters and
// conversations, as the server does at start.
func restoreWaiters(f *fixture, convs []store.Conversation, waiters ...store.Waiter) {
	var ticket uint64
	for _, c := range convs {
		ticket = max(ticket, c.Ticket)
	}
	for _, w := range waiters {
		ticket = max(ticket, w.Ticket)
	}
	f.send(f.dispatcher, &Restore{Convs: convs, Waiting: waiters, Ticket: ticket})
}

func waiter(name string, ticket uint64, queuedAt time.Time) store.Waiter {
	return store.Waiter{CustomerID: ids.Customer + name, CustomerName: name, Ticket: ticket, QueuedAt: queuedAt}
}

// TestRestoredWaitersKeepTheirPlace: waiters come back behind the restored
// queued conversations (which were at the head), in ticket order, ahead of
// anyone new; a customer back within grace is told its position among
// those present, and those behind it move back; a new arrival takes a
// ticket above theirs; an agent serves those present in that order, and
// one who comes back later as it comes back.
func TestRestoredWaitersKeepTheirPlace(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	queuedAt := time.Now().Add(-time.Minute)
	sentBack := store.Conversation{ID: "cv_x", CustomerID: ids.Customer + "x", CustomerName: "x", Ticket: 9, StartedAt: queuedAt}
	restoreWaiters(f, []store.Conversation{sentBack}, waiter("a", 3, queuedAt), waiter("b", 5, queuedAt.Add(time.Second)))
	f.waitStats("restored queue", func(s Stats) bool { return s.Queued == 3 && s.Customers == 0 })
	if got := f.stats().OldestQueued; got.IsZero() {
		t.Fatal("no oldest wait with three restored")
	}

	back := func(name string) (*probe, *CustomerAdmitted) {
		t.Helper()
		p := f.probe()
		c := Party{Role: RoleCustomer, ID: ids.Customer + name, Name: name}
		adm, ok := f.ask(&CustomerConnect{Customer: c, Conn: p.id, Pool: PoolNative}).(*CustomerAdmitted)
		if !ok || !adm.Queued {
			t.Fatalf("%s admitted=%#v, want queued", name, adm)
		}
		return p, adm
	}
	bp, adm := back("b")
	if adm.Position != 1 || adm.Conv != "" {
		t.Fatalf("b admitted=%#v, want queued at 1 (x and a are away) without a conversation", adm)
	}
	if _, adm = back("a"); adm.Position != 1 || adm.Conv != "" {
		t.Fatalf("a admitted=%#v, want queued at 1, ahead of b", adm)
	}
	waitFor(t, bp, func(q *Queued) bool { return q.Position == 2 })
	late, _ := f.customer("late")
	f.send(f.dispatcher, &RequestAgent{Customer: late.ID})
	if ev := f.event(RoutingQueued); ev.Customer != late.ID || ev.Ticket != 10 {
		t.Fatalf("new arrival %+v, want %s with ticket 10", ev, late.ID)
	}

	f.agent("ag", 4)
	assigned := func(customer string, ticket uint64) *RoutingEvent {
		t.Helper()
		ev := f.event(RoutingAssigned)
		if ev.Customer != ids.Customer+customer || ev.Ticket != ticket {
			t.Fatalf("assigned %s ticket %d, want %s ticket %d", ev.Customer, ev.Ticket, customer, ticket)
		}
		return ev
	}
	if ev := assigned("a", 3); ev.Waited < time.Minute {
		t.Fatalf("a waited %v, want its wait to count from before the restart", ev.Waited)
	}
	assigned("b", 5)
	assigned("late", 10)
	// x was passed over while away, and is served as it comes back.
	if _, adm = back("x"); adm.Position != 1 || adm.Conv != "cv_x" {
		t.Fatalf("x admitted=%#v, want queued at 1 with its conversation", adm)
	}
	assigned("x", 9)
}

// TestRestoredWaiterGoneAfterGrace: a waiter who does not come back leaves
// the queue when its grace expires, as any customer whose connection
// dropped, and the leave is published (and so stored).
func TestRestoredWaiterGoneAfterGrace(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: 50 * time.Millisecond})
	restoreWaiters(f, nil, waiter("a", 3, time.Now()))
	ev := f.event(RoutingLeftQueue)
	if ev.Customer != ids.Customer+"a" || ev.Ticket != 3 || ev.Conv != "" {
		t.Fatalf("left %+v, want customer a ticket 3", ev)
	}
	f.waitStats("queue empty", func(s Stats) bool { return s.Queued == 0 })
	// Coming back after that, the customer is idle: it must request again.
	p := f.probe()
	adm := f.ask(&CustomerConnect{Customer: Party{Role: RoleCustomer, ID: ids.Customer + "a", Name: "a"}, Conn: p.id, Pool: PoolNative}).(*CustomerAdmitted)
	if adm.Queued || adm.Conv != "" {
		t.Fatalf("admitted=%#v, want idle", adm)
	}
}

// TestRestoredWaiterServedWhenBack: a restored waiter keeps its place
// while away but no agent takes it then: the customer present behind it
// is served first, and it is served as it comes back. The conversation
// carries the stored name, or the one the customer brings when the stored
// events had none.
func TestRestoredWaiterServedWhenBack(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	nameless := waiter("b", 4, time.Now())
	nameless.CustomerName = ""
	restoreWaiters(f, nil, waiter("a", 3, time.Now()), nameless)
	f.waitStats("restored", func(s Stats) bool { return s.Queued == 2 })
	bp := f.probe()
	f.ask(&CustomerConnect{Customer: Party{Role: RoleCustomer, ID: ids.Customer + "b", Name: "Bea"}, Conn: bp.id, Pool: PoolNative})

	_, ap := f.agent("ag", 2)
	if ev := f.event(RoutingAssigned); ev.Customer != ids.Customer+"b" {
		t.Fatalf("assigned %+v, want b: a is away", ev)
	}
	if got := waitFor[*ConvOpened](t, ap, nil); got.Why != WhyAssigned || got.Customer.Name != "Bea" {
		t.Fatalf("agent got %+v, want a new conversation with Bea", got)
	}
	if got := waitFor[*ConvOpened](t, bp, nil); got.Customer.Name != "Bea" {
		t.Fatalf("Bea got %+v", got)
	}
	if got := f.stats(); got.Queued != 1 || got.FreeAgents != 1 {
		t.Fatalf("stats %+v, want a still queued and the agent free for one more", got)
	}

	back := f.probe()
	f.ask(&CustomerConnect{Customer: Party{Role: RoleCustomer, ID: ids.Customer + "a", Name: "a"}, Conn: back.id, Pool: PoolNative})
	if ev := f.event(RoutingAssigned); ev.Customer != ids.Customer+"a" {
		t.Fatalf("assigned %+v, want a, back", ev)
	}
	if got := waitFor[*ConvOpened](t, ap, nil); got.Why != WhyAssigned || got.Customer.Name != "a" {
		t.Fatalf("agent got %+v, want a new conversation with a", got)
	}
}

// TestRestoreStoresALostAssignment: a dispatcher that moved after starting
// a conversation but before its "assigned" event was stored leaves the
// conversation open and its customer still queued with the same ticket.
// The restore takes the conversation as the customer's place and writes
// the assignment, dated when the conversation started; a waiter whose open
// conversation has another ticket gets none (nothing shows it was served).
func TestRestoreStoresALostAssignment(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	queuedAt := time.Now().Add(-time.Minute)
	started := queuedAt.Add(20 * time.Second)
	agent := ids.Agent + "x"
	served := store.Conversation{ID: "cv_a", CustomerID: ids.Customer + "a", CustomerName: "a", AgentID: agent, AgentName: "x", Ticket: 3, StartedAt: started}
	older := store.Conversation{ID: "cv_b", CustomerID: ids.Customer + "b", CustomerName: "b", AgentID: agent, AgentName: "x", Ticket: 2, StartedAt: queuedAt}
	restoreWaiters(f, []store.Conversation{older, served}, waiter("a", 3, queuedAt), waiter("b", 4, queuedAt))
	f.stats() // the restore is done, and its events published
	var got []*RoutingEvent
	for len(f.events) > 0 {
		if ev := <-f.events; ev.Kind == RoutingAssigned {
			got = append(got, ev)
		}
	}
	if len(got) != 1 {
		t.Fatalf("assigned events %+v, want one, for a", got)
	}
	ev := got[0]
	if ev.Customer != ids.Customer+"a" || ev.Conv != "cv_a" || ev.Ticket != 3 || ev.Agent != agent || !ev.At.Equal(started) || ev.Waited != 20*time.Second {
		t.Fatalf("assigned %+v, want a's cv_a ticket 3 with agent %s at %v after 20s", ev, agent, started)
	}
}
