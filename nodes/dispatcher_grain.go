package nodes

import (
	"context"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"

	"kefu/actors"
)

// restoreBudget bounds a dispatcher grain's reads at activation.
const restoreBudget = 30 * time.Second

// dispatcherGrain is a pool's dispatcher on a cluster: the grain
// "dispatcher/<pool>", activated on whichever node the cluster places it.
// It learns its pool from its identity, and starts as a restarted single
// node does: from what the store holds (open conversations, waiting
// customers, the last ticket). Agents and customers come back by asking
// again, as after a restart.
type dispatcherGrain struct {
	cfg      actors.DispatcherConfig // the node's; Pool from the identity
	convs    actors.RestoreSource
	tokenTTL time.Duration // how far back a waiting customer can still resume
	inner    actor.Actor
}

// DispatcherKind is the cluster kind of the dispatchers, built from the
// node's dispatcher settings.
func DispatcherKind(cfg actors.DispatcherConfig, convs actors.RestoreSource, tokenTTL time.Duration) *cluster.Kind {
	return cluster.NewKind(string(actors.KindDispatcher), actor.PropsFromProducer(func() actor.Actor {
		return &dispatcherGrain{cfg: cfg, convs: convs, tokenTTL: tokenTTL}
	}))
}

// Receive implements actor.Actor: everything goes to the pool's
// dispatcher, which the first message (Started) creates and restores.
func (g *dispatcherGrain) Receive(ctx actor.Context) {
	if g.inner != nil {
		g.inner.Receive(ctx)
		return
	}
	if _, ok := ctx.Message().(*actor.Started); !ok {
		return // Started always comes first; nothing else can
	}
	if err := g.activate(ctx); err != nil {
		ctx.Logger().Error("dispatcher not activated", "err", err)
		ctx.Stop(ctx.Self())
	}
}

// activate creates the pool's dispatcher, lets it start, and restores it
// before it handles anything else: the messages that activated the grain
// wait in its mailbox behind this Started, and must find the queue and
// the open conversations already there. The reads block this Receive, as
// a conversation's load does at activation.
func (g *dispatcherGrain) activate(ctx actor.Context) error {
	id := cluster.GetClusterIdentity(ctx).Identity
	pool, ok := poolOf(id)
	if !ok {
		return fmt.Errorf("no pool %q", id)
	}
	cfg := g.cfg
	cfg.Pool = pool
	g.inner = actors.NewDispatcher(cfg)()
	g.inner.Receive(ctx) // Started
	rctx, cancel := context.WithTimeout(context.Background(), restoreBudget)
	defer cancel()
	now := time.Now()
	native, _, err := actors.ReadRestore(rctx, g.convs, now, now.Add(-g.tokenTTL))
	if err != nil {
		return err
	}
	restore := native
	if pool != actors.PoolNative {
		// The tutorial's conversations cannot resume; on a cluster they
		// end with their node, and only the ticket carries over.
		restore = &actors.Restore{Ticket: native.Ticket}
	}
	g.inner.Receive(withMessage{Context: ctx, msg: restore})
	return nil
}

func poolOf(id string) (actors.Pool, bool) {
	for _, p := range actors.Pools() {
		if actors.DispatcherID(p) == id {
			return p, true
		}
	}
	return 0, false
}

// withMessage is ctx with another current message: how a grain hands its
// dispatcher the Restore it read, ahead of the mailbox.
type withMessage struct {
	actor.Context
	msg any
}

func (w withMessage) Message() any { return w.msg }
