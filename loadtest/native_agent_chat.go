package loadtest

import (
	"context"
	"time"
)

// What a native agent does with the frames it receives, and how it
// answers. Everything here runs on the agent's goroutine.

func (a *agent) handle(ctx context.Context, f *nFrame) {
	m := a.h.m
	switch f.Type {
	case "welcome":
		a.welcome(ctx, f)
	case "state":
		if f.Capacity == a.h.cfg.Capacity && f.Status == "available" {
			a.tell(true)
		}
	case "conv":
		a.onConv(ctx, f)
	case "history":
		a.onHistory(ctx, f)
	case "msg":
		a.onMsg(ctx, f)
	case "ack":
		a.onAck(f)
	case "error":
		a.onError(ctx, f)
	case "ended":
		a.onEnded(f)
	case "ping":
		a.write(ctx, framePong)
	case "pong", "typing", "read", "agents":
	default:
		m.errs.add("agent:unexpected:" + f.Type)
	}
}

func (a *agent) welcome(ctx context.Context, f *nFrame) {
	m := a.h.m
	a.welcomed = true
	m.up()
	m.connect.record(a.idx, time.Since(a.dialedAt))
	if f.You != nil {
		a.me = f.You.ID
	}
	if !a.told {
		// The account may hold another capacity from an earlier run, or
		// the status a tab set within the grace: this run's are set here,
		// and the agent is ready once the server's state says so.
		a.write(ctx, frameCapacity(a.h.cfg.Capacity))
		a.write(ctx, frameAvail)
	}
	for _, p := range a.out {
		if !a.write(ctx, frameMsg(p.conv, p.text, p.cid)) {
			return
		}
	}
}

func (a *agent) onConv(ctx context.Context, f *nFrame) {
	st := a.convs[f.Conv]
	if st == nil {
		if f.Customer == nil || !a.h.ours(f.Customer.Name) {
			// Left open by an earlier run: end it, so its slot is free.
			a.h.stale.Add(1)
			a.write(ctx, frameEnd(f.Conv))
			return
		}
		st = newStream(f.Conv, f.Conv, 'a').awaited(&a.h.m.unseen)
		a.convs[f.Conv] = st
	}
	had := st.last()
	for i := range f.History {
		a.onMsg(ctx, &f.History[i])
	}
	if f.More {
		st.leave(had+1, f.After)
	}
	// Also what an earlier connection left out and did not get paged
	// before it dropped: this conv frame may not say more.
	a.page(ctx)
}

// onHistory takes a page of what a conv frame left out, and asks for the
// next.
func (a *agent) onHistory(ctx context.Context, f *nFrame) {
	ask := a.asking
	if !ask.waiting() || f.Conv != ask.conv {
		return
	}
	a.asking = pageAsk{}
	if st := a.convs[f.Conv]; st != nil { // else it ended meanwhile
		for i := range f.History {
			a.onMsg(ctx, &f.History[i])
		}
		st.paged(ask.before, firstSeq(f.History), f.More)
	}
	a.page(ctx)
}

// page asks for the newest page still left out of one of the agent's
// conversations, one request at a time on each connection.
func (a *agent) page(ctx context.Context) {
	if a.asking.waiting() {
		return
	}
	for conv, st := range a.convs {
		if before, limit, ok := st.nextPage(); ok {
			if a.write(ctx, frameHistory(conv, before, limit)) {
				a.asking = pageAsk{conv: conv, before: before}
			}
			return
		}
	}
}

func (a *agent) onMsg(ctx context.Context, f *nFrame) {
	st := a.convs[f.Conv]
	if st == nil {
		return // a stale conversation's, or one that just ended
	}
	p, ok := parseText(a.h.run, f.Text)
	if !ok {
		p.id = foreignMsg
	}
	if !st.receive(f.Seq, p.id) || f.From == nil || f.From.Role != "customer" {
		return
	}
	a.h.m.deliveredAt(a.idx, p.sentAt)
	if a.stopped {
		return
	}
	a.replies = append(a.replies, answer{conv: f.Conv, due: time.Now().Add(a.h.cfg.Think)})
	a.answerDue(ctx)
}

func (a *agent) answerDue(ctx context.Context) {
	now := time.Now()
	for len(a.replies) > 0 && !a.replies[0].due.After(now) {
		r := a.replies[0]
		a.replies = a.replies[1:]
		a.reply(ctx, r.conv)
	}
	if len(a.replies) > 0 && a.timer == nil {
		a.timer = time.NewTimer(time.Until(a.replies[0].due))
	}
}

func (a *agent) reply(ctx context.Context, conv string) {
	st := a.convs[conv]
	if st == nil || a.stopped {
		return
	}
	a.n++
	now := time.Now()
	p := pending{
		conv: conv, cid: msgCID(a.h.run, true, a.idx, a.n),
		text: msgText(a.h.run, true, a.idx, a.n, now, time.Time{}),
		id:   newMsgID(true, a.idx, a.n), sentAt: now, st: st,
	}
	a.out = append(a.out, p)
	a.h.m.sent.Add(1)
	a.h.m.outstanding.Add(1)
	a.write(ctx, frameMsg(p.conv, p.text, p.cid))
}

func (a *agent) onAck(f *nFrame) { a.out.acked(a.h.m, a.idx, f) }

func (a *agent) onError(ctx context.Context, f *nFrame) {
	a.out.refused(a.h.m, "agent", f, func(frame []byte) { a.write(ctx, frame) })
	if ask := a.asking; ask.waiting() && f.CID == "" {
		// The history request's answer: ask again if the store did not
		// answer, else give the page up (counted lost).
		if st := a.convs[ask.conv]; st != nil && f.Code != codeUnavailable {
			st.paged(ask.before, 0, false)
		}
		a.asking = pageAsk{}
		a.page(ctx)
	}
}

func (a *agent) onEnded(f *nFrame) {
	st := a.convs[f.Conv]
	if st == nil {
		return
	}
	delete(a.convs, f.Conv)
	a.done = append(a.done, st)
	switch f.Reason {
	case "customer_ended", "agent_ended":
	default:
		a.h.m.errs.add("agent:ended:" + f.Reason)
		st.abandon()
	}
	// Its answers not yet acknowledged never will be.
	for i := 0; i < len(a.out); {
		if a.out[i].conv == f.Conv {
			a.out.take(a.out[i].cid)
			a.h.m.outstanding.Add(-1)
			continue
		}
		i++
	}
}
