package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// This file holds what one side of a conversation tells the other besides
// messages: that it is typing (throttled, never stored) and how far it has
// read (stored).

// typingEvery is the most often one side's typing reaches the other.
const typingEvery = time.Second

func (c *conversation) typing(ctx actor.Context, t *Typing) {
	if !c.isMember(t.From) || c.state.endDecided() {
		return // ephemeral: not worth an error
	}
	now := c.Now()
	if now.Sub(c.typedAt[t.From.ID]) < typingEvery {
		return
	}
	c.typedAt[t.From.ID] = now
	c.toOther(ctx, t.From, &TypingNotice{Conv: c.ID, From: t.From})
}

// read records a read mark and tells the other side. Marks only move
// forward, and only over stored messages.
func (c *conversation) read(ctx actor.Context, r *Read) {
	if !c.isMember(r.From) || r.Seq > c.last() || r.Seq <= c.reads[r.From.ID] {
		return
	}
	c.reads[r.From.ID] = r.Seq
	c.readMarks = append(c.readMarks, store.ReadMark{Conv: string(c.ID), PartyID: r.From.ID, Seq: r.Seq})
	c.toOther(ctx, r.From, &ReadNotice{Conv: c.ID, By: r.From, Seq: r.Seq})
	c.flush(ctx)
}
