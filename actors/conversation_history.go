package actors

import (
	"context"
	"maps"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// This file holds what a conversation keeps of its messages (a window of
// the newest, stored ones) and the conv frames it builds from them: for a
// party it is assigned or transferred to, and for a connection that asks
// with Sync. A page older than the window is read from the store.

// keepInMemory is how many of its newest messages a conversation keeps;
// it trims back to this when it holds twice as many.
const keepInMemory = 8

// last is the sequence number of the newest stored message.
func (c *conversation) last() uint64 { return c.base + uint64(len(c.messages)) }

// trim drops the oldest messages from memory once there are twice the
// window, moving the newest to the front of the same array: its capacity
// stays about twice the window, whatever the conversation's length.
func (c *conversation) trim() {
	if len(c.messages) < 2*keepInMemory {
		return
	}
	drop := len(c.messages) - keepInMemory
	n := copy(c.messages, c.messages[drop:])
	clear(c.messages[n:]) // let the dropped texts go
	c.messages = c.messages[:n]
	c.base += uint64(drop)
}

// opened is the conversation for a party that has it up to seq after: its
// history is what came after, but only the newest page of it (HistoryPage);
// the client asks for older pages when it needs them.
func (c *conversation) opened(why string, after uint64) *ConvOpened {
	page := c.HistoryPage.OrDefault()
	after = max(min(after, c.last()), c.last()-min(c.last(), uint64(page.Messages)))
	var history []ConvMessage
	from := after // the first in-memory index to take, once the store's part is in
	if after < c.base {
		from = c.base
		// Further back than memory: the store has it (a page at most).
		ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
		older, err := c.Store.Messages(ctx, string(c.ID), after, int(c.base-after))
		cancel()
		if err != nil || len(older) != int(c.base-after) {
			c.Log.Error("cannot read older messages", "conv", c.ID, "after", after, "err", err)
			older = nil // what memory has, rather than a gap
		}
		for _, m := range older {
			history = append(history, fromStored(c.ID, m))
		}
	}
	history = append(history, c.messages[from-c.base:]...)
	history = page.newest(history, page.Messages)
	if len(history) > 0 {
		after = history[0].Seq - 1
	} else {
		after = c.last()
	}
	return &ConvOpened{Conv: c.ID, Customer: c.Customer, Agent: c.Agent, Why: why, After: after, History: history, Reads: maps.Clone(c.reads)}
}

// sync answers a connection that asks for the conversation: a customer's
// is attached first; an agent's tab that is not the agent's any more is
// told the conversation went elsewhere.
func (c *conversation) sync(ctx actor.Context, s *Sync) {
	if !c.stillOwner(ctx) {
		return // stopped as moved: the asker's next ask finds the owner
	}
	conn := c.Dir.PID(KindConn, string(s.Conn))
	if !c.isMember(s.Party) {
		// An agent's tab that still lists a conversation moved elsewhere.
		ctx.Send(conn, &ConvClosed{Conv: c.ID, Other: c.Customer, Reason: ReasonTransferred})
		return
	}
	if c.state == convEnded && s.Unshown {
		// Over, and never shown to the asker's client: it may have seen
		// the end on an earlier socket, so its history would come twice.
		ctx.Send(conn, &ConvClosed{Conv: c.ID, Reason: ReasonGone})
		return
	}
	if s.Party.Role == RoleCustomer {
		c.attach(ctx, s.Conn)
	}
	opened := c.opened(WhySync, s.After)
	if s.Party.Role == RoleAgent {
		c.forAgent(opened)
	}
	ctx.Send(conn, opened)
	if c.state == convEnded {
		// Ended, and still here for the dispatcher's answer (a cluster,
		// conversation_end.go): the one asking missed the end.
		end := *c.ending
		end.Last = c.last()
		end.Other = c.Agent
		if s.Party.Role == RoleAgent {
			end.Other = c.Customer
		}
		ctx.Send(conn, &end)
	}
}

// fromStored turns a stored message back into the one the actors pass on.
func fromStored(conv ConvID, m store.Message) ConvMessage {
	role := RoleCustomer
	if m.SenderRole == RoleAgent.String() {
		role = RoleAgent
	}
	return ConvMessage{Conv: conv, Seq: m.Seq, From: Party{Role: role, ID: m.SenderID, Name: m.SenderName}, Text: m.Text, ClientID: m.ClientID, At: m.At, File: m.File}
}
