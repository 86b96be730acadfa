package actors

import (
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// Private notes (issue 19, store/notes.go): lines an agent writes in a
// conversation for agents and supervisors only. They go in the
// conversation's own writes, beside its messages, but are numbered apart
// (N) and told to the agent actor only, never to a customer's connection:
// a note numbered among the messages would leave a gap that the
// customer's connection would ask to have filled (connection_gaps.go).

type (
	// PostNote is an agent's note (from its connection, which stamps
	// From and Conn).
	PostNote struct {
		From     Party
		Conn     ConnID
		Text     string
		ClientID string
	}
	// NoteAdded is a stored note, for the agent's tabs (through the
	// agent actor): the author's tab knows it by ClientID.
	NoteAdded struct {
		Conv ConvID
		Note ConvNote
	}
)

// ConvNote is one note as the actors pass it on.
type ConvNote struct {
	N        uint64
	By       Party
	Text     string
	ClientID string
	// After is the seq of the newest message when it was written: where
	// a thread shows it.
	After uint64
	At    time.Time
}

// keepNotes is how many of its newest notes a conversation keeps and shows
// in the conv frames to agents; the history API has them all.
const keepNotes = 50

// noteWaiting is a note taken and not yet stored: N is given when its
// write goes out, so a failed write leaves no gap to renumber.
type noteWaiting struct {
	note ConvNote
	conn ConnID
}

// postNote takes an agent's note for the next write. A resend (same
// author, same client id) is not taken again: stored, it is told to the
// asking tab once more; on its way, its NoteAdded reaches every tab.
func (c *conversation) postNote(ctx actor.Context, p *PostNote) {
	switch {
	case p.From.Role != RoleAgent || !c.isMember(p.From):
		c.refuse(ctx, p.Conn, ErrCodeForbidden, refusedNotMember, p.ClientID)
		return
	case c.state.endDecided():
		c.refuse(ctx, p.Conn, ErrCodeEnded, refusedEnded, p.ClientID)
		return
	}
	if p.ClientID != "" {
		same := func(n ConvNote) bool { return n.By.ID == p.From.ID && n.ClientID == p.ClientID }
		if i := slices.IndexFunc(c.notes, same); i >= 0 {
			ctx.Send(c.Dir.PID(KindConn, string(p.Conn)), &NoteAdded{Conv: c.ID, Note: c.notes[i]})
			return
		}
		waiting := func(w noteWaiting) bool { return same(w.note) }
		if slices.ContainsFunc(c.notesPending, waiting) || slices.ContainsFunc(c.notesWriting, waiting) {
			return
		}
	}
	c.notesPending = append(c.notesPending, noteWaiting{conn: p.Conn, note: ConvNote{
		By: p.From, Text: p.Text, ClientID: p.ClientID, After: c.last(), At: c.Now(),
	}})
	c.flush(ctx)
}

// notesOut numbers the notes that wait and moves them into the write going
// out, in their stored form.
func (c *conversation) notesOut() []store.Note {
	if len(c.notesPending) == 0 {
		return nil
	}
	out := make([]store.Note, len(c.notesPending))
	for i := range c.notesPending {
		n := &c.notesPending[i].note
		n.N = c.noteN + uint64(i) + 1
		out[i] = store.Note{
			Conv: string(c.ID), N: n.N, AuthorID: n.By.ID, AuthorName: n.By.Name,
			Text: n.Text, ClientID: n.ClientID, After: n.After, At: n.At,
		}
	}
	c.notesWriting, c.notesPending = c.notesPending, nil
	return out
}

// notesStored keeps and tells the notes of the write just stored.
func (c *conversation) notesStored(ctx actor.Context) {
	for _, w := range c.notesWriting {
		c.noteN = w.note.N
		c.notes = append(c.notes, w.note)
		c.toAgent(ctx, &NoteAdded{Conv: c.ID, Note: w.note})
	}
	if n := len(c.notes); n > keepNotes {
		c.notes = slices.Delete(c.notes, 0, n-keepNotes)
	}
	c.notesWriting = nil
}

// notesFailed refuses the notes of a write that was not stored (the
// author sends them again) and, when the conversation is fenced, those
// waiting behind it too.
func (c *conversation) notesFailed(ctx actor.Context, andWaiting bool) {
	for _, w := range c.notesWriting {
		c.refuse(ctx, w.conn, ErrCodeNotStored, refusedNotStored, w.note.ClientID)
	}
	c.notesWriting = nil
	if andWaiting {
		for _, w := range c.notesPending {
			c.refuse(ctx, w.conn, ErrCodeNotStored, refusedNotStored, w.note.ClientID)
		}
		c.notesPending = nil
	}
}

// NotesFromStored turns stored notes back into the ones the actors pass on.
func NotesFromStored(stored []store.Note) []ConvNote {
	var notes []ConvNote
	for _, n := range stored {
		notes = append(notes, ConvNote{
			N: n.N, By: Party{Role: RoleAgent, ID: n.AuthorID, Name: n.AuthorName},
			Text: n.Text, ClientID: n.ClientID, After: n.After, At: n.At,
		})
	}
	return notes
}
