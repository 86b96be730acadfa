package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/bits"
	"strings"
)

// The statements Apply runs once per entry; messages have insertMessagesSQL.
const (
	// A conversation's customer, ticket and start never change once stored,
	// and an ended conversation stays as it ended: a later entry can neither
	// reopen it nor change its agent or who ended it. A rating of 0 keeps the
	// stored rating. (The right-hand sides all read the row as it was.)
	upsertConversationSQL = `INSERT INTO conversations (id, customer_id, customer_name, agent_id, agent_name,
			ticket, started_at, ended_at, ended_by, end_reason, rating,
			team_id, origin, inbox, customer_email, customer_lang)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (id) DO UPDATE SET
			team_id    = CASE WHEN conversations.ended_at IS NULL THEN excluded.team_id ELSE conversations.team_id END,
			inbox      = CASE WHEN conversations.ended_at IS NULL THEN excluded.inbox ELSE conversations.inbox END,
			agent_id   = CASE WHEN conversations.ended_at IS NULL THEN excluded.agent_id ELSE conversations.agent_id END,
			agent_name = CASE WHEN conversations.ended_at IS NULL THEN excluded.agent_name ELSE conversations.agent_name END,
			ended_by   = CASE WHEN conversations.ended_at IS NULL THEN excluded.ended_by ELSE conversations.ended_by END,
			end_reason = CASE WHEN conversations.ended_at IS NULL THEN excluded.end_reason ELSE conversations.end_reason END,
			ended_at   = COALESCE(conversations.ended_at, excluded.ended_at),
			rating     = CASE WHEN excluded.rating > 0 THEN excluded.rating ELSE conversations.rating END`
	insertConvEventSQL = `INSERT INTO conv_events (conv_id, kind, agent_id, agent_name, reason, at, by_id, by_name, note)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (conv_id, at, kind, agent_id, agent_name, reason, by_id, by_name, note) DO NOTHING`
	insertRoutingEventSQL = `INSERT INTO routing_events (kind, customer_id, agent_id, conv_id, ticket, at, customer_name, team_id)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (at, kind, customer_id, agent_id, conv_id, ticket) DO NOTHING`
	upsertReadMarkSQL = `INSERT INTO read_marks (conv_id, party_id, seq)
		VALUES (?, ?, ?)
		ON CONFLICT (conv_id, party_id) DO UPDATE SET seq = MAX(read_marks.seq, excluded.seq)`
)

// writer is the connection Apply writes on, held for the life of the
// store, and Apply's statements, prepared on it once at open. (Preparing
// them per Apply made BenchmarkApplyMixed, one small batch of every kind,
// 45% slower.)
//
// Apply runs BEGIN IMMEDIATE and COMMIT as statements of its own on this
// connection rather than through a database/sql transaction, which costs a
// goroutine per transaction that has to be woken to end it, and a BEGIN
// and COMMIT parsed anew each time. Under load most commits hold one or two
// messages, so those fixed costs are most of what a message costs: a
// one-message commit went from 27 to 19 µs of CPU.
type writer struct {
	conn                       *sql.Conn
	begin, commit, rollback    *sql.Stmt
	checkpoint                 *sql.Stmt // see checkpointer
	conv, event, routing, read *sql.Stmt
	msgs                       [msgStmts]*sql.Stmt // msgs[k] inserts 1<<k messages
	indexPending, clearPending *sql.Stmt           // see SQLite.indexPending
}

// Messages go in by multi-row INSERTs, many to a statement. Each statement
// run has a cost of its own, whatever it writes (database/sql's
// bookkeeping, the driver's, a VDBE start and reset): with one statement
// per message that was about half of what a message took outside the
// commit. The statements insert 1, 2, 4,
// ... 256 rows, so that a few prepared ones cover any batch, largest
// first: 300 messages are 256 + 32 + 8 + 4. 256 rows are 3,072
// parameters, far under SQLite's limit of 32,766; larger statements
// measured no faster.
const msgStmts = 9

// insertMessagesSQL returns the insert of rows messages. A message whose
// (Conv, Seq) is stored already is skipped; insertChunk then checks that it
// is the same message.
func insertMessagesSQL(rows int) string {
	var q strings.Builder
	q.WriteString(`INSERT INTO messages (conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at, epoch, file_id, file_type, file_size) VALUES `)
	for i := range rows {
		if i > 0 {
			q.WriteString(", ")
		}
		q.WriteString("(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")
	}
	q.WriteString(" ON CONFLICT (conv_id, seq) DO NOTHING")
	return q.String()
}

// writerCacheKiB is the writer's page cache, in KiB. Each message goes on
// the newest page of its conversation, and conversation ids are random, so
// a commit of n messages dirties about n pages. SQLite's default of 2 MiB
// (about 500 pages) held too few: a larger commit spilled dirty pages to
// the log mid-transaction and read them back, so it cost more per message
// than a small one. Under S1 the writer then fell into commits of 3,000
// messages at four times the cost each, which kept the commits large and
// delivery seconds late, for minutes at a time. 24 MiB holds the dirty
// pages of the largest commit (MaxBatch, 4,096 entries) with room for the
// tree's inner pages; it need not hold every open conversation's page (S1's
// 10,000 need about 40 MiB), since a miss is a read from the OS's cache,
// not a spill. 64 MiB was tried first: the same speed in
// BenchmarkApplyScattered (a 1,024-message commit 22 µs a message with the
// default, 13-15 with either), and in the soak a worse tail and 75 MiB
// more RSS (S1's RSS rose about twice the cache's nominal size). Only the
// writer's connection has it; readers keep the default.
const writerCacheKiB = 24 << 10

// openWriter takes a connection from db for good and prepares the
// statements on it.
func openWriter(ctx context.Context, db *sql.DB) (*writer, error) {
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("take the writer's connection: %w", err)
	}
	w := &writer{conn: conn}
	if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = -%d", writerCacheKiB)); err != nil {
		w.close()
		return nil, fmt.Errorf("size the writer's page cache: %w", err)
	}
	type statement struct {
		stmt **sql.Stmt
		sql  string
	}
	all := []statement{
		{&w.begin, "BEGIN IMMEDIATE"}, // the write lock up front, see dsnParams
		{&w.commit, "COMMIT"},
		{&w.rollback, "ROLLBACK"},
		{&w.checkpoint, "PRAGMA wal_checkpoint(PASSIVE)"},
		{&w.conv, upsertConversationSQL},
		{&w.event, insertConvEventSQL},
		{&w.routing, insertRoutingEventSQL},
		{&w.read, upsertReadMarkSQL},
		{&w.indexPending, indexPendingSQL},
		{&w.clearPending, `DELETE FROM message_search_pending`},
	}
	for k := range w.msgs {
		all = append(all, statement{&w.msgs[k], insertMessagesSQL(1 << k)})
	}
	for _, p := range all {
		st, err := conn.PrepareContext(ctx, p.sql)
		if err != nil {
			w.close()
			return nil, fmt.Errorf("prepare: %w", err)
		}
		*p.stmt = st
	}
	return w, nil
}

// close closes the statements, then gives the connection back to the pool.
func (w *writer) close() {
	for _, st := range append([]*sql.Stmt{w.begin, w.commit, w.rollback, w.checkpoint, w.conv, w.event, w.routing, w.read, w.indexPending, w.clearPending}, w.msgs[:]...) {
		if st != nil {
			st.Close()
		}
	}
	w.conn.Close()
}

// Apply implements Conversations. It runs one BEGIN IMMEDIATE transaction
// on the writer's connection and, per kind of entry, one prepared statement
// executed once per entry, but for messages, which go in many at a time.
func (s *SQLite) Apply(ctx context.Context, b *Batch) error {
	if b.Len() == 0 {
		return nil
	}
	if err := validBatch(b); err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	s.applyMu.Lock()
	defer s.applyMu.Unlock()

	// ctx bounds the Apply, but the statements run under a context that
	// cannot be cancelled, and Apply checks ctx itself before BEGIN and
	// before COMMIT. Given a context that can be cancelled, the driver
	// starts a goroutine to watch it for every statement, BEGIN and COMMIT
	// included: about a tenth of the CPU of a one-message commit. A
	// statement once started runs to its end: they are short, and a wait
	// for another process's write lock ends at busy_timeout.
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	run := context.WithoutCancel(ctx)
	w := s.writer
	s.catchUp(run)
	if _, err := w.begin.ExecContext(run); err != nil {
		return fmt.Errorf("apply batch: begin: %w", err)
	}
	err := s.applyTx(run, b)
	pending := s.searchPending + queuedWork(b) // at most: some may be stored already
	if err == nil && pending >= searchIndexWork {
		err = s.indexPending(run)
		pending = 0
	}
	if err == nil {
		err = ctx.Err()
	}
	if err == nil {
		if _, err = w.commit.ExecContext(run); err != nil {
			err = fmt.Errorf("commit: %w", err)
		}
	}
	if err != nil {
		// Nothing of b is stored. The ROLLBACK fails, harmlessly, when
		// SQLite has rolled back already (as it does on some I/O errors).
		w.rollback.ExecContext(run)
		return fmt.Errorf("apply batch: %w", err)
	}
	s.searchPending = pending
	return nil
}

// catchUp copies into the database the frames the checkpointer's last
// pass left behind, if it left any, so that the BEGIN that follows starts
// the log afresh (see checkpointer). A failure is the checkpointer's to
// retry; the commit does not depend on it.
func (s *SQLite) catchUp(ctx context.Context) {
	if s.checkpoints.catchUp.Swap(false) {
		_, _ = s.writer.checkpoint.ExecContext(ctx)
	}
}

// applyTx writes b in the writer's open transaction, conversations first
// so that the other entries may name a conversation that b creates. The
// fences are checked before anything is written.
func (s *SQLite) applyTx(ctx context.Context, b *Batch) error {
	if err := s.checkFences(ctx, b); err != nil {
		return err
	}
	w := s.writer
	for _, c := range b.Conversations {
		_, err := w.conv.ExecContext(ctx, c.ID, c.CustomerID, c.CustomerName, c.AgentID, c.AgentName,
			int64(c.Ticket), c.StartedAt.UnixMilli(), nullMillis(c.EndedAt), c.EndedBy, c.EndReason, c.Rating,
			TeamOrGeneral(c.Team), OriginOrChat(c.Origin), c.Inbox, c.CustomerEmail, c.CustomerLang)
		if err != nil {
			return fmt.Errorf("conversation %q: %w", c.ID, err)
		}
	}
	if err := s.insertMessages(ctx, b.Messages, fenceEpochs(b.Fences)); err != nil {
		return err
	}
	for i, e := range b.ConvEvents {
		_, err := w.event.ExecContext(ctx, e.Conv, e.Kind, e.AgentID, e.AgentName, e.Reason, e.At.UnixMilli(), e.ByID, e.ByName, e.Note)
		if err != nil {
			return fmt.Errorf("conversation event %d of %q: %w", i, e.Conv, unknownConv(err, e.Conv))
		}
	}
	for i, e := range b.Routing {
		_, err := w.routing.ExecContext(ctx, e.Kind, e.Customer, e.Agent, e.Conv, int64(e.Ticket), e.At.UnixMilli(), e.CustomerName, TeamOrGeneral(e.Team))
		if err != nil {
			return fmt.Errorf("routing event %d: %w", i, err)
		}
	}
	for _, r := range b.Reads {
		if _, err := w.read.ExecContext(ctx, r.Conv, r.PartyID, int64(r.Seq)); err != nil {
			return fmt.Errorf("read mark %q/%q: %w", r.Conv, r.PartyID, unknownConv(err, r.Conv))
		}
	}
	if err := s.insertNotes(ctx, b.Notes); err != nil {
		return err
	}
	return s.insertMail(ctx, b.Mail)
}

// insertMessages inserts msgs in order, by the largest prepared statements
// that fit, each under its conversation's epoch in epochs (0 if none).
func (s *SQLite) insertMessages(ctx context.Context, msgs []Message, epochs map[string]int64) error {
	for len(msgs) > 0 {
		k := min(bits.Len(uint(len(msgs))), msgStmts) - 1
		chunk := msgs[:1<<k]
		msgs = msgs[1<<k:]
		if err := s.insertChunk(ctx, s.writer.msgs[k], chunk, epochs); err != nil {
			return err
		}
	}
	return nil
}

// insertChunk runs st, the insert of the messages of chunk. If the insert
// skipped any (stored before, or twice in the batch), every message of the
// chunk is checked against what is stored, since the count does not say
// which ones were skipped.
func (s *SQLite) insertChunk(ctx context.Context, st *sql.Stmt, chunk []Message, epochs map[string]int64) error {
	args := s.msgArgs[:0]
	for _, m := range chunk {
		args = append(args, m.Conv, int64(m.Seq), m.SenderID, m.SenderRole, m.SenderName,
			m.Text, m.ClientID, m.At.UnixMilli(), epochs[m.Conv], m.File.ID, m.File.Type, m.File.Size)
	}
	s.msgArgs = args
	defer clear(args) // the texts need not outlive the Apply

	first := chunk[0]
	res, err := st.ExecContext(ctx, args...)
	if isForeignKeyViolation(err) {
		return unknownMessageConv(ctx, s.writer.conn, chunk)
	}
	if err != nil {
		return fmt.Errorf("messages %q/%d and %d after: %w", first.Conv, first.Seq, len(chunk)-1, err)
	}
	n, err := res.RowsAffected()
	if err != nil {
		return fmt.Errorf("messages %q/%d and %d after: %w", first.Conv, first.Seq, len(chunk)-1, err)
	}
	if n == int64(len(chunk)) {
		return nil
	}
	for _, m := range chunk {
		if err := sameMessage(ctx, s.writer.conn, m); err != nil {
			return fmt.Errorf("message %q/%d: %w", m.Conv, m.Seq, err)
		}
	}
	return nil
}

// unknownMessageConv returns ErrInvalid naming the first message of chunk
// whose conversation is not stored, once inserting chunk broke the foreign
// key: SQLite's error does not say which row did.
func unknownMessageConv(ctx context.Context, q querier, chunk []Message) error {
	for _, m := range chunk {
		var one int
		err := q.QueryRowContext(ctx, `SELECT 1 FROM conversations WHERE id = ?`, m.Conv).Scan(&one)
		if errors.Is(err, sql.ErrNoRows) {
			return fmt.Errorf("message %q/%d: %w: conversation %q is not stored", m.Conv, m.Seq, ErrInvalid, m.Conv)
		}
		if err != nil {
			return fmt.Errorf("message %q/%d: look up its conversation: %w", m.Conv, m.Seq, err)
		}
	}
	return fmt.Errorf("messages %q/%d and %d after: foreign key failed, yet every conversation is stored", chunk[0].Conv, chunk[0].Seq, len(chunk)-1)
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
func sameMessage(ctx context.Context, q querier, m Message) error {
	const query = `SELECT sender_id, sender_role, sender_name, text, client_id, at, file_id, file_type, file_size
		FROM messages WHERE conv_id = ? AND seq = ?`
	var got Message
	var at int64
	err := q.QueryRowContext(ctx, query, m.Conv, int64(m.Seq)).
		Scan(&got.SenderID, &got.SenderRole, &got.SenderName, &got.Text, &got.ClientID, &at, &got.File.ID, &got.File.Type, &got.File.Size)
	if err != nil {
		return fmt.Errorf("read stored message: %w", err)
	}
	if got.SenderID != m.SenderID || got.SenderRole != m.SenderRole || got.SenderName != m.SenderName ||
		got.Text != m.Text || got.ClientID != m.ClientID || at != m.At.UnixMilli() || got.File != m.File {
		return fmt.Errorf("%w: seq %d of conversation %q is already stored with other content", ErrInvalid, m.Seq, m.Conv)
	}
	return nil
}
