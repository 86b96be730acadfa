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
	return &Restore{Convs: nativeConvs, Waiting: waiting, Ticket: ticket, Teams: teams}, compatClosed, nil
}

// RestoreSource is the part of the store a dispatcher is restored from.
type RestoreSource interface {
	store.Conversations
	ListTeams(ctx context.Context, archived bool) ([]store.Team, error)
}
