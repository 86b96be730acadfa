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
// one node. A node's loss moves each actor once; a rolling restart of
// three nodes, at most three times in a few minutes.
const (
	maxMoves    = 3
	movesWindow = time.Minute
)

// moves counts one actor's re-activations within movesWindow.
type moves struct {
	since time.Time // start of the window
	n     int
}

// allow counts a re-activation at now and says whether it is within the
// bound.
func (m *moves) allow(now time.Time) bool {
	if now.Sub(m.since) > movesWindow {
		m.since, m.n = now, 0
	}
	m.n++
	return m.n <= maxMoves
}

// convMoved activates again a conversation whose actor stopped without
// ConvFinished, restored from the store, with what its record holds now:
// its agent (or its place in the queue) and its customer's connection. Its
// parties are told to resync by the new activation (StartConv.Rehomed).
func (d *dispatcher) convMoved(ctx actor.Context, c *convRec) {
	delete(d.convPIDs, pidKey(c.pid))
	if !c.moves.allow(d.Now()) {
		d.Log.Error("conversation moved too often; failing it", "conv", c.id, "moves", c.moves.n)
		d.convLost(ctx, c)
		return
	}
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
// by that id), with the agent's connections and conversations. It reports
// false when it cannot: the agent is then retired as failed.
func (d *dispatcher) agentMoved(ctx actor.Context, a *agentRec) bool {
	if !a.moves.allow(d.Now()) {
		d.Log.Error("agent actor moved too often; retiring the agent", "agent", a.ID, "moves", a.moves.n)
		return false
	}
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
