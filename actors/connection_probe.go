package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Tail-loss probes, on a directory where actors move (a cluster). A
// conversation's lost message shows as a gap when a later one arrives
// (connection_gaps.go); a lost *last* message shows nothing, and both
// parties then wait for each other for good: a customer's line stored and
// acknowledged whose fan-out went to an agent actor the tab no longer
// hears from, or an end that went to an activation that was moving. The
// cluster scenarios showed exactly that after two or three moves in a few
// seconds, each cause with its own narrow repair and none covering the
// next. So, as TCP's tail-loss probe does, the connection itself asks each
// conversation it shows, now and then, for what came after the last
// message it delivered (askAfter): an answer with nothing new costs one
// message between actors and no frame to the client; one with more fills
// the tail; an ended conversation's activation answers with the end
// (conversation_unstarted.go). The probe goes over the grain's stable
// address, not through the agent actor, so it also repairs a tab whose
// agent actor is stale.
//
// Probes come soon after the connection sees something move (its
// dispatcher, a conversation, a gap: probeFirst, doubling) and every
// probeMax after that as the last safety net. On one node nothing is lost
// between actors, and there are no probes.
const (
	probeFirst = time.Second
	probeMax   = 16 * time.Second
)

// A waiting customer probes its dispatcher the same way: a rejoin, which
// tells it where it stands now and brings back a place or a request for an
// agent lost with a dispatcher that moved. Its probes come at least every
// waitingProbe: a dispatcher that moved serves its queue once every
// restored waiter is back or restoreSettle has passed, and one whose
// connection heard nothing of the move (the watch lost with the node) came
// back only at its next probe, up to probeMax later, passed over meanwhile
// (a clean-clone CI run of TestRollingRestart). So does an agent's tab: the
// rejoin's answer lists the conversations the agent serves, and the tab
// asks for one it lacks (a clean-clone CI run of TestClusterSteady, with
// nothing moving, left a tab without its first assignment for good).

// probeTick is the connection's probe timer; Gen drops a tick re-armed
// since.
type probeTick struct{ Gen uint64 }

// tailProbe is a connection's probe schedule.
type tailProbe struct {
	gap  time.Duration // until the next tick
	gen  uint64
	stop func()
}

// startProbing arms the steady probes once admitted, on a cluster.
func (c *connection) startProbing(ctx actor.Context) {
	if c.Dir.Moves() && c.probe.stop == nil {
		c.armProbe(ctx, c.probeMax())
	}
}

// probeMax is the probes' slowest pace.
func (c *connection) probeMax() time.Duration {
	if c.ProbeMax > 0 {
		return c.ProbeMax
	}
	return probeMax
}

// probeSoon brings the next probes forward: something moved, and what was
// on its way may be lost.
func (c *connection) probeSoon(ctx actor.Context) {
	if first := min(probeFirst, c.probeMax()); c.Dir.Moves() && c.admitted && c.probe.gap != first {
		c.armProbe(ctx, first)
	}
}

func (c *connection) armProbe(ctx actor.Context, gap time.Duration) {
	if c.probe.stop != nil {
		c.probe.stop()
	}
	c.probe.gen++
	c.probe.gap = gap
	c.probe.stop = c.timers.SendOnce(gap, ctx.Self(), &probeTick{Gen: c.probe.gen})
}

// probed is the tick: each conversation the client has been given, and
// not being repaired, is asked for what came after its last message; one
// whose earlier ask went unanswered for a whole gap is asked again (the ask
// or its answer was lost too), the first sync of one the client is yet to
// be given included.
func (c *connection) probed(ctx actor.Context, t *probeTick) {
	if t.Gen != c.probe.gen {
		return
	}
	now := time.Now()
	for _, id := range c.convIDs() {
		v := c.convs[id]
		switch {
		case v.repairs > 0:
		case !v.synced:
			// Its first sync (a resume, a conversation a rejoin named)
			// went unanswered: asked again.
			if now.Sub(v.askedAt) >= c.probe.gap {
				c.firstSync(ctx, v)
			}
		case !v.asked || now.Sub(v.askedAt) >= c.probe.gap:
			c.askAfter(ctx, id, v)
			// A message of the client's unanswered for a whole gap, or
			// its End, may be what was lost (a clean-clone CI run of
			// TestRollingRestart: an agent's line never stored nor
			// acknowledged, and both sides waiting for good). Sent
			// again: stored once by its client id, answered with the
			// original's ack; an ended conversation answers the End
			// with the end.
			c.resendSince(ctx, v, now.Add(-c.probe.gap))
		}
	}
	if c.rejoin.answered >= c.rejoin.asked && (c.waiting() || c.me.Role == RoleAgent) {
		// A waiting customer's place, or its request, may be what was
		// lost: a dispatcher that moved holds it as away, passed over
		// beside free agents. An agent's tab may lack an assignment made
		// while the agent actor moved. A rejoin is the same party coming
		// back: its answer says where the party stands and, for an
		// agent, which conversations it serves (reconcile).
		c.sendRejoin(ctx)
	}
	c.armProbe(ctx, c.nextProbeGap())
}

// waitingProbe is the slowest pace of a waiting customer's probes: well
// within restoreSettle, so that its rejoin reaches a dispatcher that moved
// before the queue is served without it.
const waitingProbe = restoreSettle / 2

// nextProbeGap doubles the gap up to probeMax, or waitingProbe while the
// customer waits.
func (c *connection) nextProbeGap() time.Duration {
	next := min(2*c.probe.gap, c.probeMax())
	if c.waiting() {
		next = min(next, waitingProbe)
	}
	return next
}

// probeWhileWaiting brings the probes to a waiting customer's pace.
func (c *connection) probeWhileWaiting(ctx actor.Context) {
	if c.Dir.Moves() && c.admitted && c.probe.gap > waitingProbe {
		c.armProbe(ctx, waitingProbe)
	}
}

// waiting reports whether this is a customer waiting for an agent: in the
// queue, or asking to be.
func (c *connection) waiting() bool {
	return c.me.Role == RoleCustomer && (c.rejoin.position > 0 || c.rejoin.requesting)
}
