package actors

import (
	"context"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// The conversations a connection takes part in: its view of each (what the
// client has been sent, so delivery is exactly once and in order), live
// messages, a conversation's end, and, for a customer, watching the
// conversation actor to tell an end from a failure (or, where actors move,
// from a move: connection_moved.go).

// convView is what a connection knows of one conversation: whether the
// conversation has answered its sync, the last sequence number sent to the
// client, the client's messages on their way to it, and the repair of a
// gap or a move.
type convView struct {
	pid      *actor.PID
	synced   bool
	watched  bool
	last     uint64
	inflight []inflightPost // posted, not yet answered (connection_inflight.go)
	echoes   map[string]int // answers still due to the connection's own resends, by cid (connection_inflight.go)
	held     []*ConvMessage // past a gap, by seq (connection_gaps.go)
	lastNote uint64         // the newest private note sent to an agent's client (connection_notes.go)
	asked    bool           // a Sync for a gap or a move is unanswered (connection_gaps.go)
	askedAt  time.Time      // when it was sent (connection_probe.go)
	ending   bool           // the client asked to end it; no end heard yet
	repairs  int            // attempts to reach it since it moved (connection_moved.go)
	// discovered: the connection learned of it from its dispatcher or
	// agent actor, not from the client (its resume) nor from a live
	// opening, and has shown the client nothing of it yet.
	discovered bool
	since      time.Time // when this connection first heard of it
}

// view returns what this connection knows of a conversation, creating it.
func (c *connection) view(ctx actor.Context, id ConvID) *convView {
	v := c.convs[id]
	if v == nil {
		v = &convView{pid: c.Dir.PID(KindConv, string(id)), since: time.Now()}
		c.convs[id] = v
	}
	if c.me.Role == RoleCustomer && !v.watched {
		// A customer hears from its conversation directly, so it can tell
		// the end from a failure itself. An agent hears through its agent
		// actor, which watches for it.
		v.watched = true
		ctx.Watch(v.pid)
	}
	return v
}

// message delivers one live message exactly once and in order
// (connection_gaps.go).
func (c *connection) message(ctx actor.Context, m *ConvMessage) {
	if m.Conv == "" {
		c.send(ctx, m) // a compat agent with no customer yet: its own line, from say
		return
	}
	if v := c.convs[m.Conv]; v != nil {
		c.live(ctx, v, m)
	}
}

// convClosed tells the client a conversation is over for it, answers what
// it still waited for there, and stops watching it.
func (c *connection) convClosed(ctx actor.Context, msg *ConvClosed) {
	if v, ok := c.convs[msg.Conv]; ok && msg.Reason == ReasonGone && c.History != nil {
		// From an ended conversation's actor woken by this tab's sync on
		// a cluster (conversation_unstarted.go): it knows only that the
		// conversation ended, not what this tab missed before the end.
		// The store has both: replayed as for a client that was away.
		c.replayToEnd(ctx, msg.Conv, v)
		return
	}
	v, wasOpen := c.convs[msg.Conv]
	if wasOpen {
		c.fillBeforeEnd(ctx, msg, v)
		delete(c.convs, msg.Conv)
		if endsFor(msg.Reason) {
			c.ended.add(msg.Conv)
		}
		c.unanswered(ctx, v, msg.Reason)
		if c.me.Role == RoleCustomer {
			ctx.Unwatch(v.pid)
		}
	}
	c.send(ctx, msg)
	if msg.Reason == ReasonWithdrawn && wasOpen && c.me.Role == RoleCustomer && !c.Pool.rules().customerClosedWhenEnded {
		c.stillWaiting(ctx)
		return
	}
	if c.Pool.rules().customerClosedWhenEnded && c.me.Role == RoleCustomer {
		// A tutorial customer lives for one conversation; when its agent
		// leaves it gets the tutorial's "close" order, then the server
		// hangs up.
		reason := DisconnectConvEnded
		if msg.Reason == ReasonAgentLeft {
			reason = DisconnectAgentLeft
		}
		c.send(ctx, &Kick{Reason: reason})
		c.leave(ctx, reason)
	}
}

// convEvent passes on an event about a conversation: only once the client
// has been welcomed (a second tab can hear from its conversation a moment
// before).
func (c *connection) convEvent(ctx actor.Context, msg any) {
	if c.admitted {
		c.send(ctx, msg)
	}
}

// terminated notes which conversations a stopped actor was.
func (c *connection) terminated(ctx actor.Context, msg *actor.Terminated) {
	if c.dispatcherGone(ctx, msg.Who) {
		return
	}
	// Behind the conversation's last messages, still queued.
	for id, v := range c.convs {
		if v.pid.Equal(msg.Who) {
			ctx.Send(ctx.Self(), &convGone{Conv: id})
		}
	}
}

// convGone ends, for the client, a conversation whose actor stopped without
// saying it was over; where actors move, it repairs first
// (connection_moved.go), and ends it only when the conversation does not
// come back.
func (c *connection) convGone(ctx actor.Context, msg *convGone) {
	v, open := c.convs[msg.Conv]
	if !open || (c.Dir.Moves() && c.moved(ctx, msg.Conv, v)) {
		return
	}
	switch {
	case !v.synced && c.History != nil:
		// It ended just as this client came back, before answering
		// its sync: what it missed and its end are in the store.
		delete(c.convs, msg.Conv)
		c.ended.add(msg.Conv)
		c.unanswered(ctx, v, ReasonGone)
		c.replayEnded(ctx, msg.Conv, v.last)
	default:
		c.convClosed(ctx, &ConvClosed{Conv: msg.Conv, Reason: ReasonFailed})
	}
}

// fillBeforeEnd delivers, from the store, the messages of a conversation
// that ended after the last one this connection has: they were lost on
// their way (a node that died or paused with them queued), and after the
// end nothing will repair the gap. A blocking read, as a replay's is.
func (c *connection) fillBeforeEnd(ctx actor.Context, msg *ConvClosed, v *convView) {
	if msg.Last <= v.last || c.History == nil || !v.synced {
		return
	}
	sctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	stored, err := c.History.Messages(sctx, string(msg.Conv), v.last, int(msg.Last-v.last))
	if err != nil {
		c.Log.Error("cannot read what an ended conversation's end overtook", "conv", msg.Conv, "err", err)
		return
	}
	c.Log.Warn("end overtook messages; delivering them from the store", "conn", c.ID, "conv", msg.Conv, "have", v.last, "last", msg.Last)
	for _, m := range stored {
		cm := fromStored(msg.Conv, m)
		c.message(ctx, &cm)
	}
}
