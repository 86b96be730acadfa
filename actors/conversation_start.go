package actors

import (
	"context"
	"errors"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// This file holds a conversation's start: a new one is written down and
// greets both sides; one restored after a restart reads itself back from
// the store and waits for its parties to ask (Sync).

// start handles the conversation's StartConv. It reports whether the
// conversation goes on: one that cannot load itself stops.
func (c *conversation) start(ctx actor.Context, msg *StartConv) bool {
	c.StartConv = *msg
	switch {
	case c.Inbox != nil && !c.Restore:
		c.setState(convInbox)
	case c.AgentActor != "":
		c.agent = c.Dir.PID(KindAgent, c.AgentActor)
		c.setState(convAssigned)
	default:
		c.setState(convQueued)
	}
	c.record = store.Conversation{
		ID: string(c.ID), CustomerID: c.Customer.ID, CustomerName: c.Customer.Name,
		AgentID: c.Agent.ID, AgentName: c.Agent.Name, Ticket: c.Ticket, StartedAt: c.Now(),
		Team: c.Team, CustomerEmail: c.Email,
	}
	if err := c.claim(); err != nil {
		// Without the epoch no write of it could be acknowledged: another
		// node owns it, or this one has lost its lease.
		c.Log.Warn("cannot claim conversation", "conv", c.ID, "err", err)
		ctx.Stop(ctx.Self())
		return false
	}
	if c.Inbox != nil && !c.Restore {
		c.startInbox(ctx)
		return true
	}
	if c.Restore {
		if err := c.load(); err != nil {
			// Numbering from 1 again would clash with what is stored: this
			// conversation cannot go on. Its parties are told it failed.
			c.Log.Error("cannot load conversation", "conv", c.ID, "err", err)
			ctx.Stop(ctx.Self())
			return false
		}
		if c.recordDirty {
			c.flush(ctx) // its record was never stored (load)
		}
	} else {
		c.fenceOnStarter()
		c.recordDirty = true
		if c.state == convAssigned {
			c.events = append(c.events, store.ConvEvent{Conv: string(c.ID), Kind: store.EventAssigned, AgentID: c.Agent.ID, AgentName: c.Agent.Name, At: c.Now()})
		}
		c.flush(ctx)
	}
	switch inbox := c.Restore && c.record.Inbox && c.record.EndedAt.IsZero(); {
	case c.Taken || (inbox && c.Agent.ID != ""):
		// Taken from its inbox (again, if that write was lost with a move).
		c.taken(ctx)
	case inbox:
		// Activated again while it waits in the inbox (a move, a late
		// message): it parks again, and the dispatcher keeps it there.
		c.park(ctx, "")
		return true
	case c.Rehomed:
		c.adoptAgent(ctx)
	}
	if c.ToInbox && c.Restore && !c.record.Inbox && c.record.EndedAt.IsZero() {
		// Sent back to its inbox, and moved before that was stored.
		c.unassign(ctx, &Unassign{Reason: ReasonAgentLost, Team: c.Team, ToInbox: true})
		return true
	}
	if c.Restore && !c.record.EndedAt.IsZero() {
		// Its end is stored, but the actor that wrote it stopped (moved)
		// before telling anyone: they are told now, nothing is written.
		if c.CustomerConn != "" {
			c.attach(ctx, c.CustomerConn)
		}
		c.endStored(ctx)
		return true
	}
	switch {
	case c.CustomerConn != "":
		c.attach(ctx, c.CustomerConn)
	case !c.AwaitCustomer:
		c.customerAway(ctx)
	}
	if c.Restore && !c.Taken {
		// Restored at start: each party's connection asks for what it
		// lacks (Sync, with its resume) when it is admitted, and that Sync
		// waits in this mailbox if it came first. A sync from 0 here
		// reached an agent's tab admitted before this actor started and
		// gave it the whole history again (TestChurnCrash, once agents
		// kept their tokens across the restart as the console does).
		if c.Rehomed {
			c.resyncParties(ctx)
		}
		return true
	}
	why := WhyAssigned
	if c.Taken {
		why = WhyTaken
	}
	opened := c.opened(why, 0) // read-only to those it goes to
	c.toCustomer(ctx, opened)
	c.toAgent(ctx, opened)
	return true
}

// load reads back a conversation that was open before a restart.
func (c *conversation) load() error {
	ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	stored, err := c.Store.Messages(ctx, string(c.ID), 0, 0)
	if err != nil {
		return err
	}
	for _, m := range stored {
		c.messages = append(c.messages, fromStored(c.ID, m))
		if m.ClientID != "" {
			c.cids.put(m.SenderID, sentID{cid: m.ClientID, seq: m.Seq, at: m.At}, c.last())
		}
	}
	c.trim()
	notes, err := c.Store.Notes(ctx, string(c.ID), keepNotes)
	if err != nil {
		return err // numbering notes from 1 again would clash too
	}
	c.notes = NotesFromStored(notes)
	if n := len(c.notes); n > 0 {
		c.noteN = c.notes[n-1].N
	}
	switch rec, err := c.Store.Conversation(ctx, string(c.ID)); {
	case err == nil:
		c.record = rec
	case errors.Is(err, store.ErrNotFound):
		// Never stored: on a cluster the activation that started it
		// stopped (moved) before its first write committed, and this one
		// was started as a restore. Written now, with its assignment, or
		// nothing of it could be (its messages refer to it). Its
		// starting dispatcher's fence goes with it, as with a new one:
		// a dispatcher that lost its queue and saw the first activation
		// stop (withdrawn) would otherwise store it here after all.
		c.fenceOnStarter()
		c.recordDirty = true
		if c.Agent.ID != "" {
			c.events = append(c.events, store.ConvEvent{Conv: string(c.ID), Kind: store.EventAssigned, AgentID: c.Agent.ID, AgentName: c.Agent.Name, At: c.Now()})
		}
		c.Log.Warn("restored conversation not stored yet; storing it", "conv", c.ID)
	}
	marks, err := c.Store.ReadMarks(ctx, string(c.ID))
	if err != nil {
		c.Log.Error("cannot load read marks", "conv", c.ID, "err", err)
	}
	for _, m := range marks {
		c.reads[m.PartyID] = m.Seq
	}
	events, err := c.Store.ConvEvents(ctx, string(c.ID))
	if err != nil {
		c.Log.Error("cannot load hand-offs", "conv", c.ID, "err", err)
	}
	c.handoffs = handoffsOf(events)
	return nil
}

// resyncParties tells the parties of a conversation activated again after
// a move that it is back: their connections ask for what they lack (Sync)
// and send again what was not acknowledged, the agent's through its agent
// actor. They may have asked already, when they saw the old activation
// stop; their Sync then reached it before it was back and was lost (on
// one node), or waited for this start (on a cluster, beforeStart). A
// second Sync costs a frame and delivers nothing twice (connections keep
// the last seq they sent); a resend is answered once (clientIDs). Nothing
// here greets anyone: they had their conv frame at the real start.
func (c *conversation) resyncParties(ctx actor.Context) {
	r := &Resync{Conv: c.ID} // read-only to those it goes to
	c.toAgent(ctx, r)
	c.toCustomer(ctx, r)
}

// adoptAgent makes the loaded record name the agent the dispatcher started
// a moved conversation with, when they differ: the old activation's write
// of a change of agent was lost with it, or the change itself was (a
// Reassign or Unassign sent as it stopped). The dispatcher's record is the
// truth, and the stored one is what a restart restores from.
func (c *conversation) adoptAgent(ctx actor.Context) {
	if !c.record.EndedAt.IsZero() || (c.record.AgentID == c.Agent.ID && c.record.AgentName == c.Agent.Name) {
		return
	}
	c.Log.Warn("moved conversation's stored agent was stale", "conv", c.ID, "stored", c.record.AgentID, "agent", c.Agent.ID)
	c.record.AgentID, c.record.AgentName = c.Agent.ID, c.Agent.Name
	c.recordDirty = true
	c.flush(ctx)
}
