package actors

import (
	"context"
	"errors"
	"slices"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// A client asks for older pages of a conversation's history (a conv frame
// carries only the newest page). The connection reads them from the store
// in a goroutine of their own and gets the page back as a message, so no
// Receive waits on the store for them: one read at a time per connection,
// each at most a page (HistoryLimits) and storeWriteTimeout long.

// History answers a client's history request: the newest messages before
// Before (as the client asked; 0: the newest), oldest first. More says
// there are older ones still.
type History struct {
	Conv     ConvID
	Before   uint64
	Messages []ConvMessage
	More     bool
}

// historyRead is the connection's note with what its read found: a page,
// or a refusal (code) or a failure (err) to answer with instead.
type historyRead struct {
	page History
	code string
	err  error
}

// history starts reading the page cmd asks for, if this client may have it:
// a conversation it is in, or one it was in (which the read checks).
func (c *connection) history(ctx actor.Context, cmd *CmdHistory) {
	switch {
	case c.History == nil:
		c.send(ctx, &FrameError{Code: ErrCodeStoreDown, Message: "no history is kept here"})
		return
	case c.reading:
		c.send(ctx, &FrameError{Code: ErrCodeState, Message: "one history request at a time: wait for its answer"})
		return
	}
	page := c.HistoryPage.OrDefault()
	limit := page.Messages
	if cmd.Limit > 0 {
		limit = min(cmd.Limit, limit)
	}
	before := cmd.Before
	v, open := c.convs[cmd.Conv]
	if open && (before == 0 || before > v.last+1) {
		// Newer messages reach this client live or through its sync, once.
		before = v.last + 1
	}
	c.reading = true
	st, me, root, self := c.History, c.me, ctx.ActorSystem().Root, ctx.Self()
	go func() {
		r := readHistory(st, me, cmd.Conv, before, limit, page, !open)
		r.page.Before = cmd.Before
		root.Send(self, r)
	}()
}

// historyDone sends the client what the read found.
func (c *connection) historyDone(ctx actor.Context, r *historyRead) {
	c.reading = false
	switch {
	case r.err != nil:
		c.Log.Error("cannot read history", "conv", r.page.Conv, "err", r.err)
		c.send(ctx, &FrameError{Code: ErrCodeStoreDown, Message: "the history could not be read; ask again"})
	case r.code != "":
		c.send(ctx, &FrameError{Code: r.code, Message: "no such conversation here"})
	default:
		c.send(ctx, &r.page)
	}
}

// readHistory reads the newest page of conv before seq before (0: the
// newest) of at most limit messages. With check, it first makes sure me
// took part in conv. It blocks on the store: never call it in a Receive.
func readHistory(st store.Conversations, me Party, conv ConvID, before uint64, limit int, page HistoryLimits, check bool) *historyRead {
	ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	r := &historyRead{page: History{Conv: conv}}
	if check {
		rec, err := st.Conversation(ctx, string(conv))
		switch {
		case errors.Is(err, store.ErrNotFound) || (err == nil && !tookPart(ctx, st, me, rec)):
			// Someone else's is answered as one that does not exist.
			r.code = ErrCodeUnknownConv
			return r
		case err != nil:
			r.err = err
			return r
		}
	}
	if before == 1 {
		return r // nothing comes before the first
	}
	stored, err := st.MessagesBefore(ctx, string(conv), before, limit)
	if err != nil {
		r.err = err
		return r
	}
	msgs := make([]ConvMessage, len(stored))
	for i, m := range stored {
		msgs[i] = fromStored(conv, m)
	}
	r.page.Messages = page.newest(msgs, limit)
	r.page.More = len(r.page.Messages) > 0 && r.page.Messages[0].Seq > 1
	return r
}

// tookPart says whether me was a party to the conversation: its customer,
// or an agent who served it.
func tookPart(ctx context.Context, st store.Conversations, me Party, rec store.Conversation) bool {
	if me.Role == RoleCustomer {
		return rec.CustomerID == me.ID
	}
	if rec.AgentID == me.ID {
		return true
	}
	events, err := st.ConvEvents(ctx, rec.ID)
	return err == nil && slices.ContainsFunc(events, func(e store.ConvEvent) bool { return e.AgentID == me.ID })
}
