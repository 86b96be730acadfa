package store

import (
	"context"
	"fmt"
	"strings"
	"time"
)

// The mail outbox (issue 18, docs/teams-plan.md §5): when a conversation
// begun with the offline form ends with an answer the customer has not
// read, its end's batch carries a MailItem, stored in the same commit, so
// no mail is promised that is not stored and none is lost to a restart.
// A mailer on each node (package mailer) claims due rows for a while,
// sends them, and marks each sent, retried later or given up. Two nodes
// never hold the same row at once; a node that dies holding one lets its
// claim run out, and another sends it: delivery is at least once, with
// the same Message-ID.

// MailItem is a mail to send.
type MailItem struct {
	// MessageID is the mail's Message-ID, without angle brackets, unique:
	// a batch re-applied does not queue it twice.
	MessageID string
	Conv      string
	To        string // a bare address (ValidEmail)
	Lang      string // the customer's language, for the mail's words
	AfterSeq  uint64 // the messages after this seq are the answer
	At        time.Time
}

// Mail is a MailItem in the outbox.
type Mail struct {
	ID int64
	MailItem
	Attempts  int       // sends tried before this claim
	LastError string    // why the last one failed
	NextAt    time.Time // due from then
}

// MailOutbox is the durable queue of mails.
type MailOutbox interface {
	// ClaimMail gives node up to n due mails (NextAt at or before now,
	// neither sent nor given up, and not claimed by another node until
	// after now), oldest due first, claimed until until: no other node
	// gets them before then. Attempts counts this claim.
	ClaimMail(ctx context.Context, node string, now, until time.Time, n int) ([]Mail, error)
	// MailSent marks mail id sent at at. MailRetry makes it due again at
	// next, keeping why. MailGaveUp stops trying it. Each applies only
	// while node still holds the claim: ErrNotFound otherwise (it ran out
	// and another node took the row).
	MailSent(ctx context.Context, id int64, node string, at time.Time) error
	MailRetry(ctx context.Context, id int64, node string, next time.Time, why string) error
	MailGaveUp(ctx context.Context, id int64, node string, at time.Time, why string) error
	// MailPending counts the mails neither sent nor given up.
	MailPending(ctx context.Context) (int, error)
	// DeleteMailBefore deletes the mails sent or given up before t, and
	// returns how many.
	DeleteMailBefore(ctx context.Context, t time.Time) (int, error)
}

// maxMailError bounds a stored failure's text.
const maxMailError = 500

// mailError is why, cut to maxMailError bytes on a rune boundary.
func mailError(why string) string {
	if len(why) <= maxMailError {
		return why
	}
	return strings.ToValidUTF8(why[:maxMailError], "")
}

// MailError is mailError, for store/postgres.
func MailError(why string) string { return mailError(why) }

// validMail checks a batch's mail items.
func validMail(b *Batch) error {
	for i, m := range b.Mail {
		switch {
		case m.MessageID == "" || m.Conv == "":
			return fmt.Errorf("%w: mail %d has no message id or conversation", ErrInvalid, i)
		case int64(m.AfterSeq) < 0:
			return fmt.Errorf("%w: mail %d: seq %d is too large", ErrInvalid, i, m.AfterSeq)
		}
		if err := ValidEmail(m.To); err != nil || m.To == "" {
			return fmt.Errorf("%w: mail %d: %q is not a bare email address", ErrInvalid, i, m.To)
		}
	}
	return nil
}
