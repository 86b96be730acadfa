package loadtest

import (
	"context"
	"strings"
	"time"
)

// compatAgent is one simulated agent of the tutorial's protocol: it names
// itself in the URL, takes the one customer the server puts in its room,
// and answers each of that customer's lines after the think time with a
// line that carries the answered line's timestamp, for the customer's round
// trip. The protocol has no resume, so a lost socket ends the agent.
//
// run is its only goroutine: it alone touches these fields and writes to
// the socket; the link's reader only decodes.
type compatAgent struct {
	h     *harness
	idx   int
	name  string
	ready chan<- bool

	l        *link[cFrame]
	customer string  // the customer in the room, "" when empty
	custSt   *stream // the customer's lines as this agent got them
	ownSt    *stream // this agent's lines as echoed back
	done     []*stream
	n        int // lines written to the current customer

	replies []compatAnswer
	timer   *time.Timer
}

// compatAnswer is a reply owed: due at a time, to a line written at asked.
type compatAnswer struct {
	due, asked time.Time
}

func newCompatAgent(h *harness, idx int, ready chan<- bool) *compatAgent {
	return &compatAgent{h: h, idx: idx, name: agentName(h.cfg.AgentPrefix, idx), ready: ready}
}

func (a *compatAgent) run(ctx context.Context) {
	defer a.h.wg.Done()
	if !a.h.slot(ctx) {
		a.ready <- false
		return
	}
	url := compatSocketURL(a.h.cfg.compatURL(), "kefu", a.name)
	var err error
	for try := 0; try < connectTries; try++ {
		start := time.Now()
		if a.l, err = dial(ctx, url, decodeCompat); err == nil {
			a.h.m.connect.record(a.idx, time.Since(start))
			break
		}
		a.h.m.errs.add("dial")
		if !a.h.pause(ctx, retryEvery) {
			break
		}
	}
	a.h.release()
	a.ready <- err == nil
	if err != nil {
		return
	}
	a.h.m.everConnected.Add(1)
	a.h.m.up()
	defer a.leave()
	a.loop(ctx)
}

func (a *compatAgent) leave() {
	if a.timer != nil {
		a.timer.Stop()
	}
	if a.l != nil {
		a.l.bye()
		a.l = nil
		a.h.m.down()
	}
}

func (a *compatAgent) loop(ctx context.Context) {
	stop := a.h.stop
	for a.l != nil {
		var due <-chan time.Time
		if a.timer != nil {
			due = a.timer.C
		}
		select {
		case in := <-a.l.frames:
			if in.lost != nil {
				if !closed(a.h.finish) {
					a.h.m.errs.add("agent:" + lostKind(in.lost))
				}
				return
			}
			a.handle(in.f)
		case <-due:
			a.timer = nil
			a.answerDue()
		case <-stop:
			stop, a.replies = nil, nil // no answer is written after the window
		case <-a.h.finish:
			return
		case <-ctx.Done():
			return
		}
	}
}

func (a *compatAgent) handle(f *cFrame) {
	switch f.ShuiFaDe {
	case compatSystem:
		a.notice(f.NeiRong)
	case a.name:
		a.echo(f.NeiRong)
	case a.customer:
		a.line(f.NeiRong)
	default:
		a.h.m.errs.add("agent:line_from_stranger")
	}
}

func (a *compatAgent) notice(text string) {
	if name, ok := noticeName(text, joinedPrefix, joinedSuffix); ok {
		a.fileConversation()
		a.customer, a.n = name, 0
		a.custSt = newStream(name, name+":c", 'a')
		a.ownSt = newStream(name, name+":a", 'a')
		return
	}
	if name, ok := noticeName(text, joinedPrefix, leftSuffix); ok && name == a.customer {
		a.fileConversation()
		return
	}
	if strings.HasPrefix(text, compatError) {
		a.h.m.errs.add("agent:error_line")
	}
}

// fileConversation keeps the room's records for the verification.
func (a *compatAgent) fileConversation() {
	if a.customer != "" {
		a.done = append(a.done, a.custSt, a.ownSt)
	}
	a.customer, a.custSt, a.ownSt, a.replies = "", nil, nil, nil
}

// echo takes this agent's own line back: the server accepted it.
func (a *compatAgent) echo(text string) {
	p, ok := parseText(a.h.run, text)
	if !ok {
		return
	}
	if a.ownSt != nil && !a.ownSt.receive(uint64(uint32(p.id)), p.id) {
		return
	}
	a.h.m.ackedAt(a.idx, p.sentAt)
}

// line takes one of the customer's lines and owes it an answer.
func (a *compatAgent) line(text string) {
	p, ok := parseText(a.h.run, text)
	if !ok {
		a.h.m.errs.add("agent:foreign_line")
		return
	}
	if !a.custSt.receive(uint64(uint32(p.id)), p.id) {
		return
	}
	a.h.m.deliveredAt(a.idx, p.sentAt)
	if a.h.windowClosed() {
		return
	}
	a.replies = append(a.replies, compatAnswer{due: time.Now().Add(a.h.cfg.Think), asked: p.sentAt})
	a.answerDue()
}

func (a *compatAgent) answerDue() {
	now := time.Now()
	for len(a.replies) > 0 && !a.replies[0].due.After(now) {
		r := a.replies[0]
		a.replies = a.replies[1:]
		a.reply(r.asked)
	}
	if len(a.replies) > 0 && a.timer == nil {
		a.timer = time.NewTimer(time.Until(a.replies[0].due))
	}
}

func (a *compatAgent) reply(asked time.Time) {
	if a.customer == "" || a.l == nil || !a.h.startMessage() {
		return
	}
	a.n++
	text := msgText(a.h.run, true, a.idx, a.n, time.Now(), asked)
	a.ownSt.top = max(a.ownSt.top, uint64(a.n))
	if err := a.l.write(frameSay(text)); err != nil {
		a.h.m.errs.add("agent:write")
	}
}

func (a *compatAgent) streams() []*stream {
	a.fileConversation()
	return a.done
}
