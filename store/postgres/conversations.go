package postgres

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"kefu/store"
)

// conversationColumns is the column list every conversation query selects,
// in scanConversation's order.
const conversationColumns = `id, customer_id, customer_name, agent_id, agent_name,
	ticket, started_at, ended_at, ended_by, end_reason, rating,
	team_id, origin, inbox, customer_email, customer_lang`

// messageColumnList is the column list every message query selects, in
// scanMessage's order.
const messageColumnList = `conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at, epoch, file_id, file_type, file_size`

// The read queries: SQLite's (store/sqlite_conversations.go), each served
// by the same index.
const (
	openConversationsSQL = `SELECT ` + conversationColumns + ` FROM conversations
		WHERE ended_at IS NULL ORDER BY ticket, id`
	conversationSQL = `SELECT ` + conversationColumns + ` FROM conversations WHERE id = $1`
	// LIMIT NULL is no limit.
	messagesSQL = `SELECT ` + messageColumnList + ` FROM messages
		WHERE conv_id = $1 AND seq > $2 ORDER BY seq LIMIT $3`
	messagesBeforeSQL = `SELECT ` + messageColumnList + ` FROM messages
		WHERE conv_id = $1 AND seq < $2 ORDER BY seq DESC LIMIT $3`
	messageByClientIDSQL = `SELECT ` + messageColumnList + ` FROM messages
		WHERE conv_id = $1 AND sender_id = $2 AND client_id = $3 ORDER BY seq LIMIT 1`
	convEventsSQL = `SELECT conv_id, kind, agent_id, agent_name, reason, at, by_id, by_name, note
		FROM conv_events WHERE conv_id = $1 ORDER BY id`
	inboxSQL = `SELECT ` + conversationColumns + ` FROM conversations
		WHERE team_id = $1 AND inbox AND ended_at IS NULL AND ticket > $2 ORDER BY ticket, id LIMIT $3`
	readMarksSQL = `SELECT conv_id, party_id, seq FROM read_marks WHERE conv_id = $1 ORDER BY party_id`
	maxTicketSQL = `SELECT GREATEST(
		COALESCE((SELECT MAX(ticket) FROM conversations), 0),
		COALESCE((SELECT MAX(ticket) FROM routing_events), 0))`
	// waitingCustomersSQL: SQLite's waitingCustomersSQL (sqlite_waiting.go).
	waitingCustomersSQL = `SELECT q.customer_id, q.customer_name, q.ticket, q.at, q.team_id
		FROM routing_events q
		WHERE q.at >= $1 AND q.kind = 'queued' AND q.conv_id = ''
			AND NOT EXISTS (SELECT 1 FROM routing_events l
				WHERE l.customer_id = q.customer_id AND l.at >= q.at AND l.id > q.id)
		ORDER BY q.ticket`
)

// maxSeq bounds a seq argument: a uint64 past it would not fit a bigint,
// and no message has a seq that large.
const maxSeq = 1<<63 - 1

// OpenConversations implements store.Conversations.
func (s *Store) OpenConversations(ctx context.Context) ([]store.Conversation, error) {
	convs, err := s.queryConversations(ctx, openConversationsSQL)
	if err != nil {
		return nil, fmt.Errorf("list open conversations: %w", err)
	}
	return convs, nil
}

// Conversation implements store.Conversations.
func (s *Store) Conversation(ctx context.Context, id string) (store.Conversation, error) {
	c, err := scanConversation(s.pool.QueryRow(ctx, conversationSQL, id))
	if err != nil {
		return store.Conversation{}, fmt.Errorf("conversation %q: %w", id, notFound(err))
	}
	return c, nil
}

// Messages implements store.Conversations.
func (s *Store) Messages(ctx context.Context, conv string, afterSeq uint64, limit int) ([]store.Message, error) {
	if limit < 0 {
		return nil, fmt.Errorf("read messages of %q: %w: negative limit %d", conv, store.ErrInvalid, limit)
	}
	var sqlLimit *int64
	if limit > 0 {
		l := int64(limit)
		sqlLimit = &l
	}
	return s.queryMessages(ctx, conv, messagesSQL, conv, int64(min(afterSeq, maxSeq)), sqlLimit)
}

// MessagesBefore implements store.Conversations.
func (s *Store) MessagesBefore(ctx context.Context, conv string, beforeSeq uint64, limit int) ([]store.Message, error) {
	if limit < 1 {
		return nil, fmt.Errorf("read messages of %q: %w: limit %d", conv, store.ErrInvalid, limit)
	}
	before := int64(maxSeq) // 0 means no bound
	if beforeSeq != 0 && beforeSeq < maxSeq {
		before = int64(beforeSeq)
	}
	msgs, err := s.queryMessages(ctx, conv, messagesBeforeSQL, conv, before, limit)
	if err != nil {
		return nil, err
	}
	slices.Reverse(msgs)
	return msgs, nil
}

// MessageByClientID implements store.Conversations.
func (s *Store) MessageByClientID(ctx context.Context, conv, senderID, clientID string) (store.Message, error) {
	m, err := scanMessage(s.pool.QueryRow(ctx, messageByClientIDSQL, conv, senderID, []byte(clientID)))
	if err != nil {
		return store.Message{}, fmt.Errorf("message %q of %q: %w", clientID, conv, notFound(err))
	}
	return m, nil
}

// queryMessages runs a query of messages and scans its rows.
func (s *Store) queryMessages(ctx context.Context, conv, query string, args ...any) ([]store.Message, error) {
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read messages of %q: %w", conv, err)
	}
	msgs, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Message, error) { return scanMessage(r) })
	if err != nil {
		return nil, fmt.Errorf("read messages of %q: %w", conv, err)
	}
	return msgs, nil
}

// ConvEvents implements store.Conversations.
func (s *Store) ConvEvents(ctx context.Context, conv string) ([]store.ConvEvent, error) {
	rows, err := s.pool.Query(ctx, convEventsSQL, conv)
	if err != nil {
		return nil, fmt.Errorf("read events of %q: %w", conv, err)
	}
	events, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.ConvEvent, error) {
		var (
			e    store.ConvEvent
			note []byte
		)
		err := r.Scan(&e.Conv, &e.Kind, &e.AgentID, &e.AgentName, &e.Reason, &e.At, &e.ByID, &e.ByName, &note)
		e.At = e.At.UTC()
		e.Note = string(note)
		return e, err
	})
	if err != nil {
		return nil, fmt.Errorf("read events of %q: %w", conv, err)
	}
	return events, nil
}

// ReadMarks implements store.Conversations.
func (s *Store) ReadMarks(ctx context.Context, conv string) ([]store.ReadMark, error) {
	rows, err := s.pool.Query(ctx, readMarksSQL, conv)
	if err != nil {
		return nil, fmt.Errorf("read read marks of %q: %w", conv, err)
	}
	marks, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.ReadMark, error) {
		var (
			m   store.ReadMark
			seq int64
		)
		err := r.Scan(&m.Conv, &m.PartyID, &seq)
		m.Seq = uint64(seq)
		return m, err
	})
	if err != nil {
		return nil, fmt.Errorf("read read marks of %q: %w", conv, err)
	}
	return marks, nil
}

// ListConversations implements store.Conversations. It reads one row past
// the page to learn whether another page follows.
func (s *Store) ListConversations(ctx context.Context, f store.ConversationFilter) ([]store.Conversation, string, error) {
	limit, err := store.PageLimit(f.Limit)
	if err != nil {
		return nil, "", fmt.Errorf("list conversations: %w", err)
	}
	var (
		where []string
		args  []any
	)
	if f.AgentID != "" {
		// Current agent, or any agent the conversation had.
		args = append(args, f.AgentID)
		where = append(where, `(agent_id = $1 OR id IN (SELECT conv_id FROM conv_events WHERE agent_id = $1))`)
	}
	if f.Label != "" {
		args = append(args, f.Label)
		where = append(where, `id IN (SELECT conv_id FROM conversation_labels WHERE label = $`+strconv.Itoa(len(args))+`)`)
	}
	if f.Before != "" {
		started, id, err := store.DecodeCursor(f.Before)
		if err != nil {
			return nil, "", fmt.Errorf("list conversations: %w", err)
		}
		args = append(args, time.UnixMilli(started).UTC(), id)
		n := len(args)
		where = append(where, `(started_at, id) < ($`+strconv.Itoa(n-1)+`, $`+strconv.Itoa(n)+`)`)
	}
	args = append(args, limit+1)
	q := `SELECT ` + conversationColumns + ` FROM conversations`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	q += ` ORDER BY started_at DESC, id DESC LIMIT $` + strconv.Itoa(len(args))
	page, err := s.queryConversations(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list conversations: %w", err)
	}
	if len(page) <= limit {
		return page, "", nil
	}
	page = page[:limit]
	last := page[limit-1]
	return page, store.EncodeCursor(last.StartedAt.UnixMilli(), last.ID), nil
}

// SetRating implements store.Conversations.
func (s *Store) SetRating(ctx context.Context, conv string, rating int) error {
	if err := store.ValidRating(rating); err != nil {
		return fmt.Errorf("rate conversation %q: %w", conv, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE conversations SET rating = $1 WHERE id = $2`, rating, conv)
	if err := changedOne(tag, err); err != nil {
		return fmt.Errorf("rate conversation %q: %w", conv, err)
	}
	return nil
}

// WaitingCustomers implements store.Conversations.
func (s *Store) WaitingCustomers(ctx context.Context, since time.Time) ([]store.Waiter, error) {
	rows, err := s.pool.Query(ctx, waitingCustomersSQL, millis(since))
	if err != nil {
		return nil, fmt.Errorf("list waiting customers: %w", err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Waiter, error) {
		var (
			w      store.Waiter
			ticket int64
		)
		err := r.Scan(&w.CustomerID, &w.CustomerName, &ticket, &w.QueuedAt, &w.Team)
		w.Ticket, w.QueuedAt = uint64(ticket), w.QueuedAt.UTC()
		return w, err
	})
	if err != nil {
		return nil, fmt.Errorf("list waiting customers: %w", err)
	}
	return out, nil
}

// MaxTicket implements store.Conversations.
func (s *Store) MaxTicket(ctx context.Context) (uint64, error) {
	var t int64
	if err := s.pool.QueryRow(ctx, maxTicketSQL).Scan(&t); err != nil {
		return 0, fmt.Errorf("read max ticket: %w", err)
	}
	return uint64(t), nil
}

// queryConversations runs q and scans every row.
func (s *Store) queryConversations(ctx context.Context, q string, args ...any) ([]store.Conversation, error) {
	rows, err := s.pool.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Conversation, error) { return scanConversation(r) })
}

// scanConversation reads conversationColumns.
func scanConversation(row pgx.Row) (store.Conversation, error) {
	var (
		c      store.Conversation
		ticket int64
		ended  *time.Time
	)
	err := row.Scan(&c.ID, &c.CustomerID, &c.CustomerName, &c.AgentID, &c.AgentName,
		&ticket, &c.StartedAt, &ended, &c.EndedBy, &c.EndReason, &c.Rating,
		&c.Team, &c.Origin, &c.Inbox, &c.CustomerEmail, &c.CustomerLang)
	if err != nil {
		return store.Conversation{}, err
	}
	c.Ticket = uint64(ticket)
	c.StartedAt = c.StartedAt.UTC()
	if ended != nil {
		c.EndedAt = ended.UTC()
	}
	return c, nil
}

// scanMessage reads messageColumnList; text and client id are bytea.
func scanMessage(row pgx.Row) (store.Message, error) {
	var (
		m            store.Message
		seq          int64
		text, client []byte
	)
	if err := row.Scan(&m.Conv, &seq, &m.SenderID, &m.SenderRole, &m.SenderName, &text, &client, &m.At, &m.Epoch, &m.File.ID, &m.File.Type, &m.File.Size); err != nil {
		return store.Message{}, err
	}
	m.Seq, m.Text, m.ClientID, m.At = uint64(seq), string(text), string(client), m.At.UTC()
	return m, nil
}

// InboxConversations implements store.Inbox.
func (s *Store) InboxConversations(ctx context.Context, team string, afterTicket uint64, limit int) ([]store.Conversation, error) {
	n, err := store.InboxPage(afterTicket, limit)
	if err != nil {
		return nil, fmt.Errorf("read inbox of %q: %w", team, err)
	}
	convs, err := s.queryConversations(ctx, inboxSQL, team, int64(afterTicket), n)
	if err != nil {
		return nil, fmt.Errorf("read inbox of %q: %w", team, err)
	}
	return convs, nil
}
