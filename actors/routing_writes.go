package actors

import (
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// This file holds the dispatcher's routing events on their way to the
// store, and the answers that wait for them. The stored routing events are
// the queue a restart or another node's dispatcher reads back
// (store.WaitingCustomers), so a customer is told it is in the queue, or
// out of it, only once that is stored: a kill -9 or a failover then finds
// exactly the queue its customers were told about. The commit is awaited
// off the mailbox (the store writer answers *Stored), so routing goes on
// meanwhile; only those answers wait.
//
// At most one routing write is in flight; the events that come meanwhile
// gather into the next. WaitingCustomers resolves a customer's `queued` by
// any later event of that customer in the order applied, so the store must
// apply them in the order they happened, retries included: a `queued`
// retried after the `left_queue` or `assigned` that followed it would
// bring back a customer who had left or was chatting. That is why every
// routing event, not only `queued` and `left_queue`, goes this way (the
// others hold no answer). It costs a customer one group commit when the
// dispatcher is idle, at most two under load (its event waits for the
// write in flight), and it gathers a burst into one write.

// Routing writes that fail retry, the wait doubling from routingRetryFirst
// up to storeRetry (a conversation's retry), for routingHold after the
// first try. Past that the store is down, not blipping: the events are
// dropped (logged) and what waited for them is answered, as it was before
// answers waited for the store (docs/reliability.md). Until a routing
// write succeeds again nothing waits: customers are served from memory, as
// chat is refused (not_stored) meanwhile.
const (
	routingRetryFirst = 100 * time.Millisecond
	routingHold       = storeWriteTimeout
)

// routingRetry is the dispatcher's note to write Token's batch again.
type routingRetry struct{ Token uint64 }

// DispatcherFenceKey is the key a pool's dispatcher claims (store.Fencing)
// and fences its routing writes with on a cluster.
func DispatcherFenceKey(pool Pool) string { return "dispatcher/" + pool.String() }

// routingWrites is the dispatcher's side of its routing writes.
type routingWrites struct {
	inflight *routingBatch // sent, or waiting for its retry; nil: none
	next     *routingBatch // gathering behind it; nil: nothing yet
	token    uint64        // of inflight's latest send
	epoch    int64         // claimed at start; 0: no fence (a single node)
	// unstored is, by customer id, the latest batch carrying a queued or
	// left_queue event of that customer: until it is stored, nothing
	// tells the customer where it stands in the queue.
	unstored map[string]*routingBatch
	// down is set when a write was given up (the store is down): answers
	// no longer wait, until a write is stored again.
	down bool
}

// routingBatch is routing events written together, and the answers that
// wait until they are stored.
type routingBatch struct {
	events []store.RoutingEvent
	held   []heldAnswer // in the order they were given
	first  time.Time    // first sent: the hold counts from there
	wait   time.Duration
}

// heldAnswer is an answer to a customer's connection that waits for a
// routing write: msg to the connection to, or, with connect set, the
// customer's admission itself, handled again as if it had just come (to is
// then its asker).
type heldAnswer struct {
	to      *actor.PID
	msg     any
	connect *CustomerConnect
}

// fence is what every routing write carries: the claimed epoch, none on a
// single node.
func (d *dispatcher) fence() []store.Fence {
	if d.routing.epoch == 0 {
		return nil
	}
	return []store.Fence{{Key: DispatcherFenceKey(d.Pool), Epoch: d.routing.epoch}}
}

// claim takes ownership of the pool's queue before routing anything, on a
// cluster (DispatcherConfig.Claim); a single node claims nothing.
func (d *dispatcher) claim(ctx actor.Context) {
	if d.Claim == nil {
		return
	}
	epoch, err := d.Claim(DispatcherFenceKey(d.Pool))
	if err != nil {
		// Without the epoch none of its writes could be stored: another
		// node owns the queue, or this one has lost its lease.
		d.Log.Warn("cannot claim the dispatcher; stopping", "pool", d.Pool, "err", err)
		ctx.Stop(ctx.Self())
		return
	}
	d.routing.epoch = epoch
}

// writeRouting queues ev for the store.
func (d *dispatcher) writeRouting(ctx actor.Context, ev store.RoutingEvent) {
	if d.routing.next == nil {
		d.routing.next = &routingBatch{}
	}
	b := d.routing.next
	b.events = append(b.events, ev)
	if (ev.Kind == store.EventQueued || ev.Kind == store.EventLeftQueue) && !d.routing.down {
		d.routing.unstored[ev.Customer] = b
	}
	d.sendRouting(ctx)
}

// sendRouting sends the gathered batch, unless a write is in flight: it
// goes when that one is answered.
func (d *dispatcher) sendRouting(ctx actor.Context) {
	if d.routing.inflight != nil || d.routing.next == nil {
		return
	}
	b := d.routing.next
	d.routing.inflight, d.routing.next = b, nil
	b.first, b.wait = d.Now(), routingRetryFirst
	d.sendInflight(ctx)
}

func (d *dispatcher) sendInflight(ctx actor.Context) {
	d.routing.token++
	ctx.Send(d.Dir.PID(KindStore, StoreWriterID), &StoreWrite{
		Batch:   store.Batch{Routing: d.routing.inflight.events, Fences: d.fence()},
		ReplyTo: ctx.Self(),
		Token:   d.routing.token,
	})
}

// holdUntilStored sends msg to the customer's connection to once the
// customer's queue changes are stored; at once when they are.
func (d *dispatcher) holdUntilStored(ctx actor.Context, customer string, to *actor.PID, msg any) {
	if b := d.routing.unstored[customer]; b != nil {
		b.held = append(b.held, heldAnswer{to: to, msg: msg})
		return
	}
	ctx.Send(to, msg)
}

// holdConnect reports whether a customer's admission must wait for its
// queue changes to be stored, and if so keeps it until they are: its
// welcome says queued or idle, and so must the store.
func (d *dispatcher) holdConnect(msg *CustomerConnect, from *actor.PID) bool {
	b := d.routing.unstored[msg.Customer.ID]
	if b == nil {
		return false
	}
	b.held = append(b.held, heldAnswer{to: from, connect: msg})
	return true
}

// routingStored is the store writer's answer to a routing write.
func (d *dispatcher) routingStored(ctx actor.Context, token uint64) {
	b := d.routing.inflight
	if b == nil || token != d.routing.token {
		return
	}
	d.routing.down = false
	d.routing.inflight = nil
	d.release(ctx, b)
	d.sendRouting(ctx)
}

// routingFailed handles a routing write the store refused: a stale fence
// makes this dispatcher a zombie, anything else is retried.
func (d *dispatcher) routingFailed(ctx actor.Context, msg *StoreFailed) {
	b := d.routing.inflight
	if b == nil || msg.Token != d.routing.token {
		return
	}
	if errors.Is(msg.Err, store.ErrFenced) {
		d.fenced(ctx, msg.Err)
		return
	}
	if d.Now().Sub(b.first) < routingHold {
		d.after(ctx, b.wait, &routingRetry{Token: d.routing.token})
		b.wait = min(2*b.wait, storeRetry)
		return
	}
	d.Log.Error("routing events not stored; the store is down: customers are answered without them",
		"pool", d.Pool, "events", len(b.events), "held", len(b.held), "err", msg.Err)
	d.routing.down = true
	d.routing.inflight = nil
	d.release(ctx, b)
	d.sendRouting(ctx)
}

// retryRouting writes the batch in flight again; its events are skipped
// if an earlier try did commit (the store's routing_events are unique on
// every field), so a timed-out commit that landed is not doubled.
func (d *dispatcher) retryRouting(ctx actor.Context, msg *routingRetry) {
	if d.routing.inflight != nil && msg.Token == d.routing.token {
		d.sendInflight(ctx)
	}
}

// release sends what waited for b, in order, and tells the customers
// whose queued event it carried their place.
func (d *dispatcher) release(ctx actor.Context, b *routingBatch) {
	told := false
	for id, pending := range d.routing.unstored {
		if pending == b {
			delete(d.routing.unstored, id)
			told = true
		}
	}
	for _, h := range b.held {
		switch {
		case h.connect != nil:
			d.admitCustomer(ctx, h.connect, h.to)
		case h.to != nil:
			ctx.Send(h.to, h.msg)
		}
	}
	if told {
		d.positionsChanged(ctx) // one pass, coalesced, for those it now may tell
	}
}

// fenced stops a dispatcher whose write was refused for a stale epoch:
// another node has claimed the pool's queue and routes it now. Nothing
// held is answered (the customers were told nothing of what was refused);
// their connections see it Terminated and go to the new owner.
func (d *dispatcher) fenced(ctx actor.Context, err error) {
	d.Log.Warn("dispatcher fenced: another node owns the queue; stopping", "pool", d.Pool, "epoch", d.routing.epoch, "err", err)
	d.routing.inflight, d.routing.next = nil, nil
	clear(d.routing.unstored)
	ctx.Stop(ctx.Self())
}

// flushRoutingOnStop hands what has not been sent to the store writer as
// the dispatcher stops, unanswered: a graceful stop stops the store writer
// after the dispatcher, so it is still committed.
func (d *dispatcher) flushRoutingOnStop(ctx actor.Context) {
	var events []store.RoutingEvent
	if b := d.routing.inflight; b != nil {
		// Failed and waiting for its retry, or still on its way: a second
		// copy of an event that lands is skipped, so this costs nothing.
		events = append(events, b.events...)
	}
	if b := d.routing.next; b != nil {
		events = append(events, b.events...)
	}
	if len(events) > 0 {
		ctx.Send(d.Dir.PID(KindStore, StoreWriterID), &StoreWrite{Batch: store.Batch{Routing: events, Fences: d.fence()}})
	}
}
