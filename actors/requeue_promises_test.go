package actors

import (
	"testing"
	"time"

	"kefu/store"
)

// Issue #13, item 4: what a mass re-queue does to the promises the queue
// makes. The oldest wait counts from when each customer first asked, over
// everyone waiting; a customer whose position grows is told why.

// TestOldestWait: the supervisor's oldest wait is the longest any waiting
// customer has waited since first asking for an agent, whoever is at the
// head of the queue.
func TestOldestWait(t *testing.T) {
	t.Run("FromFirstAsk", func(t *testing.T) {
		clock := newFakeClock()
		f := newFixture(t, DispatcherConfig{Now: clock.now, AgentGrace: time.Minute, CustomerGrace: time.Minute})
		asked := clock.now()
		ann, _ := f.agent("Ann", 1)
		seatCustomer(t, f, "c1")
		clock.advance(30 * time.Second)

		// Ann's account goes: c1 is back at the head of the queue, and has
		// waited since it first asked, 30 s ago, not since the re-queue.
		f.send(f.dispatcher, &RemoveAgent{Agent: ann.ID})
		f.waitStats("c1 re-queued", func(s Stats) bool { return s.Queued == 1 })
		if got, want := f.stats().OldestQueued, asked; !got.Equal(want) {
			t.Fatalf("oldest queued=%v, want %v (when c1 first asked)", got, want)
		}
	})

	t.Run("OverEveryone", func(t *testing.T) {
		clock := newFakeClock()
		f := newFixture(t, DispatcherConfig{Now: clock.now, AgentGrace: time.Minute, CustomerGrace: time.Minute})
		first := clock.now()
		w1, wp := f.customer("w1")
		f.send(f.dispatcher, &RequestAgent{Customer: w1.ID})
		waitFor[*Queued](t, wp, nil)
		// w1 drops: it keeps its place but is passed over while away.
		f.system.Root.Stop(wp.pid)
		f.waitStats("w1 away", func(s Stats) bool { return s.Customers == 0 })

		clock.advance(90 * time.Second)
		ann, _ := f.agent("Ann", 1)
		seatCustomer(t, f, "c1") // asked after w1, served while w1 is away
		clock.advance(38 * time.Second)
		f.send(f.dispatcher, &RemoveAgent{Agent: ann.ID})
		f.waitStats("c1 re-queued ahead of w1", func(s Stats) bool { return s.Queued == 2 })

		// c1 is at the head, having asked 38 s ago; w1 asked 2 min 8 s ago.
		if got, want := f.stats().OldestQueued, first; !got.Equal(want) {
			t.Fatalf("oldest queued=%v, want %v (w1, behind the head, waited longest)", got, want)
		}
	})
}

// TestQueuedSaysWhyItMovedBack: a queued frame whose position is further
// back than the last one the customer was told says why, once; one that
// moves forward, or the first, says nothing.
func TestQueuedSaysWhyItMovedBack(t *testing.T) {
	t.Run("Requeued", func(t *testing.T) {
		f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
		ann, _ := f.agent("Ann", 2)
		_, p1, _ := seatCustomer(t, f, "c1")
		_, p2, _ := seatCustomer(t, f, "c2")
		w, wp := f.customer("w")
		f.send(f.dispatcher, &RequestAgent{Customer: w.ID})
		if q := waitFor[*Queued](t, wp, nil); q.Position != 1 || q.Moved != "" {
			t.Fatalf("first queued=%+v, want position 1 and no reason", q)
		}

		f.send(f.dispatcher, &RemoveAgent{Agent: ann.ID})
		for i, p := range []*probe{p1, p2} {
			waitFor[*Requeued](t, p, nil)
			if q := waitFor[*Queued](t, p, nil); q.Position != i+1 || q.Moved != "" {
				t.Fatalf("re-queued customer %d got %+v, want position %d and no reason (its first in this wait)", i+1, q, i+1)
			}
		}
		q := waitFor[*Queued](t, wp, nil)
		if got, want := *q, (Queued{Position: 3, ETA: -1, Moved: MovedRequeuedAhead, Team: store.GeneralTeamID}); got != want {
			t.Fatalf("w got %+v, want %+v", got, want)
		}

		// An agent takes c1: w moves up, and that needs no reason.
		f.agent("Bob", 1)
		if q := waitFor[*Queued](t, wp, func(q *Queued) bool { return q.Position == 2 }); q.Moved != "" {
			t.Fatalf("moving up: %+v, want no reason", q)
		}
	})

	t.Run("Returned", func(t *testing.T) {
		f := newFixture(t, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
		first, fp := f.customer("first")
		f.send(f.dispatcher, &RequestAgent{Customer: first.ID})
		waitFor[*Queued](t, fp, nil)
		second, sp := f.customer("second")
		f.send(f.dispatcher, &RequestAgent{Customer: second.ID})
		waitFor[*Queued](t, sp, func(q *Queued) bool { return q.Position == 2 })

		// first drops (second moves up), then comes back to its place.
		f.system.Root.Stop(fp.pid)
		if q := waitFor[*Queued](t, sp, nil); q.Position != 1 || q.Moved != "" {
			t.Fatalf("moving up: %+v, want position 1 and no reason", q)
		}
		back := f.probe()
		if _, ok := f.ask(&CustomerConnect{Customer: first, Conn: back.id, Pool: PoolNative}).(*CustomerAdmitted); !ok {
			t.Fatal("first not admitted again")
		}
		q := waitFor[*Queued](t, sp, nil)
		if got, want := *q, (Queued{Position: 2, ETA: -1, Moved: MovedReturnedAhead, Team: store.GeneralTeamID}); got != want {
			t.Fatalf("second got %+v, want %+v", got, want)
		}
	})
}
