package actors

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// What a (re)connecting client missed. On admission the connection asks
// each open conversation for what comes after the client's resume number
// (a Sync), and replays from the store those that ended while it was away;
// a conversation's answer (ConvOpened) is trimmed to what the client lacks.
// Live messages after that are connection_convs.go's.

// syncAll asks each open conversation for what the client has not seen,
// and tells the client which of those it remembered are over.
func (c *connection) syncAll(ctx actor.Context, open []ConvID) {
	for _, id := range open {
		v := c.view(ctx, id)
		after, resumed := c.resume[id]
		v.last, v.discovered = after, !resumed && !v.synced
		c.firstSync(ctx, v)
		delete(c.resume, id)
	}
	for id, after := range c.resume {
		c.replayEnded(ctx, id, after)
	}
	c.resume = nil
}

// firstSync asks a conversation for the client's first sight of it: what
// came after v.last (the client's resume number, or 0).
func (c *connection) firstSync(ctx actor.Context, v *convView) {
	v.askedAt = time.Now()
	ctx.Send(v.pid, &Sync{Conn: c.ID, Party: c.me, After: v.last, Unshown: v.discovered && !v.synced})
}

// replayEnded gives a returning client what it missed of a conversation
// that ended while it was away, then its end: resume works however long
// the client was gone. Like a sync, it carries the newest page of what was
// missed; older pages come on request. Someone who was never in the
// conversation learns only that it is gone.
func (c *connection) replayEnded(ctx actor.Context, id ConvID, after uint64) {
	gone := &ConvClosed{Conv: id, Reason: ReasonGone}
	if c.History == nil {
		c.send(ctx, gone)
		return
	}
	sctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	rec, err := c.History.Conversation(sctx, string(id))
	if err != nil || !tookPart(sctx, c.History, c.me, rec) {
		c.send(ctx, gone)
		return
	}
	page := c.HistoryPage.OrDefault()
	stored, err := c.History.MessagesBefore(sctx, string(id), 0, page.Messages)
	if err != nil {
		c.Log.Error("cannot replay ended conversation", "conv", id, "err", err)
		c.send(ctx, gone)
		return
	}
	opened := &ConvOpened{
		Conv:     id,
		Customer: Party{Role: RoleCustomer, ID: rec.CustomerID, Name: rec.CustomerName},
		Agent:    Party{Role: RoleAgent, ID: rec.AgentID, Name: rec.AgentName},
		Why:      WhyEnded,
		After:    after,
	}
	for _, m := range stored {
		if m.Seq > after {
			opened.History = append(opened.History, fromStored(id, m))
		}
	}
	opened.History = page.newest(opened.History, page.Messages)
	if len(opened.History) > 0 {
		opened.After = opened.History[0].Seq - 1
	} else if n := len(stored); n > 0 {
		opened.After = min(after, stored[n-1].Seq) // not past the end
	}
	opened.More = opened.After > after
	c.send(ctx, opened)
	c.send(ctx, gone)
}

// opened delivers a conversation's opening, or a resync of it, with only
// the history the client lacks.
func (c *connection) opened(ctx actor.Context, o *ConvOpened) {
	if _, open := c.convs[o.Conv]; !open && (o.Why == WhySync || c.ended.has(o.Conv)) {
		// The answer to a sync of a conversation this connection has
		// closed since it asked (on a cluster an ended conversation
		// answers syncs until its dispatcher has heard of the end):
		// taken as new, it would give the client the whole history
		// again.
		return
	}
	c.rejoin.requesting, c.rejoin.position = false, 0 // served
	v := c.view(ctx, o.Conv)
	v.repairs = 0 // if it had moved, it is back
	if v.synced && o.Why == WhySync {
		// An answer to a gap's ask, a repair's or a probe's (or a second
		// answer to one asked twice): only what the client lacks goes.
		c.filled(ctx, v, o) // connection_gaps.go
		return
	}
	if v.synced && o.Why == WhyAssigned && (len(o.History) == 0 || o.History[len(o.History)-1].Seq <= v.last) {
		// The assignment, overtaken by the answer to the tab's own sync
		// (asked for a conversation a rejoin's answer named): shown once.
		return
	}
	if !v.synced && o.After < v.last {
		// The client claimed more than the conversation has (a stale
		// resume number): the conversation's count is the truth. Not
		// once synced: then v.last is what this connection delivered,
		// and a ConvOpened made before some of it (an agent's sync
		// answer, straight from the conversation, overtaken by live
		// messages through the agent actor) must not send it again.
		v.last = o.After
	}
	had := v.last
	out := *o
	for len(out.History) > 0 && out.History[0].Seq <= v.last {
		out.History = out.History[1:]
	}
	if n := len(out.History); n > 0 {
		v.last = out.History[n-1].Seq
	}
	out.After = v.last - uint64(len(out.History))
	out.More = out.After > had // a page that starts past what the client has
	v.synced = true
	v.notesShown(out.Notes)
	c.send(ctx, &out)
	c.release(ctx, v) // what waited behind a gap the opening filled
	if c.Pool.rules().readsFrom(c.me.Role) == readFromGreeting {
		// Not on admission: the dispatcher answers before it starts the
		// conversation, and a line read in between went to a conversation
		// not there yet. The greeting comes from the running conversation.
		c.Socket.StartReading()
	}
}
