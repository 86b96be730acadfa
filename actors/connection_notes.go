package actors

import "github.com/asynkron/protoactor-go/actor"

// Private notes on their way to an agent's client. Notes are numbered (N)
// apart from the messages and come through the agent actor, so on a
// cluster one can be lost with an agent actor that moves. A note past a
// gap in the numbers is not passed on: the connection asks the
// conversation (Sync, as for a gap in the messages), whose answer carries
// its newest notes, and filled sends the ones the client lacks, in order.
// A lost note with no later one behind it comes with the answer to the
// tab's next tail-loss probe (connection_probe.go), the same ask.

// noteAdded passes a private note on to an agent's client, for a
// conversation it has: never to a customer's, whatever sent it. One past
// a gap waits for the conversation's answer.
func (c *connection) noteAdded(ctx actor.Context, msg *NoteAdded) {
	v, open := c.convs[msg.Conv]
	if !open || !c.admitted || c.me.Role != RoleAgent {
		return
	}
	if msg.Note.N > v.lastNote+1 && v.synced {
		if !v.asked {
			c.askAfter(ctx, msg.Conv, v)
		}
		return
	}
	v.lastNote = max(v.lastNote, msg.Note.N)
	c.send(ctx, msg) // one the client has already (a resend's answer) it shows once
}

// notesShown notes the newest of the notes a conv frame carries to the
// client.
func (v *convView) notesShown(notes []ConvNote) {
	for _, n := range notes {
		v.lastNote = max(v.lastNote, n.N)
	}
}

// missedNotes sends an agent's client the notes of a sync's answer it
// lacks, oldest first.
func (c *connection) missedNotes(ctx actor.Context, v *convView, o *ConvOpened) {
	if c.me.Role != RoleAgent {
		return
	}
	for _, n := range o.Notes {
		if n.N > v.lastNote {
			v.lastNote = n.N
			c.send(ctx, &NoteAdded{Conv: o.Conv, Note: n})
		}
	}
}
