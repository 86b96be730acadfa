package actors

import (
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// A dispatcher that moved (docs/cluster-plan.md §3, the last row of
// "Terminated means moved"). On a cluster a pool's dispatcher is a grain:
// when its node dies or a rebalance moves it, a new activation restores
// from the store what a restarted single node restores (open
// conversations, waiting customers, the last ticket). After a restart the
// clients come back by themselves, since their sockets dropped; on a
// cluster their sockets stay open on the surviving nodes, so the new
// dispatcher would never hear of them: an agent it does not know loses its
// customers when its grace runs out, a waiting customer its place.
//
// So every admitted connection, where actors move (Directory.Moves),
// watches its pool's dispatcher, and when the watch ends asks to be
// admitted again, as at hello but with what it has now and Rejoin set: the
// dispatcher takes it as the same party coming back (no one is replaced).
// The answer is not a second welcome: the client hears only what changed
// (its status or capacity, its place in the queue, a conversation it did
// not know). A watch that ends at once (the dispatcher not back yet) is
// tried again after connection_moved.go's pauses (repairPause), without
// end: a connection has nowhere else to be admitted. On one node nothing
// is watched and nothing changes.

// rejoin is what a connection keeps to be admitted again after its
// dispatcher moved: whether it watches it, the attempts since it was last
// answered, and what the client was last told of where it stands, so that
// an answer tells it only what changed.
type rejoin struct {
	watching bool
	attempts int
	// requesting: a customer's request for an agent is sent and not yet
	// answered (queued, a conversation, or refused). One lost with a
	// dispatcher that moved goes again when the rejoin's answer shows
	// the customer idle: the socket stayed open, so the client never
	// hears a new welcome telling it to ask again.
	requesting bool
	asked      int    // rejoins sent; one unanswered after rejoinAnswerWait goes again
	answered   int    // the last of them answered
	status     Status // an agent's, with its capacity
	capacity   int
	position   int // a waiting customer's place; 0 when not told one
	// cancelled: the customer cancelled its request and has not asked
	// again. A Queued sent before the cancel may still arrive, and its
	// Dequeued may be lost with a move: neither makes it wait again.
	cancelled bool
	team      string // the team the customer last asked for: a request lost with a move goes there again
}

// rejoinAgain is the connection's timer for its next attempt.
type rejoinAgain struct{}

// rejoinUnanswered is the connection's timer for the answer to rejoin
// number Asked. Delivery between nodes is at most once: a rejoin lost on
// its way to a dispatcher that is up (its watch holds) would otherwise
// never be sent again, and the dispatcher would keep the party as away:
// a waiting customer passed over for good, an agent given no one.
type rejoinUnanswered struct{ Asked int }

// rejoinAnswerWait is how long a rejoin waits for its answer before it
// goes again. A dispatcher answers at once, after its restore (a few
// hundred milliseconds); a rejoin repeated is answered as the first.
const rejoinAnswerWait = time.Second

func (c *connection) dispatcherPID() *actor.PID {
	return c.Dir.PID(KindDispatcher, DispatcherID(c.Pool))
}

// watchDispatcher starts watching the pool's dispatcher, once admitted,
// where actors move.
func (c *connection) watchDispatcher(ctx actor.Context) {
	if c.Dir.Moves() && !c.rejoin.watching {
		c.rejoin.watching = true
		ctx.Watch(c.dispatcherPID())
	}
}

// dispatcherGone reports whether who is the watched dispatcher, and then
// asks it again: at once the first time, after a pause each time the watch
// ended again without an answer between.
func (c *connection) dispatcherGone(ctx actor.Context, who *actor.PID) bool {
	if !c.rejoin.watching || !who.Equal(c.dispatcherPID()) {
		return false
	}
	c.rejoin.attempts++
	if pause := repairPause(c.rejoin.attempts); pause > 0 {
		c.timers.SendOnce(pause, ctx.Self(), &rejoinAgain{})
		return true
	}
	c.rejoinNow(ctx)
	return true
}

// rejoinNow watches the dispatcher again (on a cluster the watch finds
// where it is now) and asks to be admitted again.
func (c *connection) rejoinNow(ctx actor.Context) {
	switch c.rejoin.attempts {
	case 1:
		c.Log.Info("dispatcher moved; rejoining", "role", c.me.Role)
	case maxRepairs:
		// As long as a conversation is given to come back (about 13 s).
		c.Log.Warn("dispatcher not back yet; still rejoining", "role", c.me.Role, "attempts", c.rejoin.attempts)
	}
	c.probeSoon(ctx)
	c.sendRejoin(ctx)
}

// sendRejoin watches the dispatcher and asks to be admitted again, with a
// timer for the answer.
func (c *connection) sendRejoin(ctx actor.Context) {
	dispatcher := c.dispatcherPID()
	ctx.Watch(dispatcher)
	if m := c.admission(true); m != nil {
		ctx.Request(dispatcher, m)
		c.rejoin.asked++
		c.timers.SendOnce(rejoinAnswerWait, ctx.Self(), &rejoinUnanswered{Asked: c.rejoin.asked})
	}
}

// rejoinTimedOut sends a rejoin again when the one the timer was set for,
// the latest, is still unanswered.
func (c *connection) rejoinTimedOut(ctx actor.Context, msg *rejoinUnanswered) {
	if msg.Asked != c.rejoin.asked || c.rejoin.answered >= msg.Asked {
		return
	}
	c.Log.Info("rejoin unanswered; asking again", "role", c.me.Role, "attempts", c.rejoin.attempts)
	c.rejoin.attempts++
	c.rejoinNow(ctx)
}

// convIDs lists the conversations the connection is in, in a stable
// order.
func (c *connection) convIDs() []ConvID {
	ids := make([]ConvID, 0, len(c.convs))
	for id := range c.convs {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids
}

// standing passes on where the client stands (its place in the queue, an
// agent's status and capacity), noting it for a rejoin's answer.
func (c *connection) standing(ctx actor.Context, msg any) {
	switch m := msg.(type) {
	case *Queued:
		if !c.rejoin.cancelled {
			c.rejoin.position, c.rejoin.requesting = m.Position, false
			c.probeWhileWaiting(ctx)
		}
	case *Dequeued:
		c.rejoin.position = 0
	case *AgentState:
		c.rejoin.status, c.rejoin.capacity = m.Status, m.Capacity
	}
	c.send(ctx, msg)
}

// agentRejoined takes a moved dispatcher's answer to an agent's rejoin:
// the client hears of a changed status or capacity, and of conversations
// it did not know (assigned while the answer was lost with the old
// dispatcher), never a second welcome.
func (c *connection) agentRejoined(ctx actor.Context, a *AgentAdmitted) {
	c.rejoin.attempts, c.rejoin.answered = 0, c.rejoin.asked
	if a.Status != c.rejoin.status || a.Capacity != c.rejoin.capacity {
		c.standing(ctx, &AgentState{Status: a.Status, Capacity: a.Capacity})
	}
	c.reconcile(ctx, a.Convs)
}

// customerRejoined takes a moved dispatcher's answer to a customer's
// rejoin: a changed place in the queue, or a conversation it did not know.
func (c *connection) customerRejoined(ctx actor.Context, a *CustomerAdmitted) {
	c.rejoin.attempts, c.rejoin.answered = 0, c.rejoin.asked
	if a.Queued && a.Position != c.rejoin.position {
		c.standing(ctx, &Queued{Position: a.Position, ETA: a.ETA, Team: a.Team})
	}
	if c.waiting() && !c.rejoin.cancelled && !a.Queued && a.Conv == "" {
		// Its request, or its place, was lost with a dispatcher that
		// moved (or its grace ran out while its rejoins were lost): the
		// client still waits, so it asks again, at the back.
		c.Log.Info("request or place lost with the dispatcher's move; asking again", "conn", c.ID, "had", c.rejoin.position)
		c.rejoin.position, c.rejoin.requesting = 0, true
		ctx.Request(c.dispatcherPID(), &RequestAgent{Customer: c.me.ID, Addr: c.Addr, Team: c.rejoin.team})
	}
	if a.Conv != "" && !c.Pool.rules().greetsCustomer {
		c.syncAll(ctx, c.unknown([]ConvID{a.Conv}))
	}
}

// stillWaiting asks the dispatcher where a customer stands whose
// conversation was withdrawn (conversation_fenced.go): the dispatcher that
// owns the queue has it waiting, and tells it its place, or has no
// request of it, and the answer makes it ask again (customerRejoined). A
// customer served meanwhile in a conversation of its own has nothing to
// ask.
func (c *connection) stillWaiting(ctx actor.Context) {
	if len(c.convs) > 0 || c.rejoin.cancelled {
		return
	}
	c.Log.Info("conversation withdrawn; asking where the customer stands", "conn", c.ID)
	c.rejoin.requesting = true
	c.probeSoon(ctx)
	c.sendRejoin(ctx)
}

// unknown returns those of ids the connection is not in, nor saw end.
func (c *connection) unknown(ids []ConvID) []ConvID {
	var out []ConvID
	for _, id := range ids {
		if _, in := c.convs[id]; !in && !c.ended.has(id) {
			out = append(out, id)
		}
	}
	return out
}
