package actors

import (
	"slices"

	"github.com/asynkron/protoactor-go/actor"
)

// A client's message can meet its conversation's end on the way: a
// conversation stops as soon as it has told its members it is over, and a
// Post that reaches it after that (or waits in its mailbox behind the end)
// is dropped unanswered. The protocol promises an ack or an error for every
// msg, so the connection keeps the client ids it has posted and not yet
// seen answered, and answers them itself when it learns the conversation
// is over. Found by FuzzConnection (transport).

// maxInflight bounds the client ids kept per conversation: the socket
// queues only 64 frames, so a client with more messages unanswered than
// that is not waiting for the answers. Past the bound, a message lost to
// the end goes unanswered.
const maxInflight = 64

// posted notes that the client's message cid went to the conversation.
func (v *convView) posted(cid string) {
	if cid != "" && len(v.inflight) < maxInflight {
		v.inflight = append(v.inflight, cid)
	}
}

// answered forgets the client id an outgoing ack or error answers. An
// error does not say which conversation it is about, so the id is
// forgotten in all: cids are unique per client (docs/protocol.md).
func (c *connection) answered(msg any) {
	switch m := msg.(type) {
	case *Ack:
		if v := c.convs[m.Conv]; v != nil {
			v.inflight = slices.DeleteFunc(v.inflight, func(cid string) bool { return cid == m.ClientID })
		}
	case *FrameError:
		if m.Ref == "" {
			return
		}
		for _, v := range c.convs {
			v.inflight = slices.DeleteFunc(v.inflight, func(cid string) bool { return cid == m.Ref })
		}
	}
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
	for _, cid := range v.inflight {
		c.send(ctx, &FrameError{Code: ErrCodeEnded, Message: "the conversation has ended", Ref: cid})
	}
	v.inflight = nil
}
