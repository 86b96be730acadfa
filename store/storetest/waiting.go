package storetest

import (
	"context"
	"slices"
	"testing"

	"kefu/store"
)

// testWaitingCustomers: the customers still waiting without a conversation
// are found from the routing events, in ticket order, and nobody whose wait
// was resolved (left, served, queued again) or began before the bound.
func testWaitingCustomers(t *testing.T, open Opener) {
	ctx := context.Background()
	queued := func(cust, name string, ticket uint64, ms int) store.RoutingEvent {
		return store.RoutingEvent{Kind: "queued", Customer: cust, CustomerName: name, Ticket: ticket, At: at(ms)}
	}
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		if got, err := st.WaitingCustomers(ctx, at(0)); err != nil || len(got) != 0 {
			t.Fatalf("empty store: WaitingCustomers=%+v, %v; want none", got, err)
		}
		mustApply(t, st, &store.Batch{Routing: []store.RoutingEvent{
			queued("cu_old", "Old", 1, 0), // before the bound: not restored
			queued("cu_c", "Carol", 7, 12),
			queued("cu_a", "Ann", 5, 10),
			queued("cu_left", "Left", 6, 11),
			{Kind: "left_queue", Customer: "cu_left", Ticket: 6, At: at(13)},
			queued("cu_served", "Served", 8, 14),
			{Kind: "assigned", Customer: "cu_served", Agent: "ag_x", Conv: "c1", Ticket: 8, At: at(14)}, // same millisecond: applied after
			queued("cu_b", "Bob", 9, 15),
			// Queued again after a wait that was never resolved: the
			// newer ticket is its place.
			queued("cu_again", "Again", 3, 5),
			queued("cu_again", "Again", 10, 16),
			// A conversation sent back to the queue is restored as a
			// conversation, not a waiter.
			{Kind: "requeued", Customer: "cu_conv", Conv: "c2", Ticket: 4, At: at(17)},
		}})
		got, err := st.WaitingCustomers(ctx, at(2))
		if err != nil {
			t.Fatal(err)
		}
		want := []store.Waiter{
			{CustomerID: "cu_a", CustomerName: "Ann", Ticket: 5, QueuedAt: at(10), Team: store.GeneralTeamID},
			{CustomerID: "cu_c", CustomerName: "Carol", Ticket: 7, QueuedAt: at(12), Team: store.GeneralTeamID},
			{CustomerID: "cu_b", CustomerName: "Bob", Ticket: 9, QueuedAt: at(15), Team: store.GeneralTeamID},
			{CustomerID: "cu_again", CustomerName: "Again", Ticket: 10, QueuedAt: at(16), Team: store.GeneralTeamID},
		}
		if !slices.Equal(got, want) {
			t.Fatalf("WaitingCustomers=%+v\nwant %+v", got, want)
		}
		// The bound is inclusive, and a later one leaves out earlier waits.
		got, err = st.WaitingCustomers(ctx, at(15))
		if err != nil || !slices.Equal(got, want[2:]) {
			t.Fatalf("WaitingCustomers(since 15)=%+v, %v; want %+v", got, err, want[2:])
		}
	})
	t.Run("LeftAfterRestore", func(t *testing.T) {
		// A waiter restored once who then left (its grace expired) is not
		// restored again.
		st := open(t)
		mustApply(t, st, &store.Batch{Routing: []store.RoutingEvent{queued("cu_a", "Ann", 1, 0)}})
		mustApply(t, st, &store.Batch{Routing: []store.RoutingEvent{{Kind: "left_queue", Customer: "cu_a", Ticket: 1, At: at(30)}}})
		if got, err := st.WaitingCustomers(ctx, at(0)); err != nil || len(got) != 0 {
			t.Fatalf("WaitingCustomers=%+v, %v; want none", got, err)
		}
	})
}
