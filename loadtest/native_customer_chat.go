package loadtest

import (
	"context"
	"math/rand/v2"
	"time"
)

// What a native customer does with the frames it receives, and how it
// sends its messages. Everything here runs on the customer's goroutine.

func (c *customer) handle(ctx context.Context, f *nFrame) {
	m := c.h.m
	switch f.Type {
	case "welcome":
		c.welcome(ctx, f)
	case "queued":
		if c.conv != "" && !c.agentless {
			return // a late position update, overtaken by the conv
		}
		if !c.waiting {
			c.waiting = true
			m.waiting.Add(1)
		}
		if !c.everQueued {
			c.everQueued = true
			m.queued.Add(1)
		}
	case "conv":
		c.onConv(ctx, f)
	case "history":
		c.onHistory(ctx, f)
	case "agent":
		c.agentless = false
		c.unqueue()
	case "requeued":
		c.agentless = true
		m.errs.add("customer:requeued:" + f.Reason)
	case "msg":
		c.onMsg(ctx, f)
	case "ack":
		c.onAck(ctx, f)
	case "error":
		c.onError(ctx, f)
	case "ended":
		c.onEnded(f)
	case "ping":
		c.write(ctx, framePong)
	case "pong", "typing", "read", "dequeued", "state":
	default:
		m.errs.add("customer:unexpected:" + f.Type)
	}
}

func (c *customer) welcome(ctx context.Context, f *nFrame) {
	m := c.h.m
	c.welcomed = true
	m.up()
	m.connect.record(c.idx, time.Since(c.dialedAt))
	if f.Token != "" {
		c.token = f.Token // the newest, as the protocol asks
	}
	if f.You != nil {
		c.me = f.You.ID
	}
	switch {
	case !c.requested:
		c.requested, c.requestAt = true, time.Now()
		c.write(ctx, frameRequest)
	case f.State == "idle" && c.conv == "" && !c.waiting:
		// The request was written just before the socket dropped and never
		// read: ask again.
		c.requestAt = time.Now()
		c.write(ctx, frameRequest)
	case f.State == "idle" && !c.ending:
		// The server forgot the queue place or the conversation.
		m.errs.add("customer:resumed_idle")
		c.done = true
		return
	}
	for _, p := range c.out {
		if !c.write(ctx, frameMsg(p.conv, p.text, p.cid)) {
			return
		}
	}
}

func (c *customer) unqueue() {
	if c.waiting {
		c.waiting = false
		c.h.m.waiting.Add(-1)
	}
}

func (c *customer) onConv(ctx context.Context, f *nFrame) {
	m := c.h.m
	switch {
	case c.conv == "":
		c.conv, c.st = f.Conv, newStream(f.Conv, f.Conv, 'c').awaited(&m.unseen)
		m.assigned.Add(1)
		m.assign.record(c.idx, time.Since(c.requestAt))
	case f.Conv != c.conv:
		m.errs.add("customer:second_conv")
		return
	}
	c.agentless = f.Agent == nil
	if !c.agentless {
		c.unqueue()
	}
	had := c.st.last()
	for i := range f.History {
		c.onMsg(ctx, &f.History[i])
	}
	if f.More {
		c.st.leave(had+1, f.After)
	}
	// Also what an earlier connection left out and did not get paged
	// before it dropped: this conv frame may not say more.
	c.page(ctx)
	if c.begun {
		c.startSending(ctx)
	}
}

func (c *customer) onMsg(ctx context.Context, f *nFrame) {
	if f.Conv != c.conv || c.st == nil {
		c.h.m.errs.add("customer:msg_elsewhere")
		return
	}
	p, ok := parseText(c.h.run, f.Text)
	if !ok {
		p.id = foreignMsg
	}
	if !c.st.receive(f.Seq, p.id) || f.From == nil || f.From.ID == c.me {
		return
	}
	c.h.m.deliveredAt(c.idx, p.sentAt)
	c.answered++
	c.maybeEnd(ctx)
}

// onHistory takes a page of what a conv frame left out, and asks for the
// next.
func (c *customer) onHistory(ctx context.Context, f *nFrame) {
	ask := c.asking
	if !ask.waiting() {
		return
	}
	c.asking = pageAsk{}
	if f.Conv != c.conv {
		return // ended meanwhile
	}
	for i := range f.History {
		c.onMsg(ctx, &f.History[i])
	}
	c.st.paged(ask.before, firstSeq(f.History), f.More)
	c.page(ctx)
}

// page asks for the newest page still left out, one request at a time on
// each connection.
func (c *customer) page(ctx context.Context) {
	if c.asking.waiting() || c.st == nil {
		return
	}
	if before, limit, ok := c.st.nextPage(); ok && c.write(ctx, frameHistory(c.conv, before, limit)) {
		c.asking = pageAsk{conv: c.conv, before: before}
	}
}

func (c *customer) onAck(ctx context.Context, f *nFrame) {
	if _, ok := c.out.acked(c.h.m, c.idx, f); !ok {
		return // a resend's second ack
	}
	if c.h.cfg.MessageEvery == 0 {
		c.send(ctx)
	}
	c.maybeEnd(ctx)
}

func (c *customer) onError(ctx context.Context, f *nFrame) {
	c.out.refused(c.h.m, "customer", f, func(frame []byte) { c.write(ctx, frame) })
	if ask := c.asking; ask.waiting() && f.CID == "" {
		// The history request's answer: ask again if the store did not
		// answer, else give the page up (counted lost).
		c.asking = pageAsk{}
		if f.Code != codeUnavailable {
			c.st.paged(ask.before, 0, false)
		}
		c.page(ctx)
	}
}

func (c *customer) onEnded(f *nFrame) {
	if f.Conv != c.conv || c.conv == "" {
		return
	}
	if c.ending && f.Reason == "customer_ended" {
		c.h.m.finished.Add(1)
	} else {
		c.h.m.errs.add("customer:ended:" + f.Reason)
		c.st.abandon()
	}
	c.h.m.outstanding.Add(-int64(len(c.out)))
	c.out = nil
	c.conv, c.ending = "", false
	c.done = true
}

func (c *customer) startSending(ctx context.Context) {
	if c.conv == "" || c.stopped {
		return
	}
	every := c.h.cfg.MessageEvery
	switch {
	case every > 0 && c.sendTimer == nil:
		// A random phase, so that thousands of customers do not all send
		// in the same millisecond.
		c.sendTimer = time.NewTimer(rand.N(every))
	case every == 0 && len(c.out) == 0:
		c.send(ctx)
	}
}

func (c *customer) stopTimer() {
	if c.sendTimer != nil {
		c.sendTimer.Stop()
		c.sendTimer = nil
	}
}

func (c *customer) send(ctx context.Context) {
	cfg := c.h.cfg
	if !c.begun || c.stopped || c.conv == "" || !c.welcomed || c.ending || (cfg.Messages > 0 && c.n >= cfg.Messages) {
		return
	}
	c.n++
	now := time.Now()
	p := pending{
		conv: c.conv, cid: msgCID(c.h.run, false, c.idx, c.n),
		text: msgText(c.h.run, false, c.idx, c.n, now, time.Time{}),
		id:   newMsgID(false, c.idx, c.n), sentAt: now, st: c.st,
	}
	c.out = append(c.out, p)
	c.h.m.sent.Add(1)
	c.h.m.outstanding.Add(1)
	c.write(ctx, frameMsg(p.conv, p.text, p.cid))
}

func (c *customer) maybeEnd(ctx context.Context) {
	budget := c.h.cfg.Messages
	if budget == 0 || c.ending || c.n < budget || len(c.out) > 0 || c.answered < budget {
		return
	}
	c.ending = true
	c.stopTimer()
	c.write(ctx, frameEnd(c.conv))
}
