package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

var _ Conversations = (*SQLite)(nil)

// conversationColumns is the column list every conversation query selects,
// in scanConversation's order.
const conversationColumns = `id, customer_id, customer_name, agent_id, agent_name,
	ticket, started_at, ended_at, ended_by, end_reason, rating,
	team_id, origin, inbox, customer_email, customer_lang`

// The read queries. TestQueryPlans checks that each one finds its rows
// through an index.
const (
	openConversationsSQL = `SELECT ` + conversationColumns + ` FROM conversations
		WHERE ended_at IS NULL ORDER BY ticket, id`
	conversationSQL = `SELECT ` + conversationColumns + ` FROM conversations WHERE id = ?`
	messagesSQL     = `SELECT conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at, epoch, file_id, file_type, file_size
		FROM messages WHERE conv_id = ? AND seq > ? ORDER BY seq LIMIT ?`
	// messagesBeforeSQL reads a page backwards; MessagesBefore turns it
	// round.
	messagesBeforeSQL = `SELECT conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at, epoch, file_id, file_type, file_size
		FROM messages WHERE conv_id = ? AND seq < ? ORDER BY seq DESC LIMIT ?`
	convEventsSQL = `SELECT conv_id, kind, agent_id, agent_name, reason, at, by_id, by_name, note
		FROM conv_events WHERE conv_id = ? ORDER BY id`
	// inboxSQL is InboxConversations' query (conversations_inbox).
	inboxSQL = `SELECT ` + conversationColumns + ` FROM conversations
		WHERE team_id = ? AND inbox = 1 AND ended_at IS NULL AND ticket > ? ORDER BY ticket, id LIMIT ?`
	readMarksSQL = `SELECT conv_id, party_id, seq FROM read_marks WHERE conv_id = ? ORDER BY party_id`
	maxTicketSQL = `SELECT MAX(
		COALESCE((SELECT MAX(ticket) FROM conversations), 0),
		COALESCE((SELECT MAX(ticket) FROM routing_events), 0))`
)

// listConversationsSQL is ListConversations' query: its arguments are the
// agent id twice if byAgent, then the label if byLabel, then the cursor's
// started_at and id if afterCursor, then the limit.
func listConversationsSQL(byAgent, byLabel, afterCursor bool) string {
	var where []string
	if byAgent {
		// Current agent, or any agent the conversation had (each arm of the
		// OR has its index: conversations_agent, conv_events_agent).
		where = append(where, `(agent_id = ? OR id IN (SELECT conv_id FROM conv_events WHERE agent_id = ?))`)
	}
	if byLabel {
		where = append(where, `id IN (SELECT conv_id FROM conversation_labels WHERE label = ?)`)
	}
	if afterCursor {
		where = append(where, `(started_at, id) < (?, ?)`)
	}
	q := `SELECT ` + conversationColumns + ` FROM conversations`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, ` AND `)
	}
	return q + ` ORDER BY started_at DESC, id DESC LIMIT ?`
}

// OpenConversations implements Conversations.
func (s *SQLite) OpenConversations(ctx context.Context) ([]Conversation, error) {
	convs, err := s.queryConversations(ctx, openConversationsSQL)
	if err != nil {
		return nil, fmt.Errorf("list open conversations: %w", err)
	}
	return convs, nil
}

// Conversation implements Conversations.
func (s *SQLite) Conversation(ctx context.Context, id string) (Conversation, error) {
	row := s.db.QueryRowContext(ctx, conversationSQL, id)
	c, err := scanConversation(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Conversation{}, fmt.Errorf("conversation %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Conversation{}, fmt.Errorf("read conversation %q: %w", id, err)
	}
	return c, nil
}

// Messages implements Conversations.
func (s *SQLite) Messages(ctx context.Context, conv string, afterSeq uint64, limit int) ([]Message, error) {
	if limit < 0 {
		return nil, fmt.Errorf("read messages of %q: %w: negative limit %d", conv, ErrInvalid, limit)
	}
	sqlLimit := int64(limit)
	if limit == 0 {
		sqlLimit = -1 // SQLite: no limit
	}
	// afterSeq past MaxInt64 would not bind; no message has a Seq that large.
	after := int64(min(afterSeq, uint64(1<<63-1)))
	return s.readMessages(ctx, conv, limit, messagesSQL, conv, after, sqlLimit)
}

// MessagesBefore implements Conversations.
func (s *SQLite) MessagesBefore(ctx context.Context, conv string, beforeSeq uint64, limit int) ([]Message, error) {
	if limit < 1 {
		return nil, fmt.Errorf("read messages of %q: %w: limit %d", conv, ErrInvalid, limit)
	}
	// 0 and anything past MaxInt64 (which would not bind) mean no bound.
	before := int64(1<<63 - 1)
	if beforeSeq != 0 && beforeSeq < 1<<63-1 {
		before = int64(beforeSeq)
	}
	msgs, err := s.readMessages(ctx, conv, limit, messagesBeforeSQL, conv, before, limit)
	if err != nil {
		return nil, err
	}
	slices.Reverse(msgs)
	return msgs, nil
}

// readMessages runs a query of messages and scans its rows; limit (0: none)
// sizes the first allocation.
func (s *SQLite) readMessages(ctx context.Context, conv string, limit int, query string, args ...any) ([]Message, error) {
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("read messages of %q: %w", conv, err)
	}
	defer rows.Close()
	var msgs []Message
	if limit > 0 {
		msgs = make([]Message, 0, min(limit, 1024))
	}
	for rows.Next() {
		var (
			m   Message
			seq int64
			at  int64
		)
		if err := rows.Scan(&m.Conv, &seq, &m.SenderID, &m.SenderRole, &m.SenderName, &m.Text, &m.ClientID, &at, &m.Epoch, &m.File.ID, &m.File.Type, &m.File.Size); err != nil {
			return nil, fmt.Errorf("read messages of %q: %w", conv, err)
		}
		m.Seq, m.At = uint64(seq), fromMillis(at)
		msgs = append(msgs, m)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read messages of %q: %w", conv, err)
	}
	return msgs, nil
}

// ConvEvents implements Conversations.
func (s *SQLite) ConvEvents(ctx context.Context, conv string) ([]ConvEvent, error) {
	rows, err := s.db.QueryContext(ctx, convEventsSQL, conv)
	if err != nil {
		return nil, fmt.Errorf("read events of %q: %w", conv, err)
	}
	defer rows.Close()
	var events []ConvEvent
	for rows.Next() {
		var (
			e  ConvEvent
			at int64
		)
		if err := rows.Scan(&e.Conv, &e.Kind, &e.AgentID, &e.AgentName, &e.Reason, &at, &e.ByID, &e.ByName, &e.Note); err != nil {
			return nil, fmt.Errorf("read events of %q: %w", conv, err)
		}
		e.At = fromMillis(at)
		events = append(events, e)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read events of %q: %w", conv, err)
	}
	return events, nil
}

// ReadMarks implements Conversations.
func (s *SQLite) ReadMarks(ctx context.Context, conv string) ([]ReadMark, error) {
	rows, err := s.db.QueryContext(ctx, readMarksSQL, conv)
	if err != nil {
		return nil, fmt.Errorf("read read marks of %q: %w", conv, err)
	}
	defer rows.Close()
	var marks []ReadMark
	for rows.Next() {
		var (
			r   ReadMark
			seq int64
		)
		if err := rows.Scan(&r.Conv, &r.PartyID, &seq); err != nil {
			return nil, fmt.Errorf("read read marks of %q: %w", conv, err)
		}
		r.Seq = uint64(seq)
		marks = append(marks, r)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read read marks of %q: %w", conv, err)
	}
	return marks, nil
}

// ListConversations implements Conversations. It reads one row past the page
// to learn whether another page follows.
func (s *SQLite) ListConversations(ctx context.Context, f ConversationFilter) ([]Conversation, string, error) {
	limit, err := pageLimit(f.Limit)
	if err != nil {
		return nil, "", fmt.Errorf("list conversations: %w", err)
	}
	var args []any
	if f.AgentID != "" {
		args = append(args, f.AgentID, f.AgentID)
	}
	if f.Label != "" {
		args = append(args, f.Label)
	}
	if f.Before != "" {
		started, id, err := decodeCursor(f.Before)
		if err != nil {
			return nil, "", fmt.Errorf("list conversations: %w", err)
		}
		args = append(args, started, id)
	}
	args = append(args, limit+1)
	q := listConversationsSQL(f.AgentID != "", f.Label != "", f.Before != "")
	page, err := s.queryConversations(ctx, q, args...)
	if err != nil {
		return nil, "", fmt.Errorf("list conversations: %w", err)
	}
	if len(page) <= limit {
		return page, "", nil
	}
	page = page[:limit]
	last := page[limit-1]
	return page, encodeCursor(last.StartedAt.UnixMilli(), last.ID), nil
}

// SetRating implements Conversations.
func (s *SQLite) SetRating(ctx context.Context, conv string, rating int) error {
	if err := validRating(rating); err != nil {
		return fmt.Errorf("rate conversation %q: %w", conv, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE conversations SET rating = ? WHERE id = ?`, rating, conv)
	if err := changedOne(res, err); err != nil {
		return fmt.Errorf("rate conversation %q: %w", conv, err)
	}
	return nil
}

// MaxTicket implements Conversations. Both maxima are read from an index.
func (s *SQLite) MaxTicket(ctx context.Context) (uint64, error) {
	var t int64
	if err := s.db.QueryRowContext(ctx, maxTicketSQL).Scan(&t); err != nil {
		return 0, fmt.Errorf("read max ticket: %w", err)
	}
	return uint64(t), nil
}

// queryConversations runs q and scans every row.
func (s *SQLite) queryConversations(ctx context.Context, q string, args ...any) ([]Conversation, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var convs []Conversation
	for rows.Next() {
		c, err := scanConversation(rows)
		if err != nil {
			return nil, err
		}
		convs = append(convs, c)
	}
	return convs, rows.Err()
}

// scanConversation reads conversationColumns.
func scanConversation(sc scanner) (Conversation, error) {
	var (
		c       Conversation
		ticket  int64
		started int64
		ended   sql.NullInt64
	)
	err := sc.Scan(&c.ID, &c.CustomerID, &c.CustomerName, &c.AgentID, &c.AgentName,
		&ticket, &started, &ended, &c.EndedBy, &c.EndReason, &c.Rating,
		&c.Team, &c.Origin, &c.Inbox, &c.CustomerEmail, &c.CustomerLang)
	if err != nil {
		return Conversation{}, err
	}
	c.Ticket = uint64(ticket)
	c.StartedAt = fromMillis(started)
	if ended.Valid {
		c.EndedAt = fromMillis(ended.Int64)
	}
	return c, nil
}

// nullMillis is t in Unix milliseconds, or NULL for the zero time.
func nullMillis(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

// fromMillis is the time.Time of Unix milliseconds, in UTC as stored.
func fromMillis(ms int64) time.Time {
	return time.UnixMilli(ms).UTC()
}

// InboxConversations implements Inbox.
func (s *SQLite) InboxConversations(ctx context.Context, team string, afterTicket uint64, limit int) ([]Conversation, error) {
	n, err := InboxPage(afterTicket, limit)
	if err != nil {
		return nil, fmt.Errorf("read inbox of %q: %w", team, err)
	}
	convs, err := s.queryConversations(ctx, inboxSQL, team, int64(afterTicket), n)
	if err != nil {
		return nil, fmt.Errorf("read inbox of %q: %w", team, err)
	}
	return convs, nil
}
