package store

import (
	"context"
	"fmt"
	"time"
)

// Discard is a Conversations that keeps nothing: Apply returns nil at once
// and every read finds nothing. It measures the relay with the store off.
// It is not an Accounts.
type Discard struct{}

var _ Conversations = Discard{}

// Apply discards the batch and returns nil.
func (Discard) Apply(context.Context, *Batch) error { return nil }

// OpenConversations returns none.
func (Discard) OpenConversations(context.Context) ([]Conversation, error) { return nil, nil }

// Conversation returns ErrNotFound: nothing is stored.
func (Discard) Conversation(_ context.Context, id string) (Conversation, error) {
	return Conversation{}, fmt.Errorf("conversation %q: %w", id, ErrNotFound)
}

// Messages returns none.
func (Discard) Messages(context.Context, string, uint64, int) ([]Message, error) { return nil, nil }

// MessagesBefore returns none, after checking limit as the interface says.
func (Discard) MessagesBefore(_ context.Context, conv string, _ uint64, limit int) ([]Message, error) {
	if limit < 1 {
		return nil, fmt.Errorf("read messages of %q: %w: limit %d", conv, ErrInvalid, limit)
	}
	return nil, nil
}

// MessageByClientID returns ErrNotFound: nothing is stored.
func (Discard) MessageByClientID(_ context.Context, conv, _, clientID string) (Message, error) {
	return Message{}, fmt.Errorf("message %q of %q: %w", clientID, conv, ErrNotFound)
}

// Notes returns none.
func (Discard) Notes(context.Context, string, int) ([]Note, error) { return nil, nil }

// ConvEvents returns none.
func (Discard) ConvEvents(context.Context, string) ([]ConvEvent, error) { return nil, nil }

// ReadMarks returns none.
func (Discard) ReadMarks(context.Context, string) ([]ReadMark, error) { return nil, nil }

// ListConversations returns an empty last page.
func (Discard) ListConversations(context.Context, ConversationFilter) ([]Conversation, string, error) {
	return nil, "", nil
}

// SetRating discards the rating; like Apply it returns nil, except for a
// rating outside 1..5 (ErrInvalid), so callers see the same validation.
func (Discard) SetRating(_ context.Context, conv string, rating int) error {
	if err := validRating(rating); err != nil {
		return fmt.Errorf("rate conversation %q: %w", conv, err)
	}
	return nil
}

// WaitingCustomers returns none.
func (Discard) WaitingCustomers(context.Context, time.Time) ([]Waiter, error) { return nil, nil }

// MaxTicket returns 0.
func (Discard) MaxTicket(context.Context) (uint64, error) { return 0, nil }
