package actors

import (
	"context"
	"fmt"
	"time"

	"kefu/store"
)

// ReadRestore reads what a native dispatcher needs to take over: the
// conversations open in the store, the customers waiting without one since
// waitedSince (older ones cannot come back: their resume token has
// expired), and the highest ticket issued. Both a restarted single node
// and a dispatcher activated on a new node of a cluster start from it.
// Compat's open conversations come back separately, as a batch closing
// them: the tutorial's clients cannot resume.
func ReadRestore(ctx context.Context, convs RestoreSource, now, waitedSince time.Time) (native *Restore, compatClosed store.Batch, err error) {
	open, err := convs.OpenConversations(ctx)
	if err != nil {
		return nil, compatClosed, fmt.Errorf("cannot read open conversations: %w", err)
	}
	open, inbox, err := splitInbox(ctx, convs, open)
	if err != nil {
		return nil, compatClosed, err
	}
	nativeConvs, compatClosed := SplitRestorable(open, now)
	ticket, err := convs.MaxTicket(ctx)
	if err != nil {
		return nil, compatClosed, fmt.Errorf("cannot read the last ticket: %w", err)
	}
	waiting, err := convs.WaitingCustomers(ctx, waitedSince)
	if err != nil {
		return nil, compatClosed, fmt.Errorf("cannot read the waiting customers: %w", err)
	}
	teams, err := convs.ListTeams(ctx, true)
	if err != nil {
		return nil, compatClosed, fmt.Errorf("cannot read the teams: %w", err)
	}
	return &Restore{Convs: nativeConvs, Waiting: waiting, Ticket: ticket, Teams: teams, Inbox: inbox}, compatClosed, nil
}

// splitInbox takes the forms waiting in an inbox out of the open
// conversations: they go back to their team's inbox, not to a queue, each
// with the start of its message.
func splitInbox(ctx context.Context, convs store.Conversations, open []store.Conversation) ([]store.Conversation, []InboxItem, error) {
	var inbox []InboxItem
	kept := open[:0]
	for _, c := range open {
		if !c.Inbox {
			kept = append(kept, c)
			continue
		}
		first, err := convs.Messages(ctx, c.ID, 0, 1)
		if err != nil {
			return nil, nil, fmt.Errorf("cannot read a form's message: %w", err)
		}
		item := InboxItem{Conv: ConvID(c.ID), Team: c.Team, Customer: Party{Role: RoleCustomer, ID: c.CustomerID, Name: c.CustomerName},
			Email: c.CustomerEmail, Ticket: c.Ticket, At: c.StartedAt}
		if len(first) > 0 {
			item.Preview = preview(first[0].Text)
		}
		inbox = append(inbox, item)
	}
	return kept, inbox, nil
}

// RestoreSource is the part of the store a dispatcher is restored from.
type RestoreSource interface {
	store.Conversations
	ListTeams(ctx context.Context, archived bool) ([]store.Team, error)
}
