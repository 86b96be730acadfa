package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// restore brings back what was open before a restart: the conversations,
// and the customers who were waiting in the queue without one. Their
// customers and agents are all away now, as if their connections had just
// dropped: each gets the grace period to come back. A conversation whose
// agent does not return goes back to the head of the queue; one whose
// customer does not return ends; a waiter who does not return leaves the
// queue.
//
// Conversations come first, then the waiters, each list in ticket order.
// That is the queue as it stood: a conversation waits in the queue only
// when it was sent back, which puts it at the head, ahead of every customer
// still waiting for a first agent; those joined at the back, one ticket
// after another. Restored waiters are treated exactly like restored queued
// conversations, and like any waiting customer whose connection dropped:
// they keep their place while away but are passed over until they are back
// (assignWaiting). They count against no address (dispatcher_limits.go):
// none is known.
func (d *dispatcher) restore(ctx actor.Context, convs []store.Conversation, waiters []store.Waiter) {
	for _, rc := range convs {
		d.restoreConv(ctx, rc)
	}
	for _, w := range waiters {
		d.restoreWaiter(ctx, w)
	}
	d.Log.Info("conversations restored", "pool", d.Pool, "count", len(convs), "waiters", len(waiters), "queued", d.queued())
}

func (d *dispatcher) restoreConv(ctx actor.Context, rc store.Conversation) {
	d.ticket = max(d.ticket, rc.Ticket)
	cust := d.customers[rc.CustomerID]
	if cust == nil {
		cust = &customerRec{Party: Party{Role: RoleCustomer, ID: rc.CustomerID, Name: rc.CustomerName}, pool: d.Pool}
		d.customers[cust.ID] = cust
	}
	// When the customer first asked is not stored: the conversation's
	// start is the nearest stored time, and later than it.
	asked := rc.StartedAt
	if asked.IsZero() {
		asked = d.Now()
	}
	c := &convRec{id: ConvID(rc.ID), customer: cust, ticket: rc.Ticket, started: rc.StartedAt, asked: asked, team: d.teamOrGeneral(rc.Team),
		email: rc.CustomerEmail, awaitCustomer: rc.Origin == store.OriginForm}
	d.convs[c.id] = c
	cust.conv = c
	if rc.AgentID == "" {
		c.wait = &waiting{customer: cust, conv: c, team: c.team, ticket: c.ticket, since: d.Now(), asked: c.asked}
		cust.wait = c.wait
		c.team.queue.pushBack(c.wait)
		d.startCustomerGrace(ctx, cust)
		d.spawnConv(ctx, c, nil, true)
		return
	}
	a := d.agents[rc.AgentID]
	if a == nil {
		var err error
		a, err = d.newAgent(ctx, &AgentConnect{Agent: Party{Role: RoleAgent, ID: rc.AgentID, Name: rc.AgentName}, Pool: d.Pool})
		if err != nil {
			d.Log.Error("cannot restore agent", "agent", rc.AgentID, "err", err)
			return
		}
		d.startAgentGrace(ctx, a)
	}
	d.seat(c, a)
	d.spawnConv(ctx, c, a, true)
}

// restoreWaiter puts a customer who was waiting without a conversation back
// in the queue with its ticket, as if it had just disconnected. Its wait
// counts from when it first queued: the restart is part of its wait.
func (d *dispatcher) restoreWaiter(ctx actor.Context, w store.Waiter) {
	d.ticket = max(d.ticket, w.Ticket)
	if cust := d.customers[w.CustomerID]; cust != nil {
		// It has an open conversation too (its later events were lost):
		// the conversation is its place.
		d.Log.Warn("waiter with an open conversation not restored", "customer", w.CustomerID, "ticket", w.Ticket)
		d.storeLostAssignment(ctx, cust.conv, w)
		return
	}
	cust := &customerRec{Party: Party{Role: RoleCustomer, ID: w.CustomerID, Name: w.CustomerName}, pool: d.Pool}
	d.customers[cust.ID] = cust
	cust.wait = &waiting{customer: cust, team: d.teamOrGeneral(w.Team), ticket: w.Ticket, since: w.QueuedAt, asked: w.QueuedAt}
	cust.wait.team.queue.pushBack(cust.wait)
	d.startCustomerGrace(ctx, cust)
}

// storeLostAssignment writes the assignment of waiter w to conversation c
// when it was lost: a dispatcher starts the conversation (whose actor
// stores it) before its own "assigned" event commits, so one that moved in
// between leaves the conversation open and the waiter still queued. The
// conversation shows it was served (its ticket is the waiter's), so the
// record says so too, dated when the conversation started: without it the
// stored queue keeps a customer waiting who was served, and every later
// assignment looks served ahead of it. A conversation of an earlier ticket
// is another case (the waiter's own assignment never happened) and gets
// nothing.
func (d *dispatcher) storeLostAssignment(ctx actor.Context, c *convRec, w store.Waiter) {
	if c == nil || c.agent == nil || c.ticket != w.Ticket {
		return
	}
	ev := d.event(RoutingAssigned, c, c.agent)
	// Not before the queueing: the store finds waiters by what follows
	// them in time (WaitingCustomers), and two nodes' clocks differ.
	ev.At = c.started
	if ev.At.Before(w.QueuedAt) {
		ev.At = w.QueuedAt
	}
	ev.Waited = ev.At.Sub(w.QueuedAt)
	d.emit(ctx, ev)
}
