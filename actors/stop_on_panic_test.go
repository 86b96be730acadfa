package actors

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// boom makes an actor panic: see panicOnBoom.
type boom struct{}

// panicOnBoom is a receiver middleware that panics on *boom, inside the
// actor's own middleware chain as a bug in its Receive would.
func panicOnBoom(next actor.ReceiverFunc) actor.ReceiverFunc {
	return func(ctx actor.ReceiverContext, env *actor.MessageEnvelope) {
		if _, ok := env.Message.(*boom); ok {
			panic("injected fault")
		}
		next(ctx, env)
	}
}

// lockedLog is a log sink safe for the actors' goroutines.
type lockedLog struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedLog) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedLog) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// TestStopOnPanic: an actor of an activated kind that panics is logged
// and stopped, its watchers see Terminated, even under a supervisor that
// restarts (the root's default, like a cluster's placement actor), which
// would otherwise bring it back empty and never say it was gone.
func TestStopOnPanic(t *testing.T) {
	for _, kind := range []Kind{KindConv, KindAgent} {
		t.Run(string(kind), func(t *testing.T) {
			var out lockedLog
			log := slog.New(slog.NewTextHandler(&out, nil))
			system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log }))
			t.Cleanup(system.Shutdown)
			kinds := &Kinds{Dir: NewLocalDirectory(system), Store: store.Discard{}, Log: log}
			props, err := kinds.Props(kind)
			if err != nil {
				t.Fatal(err)
			}
			pid := system.Root.Spawn(props.Configure(actor.WithReceiverMiddleware(panicOnBoom)))
			gone := make(chan struct{})
			system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
				switch ctx.Message().(type) {
				case *actor.Started:
					ctx.Watch(pid)
				case *actor.Terminated:
					close(gone)
				}
			}))
			system.Root.Send(pid, &boom{})
			select {
			case <-gone:
			case <-time.After(testWait):
				t.Fatalf("the panicking %s actor was not stopped:\n%s", kind, out.String())
			}
			if got, want := out.String(), "actor failed; stopping it"; !strings.Contains(got, want) || !strings.Contains(got, "injected fault") {
				t.Fatalf("log=%q, want %q with the reason", got, want)
			}
		})
	}
}
