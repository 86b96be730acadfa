package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// This file holds a conversation's end: decided by a member (End) or the
// dispatcher (Finish) or the customer's grace period; recorded; told to
// both sides and the dispatcher once what was already numbered is stored.

// end is a member ending the conversation; anyone else is refused.
func (c *conversation) end(ctx actor.Context, e *End) {
	if !c.isMember(e.By) {
		c.refuse(ctx, e.Conn, ErrCodeForbidden, refusedNotMember, "")
		return
	}
	reason := ReasonCustomerEnded
	if e.By.Role == RoleAgent {
		reason = ReasonAgentEnded
	}
	c.finish(ctx, e.By, reason)
}

// finish decides the end. Messages already taken are stored and delivered
// first; then both sides and the dispatcher are told.
func (c *conversation) finish(ctx actor.Context, by Party, reason string) {
	if c.state.endDecided() {
		return
	}
	c.setState(convEnding)
	c.ending = &ConvClosed{Conv: c.ID, By: by, Reason: reason}
	c.record.EndedAt, c.record.EndedBy, c.record.EndReason = c.Now(), by.ID, reason
	c.change(ctx, store.EventEnded, c.Agent, reason, nil)
	if c.token == 0 && len(c.pending) == 0 {
		c.closed(ctx) // nothing to wait for (the end record is on its way)
	}
}

// closed tells both sides and the dispatcher, then stops. The end record
// goes to the store on its own: it needs no answer.
func (c *conversation) closed(ctx actor.Context) {
	c.flush(ctx)
	c.setState(convEnded)
	end := *c.ending
	end.Last = c.last()
	// The order is causal: the agent hears the end before the dispatcher
	// can give it a new conversation, and the dispatcher hears it before
	// the customer can ask for an agent again (else "already in a
	// conversation").
	toAgent := end
	toAgent.Other = c.Customer
	c.toAgent(ctx, &toAgent)
	ctx.Send(c.Dir.PID(KindDispatcher, DispatcherID(c.Pool)), &ConvFinished{Conv: c.ID, Reason: end.Reason})
	toCustomer := end
	toCustomer.Other = c.Agent
	c.toCustomer(ctx, &toCustomer)
	ctx.Stop(ctx.Self())
}

// endStored ends a conversation restored with its end already stored (its
// last actor stopped between writing the end and telling anyone, moved on
// a cluster): both sides and the dispatcher are told as closed tells them,
// with the stored reason. Nothing more is written.
func (c *conversation) endStored(ctx actor.Context) {
	var by Party
	switch c.record.EndedBy {
	case "":
	case c.Customer.ID:
		by = c.Customer
	case c.Agent.ID:
		by = c.Agent
	}
	c.setState(convEnding)
	c.ending = &ConvClosed{Conv: c.ID, By: by, Reason: c.record.EndReason}
	c.closed(ctx)
}
