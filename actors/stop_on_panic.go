package actors

import (
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// stopOnPanic is the receiver middleware of every activated kind (Kinds):
// an actor whose Receive panics is logged and stopped, never restarted. A
// restarted conversation or agent would come back empty while its peers
// still believe in its old state; stopped, it becomes Terminated, which
// every watcher already handles as "gone". LocalDirectory's guardian does
// the same for what it spawns, but a cluster grain is a child of the
// placement actor, whose default supervisor restarts: this middleware
// holds wherever the actor runs.
func stopOnPanic(log *slog.Logger) actor.ReceiverMiddleware {
	return func(next actor.ReceiverFunc) actor.ReceiverFunc {
		return func(ctx actor.ReceiverContext, env *actor.MessageEnvelope) {
			defer func() {
				if reason := recover(); reason != nil {
					log.Error("actor failed; stopping it", slog.Any("reason", reason), slog.String("actor", ctx.Self().Id))
					ctx.ActorSystem().Root.Stop(ctx.Self())
				}
			}()
			next(ctx, env)
		}
	}
}
