package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// This file holds a dispatcher's settling after it took over on a cluster.
// A dispatcher activated on a new node restores the queue from the store,
// but the waiting customers' connections, still open on other nodes, come
// back one by one (Rejoin) over the next moments. Until one is back it is
// "away", and assigning then would serve whoever rejoined first, out of
// queue order. So, after a restore where actors move, assignment waits
// until every restored waiter is back or restoreSettle has passed; one
// still away then is passed over as any away customer is.

// restoreSettle bounds that wait: rejoins come within a few hundred
// milliseconds of the takeover (they follow the Terminated of the old
// activation), but one lost on its way (the dispatcher moving twice in a
// few seconds, as in a rolling restart) comes again only a second later
// (rejoinAnswerWait), and a rolling restart passed over a connected
// customer whose rejoin came 3.3 s after the restore. A customer not back
// after it is treated as away.
const restoreSettle = 4 * time.Second

// settled ends the settling: assign what waits.
type settled struct{}

// startSettling begins the wait after a restore on a cluster.
func (d *dispatcher) startSettling(ctx actor.Context) {
	if !d.Dir.Moves() || d.queued() == 0 {
		return
	}
	d.settleUntil = d.Now().Add(restoreSettle)
	d.after(ctx, restoreSettle, &settled{})
}

// settling reports whether assignment must still wait for restored
// waiters to come back.
func (d *dispatcher) settling() bool {
	if d.settleUntil.IsZero() {
		return false
	}
	if !d.Now().Before(d.settleUntil) {
		d.settleUntil = time.Time{}
		return false
	}
	for _, t := range d.teams {
		for w := t.queue.head(); w != nil; w = t.queue.next(w) {
			if w.customer.conn == "" {
				return true
			}
		}
	}
	d.settleUntil = time.Time{} // all back
	return false
}
