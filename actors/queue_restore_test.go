package actors

import (
	"testing"
	"time"

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
	return store.Waiter{CustomerID: PrefixCustomer + name, CustomerName: name, Ticket: ticket, QueuedAt: queuedAt}
}

// TestRestoredWaitersKeepTheirPlace: waiters come back behind the restored
// queued conversations (which were at the head), in ticket order, ahead of
// anyone new; a customer back within grace gets its old position; a new
// arrival takes a ticket above theirs; an agent serves them in that order.
func TestRestoredWaitersKeepTheirPlace(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	queuedAt := time.Now().Add(-time.Minute)
	sentBack := store.Conversation{ID: "cv_x", CustomerID: PrefixCustomer + "x", CustomerName: "x", Ticket: 9, StartedAt: queuedAt}
	restoreWaiters(f, []store.Conversation{sentBack}, waiter("a", 3, queuedAt), waiter("b", 5, queuedAt.Add(time.Second)))
	f.waitStats("restored queue", func(s Stats) bool { return s.Queued == 3 && s.Customers == 0 })
	if got := f.stats().OldestQueued; got.IsZero() {
		t.Fatal("no oldest wait with three restored")
	}

	for _, tc := range []struct {
		name string
		pos  int
	}{{"b", 3}, {"a", 2}} {
		p := f.probe()
		c := Party{Role: RoleCustomer, ID: PrefixCustomer + tc.name, Name: tc.name}
		adm, ok := f.ask(&CustomerConnect{Customer: c, Conn: p.id, Pool: PoolNative}).(*CustomerAdmitted)
		if !ok || !adm.Queued || adm.Position != tc.pos || adm.Conv != "" {
			t.Fatalf("%s admitted=%#v, want queued at %d without a conversation", tc.name, adm, tc.pos)
		}
	}
	late, _ := f.customer("late")
	f.send(f.dispatcher, &RequestAgent{Customer: late.ID})
	if ev := f.event(RoutingQueued); ev.Customer != late.ID || ev.Ticket != 10 {
		t.Fatalf("new arrival %+v, want %s with ticket 10", ev, late.ID)
	}

	f.agent("ag", 4)
	for _, want := range []struct {
		customer string
		ticket   uint64
	}{{"x", 9}, {"a", 3}, {"b", 5}, {"late", 10}} {
		ev := f.event(RoutingAssigned)
		if ev.Customer != PrefixCustomer+want.customer || ev.Ticket != want.ticket {
			t.Fatalf("assigned %s ticket %d, want %s ticket %d", ev.Customer, ev.Ticket, want.customer, want.ticket)
		}
		if want.customer == "a" && ev.Waited < time.Minute {
			t.Fatalf("a waited %v, want its wait to count from before the restart", ev.Waited)
		}
	}
}

// TestRestoredWaiterGoneAfterGrace: a waiter who does not come back leaves
// the queue when its grace expires, as any customer whose connection
// dropped, and the leave is published (and so stored).
func TestRestoredWaiterGoneAfterGrace(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: 50 * time.Millisecond})
	restoreWaiters(f, nil, waiter("a", 3, time.Now()))
	ev := f.event(RoutingLeftQueue)
	if ev.Customer != PrefixCustomer+"a" || ev.Ticket != 3 || ev.Conv != "" {
		t.Fatalf("left %+v, want customer a ticket 3", ev)
	}
	f.waitStats("queue empty", func(s Stats) bool { return s.Queued == 0 })
	// Coming back after that, the customer is idle: it must request again.
	p := f.probe()
	adm := f.ask(&CustomerConnect{Customer: Party{Role: RoleCustomer, ID: PrefixCustomer + "a", Name: "a"}, Conn: p.id, Pool: PoolNative}).(*CustomerAdmitted)
	if adm.Queued || adm.Conv != "" {
		t.Fatalf("admitted=%#v, want idle", adm)
	}
}

// TestRestoredWaiterAssignedWhileAway: like a restored queued conversation,
// a restored waiter keeps its place while away, so an agent may take it
// before it is back; the conversation carries the stored name, or the one
// the customer brings when the stored events had none.
func TestRestoredWaiterAssignedWhileAway(t *testing.T) {
	f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	nameless := waiter("b", 4, time.Now())
	nameless.CustomerName = ""
	restoreWaiters(f, nil, waiter("a", 3, time.Now()), nameless)
	f.waitStats("restored", func(s Stats) bool { return s.Queued == 2 })
	bp := f.probe()
	f.ask(&CustomerConnect{Customer: Party{Role: RoleCustomer, ID: PrefixCustomer + "b", Name: "Bea"}, Conn: bp.id, Pool: PoolNative})

	_, ap := f.agent("ag", 2)
	for _, want := range []string{"a", "b"} {
		if ev := f.event(RoutingAssigned); ev.Customer != PrefixCustomer+want {
			t.Fatalf("assigned %+v, want %s", ev, want)
		}
	}
	// Each conversation tells the agent itself: in either order.
	names := map[string]bool{}
	for range 2 {
		got := waitFor[*ConvOpened](t, ap, nil)
		if got.Why != WhyAssigned {
			t.Fatalf("agent got %+v, want a new conversation", got)
		}
		names[got.Customer.Name] = true
	}
	if !names["a"] || !names["Bea"] {
		t.Fatalf("agent's conversations are with %v, want a and Bea", names)
	}
	if got := waitFor[*ConvOpened](t, bp, nil); got.Customer.Name != "Bea" {
		t.Fatalf("Bea got %+v", got)
	}
}
