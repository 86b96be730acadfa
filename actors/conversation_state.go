package actors

import (
	"fmt"
	"testing"

	"github.com/asynkron/protoactor-go/actor"
)

// convState is where a conversation is in its life. It is held in
// conversation.state and changed only by setState, which checks each
// change against canBecome:
//
//	starting → queued | assigned   at StartConv: without an agent, or with one
//	starting → inbox               at StartConv of an offline form: its first write, then it stops (conversation_inbox.go)
//	queued   → assigned | ending   Reassign out of the queue; the end decided
//	assigned → queued | ending     Unassign; the end decided (a transfer stays assigned)
//	queued | assigned → inbox      Unassign to the inbox: a taken form whose customer is
//	                               away goes back to its team's inbox (conversation_inbox.go)
//	inbox    → ending | ended      the end decided, or withdrawn, while it parks again
//	ending   → ended               its last writes stored (or failed): everyone told
//	queued | assigned → ended      withdrawn: its first write was refused for its
//	                               starting dispatcher's stale fence (conversation_fenced.go)
//
// The dispatcher keeps its own view of the same life in convRec (agent
// nil and wait set while queued), and learns of the end from ConvFinished.
type convState uint8

const (
	// convStarting: activated, its StartConv not handled yet; what it is
	// sent meanwhile waits in beforeStart.
	convStarting convState = iota
	// convQueued: no agent serves it; it waits in the dispatcher's queue,
	// restored so or sent back (Unassign), its customer staying.
	convQueued
	// convAssigned: an agent serves it.
	convAssigned
	// convEnding: the end is decided (c.ending). Messages already numbered
	// are being stored and delivered; new ones are refused.
	convEnding
	// convEnded: both sides and the dispatcher are told; the actor stops.
	convEnded
	// convInbox: an offline form's first write is on its way, or a taken
	// form goes back to its inbox; once stored the conversation parks in
	// its team's inbox and the actor stops.
	convInbox
)

func (s convState) String() string {
	switch s {
	case convStarting:
		return "starting"
	case convQueued:
		return "queued"
	case convAssigned:
		return "assigned"
	case convEnding:
		return "ending"
	case convEnded:
		return "ended"
	case convInbox:
		return "inbox"
	}
	return fmt.Sprintf("convState(%d)", uint8(s))
}

// canBecome reports whether a conversation in state s may go to next.
func (s convState) canBecome(next convState) bool {
	switch s {
	case convStarting:
		return next == convQueued || next == convAssigned || next == convInbox
	case convQueued:
		return next == convAssigned || next == convEnding || next == convEnded || next == convInbox
	case convAssigned:
		return next == convQueued || next == convEnding || next == convEnded || next == convInbox
	case convInbox:
		return next == convEnding || next == convEnded
	case convEnding:
		return next == convEnded
	}
	return false
}

// endDecided reports whether the conversation is ending or ended: it takes
// no new messages.
func (s convState) endDecided() bool { return s == convEnding || s == convEnded }

// setState is the one place a conversation's state changes. A change that
// canBecome does not allow is a bug: it is logged, and in tests it panics
// (the actor stops, so the test sees the conversation fail). Outside tests
// the change is made anyway, as the code asked for it.
func (c *conversation) setState(next convState) {
	if !c.state.canBecome(next) {
		c.Log.Error("illegal conversation state change", "conv", c.ID, "from", c.state.String(), "to", next.String())
		if testing.Testing() {
			panic(fmt.Sprintf("conversation %s: illegal state change %s → %s", c.ID, c.state, next))
		}
	}
	c.state = next
}

// hasAgent reports whether an agent serves the conversation. While it is
// open, its state says. Once the end is decided the state no longer does:
// the agent is the one it had then, or the one left by a Reassign or an
// Unassign that crossed the end in the mailboxes (the dispatcher hears of
// the end only at ConvFinished); c.agent holds it.
func (c *conversation) hasAgent() bool {
	if c.state.endDecided() {
		return c.agent != nil
	}
	return c.state == convAssigned
}

// toAgent sends msg to the agent actor, if an agent serves the
// conversation.
func (c *conversation) toAgent(ctx actor.Context, msg any) {
	if c.hasAgent() {
		ctx.Send(c.agent, msg)
	}
}
