package actors

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// This file holds a conversation activated without its start. On a
// cluster any message to a conversation's id activates it wherever the
// cluster places it: the dispatcher's StartConv normally follows within a
// second (a new conversation, or one re-activated after a move), but a
// message that arrives late, after the conversation ended and its actor
// stopped, wakes an actor that no StartConv will ever reach. Without a
// bound it would hold what it was sent forever, its senders unanswered.
// So a conversation still waiting for its start after firstStartAsk (then
// after a wait that doubles up to Kinds.StartWait, startAskWait) reads its
// record. Open, it asks its dispatcher
// for its start (ConvRejoin): the start may have been lost with a node.
// Else (not before StartWait), or after maxRejoins asks, it answers what
// it holds as the record says, and stops.

// startOverdue is an activated actor's timer for its start
// (Kinds.StartWait): a conversation's, and an agent actor's, which just
// stops (agent.go).
type startOverdue struct{}

// firstStartAsk is how long an activated actor waits for its start before
// it first asks its dispatcher, at most: a start comes within a few hundred
// milliseconds of a move, and one that does not was lost with it (a
// dispatcher that moved at the same moment). Asking only after StartWait
// left a client who resumed into such a conversation waiting five seconds,
// ten when the first ask was lost too (the rebalance scenarios' slowest
// resumes). An answer that would stop the actor (its record ended, or not
// stored yet) still waits for the whole StartWait.
const firstStartAsk = time.Second

// firstStartWait is the wait before the first ask.
func firstStartWait(k *Kinds) time.Duration { return min(firstStartAsk, k.StartWait) }

// startAskWait is the wait after ask n (1, 2, …) before the next: it
// doubles from firstStartAsk up to StartWait. An ask goes to the
// dispatcher's grain, and in a rolling restart the dispatcher may be
// moving too, so the first ask can be lost; the next then went only
// StartWait later, and a conversation that moved three times in seven
// seconds left its customer waiting past the ten-second re-homing bound.
func startAskWait(k *Kinds, n int) time.Duration {
	return min(firstStartAsk<<min(n-1, 8), k.StartWait)
}

// What a conversation that never started answers: why it takes nothing.
const refusedUnknown = "no such conversation here"

// maxRejoins bounds how many times an open conversation activated without
// its start asks its dispatcher for it (ConvRejoin) before it gives up:
// the tutorial's conversations, which no native dispatcher knows, end up
// refusing after that many asks (about 18 s with the default StartWait:
// asks at 1, 2, 4, 8 and 13 s, the last answered at 18).
const maxRejoins = 5

// unstartedRefusal is how a conversation that was never started answers
// what it holds: a frame error for each Post and End, and, when ended, a
// ConvClosed for an agent's tab that asked (Sync).
type unstartedRefusal struct {
	code, message string
	open          bool // the record says it is open: its start went missing
	ended         bool // the record says it ended: a tab that syncs is told so
	customer      Party
}

// unstarted gives up waiting for the start: it answers what it holds from
// the conversation's stored record, then stops. An ended conversation
// refuses posts as an ended one does (conversation_ended); an unknown one
// as a connection does (unknown_conversation). One whose record is still
// open, or cannot be read, refuses them not_stored: their senders send
// again, and the dispatcher's start, when it comes, activates it anew.
// A connection that asked (Sync) is told it is gone, and replays the end
// from the store.
func (c *conversation) unstarted(ctx actor.Context) {
	id := c.Identity(ctx)
	r := c.unstartedRefusal(id)
	if waited := c.Now().Sub(c.activatedAt); !r.open && waited < c.StartWait {
		// Asked early (firstStartAsk): a new conversation's record may not
		// be stored yet, and its start is on its way.
		c.waitStart = c.timers.SendOnce(c.StartWait-waited, ctx.Self(), &startOverdue{})
		return
	}
	if r.open && c.rejoins < maxRejoins {
		// Open in the store: its start was lost on the way (a node died
		// with the dispatcher's StartConv queued for it). Ask again, and
		// keep what is held meanwhile.
		c.rejoins++
		c.Log.Warn("conversation activated without a start; asking its dispatcher", "conv", id, "held", len(c.early.held), "ask", c.rejoins)
		ctx.Send(c.Dir.PID(KindDispatcher, DispatcherID(PoolNative)), &ConvRejoin{Conv: ConvID(id)})
		c.waitStart = c.timers.SendOnce(startAskWait(c.Kinds, c.rejoins), ctx.Self(), &startOverdue{})
		return
	}
	c.Log.Warn("conversation activated without a start; stopping", "conv", id, "held", len(c.early.held), "answer", r.code)
	c.early.replay(func(m any) {
		switch m := m.(type) {
		case *Post:
			if m.ClientID != "" || r.code != ErrCodeEnded { // the tutorial's pages have no words for an ended one
				c.refuse(ctx, m.Conn, r.code, r.message, m.ClientID)
			}
		case *End:
			if r.ended {
				// An end asked again after the conversation ended (its
				// answer lost with a move): the answer is the end.
				ctx.Send(c.Dir.PID(KindConn, string(m.Conn)), &ConvClosed{Conv: ConvID(id), Other: r.customer, Reason: ReasonGone})
			} else {
				c.refuse(ctx, m.Conn, r.code, r.message, "")
			}
		case *Sync:
			// Either party's connection replays the end from the store
			// (connection_reconcile.go, replayToEnd). A customer's also
			// sees this actor stop, but on a cluster a stop reads as a
			// move and is repaired, waking it again, for a minute.
			if r.ended {
				ctx.Send(c.Dir.PID(KindConn, string(m.Conn)), &ConvClosed{Conv: ConvID(id), Other: r.customer, Reason: ReasonGone})
			}
		default:
			c.Log.Debug("message to a conversation never started dropped", "conv", id, "type", fmt.Sprintf("%T", m))
		}
	})
	ctx.Stop(ctx.Self())
}

// unstartedRefusal reads conversation id's record and says how to answer
// what waits for its start.
func (c *conversation) unstartedRefusal(id string) unstartedRefusal {
	rctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	rec, err := c.Store.Conversation(rctx, id)
	switch {
	case errors.Is(err, store.ErrNotFound) || id == "":
		return unstartedRefusal{code: ErrCodeUnknownConv, message: refusedUnknown}
	case err != nil:
		c.Log.Error("cannot read an unstarted conversation's record", "conv", id, "err", err)
		return unstartedRefusal{code: ErrCodeNotStored, message: refusedNotStored}
	case rec.EndedAt.IsZero():
		return unstartedRefusal{code: ErrCodeNotStored, message: refusedNotStored, open: true}
	}
	return unstartedRefusal{
		code: ErrCodeEnded, message: refusedEnded, ended: true,
		customer: Party{Role: RoleCustomer, ID: rec.CustomerID, Name: rec.CustomerName},
	}
}
