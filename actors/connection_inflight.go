package actors

import (
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// A client's message can meet its conversation's end on the way: a
// conversation stops as soon as it has told its members it is over, and a
// Post that reaches it after that (or waits in its mailbox behind the end)
// is dropped unanswered. The protocol promises an ack or an error for every
// msg, so the connection keeps the client ids it has posted and not yet
// seen answered, and answers them itself when it learns the conversation
// is over. Found by FuzzConnection (transport).

//
// On a cluster the same record is what a moved conversation is sent again
// (connection_moved.go), so it keeps each message's text as well as its id.

// maxInflight bounds the client ids kept per conversation: the socket
// queues only 64 frames, so a client with more messages unanswered than
// that is not waiting for the answers. Past the bound, a message lost to
// the end goes unanswered, and one lost to a move is not sent again (the
// client's own resend with the same cid still is answered once).
const maxInflight = 64

// inflightPost is one of the client's messages posted and not yet
// answered: its id, and its text and file for a resend after a move.
type inflightPost struct {
	cid     string
	text    string
	file    store.FileRef
	at      time.Time // when it was last sent to the conversation
	resends int       // how often the connection sent it again (resend)
}

// posted notes that the client's message p went to the conversation at
// now.
func (v *convView) posted(p *Post, now time.Time) {
	if p.ClientID != "" && len(v.inflight) < maxInflight {
		v.inflight = append(v.inflight, inflightPost{cid: p.ClientID, text: p.Text, file: p.File, at: now})
	}
}

// resend posts again, in their order, the messages still unanswered in
// v: after a move they may have been lost with the old activation. Safe:
// a conversation stores a (sender, client id) once and answers a resend
// with the original's ack, from memory or from the store
// (conversation_writes.go). Each answer past the first is the
// connection's, not the client's: see echo.
func (c *connection) resend(ctx actor.Context, v *convView) {
	c.resendSince(ctx, v, time.Time{})
}

// resendSince is resend for the messages last sent before cutoff (zero:
// all): a probe sends again only those unanswered for a whole probe gap,
// lost on the way or with an activation that moved (nothing else would
// ever answer them), not those a busy conversation has yet to store.
func (c *connection) resendSince(ctx actor.Context, v *convView, cutoff time.Time) {
	now := time.Now()
	for i := range v.inflight {
		p := &v.inflight[i]
		if !cutoff.IsZero() && !p.at.Before(cutoff) {
			continue
		}
		p.resends++
		p.at = now
		ctx.Send(v.pid, &Post{From: c.me, Conn: c.ID, Text: p.text, ClientID: p.cid, File: p.file})
	}
	if v.ending {
		c.resendEnd(ctx, v)
	}
}

// resendEnd sends again the client's end, not yet answered by the
// conversation's: a conversation that is ending ignores a second End, and
// one woken after it ended answers it with the end.
func (c *connection) resendEnd(ctx actor.Context, v *convView) {
	ctx.Send(v.pid, &End{By: c.me, Conn: c.ID})
}

// answered forgets the client id an outgoing ack or error answers, and
// reports whether the client is to have it: not when it answers a resend
// of the connection's own whose message the client has already had an
// answer for. An error does not say which conversation it is about, so
// the id is forgotten in all: cids are unique per client
// (docs/protocol.md).
func (c *connection) answered(msg any) bool {
	switch m := msg.(type) {
	case *Ack:
		if v := c.convs[m.Conv]; v != nil && !v.forget(m.ClientID) {
			return !v.echo(m.ClientID)
		}
	case *FrameError:
		if m.Ref == "" {
			return true
		}
		found := false
		for _, v := range c.convs {
			found = v.forget(m.Ref) || found
		}
		if found {
			return true
		}
		for _, v := range c.convs {
			if v.echo(m.Ref) {
				return false
			}
		}
	}
	return true
}

// forget drops cid from the messages unanswered, and reports whether it
// was there. The connection's own resends of it will be answered too:
// those answers are noted as echoes, as many as there were resends.
func (v *convView) forget(cid string) bool {
	found := false
	v.inflight = slices.DeleteFunc(v.inflight, func(p inflightPost) bool {
		if p.cid != cid {
			return false
		}
		found = true
		if p.resends > 0 && len(v.echoes) < maxInflight {
			if v.echoes == nil {
				v.echoes = map[string]int{}
			}
			v.echoes[cid] += p.resends
		}
		return true
	})
	return found
}

// echo reports whether an answer for cid is one owed to a resend of the
// connection's own after its first answer went to the client, and counts
// it. A resend lost with a conversation that moved is never answered: its
// echo waits, at most maxInflight of them, until the conversation ends.
func (v *convView) echo(cid string) bool {
	n := v.echoes[cid]
	if n == 0 {
		return false
	}
	if n == 1 {
		delete(v.echoes, cid)
	} else {
		v.echoes[cid] = n - 1
	}
	return true
}

// unanswered refuses, with conversation_ended, the messages still on their
// way to a conversation that has ended, before the client hears of the end.
// One that moved away from this party (transferred, back to the queue)
// still runs and answers them itself.
func (c *connection) unanswered(ctx actor.Context, v *convView, reason string) {
	switch reason {
	case ReasonTransferred, ReasonRequeued, ReasonAgentLost:
		return
	}
	for _, p := range v.inflight {
		c.send(ctx, &FrameError{Code: ErrCodeEnded, Message: "the conversation has ended", Ref: p.cid})
	}
	v.inflight = nil
}
