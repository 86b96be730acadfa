package store

import (
	"fmt"
	"math"
	"time"
)

// Private notes (issue 19, docs/extras-plan.md §2): lines an agent writes
// in a conversation for agents and supervisors only.
//
// A note is not a message: it has its own numbering, N, per conversation.
// Numbered among the messages it would leave a gap in the customer's seq,
// and a customer's connection repairs gaps by asking for the missing seq,
// which it must never be given. Notes are written in the conversation's
// own batches (the same fences, the same group commit).

// Note is one private note as stored. (Conv, N) is unique and gap-free per
// conversation; N starts at 1.
type Note struct {
	Conv       string
	N          uint64
	AuthorID   string
	AuthorName string
	Text       string
	ClientID   string // the author's id for the note, for its resend
	// After is the seq of the conversation's newest message when the note
	// was written: where a thread shows it.
	After uint64
	At    time.Time
}

// validNotes checks the notes of a batch (Apply's ErrInvalid rules).
func validNotes(b *Batch) error {
	for i, n := range b.Notes {
		switch {
		case n.Conv == "":
			return fmt.Errorf("%w: note %d has no conversation id", ErrInvalid, i)
		case n.N == 0 || n.N > math.MaxInt64:
			return fmt.Errorf("%w: note %q/%d: n is outside 1..%d", ErrInvalid, n.Conv, n.N, int64(math.MaxInt64))
		case n.AuthorID == "":
			return fmt.Errorf("%w: note %q/%d has no author", ErrInvalid, n.Conv, n.N)
		case n.After > math.MaxInt64:
			return fmt.Errorf("%w: note %q/%d: after %d is too large", ErrInvalid, n.Conv, n.N, n.After)
		}
	}
	return nil
}

// sameNote reports whether a stored note is n itself (a re-applied batch)
// rather than another note given the same number.
func sameNote(got, n Note) bool {
	return got.AuthorID == n.AuthorID && got.AuthorName == n.AuthorName && got.Text == n.Text &&
		got.ClientID == n.ClientID && got.After == n.After && got.At.UnixMilli() == n.At.UnixMilli()
}
