package actors

import "github.com/asynkron/protoactor-go/actor"

// A start that reaches a conversation already started. On a cluster a
// pool's dispatcher activated again after it moved restores every open
// conversation from the store, and Activate sends each its start wherever
// it is: one that never stopped is started already and keeps all it has.
// But the new dispatcher made its agent a new agent actor (a restored
// agent is a new incarnation), and that is the one the agent's tabs attach
// to from now on, as they rejoin (connection_rejoin.go) or open: events
// sent on to the old one would reach only the tabs open before the move.
// So the conversation adopts it, and tells it it is there (Resync: it
// watches the conversation, and its tabs ask for what they lack). On one
// node no second start comes: Activate refuses a name that is taken.

// startAgain handles a StartConv after the start.
func (c *conversation) startAgain(ctx actor.Context, msg *StartConv) {
	restored := msg.Restore && !msg.Rehomed
	if restored && msg.AgentActor != "" && msg.AgentActor == c.AgentActor {
		// Told again what it has (dispatcher_moves.go, agentRejoin): a
		// stale incarnation of its agent was woken by something sent to
		// it, perhaps this conversation's lines before it adopted this
		// one. The tabs make sure they have them (a Resync is idempotent).
		ctx.Send(c.agent, &Resync{Conv: c.ID})
		return
	}
	if !restored || c.state != convAssigned || msg.AgentActor == "" || msg.Agent.ID != c.Agent.ID {
		c.Log.Warn("second start ignored", "conv", c.ID)
		return
	}
	c.Log.Info("restored dispatcher's agent actor adopted", "conv", c.ID, "agent", c.Agent.ID)
	c.AgentActor, c.agent = msg.AgentActor, c.Dir.PID(KindAgent, msg.AgentActor)
	ctx.Send(c.agent, &Resync{Conv: c.ID})
}
