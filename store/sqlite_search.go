package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"fmt"
	"strings"

	"modernc.org/sqlite"
)

var _ Searcher = (*SQLite)(nil)

// Search on SQLite: the FTS5 table message_search (migration 14).
//
// What to index is decided in the commit that stores the message: the
// insert's trigger names the row in message_search_pending, only when the
// insert really added it (a re-applied batch adds nothing twice). Moving
// the rows into the index waits for a commit that brings the queue to
// searchIndexWork, for the next Search, which does it first, or for the
// next open: so every stored message is found, and nothing is lost in a
// crash. The index is not written at every commit because FTS5 writes a
// segment of its own at each commit that touches it, with its structure
// record and soon a merge: about six more pages to the log, where a
// one-message commit wrote one or two. BenchmarkApply at one message per
// commit: 58 µs of CPU a message without search, 184 indexing in each
// commit, 80 through the queue (docs/operations.md, "Search").

// The triggers and the migration's backfill call SearchText as the SQL
// function kefu_search_text, registered with the driver before any
// connection opens. Only kefu writes the database, so every connection
// that inserts a message has it. It keeps no argument past its return.
func init() {
	sqlite.MustRegisterDeterministicScalarFunction("kefu_search_text", 1,
		func(_ *sqlite.FunctionContext, args []driver.Value) (driver.Value, error) {
			switch v := args[0].(type) {
			case string:
				return SearchText(v), nil
			case []byte:
				return SearchText(string(v)), nil
			}
			return "", nil
		})
}

// The work of indexing a row is counted as the bytes of its text and
// searchRowBytes for the row itself, about what they cost: FTS5's work is
// per word, and a Chinese line's pairs are nearly one a character. A
// commit that brings the queue to searchIndexWork indexes it: enough that
// most commits of a busy server write no segment, little enough that the
// commit that does (or a Search) indexes it in a few milliseconds, even
// when the messages are long.
const (
	searchRowBytes  = 64
	searchIndexWork = 16 << 10
)

// queuedWork is the work b's conversations and messages may queue for the
// index: the customer's name of a new conversation, each message's text.
func queuedWork(b *Batch) int {
	n := 0
	for _, c := range b.Conversations {
		n += len(c.CustomerName) + searchRowBytes
	}
	for _, m := range b.Messages {
		n += len(m.Text) + searchRowBytes
	}
	return n
}

// indexPendingSQL indexes the rows message_search_pending names: a
// message's text, or (seq 0) the customer's name.
const indexPendingSQL = `INSERT INTO message_search (body, conv_id, seq)
	SELECT kefu_search_text(CASE WHEN p.seq = 0 THEN c.customer_name ELSE m.text END), p.conv_id, p.seq
	FROM message_search_pending p
		JOIN conversations c ON c.id = p.conv_id
		LEFT JOIN messages m ON m.conv_id = p.conv_id AND m.seq = p.seq
	ORDER BY p.rowid`

// indexPending moves what message_search_pending names into the index, in
// the writer's open transaction.
func (s *SQLite) indexPending(ctx context.Context) error {
	if _, err := s.writer.indexPending.ExecContext(ctx); err != nil {
		return fmt.Errorf("index for search: %w", err)
	}
	if _, err := s.writer.clearPending.ExecContext(ctx); err != nil {
		return fmt.Errorf("index for search: %w", err)
	}
	return nil
}

// indexAllPending indexes what waits in message_search_pending, if
// anything may, in a transaction of its own: a Search finds every message
// stored before it.
func (s *SQLite) indexAllPending(ctx context.Context) error {
	s.applyMu.Lock()
	defer s.applyMu.Unlock()
	if s.searchPending == 0 {
		return nil
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	run := context.WithoutCancel(ctx) // as Apply's statements, which it shares
	w := s.writer
	if _, err := w.begin.ExecContext(run); err != nil {
		return fmt.Errorf("index for search: begin: %w", err)
	}
	err := s.indexPending(run)
	if err == nil {
		_, err = w.commit.ExecContext(run)
	}
	if err != nil {
		w.rollback.ExecContext(run)
		return err
	}
	s.searchPending = 0
	return nil
}

// searchSQL returns Search's query for p and its arguments. With words:
// the conversations whose index rows hold every phrase (the first
// message's seq, or 0 for the name's row), with those whose labels are
// every word (SearchSeqLabel), each conversation once with the best seq
// (a message, then the name, then the labels), then filtered. Without
// words: the conversations the filters select.
func searchSQL(p SearchPlan) (string, []any) {
	var (
		q    strings.Builder
		args []any
	)
	q.WriteString(`SELECT ` + conversationColumns + `, `)
	if len(p.Phrases) > 0 {
		q.WriteString(`h.seq, m.text FROM (SELECT conv_id, MAX(seq) AS seq FROM (
			SELECT conv_id, COALESCE(MIN(NULLIF(seq, 0)), 0) AS seq FROM message_search
				WHERE message_search MATCH ? GROUP BY conv_id
			UNION ALL
			SELECT conv_id, -1 FROM conversation_labels WHERE label = ?`)
		args = append(args, ftsQuery(p.Phrases), p.Words[0])
		for _, w := range p.Words[1:] {
			q.WriteString(` AND conv_id IN (SELECT conv_id FROM conversation_labels WHERE label = ?)`)
			args = append(args, w)
		}
		q.WriteString(`) GROUP BY conv_id) h
			JOIN conversations c ON c.id = h.conv_id
			LEFT JOIN messages m ON m.conv_id = h.conv_id AND m.seq = h.seq`)
	} else {
		q.WriteString(`0, NULL FROM conversations c`)
	}
	var where []string
	if p.AgentID != "" {
		where = append(where, `(c.agent_id = ? OR c.id IN (SELECT conv_id FROM conv_events WHERE agent_id = ?))`)
		args = append(args, p.AgentID, p.AgentID)
	}
	if p.Label != "" {
		where = append(where, `c.id IN (SELECT conv_id FROM conversation_labels WHERE label = ?)`)
		args = append(args, p.Label)
	}
	if !p.From.IsZero() {
		where = append(where, `c.started_at >= ?`)
		args = append(args, p.From.UnixMilli())
	}
	if !p.To.IsZero() {
		where = append(where, `c.started_at < ?`)
		args = append(args, p.To.UnixMilli())
	}
	if !p.Before.IsZero() { // after the cursor in ORDER BY's order
		where = append(where, `(c.started_at < ? OR (c.started_at = ? AND c.id < ?))`)
		args = append(args, p.Before.At.UnixMilli(), p.Before.At.UnixMilli(), p.Before.ID)
	}
	if len(where) > 0 {
		q.WriteString(` WHERE ` + strings.Join(where, ` AND `))
	}
	q.WriteString(` ORDER BY c.started_at DESC, c.id DESC LIMIT ?`)
	return q.String(), append(args, p.Limit)
}

// ftsQuery returns the FTS5 query of phrases: each a quoted phrase, all
// of them required. SearchText's tokens hold only letters, numbers and
// marks, so nothing in them needs escaping.
func ftsQuery(phrases [][]string) string {
	quoted := make([]string, len(phrases))
	for i, ph := range phrases {
		quoted[i] = `"` + strings.Join(ph, " ") + `"`
	}
	return strings.Join(quoted, " AND ")
}

// Search implements Searcher.
func (s *SQLite) Search(ctx context.Context, q SearchQuery) ([]SearchHit, error) {
	p, err := PlanSearch(q)
	if err != nil {
		return nil, err
	}
	if err := s.indexAllPending(ctx); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	query, args := searchSQL(p)
	rows, err := s.db.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	defer rows.Close()
	var hits []SearchHit
	for rows.Next() {
		var (
			seq  int64
			text sql.NullString
		)
		c, err := scanConversation(scanAlso(rows, &seq, &text))
		if err != nil {
			return nil, fmt.Errorf("search: %w", err)
		}
		hits = append(hits, p.Hit(c, seq, text.String))
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return hits, nil
}

// scanAlso is a scanner that scans sc's row into what it is given and,
// after those, into more: the columns a query selects after
// conversationColumns.
func scanAlso(sc scanner, more ...any) scanner {
	return scanFunc(func(dest ...any) error { return sc.Scan(append(dest, more...)...) })
}

// scanFunc is a scanner made of a function.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }
