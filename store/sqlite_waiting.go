package store

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"
)

// waitingCustomersSQL finds the queued-without-a-conversation events at or
// after the bound (routing_events_at) that are their customer's last event
// (routing_events_customer: any later row of the same customer, in applied
// order, resolves it). It has no ORDER BY: sorting by ticket in SQL makes
// the planner walk the whole ticket index instead of the bounded time range,
// and the few rows it returns are sorted here. Ids grow in the order events were applied, which is
// the order the dispatcher made them.
const waitingCustomersSQL = `SELECT q.customer_id, q.customer_name, q.ticket, q.at, q.team_id
	FROM routing_events q
	WHERE q.at >= ? AND q.kind = 'queued' AND q.conv_id = ''
		AND NOT EXISTS (SELECT 1 FROM routing_events l
			WHERE l.customer_id = q.customer_id AND l.at >= q.at AND l.id > q.id)`

// WaitingCustomers implements Conversations.
func (s *SQLite) WaitingCustomers(ctx context.Context, since time.Time) ([]Waiter, error) {
	rows, err := s.db.QueryContext(ctx, waitingCustomersSQL, since.UnixMilli())
	if err != nil {
		return nil, fmt.Errorf("list waiting customers: %w", err)
	}
	defer rows.Close()
	var out []Waiter
	for rows.Next() {
		var (
			w      Waiter
			ticket int64
			at     int64
		)
		if err := rows.Scan(&w.CustomerID, &w.CustomerName, &ticket, &at, &w.Team); err != nil {
			return nil, fmt.Errorf("list waiting customers: %w", err)
		}
		w.Ticket, w.QueuedAt = uint64(ticket), fromMillis(at)
		out = append(out, w)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list waiting customers: %w", err)
	}
	slices.SortFunc(out, func(a, b Waiter) int { return cmp.Compare(a.Ticket, b.Ticket) })
	return out, nil
}
