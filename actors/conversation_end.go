package actors

import (
	"time"

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
	c.mailAnswer()
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
	c.finished = &ConvFinished{Conv: c.ID, Reason: end.Reason}
	if c.Dir.Moves() {
		c.reportFinished(ctx)
	} else {
		ctx.Send(c.dispatcher(), c.finished)
	}
	toCustomer := end
	toCustomer.Other = c.Agent
	c.toCustomer(ctx, &toCustomer)
	if !c.Dir.Moves() {
		ctx.Stop(ctx.Self())
	}
}

// dispatcher is the conversation's pool's dispatcher.
func (c *conversation) dispatcher() *actor.PID {
	return c.Dir.PID(KindDispatcher, DispatcherID(c.Pool))
}

// Where actors move, the dispatcher that hears a conversation's end may be
// moving too: a ConvFinished sent to an activation that is stopping is
// lost, and the next one restores the conversation as open if it read the
// store before the end was committed. It would then hold the agent's slot
// for a conversation that is over (TestRestartKilledNode: a customer
// waited beside agents the dispatcher thought full). So an ended
// conversation asks (a request), and stays, answering as an ended one,
// until the dispatcher answers (*ConvFinishedAck), sending again every
// finishWait up to finishTries times.
const (
	finishWait  = time.Second
	finishTries = 10
)

// finishUnanswered is the conversation's timer for the dispatcher's answer
// to its ConvFinished number Try.
type finishUnanswered struct{ Try int }

// reportFinished sends the ConvFinished, as a request, and sets the timer
// for its answer.
func (c *conversation) reportFinished(ctx actor.Context) {
	c.finishTries++
	ctx.Request(c.dispatcher(), c.finished)
	c.timers.SendOnce(finishWait, ctx.Self(), &finishUnanswered{Try: c.finishTries})
}

// finishTimedOut sends the ConvFinished again if the one the timer was set
// for is still unanswered, or gives up and stops.
func (c *conversation) finishTimedOut(ctx actor.Context, msg *finishUnanswered) {
	if msg.Try != c.finishTries {
		return
	}
	if c.finishTries >= finishTries {
		c.Log.Warn("dispatcher never answered the end; stopping", "conv", c.ID, "tries", c.finishTries)
		ctx.Stop(ctx.Self())
		return
	}
	c.reportFinished(ctx)
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
