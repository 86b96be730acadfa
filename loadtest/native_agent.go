package loadtest

import (
	"context"
	"fmt"
	"time"
)

// agent is one simulated native agent: it logs in (done by provision), says
// hello, sets its capacity and status, then answers every customer message
// after the think time, in the same conversation. Dropped, it resumes with
// its token and the last seq of each conversation, and sends again what was
// not acknowledged.
//
// run is its only goroutine: it alone touches these fields and writes to
// the socket; the link's reader only decodes.
type agent struct {
	h     *harness
	idx   int
	srv   int // the server it dials: h.servers[srv]
	token string
	drop  chan struct{}
	ready chan<- bool // told once: connected with its capacity set, or not

	l        *link[nFrame]
	dialedAt time.Time
	welcomed bool
	told     bool // ready has been told
	me       string

	convs  map[string]*stream // open conversations of this run
	asking pageAsk            // the history request waiting for its answer on this connection
	done   []*stream          // conversations over, for the verification

	out     outbox
	n       int      // own messages written a first time
	replies []answer // due answers, oldest first: the think time is one constant
	timer   *time.Timer
	stopped bool
}

// answer is a reply the agent owes, due at a time.
type answer struct {
	conv string
	due  time.Time
}

func newAgent(h *harness, idx int, token string, ready chan<- bool) *agent {
	return &agent{h: h, idx: idx, srv: h.home(idx), token: token, ready: ready, drop: make(chan struct{}, 1), convs: map[string]*stream{}}
}

// agentName is agent i's account name.
func agentName(prefix string, i int) string { return fmt.Sprintf("%s%04d", prefix, i) }

func (a *agent) run(ctx context.Context) {
	defer a.h.wg.Done()
	defer a.tell(false)
	if !a.h.slot(ctx) {
		return
	}
	ok := false
	for try := 0; try < connectTries && !ok; try++ {
		ok = a.connect(ctx) == nil
		if !ok && !a.h.pause(ctx, retryEvery) {
			break
		}
	}
	a.h.release()
	if !ok {
		return
	}
	a.h.m.everConnected.Add(1)
	defer a.leave()
	a.loop(ctx)
}

// tell reports readiness once.
func (a *agent) tell(ok bool) {
	if !a.told {
		a.told = true
		a.ready <- ok
	}
}

func (a *agent) connect(ctx context.Context) error {
	a.dialedAt = time.Now()
	l, err := dial(ctx, a.h.nativeURL(a.srv), decodeNative)
	if err != nil {
		a.h.m.errs.add("dial")
		a.srv = a.h.next(a.srv)
		return err
	}
	a.l, a.welcomed, a.asking = l, false, pageAsk{}
	resume := make(map[string]uint64, len(a.convs))
	for id, st := range a.convs {
		resume[id] = st.last()
	}
	if err := l.write(frameHelloAgent(a.token, resume)); err != nil {
		a.h.m.errs.add("write")
		a.closeLink()
		return err
	}
	return nil
}

func (a *agent) reconnect(ctx context.Context) {
	a.closeLink()
	a.h.m.reconnects.Add(1)
	for !closed(a.h.finish) && ctx.Err() == nil {
		if a.connect(ctx) == nil {
			return
		}
		if !a.h.pause(ctx, retryEvery) {
			return
		}
	}
}

func (a *agent) closeLink() {
	if a.l == nil {
		return
	}
	a.l.drop()
	a.l = nil
	if a.welcomed {
		a.h.m.down()
		a.welcomed = false
	}
}

func (a *agent) leave() {
	if a.timer != nil {
		a.timer.Stop()
	}
	if a.l != nil {
		a.l.bye()
		a.closeLink()
	}
}

func (a *agent) loop(ctx context.Context) {
	stop, finish := a.h.stop, a.h.finish
	for {
		var frames <-chan inbound[nFrame]
		if a.l != nil {
			frames = a.l.frames
		}
		var due <-chan time.Time
		if a.timer != nil {
			due = a.timer.C
		}
		select {
		case in := <-frames:
			if in.lost != nil {
				a.h.m.errs.add("agent:" + lostKind(in.lost))
				a.reconnect(ctx)
				continue
			}
			a.handle(ctx, in.f)
		case <-due:
			a.timer = nil
			a.answerDue(ctx)
		case <-stop:
			stop, a.stopped, a.replies = nil, true, nil
		case <-a.drop:
			if a.welcomed {
				a.reconnect(ctx)
			}
		case <-finish:
			return
		case <-ctx.Done():
			return
		}
	}
}

// answerDue sends every answer whose think time is over, and sets the
// timer for the next.
// reply writes one answer in a conversation, if it is still open. Between
// connections it waits in the outbox and goes after the welcome.
// onEnded files a conversation that is over for this agent. Ended by either
// side, the agent had everything; otherwise (gone, transferred, requeued,
// failed) it lost the conversation midway, which is counted.
func (a *agent) write(ctx context.Context, frame []byte) bool {
	if a.l == nil || !a.welcomed {
		return false
	}
	if err := a.l.write(frame); err != nil {
		if closed(a.h.finish) {
			return false
		}
		a.h.m.errs.add("agent:write")
		a.reconnect(ctx)
		return false
	}
	return true
}

// streams returns every conversation record of this agent.
func (a *agent) streams() []*stream {
	out := append([]*stream(nil), a.done...)
	for _, st := range a.convs {
		out = append(out, st)
	}
	return out
}
