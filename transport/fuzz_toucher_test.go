package transport

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// toucher asks a session's actors whether they have handled everything sent
// to them before: each answers an *actor.Touch with *actor.Touched once it
// reaches it. The answers come to an actor rather than to futures, because
// a Touch that reaches a stopping actor is dropped unanswered, and a future
// that has given up races with an answer that comes after all (protoactor's
// futureProcess writes its result without a lock).
type toucher struct {
	pid     *actor.PID
	answers chan *actor.PID
	// outstanding counts the touches each actor, by id, has yet to answer.
	// An actor answers in the order it was touched, so once its count is
	// zero it has handled the latest touch.
	outstanding map[string]int
}

func newToucher(root *actor.RootContext) *toucher {
	t := &toucher{answers: make(chan *actor.PID, 1024), outstanding: map[string]int{}}
	t.pid = root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		if m, ok := ctx.Message().(*actor.Touched); ok {
			t.answers <- m.Who
		}
	}))
	return t
}

// touchAll touches every actor in as and waits for each to answer or stop;
// the result says which answered.
func (s *session) touchAll(as []*tracked) []bool {
	s.t.Helper()
	t := s.toucher
	touched := make([]bool, len(as))
	for i, a := range as {
		if !isClosed(a.gone) {
			touched[i] = true
			t.outstanding[a.pid.Id]++
			s.w.system.Root.RequestWithCustomSender(a.pid, &actor.Touch{}, t.pid)
		}
	}
	alive := make([]bool, len(as))
	deadline := time.After(sessionWait)
	// Stopping is seen through the watchers, so this polls for it.
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		waiting := 0
		for i, a := range as {
			switch {
			case !touched[i]:
			case t.outstanding[a.pid.Id] == 0:
				alive[i] = true
			case !isClosed(a.gone):
				waiting++
			}
		}
		if waiting == 0 {
			return alive
		}
		select {
		case who := <-t.answers:
			t.outstanding[who.Id]--
		case <-tick.C:
		case <-deadline:
			for _, a := range as {
				if t.outstanding[a.pid.Id] > 0 && !isClosed(a.gone) {
					s.t.Fatalf("actor %v neither answered nor stopped within %v", a.pid, sessionWait)
				}
			}
		}
	}
}
