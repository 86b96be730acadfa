package nodes

import (
	"log/slog"
	"sync"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
)

// The library's placement actor activates whatever grain it is asked for,
// and stops the grains it no longer owns only when its own node's topology
// changes. A node that asks with a stale view (a member just joined or
// left, and the views differ for a moment) therefore makes an activation on
// a node that is not the owner by that node's own view, after that node's
// last topology change: an orphan that nothing stops. Two activations of
// one conversation then live side by side, each reached by the nodes that
// resolved it, and one of them never gets its start (the rebalance
// scenarios stalled so: messages to it waited for a start that went to the
// other). So an activation that its node does not own stops at once,
// before its actor sees anything: the node that asked re-resolves (with
// backoff, grainProcess.resolve), and its watchers take it for a move, as
// they do any stop, until the views agree.

// OwnedOnly returns kind with its activations refused (stopped unseen) on
// a node that is not their owner by its current view.
func (d *Directory) OwnedOnly(kind *cluster.Kind) *cluster.Kind {
	props := kind.Props.Clone(actor.WithReceiverMiddleware(ownedOnly(d.grains.members, d.grains.system.Address(), d.grains.log)))
	return cluster.NewKind(kind.Kind, props)
}

// ownedOnly is the receiver middleware of OwnedOnly: the decision is taken
// at Started, once per activation, and a refused activation passes nothing
// on, its Stopping and Stopped included (its actor never started). The
// chain is built once per props, shared by every activation, so the
// refused ones are kept by their PID's id until they have stopped.
func ownedOnly(members *membership, self string, log *slog.Logger) actor.ReceiverMiddleware {
	var refused sync.Map // PID id → struct{}
	return func(next actor.ReceiverFunc) actor.ReceiverFunc {
		return func(ctx actor.ReceiverContext, env *actor.MessageEnvelope) {
			id := ctx.Self().Id
			switch env.Message.(type) {
			case *actor.Started:
				ci := cluster.GetClusterIdentity(ctx)
				if owner := members.owner(ci.Kind, ci.Identity); owner != self {
					refused.Store(id, struct{}{})
					log.Warn("activation refused: not the owner here", slog.String("kind", ci.Kind), slog.String("id", ci.Identity), slog.String("owner", owner), slog.Any("members", members.Addresses()))
					ctx.ActorSystem().Root.Stop(ctx.Self())
					return
				}
			case *actor.Stopped:
				if _, ok := refused.LoadAndDelete(id); ok {
					return
				}
			}
			if _, ok := refused.Load(id); ok {
				return
			}
			next(ctx, env)
		}
	}
}
