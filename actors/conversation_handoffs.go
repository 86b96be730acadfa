package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// This file holds the changes of who serves a conversation, all decided by
// the dispatcher: an assignment out of the queue, a transfer to another
// agent (Reassign), a trip back to the queue (Unassign); and the events
// that record them. The hand-offs agents ask for are in handoff.go.

// reassign gives the conversation to r.Agent: out of the queue, or from
// another agent, who is told it was transferred.
func (c *conversation) reassign(ctx actor.Context, r *Reassign) {
	if c.Agent.ID != r.Agent.ID {
		c.toAgent(ctx, &ConvClosed{Conv: c.ID, Other: c.Customer, Reason: ReasonTransferred})
	}
	c.Agent, c.AgentActor = r.Agent, r.AgentActor
	c.agent = c.Dir.PID(KindAgent, r.AgentActor)
	c.record.AgentID, c.record.AgentName = r.Agent.ID, r.Agent.Name
	if c.state == convQueued {
		c.setState(convAssigned)
	}
	kind := store.EventAssigned
	if r.Why == WhyTransferred {
		kind = store.EventTransferred
	}
	c.change(ctx, kind, r.Agent, "", r.Handoff)
	ctx.Send(c.agent, c.forAgent(c.opened(r.Why, 0)))
	c.toCustomer(ctx, &AgentChanged{Conv: c.ID, Agent: r.Agent})
}

// unassign sends the conversation back to the queue; its agent is told
// why. The dispatcher tells the customer, in order with its position.
func (c *conversation) unassign(ctx actor.Context, u *Unassign) {
	c.toAgent(ctx, &ConvClosed{Conv: c.ID, Other: c.Customer, Reason: u.Reason})
	c.agent, c.Agent, c.AgentActor = nil, Party{}, ""
	c.record.AgentID, c.record.AgentName = "", ""
	if u.Team != "" {
		c.Team, c.record.Team = u.Team, u.Team
	}
	switch {
	case u.ToInbox && (c.state == convAssigned || c.state == convQueued):
		// Not once its end is decided: the dispatcher hears of the end
		// only at ConvFinished, and an Unassign sent meanwhile must not
		// turn an ending conversation into a form that waits.
		c.record.Inbox = true // stored with the event: a restart finds it in the inbox
		c.setState(convInbox)
	case u.ToInbox:
	case c.state == convAssigned:
		c.setState(convQueued)
	}
	c.change(ctx, store.EventRequeued, Party{}, u.Reason, u.Handoff)
}

// change records who serves the conversation now, and the hand-off that
// made the change, if an agent asked for it.
func (c *conversation) change(ctx actor.Context, kind string, agent Party, reason string, h *Handoff) {
	c.recordDirty = true
	e := store.ConvEvent{Conv: string(c.ID), Kind: kind, AgentID: agent.ID, AgentName: agent.Name, Reason: reason, At: c.Now()}
	if h != nil {
		e = h.event(c.ID, kind, reason)
		c.handedOff(*h)
	}
	c.events = append(c.events, e)
	c.flush(ctx)
}
