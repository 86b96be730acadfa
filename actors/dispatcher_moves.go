package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// This file holds the dispatcher's side of "Terminated means moved"
// (Directory.Moves, docs/cluster-plan.md §3). On a cluster a conversation
// or an agent actor stops without its goodbye when its node dies or a
// rebalance moves it: the dispatcher, which holds what each was started
// with, activates it again under the same id (its new owner loads it),
// keeping its slot, its agent's load and its place. On one node such a
// stop is a failure, handled as it always was (terminated).

// Re-activations are bounded, so that an actor that fails at every start
// (a load that panics, a claim always refused) is given up instead of
// restarted forever: past maxMoves within movesWindow it is failed as on
// one node. A node's loss moves an actor once; a node that comes back
// moves it back; a rolling restart of three nodes, up to six times in a
// minute or two. And while the members' views of the cluster differ, an
// activation on a node that does not own it stops at once
// (nodes/owned.go), which its watchers also see as a move. So moves after
// the first in a window wait a growing pause (firstMovePause, doubling to
// maxMovePause) before the actor is activated again: the views agree
// within a second or two, and an actor that always fails is given up
// after about ten seconds instead of in a burst.
const (
	maxMoves       = 10
	movesWindow    = time.Minute
	firstMovePause = 100 * time.Millisecond
	maxMovePause   = 2 * time.Second
)

// moves counts one actor's re-activations within movesWindow.
type moves struct {
	since time.Time // start of the window
	n     int
}

// next counts a re-activation at now and says how long to wait before it,
// and whether it is within the bound.
func (m *moves) next(now time.Time) (time.Duration, bool) {
	if now.Sub(m.since) > movesWindow {
		m.since, m.n = now, 0
	}
	m.n++
	switch {
	case m.n > maxMoves:
		return 0, false
	case m.n == 1:
		return 0, true
	}
	return min(firstMovePause<<(m.n-2), maxMovePause), true
}

// convMoveDue and agentMoveDue are a re-activation's pause over (moves.next):
// still due if no later move of the same actor was counted since.
type (
	convMoveDue struct {
		Conv ConvID
		N    int
	}
	agentMoveDue struct {
		Agent, Actor string
		N            int
	}
)

// convMoved activates again a conversation whose actor stopped without
// ConvFinished, restored from the store, with what its record holds now:
// its agent (or its place in the queue) and its customer's connection. Its
// parties are told to resync by the new activation (StartConv.Rehomed).
func (d *dispatcher) convMoved(ctx actor.Context, c *convRec) {
	delete(d.convPIDs, pidKey(c.pid))
	pause, ok := c.moves.next(d.Now())
	switch {
	case !ok:
		d.Log.Error("conversation moved too often; failing it", "conv", c.id, "moves", c.moves.n)
		d.convLost(ctx, c)
	case pause > 0:
		d.Log.Info("conversation moved again; activating it after a pause", "conv", c.id, "moves", c.moves.n, "pause", pause)
		d.after(ctx, pause, &convMoveDue{Conv: c.id, N: c.moves.n})
	default:
		d.reactivateConv(ctx, c)
	}
}

// convMoveDue activates a moved conversation once its pause is over.
func (d *dispatcher) convMoveDue(ctx actor.Context, msg *convMoveDue) {
	if c := d.convs[msg.Conv]; c != nil && c.moves.n == msg.N {
		d.reactivateConv(ctx, c)
	}
}

// reactivateConv activates a moved conversation again.
func (d *dispatcher) reactivateConv(ctx actor.Context, c *convRec) {
	start := d.convStart(c, c.agent, true)
	start.Rehomed = true
	if err := d.activateConv(ctx, c, start); err != nil {
		d.Log.Error("cannot activate moved conversation", "conv", c.id, "err", err)
		d.convLost(ctx, c)
		return
	}
	d.Metrics.ConvRehomed()
	d.Log.Info("conversation moved; activated again", "conv", c.id)
}

// convRejoin answers a conversation activated without its start: if this
// dispatcher holds it, it is started again as after a move; one it does
// not hold (ended, or the tutorial's) is left to give up on its own.
func (d *dispatcher) convRejoin(ctx actor.Context, msg *ConvRejoin) {
	c := d.convs[msg.Conv]
	if c == nil {
		d.Log.Debug("rejoin of a conversation not held here", "conv", msg.Conv)
		return
	}
	d.convMoved(ctx, c)
}

// agentRejoin answers an agent actor activated without its start. If it is
// its agent's current incarnation, it is started again as after a move.
// If it is an older incarnation of an agent held here, something still
// sends to it: on a cluster, a conversation that missed the moment its
// agent changed incarnation (a dispatcher that moved makes each restored
// agent a new one, and tells each conversation by a start that a
// conversation moving at that moment can lose). Each of the agent's
// conversations is then told the current incarnation again (startAgain
// adopts it; one already on it ignores it), and the stale actor, which no
// start reaches, stops on its own.
func (d *dispatcher) agentRejoin(ctx actor.Context, msg *AgentRejoin) {
	for _, a := range d.agents {
		if a.actorID == msg.Actor {
			d.agentMoved(ctx, a)
			return
		}
	}
	a := d.agents[agentOfActor(msg.Actor)]
	if a == nil {
		d.Log.Debug("rejoin of an agent actor not current here", "actor", msg.Actor)
		return
	}
	d.Log.Info("stale agent actor woken; telling its conversations the current one", "agent", a.ID, "stale", msg.Actor, "conversations", len(a.convs))
	for _, c := range a.convsInOrder() {
		if err := d.activateConv(ctx, c, d.convStart(c, a, true)); err != nil {
			d.Log.Error("cannot tell a conversation its agent's actor", "conv", c.id, "err", err)
		}
	}
}

// convLost gives up a moved conversation as a failed one: its slot is
// freed. Its parties are told here, since they took its stop for a move
// and wait for it to come back.
func (d *dispatcher) convLost(ctx actor.Context, c *convRec) {
	closed := &ConvClosed{Conv: c.id, Other: c.customer.Party, Reason: ReasonFailed}
	if c.agent != nil {
		ctx.Send(c.agent.pid, closed)
	}
	if c.customer.conn != "" {
		toCustomer := *closed
		toCustomer.Other = Party{}
		if c.agent != nil {
			toCustomer.Other = c.agent.Party
		}
		ctx.Send(d.Dir.PID(KindConn, string(c.customer.conn)), &toCustomer)
	}
	d.convFinished(ctx, c.id, ReasonFailed)
}

// agentMoved activates again an agent actor that stopped without the
// dispatcher retiring it, under the same id (the conversations address it
// by that id), with the agent's connections and conversations, at once or
// after a pause (moves.next). It reports false when it cannot: the agent
// is then retired as failed.
func (d *dispatcher) agentMoved(ctx actor.Context, a *agentRec) bool {
	pause, ok := a.moves.next(d.Now())
	switch {
	case !ok:
		d.Log.Error("agent actor moved too often; retiring the agent", "agent", a.ID, "moves", a.moves.n)
		return false
	case pause > 0:
		d.Log.Info("agent actor moved again; activating it after a pause", "agent", a.ID, "moves", a.moves.n, "pause", pause)
		d.after(ctx, pause, &agentMoveDue{Agent: a.ID, Actor: a.actorID, N: a.moves.n})
		return true
	}
	return d.reactivateAgent(ctx, a)
}

// agentMoveDue activates a moved agent actor once its pause is over; one
// that cannot be is retired as failed.
func (d *dispatcher) agentMoveDue(ctx actor.Context, msg *agentMoveDue) {
	a := d.agents[msg.Agent]
	if a == nil || a.actorID != msg.Actor || a.moves.n != msg.N {
		return
	}
	if !d.reactivateAgent(ctx, a) {
		d.Log.Error("agent actor stopped unexpectedly", "agent", a.ID)
		d.retire(ctx, a, ReasonFailed)
	}
}

// reactivateAgent activates a moved agent actor again.
func (d *dispatcher) reactivateAgent(ctx actor.Context, a *agentRec) bool {
	start := &StartAgent{Agent: a.Party, Conns: make([]ConnID, 0, len(a.conns))}
	for _, conn := range a.conns {
		start.Conns = append(start.Conns, conn)
	}
	for _, c := range a.convsInOrder() {
		start.Convs = append(start.Convs, c.id)
	}
	pid, err := d.Dir.Activate(KindAgent, a.actorID, start)
	if err != nil {
		d.Log.Error("cannot activate moved agent actor", "agent", a.ID, "err", err)
		return false
	}
	a.pid = pid
	d.agentActors[pidKey(pid)] = a
	ctx.Watch(pid)
	d.Log.Info("agent actor moved; activated again", "agent", a.ID, "conns", len(start.Conns), "conversations", len(start.Convs))
	return true
}
