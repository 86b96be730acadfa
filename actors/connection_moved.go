package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// A conversation that moved (docs/cluster-plan.md §3, "Terminated means
// moved"). On a cluster (Directory.Moves) a conversation's actor can stop
// without saying goodbye and come back on another node, loaded from the
// store: its node died, or a rebalance moved it. What was on its way to the
// old activation may be lost, and so may the messages it stored but had
// not yet delivered. So the connection repairs rather than gives up: it
// sends again the client's messages still unanswered, then asks for what
// came after the last message it delivered (a Sync). A customer's
// connection learns of the move itself, from its watch; an agent's tab
// hears it from its agent actor, which watches for it (*Resync).
//
// The repair is one attempt: watch again, resend, Sync. A customer's
// connection tries again, after a pause, each time its watch ends without
// an answer in between, so a conversation not yet back (a Watch of a dead
// local address is answered at once with Terminated) is not hammered; one
// still gone after maxRepairs attempts (about 13 s) has failed, as on one
// node.

// The pauses between a customer connection's attempts to reach a moved
// conversation: the first is at once (on a cluster the watch itself brings
// the conversation back), then from repairFirstPause doubling up to
// repairMaxPause. maxRepairs bounds them: 0.1+0.2+0.4+0.8+1.6 s, then 2 s
// five times, about 13 s: longer than the cluster's re-resolution of a
// grain (10 s, docs/cluster-plan.md §3) takes to give up.
const (
	repairFirstPause = 100 * time.Millisecond
	repairMaxPause   = 2 * time.Second
	maxRepairs       = 11
)

// convRepair is the connection's timer for its next attempt to reach a
// moved conversation.
type convRepair struct{ Conv ConvID }

// repairPause is how long to wait before attempt n (from 1) to reach a
// moved conversation.
func repairPause(n int) time.Duration {
	if n <= 1 {
		return 0
	}
	pause := repairFirstPause << min(n-2, 8)
	return min(pause, repairMaxPause)
}

// moved starts or continues the repair of a conversation whose actor
// stopped without its goodbye, on a directory where actors move. It reports
// false when the attempts are used up: the conversation has failed.
func (c *connection) moved(ctx actor.Context, id ConvID, v *convView) bool {
	if v.repairs >= maxRepairs {
		c.Log.Warn("moved conversation did not come back", "conv", id, "attempts", v.repairs)
		return false
	}
	v.repairs++
	v.watched = false
	c.probeSoon(ctx)
	if pause := repairPause(v.repairs); pause > 0 {
		c.timers.SendOnce(pause, ctx.Self(), &convRepair{Conv: id})
		return true
	}
	c.repair(ctx, id, v)
	return true
}

// repairAgain is the timer's attempt: unless the conversation answered or
// ended since.
func (c *connection) repairAgain(ctx actor.Context, msg *convRepair) {
	if v := c.convs[msg.Conv]; v != nil && v.repairs > 0 {
		c.repair(ctx, msg.Conv, v)
	}
}

// resync is an agent's tab told by its agent actor that a conversation
// moved: it repairs the same way, without a watch of its own; one it does
// not show yet it asks for.
func (c *connection) resync(ctx actor.Context, msg *Resync) {
	c.probeSoon(ctx)
	if v := c.convs[msg.Conv]; v != nil {
		c.repair(ctx, msg.Conv, v)
		return
	}
	if c.ended.has(msg.Conv) {
		return // the word of a move that crossed its end
	}
	// One the tab never showed: its assignment went to an agent actor
	// that moved, and the conversation, activated again elsewhere, tells
	// the agent it is back. The tab asks for it.
	c.syncAll(ctx, []ConvID{msg.Conv})
}

// repair is one attempt to reach a moved conversation: a customer watches
// it again (on a cluster the watch makes the directory find where it is
// now), the client's messages still unanswered go again, then a Sync asks
// for what came after the last one delivered. The answer fills what was
// missed (connection_gaps.go); a resend is answered once.
func (c *connection) repair(ctx actor.Context, id ConvID, v *convView) {
	if c.me.Role == RoleCustomer && !v.watched {
		v.watched = true
		ctx.Watch(v.pid)
	}
	c.resend(ctx, v)
	c.askAfter(ctx, id, v)
}
