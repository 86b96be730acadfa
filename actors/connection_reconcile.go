package actors

import (
	"cmp"
	"context"
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// An agent's tab after a move. On a cluster the conversation's ConvClosed
// reaches an agent's tabs through its agent actor; when that actor (or the
// dispatcher) moves at the moment a conversation ends, the end can be lost
// with the old activation, and nothing would ever tell the tab: the
// conversation has stopped, and the agent actor activated again is started
// with the conversations the agent serves now, without it. So the tab
// hears that list (Reconcile, or a moved dispatcher's AgentAdmitted), and
// each conversation it still shows outside the list is looked up in the
// store: one that ended is replayed to its end, as for a client that was
// away. One that is open is left alone: it may have been assigned after
// the list was made, or handed to another agent, whose news the tab gets
// as usual. And one in the list that the tab does not show was assigned
// while its assignment was lost the same way: the tab asks for it (a Sync),
// as for a conversation a rejoin's answer names.

// reconcile settles the conversations the tab shows that serving lacks.
func (c *connection) reconcile(ctx actor.Context, serving []ConvID) {
	if c.me.Role != RoleAgent {
		return
	}
	// One the agent serves that the tab lacks was assigned while the
	// assignment was lost with the old activation: the tab asks for it.
	c.syncAll(ctx, c.unknown(serving))
	if c.History == nil {
		return
	}
	in := make(map[ConvID]bool, len(serving))
	for _, id := range serving {
		in[id] = true
	}
	for id, v := range c.convs {
		if !in[id] {
			c.endedMeanwhile(ctx, id, v)
		}
	}
}

// neverStoredAfter is how long after a tab first heard of a conversation
// the store may still have no record of it: its first write is one group
// commit away, so one still missing this long after was withdrawn
// (conversation_fenced.go) and its word to this tab was lost.
const neverStoredAfter = 30 * time.Second

// recheckStored is the tab's timer to look for a conversation's record
// again: it had none when the tab was told its agent does not serve it.
type recheckStored struct{ Conv ConvID }

// endedMeanwhile replays conversation id to its end if the store says it
// ended, and drops it as withdrawn if the store never stored it: at once
// when the tab has held it longer than a first write can take, else when
// that time is up (the reconcile that named it came seconds after it
// started, and none may come again).
func (c *connection) endedMeanwhile(ctx actor.Context, id ConvID, v *convView) {
	sctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	rec, err := c.History.Conversation(sctx, string(id))
	if errors.Is(err, store.ErrNotFound) {
		if left := cmp.Or(c.NeverStoredAfter, neverStoredAfter) - time.Since(v.since); left > 0 {
			c.timers.SendOnce(left, ctx.Self(), &recheckStored{Conv: id})
			return
		}
		c.Log.Warn("conversation never stored and not served; dropping it as withdrawn", "conn", c.ID, "conv", id)
		c.convClosed(ctx, &ConvClosed{Conv: id, Reason: ReasonWithdrawn})
		return
	}
	if err != nil {
		c.Log.Warn("cannot read a conversation to reconcile", "conn", c.ID, "conv", id, "err", err)
		return
	}
	if rec.EndedAt.IsZero() {
		return
	}
	c.Log.Info("conversation ended while its end was lost with a move; replaying it", "conn", c.ID, "conv", id)
	c.replayToEnd(ctx, id, v)
}

// replayToEnd closes conversation id, which ended without this connection
// hearing of it live: what the client missed before the end, and the end,
// come from the store.
func (c *connection) replayToEnd(ctx actor.Context, id ConvID, v *convView) {
	delete(c.convs, id)
	c.ended.add(id)
	c.unanswered(ctx, v, ReasonGone)
	if c.me.Role == RoleCustomer {
		ctx.Unwatch(v.pid)
	}
	if v.discovered && !v.synced {
		// Named by a stale list (a rejoin's, a Reconcile's), never shown
		// to this client, and over: the client either saw it end on an
		// earlier socket (it is in no resume) or never had it. Replayed
		// from seq 1, it gave a client in a clean-clone CI run the whole
		// conversation twice. A customer may have been welcomed as
		// chatting in it, so it hears the end, bare; an agent's tab
		// hears nothing.
		if c.me.Role == RoleCustomer {
			c.send(ctx, &ConvClosed{Conv: id, Reason: ReasonGone})
		}
		return
	}
	c.replayEnded(ctx, id, v.last)
}

// recheckStored looks again for the record of a conversation the tab
// still shows.
func (c *connection) recheckStored(ctx actor.Context, msg *recheckStored) {
	if v, open := c.convs[msg.Conv]; open && c.History != nil {
		c.endedMeanwhile(ctx, msg.Conv, v)
	}
}
