package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

var _ Conversations = (*SQLite)(nil)

// The statements Apply runs once per entry.
const (
	// A conversation's customer, ticket and start never change once stored,
	// and an ended conversation stays as it ended: a later entry can neither
	// reopen it nor change its agent or who ended it. A rating of 0 keeps the
	// stored rating. (The right-hand sides all read the row as it was.)
	upsertConversationSQL = `INSERT INTO conversations (id, customer_id, customer_name, agent_id, agent_name,
			ticket, started_at, ended_at, ended_by, end_reason, rating)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			agent_id   = CASE WHEN conversations.ended_at IS NULL THEN excluded.agent_id ELSE conversations.agent_id END,
			agent_name = CASE WHEN conversations.ended_at IS NULL THEN excluded.agent_name ELSE conversations.agent_name END,
			ended_by   = CASE WHEN conversations.ended_at IS NULL THEN excluded.ended_by ELSE conversations.ended_by END,
			end_reason = CASE WHEN conversations.ended_at IS NULL THEN excluded.end_reason ELSE conversations.end_reason END,
			ended_at   = COALESCE(conversations.ended_at, excluded.ended_at),
			rating     = CASE WHEN excluded.rating > 0 THEN excluded.rating ELSE conversations.rating END`
	insertMessageSQL = `INSERT INTO messages (conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (conv_id, seq) DO NOTHING`
	insertConvEventSQL = `INSERT INTO conv_events (conv_id, kind, agent_id, agent_name, reason, at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (conv_id, at, kind, agent_id, agent_name, reason) DO NOTHING`
	insertRoutingEventSQL = `INSERT INTO routing_events (kind, customer_id, agent_id, conv_id, ticket, at)
		VALUES (?, ?, ?, ?, ?, ?)
		ON CONFLICT (at, kind, customer_id, agent_id, conv_id, ticket) DO NOTHING`
	upsertReadMarkSQL = `INSERT INTO read_marks (conv_id, party_id, seq)
		VALUES (?, ?, ?)
		ON CONFLICT (conv_id, party_id) DO UPDATE SET seq = MAX(read_marks.seq, excluded.seq)`
)

// applyStmts are Apply's statements, prepared once at open rather than in
// every Apply. Each Apply binds them to its transaction with tx.StmtContext;
// database/sql prepares a statement on a pooled connection the first time it
// runs there and keeps it, so after warm-up no Apply parses SQL. Preparing
// the five per Apply instead (tx.PrepareContext) made BenchmarkApplyMixed,
// one small batch of every kind, 45% slower: about 195µs instead of 133µs.
type applyStmts struct {
	conv, msg, event, routing, read *sql.Stmt
}

// prepare prepares every statement on db, or none.
func (a *applyStmts) prepare(ctx context.Context, db *sql.DB) error {
	for _, p := range []struct {
		stmt **sql.Stmt
		sql  string
	}{
		{&a.conv, upsertConversationSQL},
		{&a.msg, insertMessageSQL},
		{&a.event, insertConvEventSQL},
		{&a.routing, insertRoutingEventSQL},
		{&a.read, upsertReadMarkSQL},
	} {
		st, err := db.PrepareContext(ctx, p.sql)
		if err != nil {
			a.close()
			return fmt.Errorf("prepare: %w", err)
		}
		*p.stmt = st
	}
	return nil
}

// close closes the prepared statements.
func (a *applyStmts) close() {
	for _, st := range []*sql.Stmt{a.conv, a.msg, a.event, a.routing, a.read} {
		if st != nil {
			st.Close()
		}
	}
}

// Apply implements Conversations. It runs one BEGIN IMMEDIATE transaction
// (see dsnParams) and, per kind of entry, one prepared statement executed
// once per entry.
func (s *SQLite) Apply(ctx context.Context, b *Batch) error {
	if b.Len() == 0 {
		return nil
	}
	if err := validBatch(b); err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	s.applyMu.Lock()
	defer s.applyMu.Unlock()

	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("apply batch: begin: %w", err)
	}
	defer tx.Rollback() // no-op after Commit
	if err := s.applyTx(ctx, tx, b); err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("apply batch: commit: %w", err)
	}
	return nil
}

// applyTx writes b inside tx, conversations first so that the other entries
// may name a conversation that b creates.
func (s *SQLite) applyTx(ctx context.Context, tx *sql.Tx, b *Batch) error {
	if len(b.Conversations) > 0 {
		st := tx.StmtContext(ctx, s.apply.conv)
		for _, c := range b.Conversations {
			_, err := st.ExecContext(ctx, c.ID, c.CustomerID, c.CustomerName, c.AgentID, c.AgentName,
				int64(c.Ticket), c.StartedAt.UnixMilli(), nullMillis(c.EndedAt), c.EndedBy, c.EndReason, c.Rating)
			if err != nil {
				return fmt.Errorf("conversation %q: %w", c.ID, err)
			}
		}
	}
	if len(b.Messages) > 0 {
		st := tx.StmtContext(ctx, s.apply.msg)
		for _, m := range b.Messages {
			res, err := st.ExecContext(ctx, m.Conv, int64(m.Seq), m.SenderID, m.SenderRole, m.SenderName,
				m.Text, m.ClientID, m.At.UnixMilli())
			if err != nil {
				return fmt.Errorf("message %q/%d: %w", m.Conv, m.Seq, unknownConv(err, m.Conv))
			}
			if n, err := res.RowsAffected(); err != nil {
				return fmt.Errorf("message %q/%d: %w", m.Conv, m.Seq, err)
			} else if n == 0 {
				if err := sameMessage(ctx, tx, m); err != nil {
					return fmt.Errorf("message %q/%d: %w", m.Conv, m.Seq, err)
				}
			}
		}
	}
	if len(b.ConvEvents) > 0 {
		st := tx.StmtContext(ctx, s.apply.event)
		for i, e := range b.ConvEvents {
			_, err := st.ExecContext(ctx, e.Conv, e.Kind, e.AgentID, e.AgentName, e.Reason, e.At.UnixMilli())
			if err != nil {
				return fmt.Errorf("conversation event %d of %q: %w", i, e.Conv, unknownConv(err, e.Conv))
			}
		}
	}
	if len(b.Routing) > 0 {
		st := tx.StmtContext(ctx, s.apply.routing)
		for i, e := range b.Routing {
			_, err := st.ExecContext(ctx, e.Kind, e.Customer, e.Agent, e.Conv, int64(e.Ticket), e.At.UnixMilli())
			if err != nil {
				return fmt.Errorf("routing event %d: %w", i, err)
			}
		}
	}
	if len(b.Reads) > 0 {
		st := tx.StmtContext(ctx, s.apply.read)
		for _, r := range b.Reads {
			if _, err := st.ExecContext(ctx, r.Conv, r.PartyID, int64(r.Seq)); err != nil {
				return fmt.Errorf("read mark %q/%q: %w", r.Conv, r.PartyID, unknownConv(err, r.Conv))
			}
		}
	}
	return nil
}

// unknownConv turns a foreign-key violation into ErrInvalid naming the
// conversation; other errors pass unchanged.
func unknownConv(err error, conv string) error {
	if isForeignKeyViolation(err) {
		return fmt.Errorf("%w: conversation %q is not stored", ErrInvalid, conv)
	}
	return err
}

// sameMessage checks, after an insert skipped m, that the stored message
// with m's (Conv, Seq) is m itself (a re-applied batch) and not another
// message given the same number, which would otherwise vanish silently.
func sameMessage(ctx context.Context, tx *sql.Tx, m Message) error {
	const q = `SELECT sender_id, sender_role, sender_name, text, client_id, at
		FROM messages WHERE conv_id = ? AND seq = ?`
	var got Message
	var at int64
	err := tx.QueryRowContext(ctx, q, m.Conv, int64(m.Seq)).
		Scan(&got.SenderID, &got.SenderRole, &got.SenderName, &got.Text, &got.ClientID, &at)
	if err != nil {
		return fmt.Errorf("read stored message: %w", err)
	}
	if got.SenderID != m.SenderID || got.SenderRole != m.SenderRole || got.SenderName != m.SenderName ||
		got.Text != m.Text || got.ClientID != m.ClientID || at != m.At.UnixMilli() {
		return fmt.Errorf("%w: seq %d of conversation %q is already stored with other content", ErrInvalid, m.Seq, m.Conv)
	}
	return nil
}

// conversationColumns is the column list every conversation query selects,
// in scanConversation's order.
const conversationColumns = `id, customer_id, customer_name, agent_id, agent_name,
	ticket, started_at, ended_at, ended_by, end_reason, rating`

// The read queries. TestQueryPlans checks that each one finds its rows
// through an index.
const (
	openConversationsSQL = `SELECT ` + conversationColumns + ` FROM conversations
		WHERE ended_at IS NULL ORDER BY ticket, id`
	conversationSQL = `SELECT ` + conversationColumns + ` FROM conversations WHERE id = ?`
	messagesSQL     = `SELECT conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at
		FROM messages WHERE conv_id = ? AND seq > ? ORDER BY seq LIMIT ?`
	convEventsSQL = `SELECT conv_id, kind, agent_id, agent_name, reason, at
		FROM conv_events WHERE conv_id = ? ORDER BY id`
	readMarksSQL = `SELECT conv_id, party_id, seq FROM read_marks WHERE conv_id = ? ORDER BY party_id`
	maxTicketSQL = `SELECT MAX(
		COALESCE((SELECT MAX(ticket) FROM conversations), 0),
		COALESCE((SELECT MAX(ticket) FROM routing_events), 0))`
)

// listConversationsSQL is ListConversations' query: its arguments are the
// agent id twice if byAgent, then the cursor's started_at and id if
// afterCursor, then the limit.
func listConversationsSQL(byAgent, afterCursor bool) string {
	var where []string
	if byAgent {
		// Current agent, or any agent the conversation had (each arm of the
		// OR has its index: conversations_agent, conv_events_agent).
		where = append(where, `(agent_id = ? OR id IN (SELECT conv_id FROM conv_events WHERE agent_id = ?))`)
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
	rows, err := s.db.QueryContext(ctx, messagesSQL, conv, after, sqlLimit)
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
		if err := rows.Scan(&m.Conv, &seq, &m.SenderID, &m.SenderRole, &m.SenderName, &m.Text, &m.ClientID, &at); err != nil {
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
		if err := rows.Scan(&e.Conv, &e.Kind, &e.AgentID, &e.AgentName, &e.Reason, &at); err != nil {
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
	if f.Before != "" {
		started, id, err := decodeCursor(f.Before)
		if err != nil {
			return nil, "", fmt.Errorf("list conversations: %w", err)
		}
		args = append(args, started, id)
	}
	args = append(args, limit+1)
	q := listConversationsSQL(f.AgentID != "", f.Before != "")
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
		&ticket, &started, &ended, &c.EndedBy, &c.EndReason, &c.Rating)
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
