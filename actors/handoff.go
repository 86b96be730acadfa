package actors

import (
	"slices"
	"time"

	"kefu/store"
)

// Handoff is one agent handing a conversation on: to another agent, or
// back to the queue. The agents who serve it later see its hand-offs in
// the thread ("Alice transferred this chat to Bob: refund checked"); the
// customer never does, as a note is written for colleagues.
type Handoff struct {
	// By is the agent who handed it on, as the dispatcher knows that agent
	// (its id and account name), never as a client said.
	By Party
	// To is the agent it went to; zero when it went back to the queue.
	To   Party
	Note string // what By wrote for the next agent, at most MaxHandoffNote bytes; may be ""
	At   time.Time
}

// MaxHandoffNote bounds a transfer's note, in bytes of UTF-8: a line or two
// for the next agent, not a message. A protocol bound, like a cid's
// (docs/protocol.md, Limits), not a knob: every conv frame to an agent
// carries the notes of up to keepHandoffs hand-offs.
const MaxHandoffNote = 1000

// keepHandoffs is how many of its newest hand-offs a conversation keeps
// and shows; a chat passed round more than that shows the latest.
const keepHandoffs = 20

// handedOff keeps h as the conversation's newest hand-off.
func (c *conversation) handedOff(h Handoff) {
	c.handoffs = append(c.handoffs, h)
	if n := len(c.handoffs); n > keepHandoffs {
		c.handoffs = slices.Delete(c.handoffs, 0, n-keepHandoffs)
	}
}

// forAgent is o with the conversation's hand-offs and notes, for an
// agent: copies, since o goes to other actors and both change later.
func (c *conversation) forAgent(o *ConvOpened) *ConvOpened {
	o.Handoffs = slices.Clone(c.handoffs)
	o.Notes = slices.Clone(c.notes)
	return o
}

// event is the stored form of h, as the change of kind it made.
func (h *Handoff) event(conv ConvID, kind, reason string) store.ConvEvent {
	return store.ConvEvent{
		Conv: string(conv), Kind: kind, AgentID: h.To.ID, AgentName: h.To.Name, Reason: reason, At: h.At,
		ByID: h.By.ID, ByName: h.By.Name, Note: h.Note,
	}
}

// handoffsOf reads the hand-offs back from a conversation's stored events:
// the transfers and trips to the queue that an agent asked for. Events
// stored before hand-offs were kept name no one (ByID "") and are left out.
func handoffsOf(events []store.ConvEvent) []Handoff {
	var out []Handoff
	for _, e := range events {
		if e.ByID == "" || (e.Kind != store.EventTransferred && e.Kind != store.EventRequeued) {
			continue
		}
		h := Handoff{By: Party{Role: RoleAgent, ID: e.ByID, Name: e.ByName}, Note: e.Note, At: e.At}
		if e.Kind == store.EventTransferred {
			h.To = Party{Role: RoleAgent, ID: e.AgentID, Name: e.AgentName}
		}
		out = append(out, h)
	}
	if n := len(out); n > keepHandoffs {
		out = out[n-keepHandoffs:]
	}
	return out
}
