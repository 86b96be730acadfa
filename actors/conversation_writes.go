package actors

import (
	"context"
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/metrics"
	"kefu/store"
)

// This file holds a conversation's messages on their way to the store:
// numbering each Post, the one write in flight to the store writer and
// what comes back (Stored delivers, StoreFailed refuses and renumbers;
// ErrFenced stops it, conversation_fenced.go), and the answer to a resend
// (same sender, same client id).

// storeRetry is how long a conversation waits before writing again after
// the store failed.
const storeRetry = time.Second

// What a sender is told when a conversation refuses its message.
const (
	refusedNotMember = "not your conversation"
	refusedEnded     = "the conversation has ended"
	refusedNotStored = "the message was not stored; send it again"
)

// accepted is a message given its sequence number, waiting to be stored.
type accepted struct {
	msg  ConvMessage
	conn ConnID // the sender's connection, to acknowledge
}

// post numbers a new message and asks for it to be stored. A resend of a
// message already taken (same sender, same client id) is not taken again:
// it gets the original's acknowledgement, now or when it is stored.
func (c *conversation) post(ctx actor.Context, p *Post) {
	switch {
	case !c.isMember(p.From):
		c.refuse(ctx, p.Conn, ErrCodeForbidden, refusedNotMember, p.ClientID)
		return
	case c.state.endDecided():
		if p.ClientID != "" { // the tutorial's pages have no words for it
			c.refuse(ctx, p.Conn, ErrCodeEnded, refusedEnded, p.ClientID)
		}
		return
	case c.state == convInbox:
		// A form being written parks as soon as it is stored: nothing
		// else goes with it. Its answer comes when an agent takes it.
		c.refuse(ctx, p.Conn, ErrCodeState, "your message is being left for the team; wait for its answer", p.ClientID)
		return
	}
	if p.ClientID != "" {
		if sent, seen := c.cids.find(p.From.ID, p.ClientID); seen {
			if sent.seq <= c.last() {
				c.ack(ctx, p.Conn, &ConvMessage{Seq: sent.seq, ClientID: p.ClientID, At: sent.at})
			} else {
				c.waiters[sent.seq] = append(c.waiters[sent.seq], p.Conn)
			}
			return
		}
		if c.cids.maybeSeen(p.From.ID, p.ClientID) && c.answerOldResend(ctx, p) {
			return
		}
	}
	seq := c.last() + uint64(len(c.writing)+len(c.pending)) + 1
	c.pending = append(c.pending, accepted{conn: p.Conn, msg: ConvMessage{
		Conv: c.ID, Seq: seq, From: p.From, Text: p.Text, ClientID: p.ClientID, At: c.Now(), File: p.File,
	}})
	if p.ClientID != "" {
		c.cids.put(p.From.ID, sentID{cid: p.ClientID, seq: seq}, c.last())
	}
	c.flush(ctx)
}

// answerOldResend acknowledges again a resend older than the client ids
// kept in memory, from the store. It reports whether p was answered: false
// means p is a new message after all. A store that cannot be read gets the
// sender's retry (not_stored) rather than risk storing the message twice.
func (c *conversation) answerOldResend(ctx actor.Context, p *Post) bool {
	rctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	m, err := c.Store.MessageByClientID(rctx, string(c.ID), p.From.ID, p.ClientID)
	cancel()
	switch {
	case errors.Is(err, store.ErrNotFound):
		return false
	case err != nil:
		c.Log.Error("cannot look up a resend", "conv", c.ID, "err", err)
		c.refuse(ctx, p.Conn, ErrCodeNotStored, refusedNotStored, p.ClientID)
		return true
	}
	c.ack(ctx, p.Conn, &ConvMessage{Seq: m.Seq, ClientID: p.ClientID, At: m.At})
	return true
}

// flush sends what waits to the store writer, unless a write is already in
// flight: then it goes with the next.
func (c *conversation) flush(ctx actor.Context) {
	if c.token != 0 || (len(c.pending) == 0 && !c.recordDirty && len(c.events) == 0 && len(c.readMarks) == 0 && len(c.mail) == 0 && len(c.notesPending) == 0) {
		return
	}
	b := store.Batch{Fences: c.fence(), Notes: c.notesOut()}
	if c.recordDirty {
		b.Conversations = []store.Conversation{c.record}
	}
	b.ConvEvents, b.Reads, b.Mail = c.events, c.readMarks, c.mail
	for _, a := range c.pending {
		m := a.msg
		b.Messages = append(b.Messages, store.Message{
			Conv: string(m.Conv), Seq: m.Seq, SenderID: m.From.ID, SenderRole: m.From.Role.String(),
			SenderName: m.From.Name, Text: m.Text, ClientID: m.ClientID, At: m.At, File: m.File,
		})
	}
	c.inFlight = store.Batch{Conversations: b.Conversations, ConvEvents: b.ConvEvents, Reads: b.Reads, Mail: b.Mail}
	c.recordDirty, c.events, c.readMarks, c.mail = false, nil, nil, nil
	c.writing, c.pending = c.pending, nil
	c.token++
	if c.storePID == nil {
		c.storePID = c.Dir.PID(KindStore, StoreWriterID)
	}
	ctx.Send(c.storePID, &StoreWrite{Batch: b, ReplyTo: ctx.Self(), Token: c.token})
}

// stored delivers what the write made durable: to both sides in order, and
// an acknowledgement to each sender.
func (c *conversation) stored(ctx actor.Context, token uint64) {
	if token != c.token {
		return
	}
	c.token = 0
	c.startedBy = nil     // stored: the dispatcher that started it knew it
	c.proven = time.Now() // and the epoch was current
	if c.formWriting() {
		c.parkStored(ctx)
		return
	}
	stored := metrics.Now() // the real clock, not c.Now: it times delivery
	for i := range c.writing {
		m := c.writing[i].msg
		c.messages = append(c.messages, m)
		m.Stored = stored
		if m.ClientID != "" {
			c.cids.put(m.From.ID, sentID{cid: m.ClientID, seq: m.Seq, at: m.At}, c.last())
		}
		out := m // what goes out carries its frame; the window keeps none
		if c.EncodeMsg != nil {
			out.Frame = &EncodedFrame{Pool: c.Pool, Bytes: c.EncodeMsg(c.Pool, &m)}
		}
		c.toCustomer(ctx, &out)
		c.toAgent(ctx, &out)
		c.ack(ctx, c.writing[i].conn, &m)
		for _, conn := range c.waiters[m.Seq] {
			c.ack(ctx, conn, &m)
		}
		delete(c.waiters, m.Seq)
	}
	c.writing = nil
	c.trim()
	c.notesStored(ctx)
	if c.state == convEnding && len(c.pending) == 0 {
		c.closed(ctx)
		return
	}
	c.flush(ctx)
	if c.state == convInbox && c.token == 0 {
		c.park(ctx, "") // sent back to its inbox, and all of it stored
	}
}

// storeFailed refuses what the write carried: nothing of it was stored, so
// its senders are told to send again and the messages behind it move up,
// keeping the numbers without gaps. The rest of the write is tried again.
func (c *conversation) storeFailed(ctx actor.Context, f *StoreFailed) {
	if f.Token != c.token {
		return
	}
	c.token = 0
	if errors.Is(f.Err, store.ErrFenced) {
		c.fenced(ctx, f.Err) // a zombie: nothing of it may be stored any more
		return
	}
	if c.formWriting() {
		c.formFailed(ctx)
		return
	}
	for _, a := range c.writing {
		c.refuse(ctx, a.conn, ErrCodeNotStored, refusedNotStored, a.msg.ClientID)
		for _, conn := range c.waiters[a.msg.Seq] {
			c.refuse(ctx, conn, ErrCodeNotStored, refusedNotStored, a.msg.ClientID)
		}
		delete(c.waiters, a.msg.Seq)
		c.cids.drop(a.msg.From.ID, a.msg.ClientID)
	}
	c.writing = nil
	c.notesFailed(ctx, false)
	c.renumberPending()
	if len(c.inFlight.Conversations) > 0 {
		c.recordDirty = true
	}
	c.events = append(c.inFlight.ConvEvents, c.events...)
	c.readMarks = append(c.inFlight.Reads, c.readMarks...)
	c.mail = append(c.inFlight.Mail, c.mail...)
	c.timers.SendOnce(storeRetry, ctx.Self(), &retryStore{})
	if c.state == convEnding && len(c.pending) == 0 {
		// Ending must not wait on a broken store: the parties are told,
		// and the end record is retried while the actor lives no more.
		c.closed(ctx)
	}
}

// renumberPending moves up what waits behind a failed write, so the
// numbers stay without gaps; waiters included, as resends wait under their
// message's number, which changes here.
func (c *conversation) renumberPending() {
	moved := make([][]ConnID, len(c.pending))
	for i := range c.pending {
		moved[i] = c.waiters[c.pending[i].msg.Seq]
		delete(c.waiters, c.pending[i].msg.Seq)
	}
	for i := range c.pending {
		c.pending[i].msg.Seq = c.last() + uint64(i) + 1
		if moved[i] != nil {
			c.waiters[c.pending[i].msg.Seq] = moved[i]
		}
		if id := c.pending[i].msg.ClientID; id != "" {
			c.cids.put(c.pending[i].msg.From.ID, sentID{cid: id, seq: c.pending[i].msg.Seq}, c.last())
		}
	}
}

// ack acknowledges a stored message to the connection that sent it, when
// the sender gave it a client id (the tutorial's protocol has none).
func (c *conversation) ack(ctx actor.Context, conn ConnID, m *ConvMessage) {
	if conn != "" && m.ClientID != "" {
		ctx.Send(c.ackPIDs.get(c.Dir, conn), &Ack{Conv: c.ID, ClientID: m.ClientID, Seq: m.Seq, At: m.At})
	}
}

// refuse tells the connection that sent something why it was not taken;
// ref is the client id it refers to, if any.
func (c *conversation) refuse(ctx actor.Context, conn ConnID, code, message, ref string) {
	if conn != "" {
		ctx.Send(c.Dir.PID(KindConn, string(conn)), &FrameError{Code: code, Message: message, Ref: ref})
	}
}
