package actors

import "github.com/asynkron/protoactor-go/actor"

// This file holds who is in a conversation and how they are reached: the
// customer's live connections (watched), the agent (through the agent
// actor, see hasAgent), and the customer's grace period when the last of
// the customer's connections ends.
//
// The customer's grace period (CustomerGrace, the same -grace the
// dispatcher uses) is kept by two actors, each for what it owns: before a
// conversation exists the dispatcher keeps a waiting customer's place in
// the queue (startCustomerGrace, customerGraceExpired); once it exists the
// conversation keeps an assigned customer's chat, here, and ends it with
// customer_left. Two, because the place is the dispatcher's state and the
// chat is the conversation's, and each actor times what it would drop. A
// conversation sent back to the queue has both running; either ends it.

// isMember reports whether p takes part in the conversation now: its
// customer, or the agent who serves it.
func (c *conversation) isMember(p Party) bool {
	switch p.Role {
	case RoleCustomer:
		return p.ID == c.Customer.ID
	case RoleAgent:
		return c.hasAgent() && p.ID == c.Agent.ID
	}
	return false
}

// attach adds one of the customer's connections and watches it.
func (c *conversation) attach(ctx actor.Context, conn ConnID) {
	pid := c.Dir.PID(KindConn, string(conn))
	c.custConns[pidKey(pid)] = pid
	ctx.Watch(pid)
	c.graceGen++ // the customer is back: a pending grace timer is now stale
}

// customerConnGone forgets one of the customer's connections; the last one
// gone starts the customer's grace period.
func (c *conversation) customerConnGone(ctx actor.Context, who *actor.PID) {
	key := pidKey(who)
	if _, ok := c.custConns[key]; !ok {
		return
	}
	delete(c.custConns, key)
	if len(c.custConns) == 0 && !c.state.endDecided() {
		c.customerAway(ctx)
	}
}

// customerAway starts the customer's grace period, or ends the
// conversation at once when there is none (the tutorial's rule).
func (c *conversation) customerAway(ctx actor.Context) {
	if c.CustomerGrace <= 0 {
		c.finish(ctx, c.Customer, ReasonCustomerLeft)
		return
	}
	c.graceGen++ // an earlier grace timer is stale from now on
	c.timers.SendOnce(c.CustomerGrace, ctx.Self(), &convGraceExpired{Gen: c.graceGen})
}

// customerGraceExpired ends the conversation if the customer is still away
// when its grace period runs out.
func (c *conversation) customerGraceExpired(ctx actor.Context, msg *convGraceExpired) {
	if msg.Gen == c.graceGen && len(c.custConns) == 0 {
		c.finish(ctx, c.Customer, ReasonCustomerLeft)
	}
}

// toCustomer sends msg to each of the customer's connections.
func (c *conversation) toCustomer(ctx actor.Context, msg any) {
	for _, pid := range c.custConns {
		ctx.Send(pid, msg)
	}
}

// toOther sends msg to the side that from is not on.
func (c *conversation) toOther(ctx actor.Context, from Party, msg any) {
	if from.Role == RoleCustomer {
		c.toAgent(ctx, msg)
		return
	}
	c.toCustomer(ctx, msg)
}
