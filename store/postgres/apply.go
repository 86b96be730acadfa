package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/jackc/pgx/v5"

	"kefu/store"
)

// The statements of a group commit. Each takes what SQLite's take
// (store/sqlite_apply.go) and merges the same way.
const (
	// A conversation's customer, ticket and start never change once stored,
	// and an ended conversation stays as it ended. A rating of 0 keeps the
	// stored one. (The right-hand sides read the row as it was.)
	// The customer's name is indexed for search ($17, its SearchText) when
	// the row is inserted; it never changes after.
	upsertConversationSQL = `INSERT INTO conversations (id, customer_id, customer_name, agent_id, agent_name,
			ticket, started_at, ended_at, ended_by, end_reason, rating,
			team_id, origin, inbox, customer_email, customer_lang, search)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, to_tsvector('simple', $17))
		ON CONFLICT (id) DO UPDATE SET
			team_id    = CASE WHEN conversations.ended_at IS NULL THEN excluded.team_id ELSE conversations.team_id END,
			inbox      = CASE WHEN conversations.ended_at IS NULL THEN excluded.inbox ELSE conversations.inbox END,
			agent_id   = CASE WHEN conversations.ended_at IS NULL THEN excluded.agent_id ELSE conversations.agent_id END,
			agent_name = CASE WHEN conversations.ended_at IS NULL THEN excluded.agent_name ELSE conversations.agent_name END,
			ended_by   = CASE WHEN conversations.ended_at IS NULL THEN excluded.ended_by ELSE conversations.ended_by END,
			end_reason = CASE WHEN conversations.ended_at IS NULL THEN excluded.end_reason ELSE conversations.end_reason END,
			ended_at   = COALESCE(conversations.ended_at, excluded.ended_at),
			rating     = CASE WHEN excluded.rating > 0 THEN excluded.rating ELSE conversations.rating END`

	// All the batch's messages in one statement, whatever their number: one
	// array per column. A message already stored under its (conv_id, seq)
	// is skipped when it is the same message (a resend after an unknown
	// outcome); another message there is refused by kefu_seq_taken, which
	// raises and so aborts the batch. Comparing in the statement itself
	// spares the round trip a read-back would cost. The last array is each
	// text's SearchText, indexed as the search column.
	insertMessagesSQL = `INSERT INTO messages (conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at, epoch, file_id, file_type, file_size, search)
		SELECT conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at, epoch, file_id, file_type, file_size, to_tsvector('simple', words)
		FROM unnest($1::text[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bytea[], $7::bytea[], $8::timestamptz[], $9::bigint[],
			$10::text[], $11::text[], $12::bigint[], $13::text[])
			AS u (conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at, epoch, file_id, file_type, file_size, words)
		ON CONFLICT (conv_id, seq) DO UPDATE SET seq = kefu_seq_taken(messages.conv_id, messages.seq)
		WHERE (messages.sender_id, messages.sender_role, messages.sender_name, messages.text, messages.client_id, messages.at,
				messages.file_id, messages.file_type, messages.file_size)
			IS DISTINCT FROM (excluded.sender_id, excluded.sender_role, excluded.sender_name, excluded.text, excluded.client_id, excluded.at,
				excluded.file_id, excluded.file_type, excluded.file_size)`

	insertConvEventSQL = `INSERT INTO conv_events (conv_id, kind, agent_id, agent_name, reason, at, by_id, by_name, note)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
		ON CONFLICT (conv_id, at, kind, agent_id, agent_name, reason, by_id, by_name, note) DO NOTHING`
	insertRoutingEventSQL = `INSERT INTO routing_events (kind, customer_id, agent_id, conv_id, ticket, at, customer_name, team_id)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (at, kind, customer_id, agent_id, conv_id, ticket) DO NOTHING`
	upsertReadMarkSQL = `INSERT INTO read_marks (conv_id, party_id, seq)
		VALUES ($1, $2, $3)
		ON CONFLICT (conv_id, party_id) DO UPDATE SET seq = GREATEST(read_marks.seq, excluded.seq)`
)

// Apply implements store.Conversations: the whole batch goes to the server
// in one round trip (a pgx.Batch, which the server runs as one implicit
// transaction: an error in any statement undoes them all), and returns when
// it is committed, flushed to disk (synchronous_commit on).
//
// Rows are locked in one order, so that two nodes' commits that touch the
// same rows wait for each other instead of deadlocking: conversations by
// id, messages by (conversation, seq), read marks by (conversation, party),
// each in its own statements, in that order. Events are inserted in the
// order given (their ids keep it) and lock no stored row.
func (s *Store) Apply(ctx context.Context, b *store.Batch) error {
	if b.Len() == 0 {
		return nil
	}
	if err := store.ValidBatch(b); err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	msgs, err := uniqueMessages(b.Messages)
	if err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("apply batch: %w", err)
	}
	q := &pgx.Batch{}
	queueFenceCheck(q, b) // first: a stale fence refuses the batch before it writes
	queueConversations(q, b.Conversations)
	if len(msgs) > 0 {
		q.Queue(insertMessagesSQL, messageColumns(msgs, store.FenceEpochs(b.Fences))...)
	}
	for _, e := range b.ConvEvents {
		q.Queue(insertConvEventSQL, e.Conv, e.Kind, e.AgentID, e.AgentName, e.Reason, millis(e.At), e.ByID, e.ByName, []byte(e.Note))
	}
	for _, e := range b.Routing {
		q.Queue(insertRoutingEventSQL, e.Kind, e.Customer, e.Agent, e.Conv, int64(e.Ticket), millis(e.At), e.CustomerName, store.TeamOrGeneral(e.Team))
	}
	queueReadMarks(q, b.Reads)
	for _, m := range b.Mail {
		q.Queue(insertMailSQL, m.MessageID, m.Conv, m.To, m.Lang, int64(m.AfterSeq), millis(m.At))
	}
	queueNotes(q, b.Notes)
	if err := s.pool.SendBatch(ctx, q).Close(); err != nil {
		if ctx.Err() != nil {
			// The outcome is unknown: the caller re-applies, which is safe.
			return fmt.Errorf("apply batch: %w (%v)", ctx.Err(), err)
		}
		if f := fenced(err, b); f != nil {
			return fmt.Errorf("apply batch: %w", f)
		}
		return fmt.Errorf("apply batch: %w", invalidInput(err))
	}
	return nil
}

// queueConversations queues the upserts by id; entries for one id keep their
// order, since the later wins.
func queueConversations(q *pgx.Batch, convs []store.Conversation) {
	sorted := slices.Clone(convs)
	slices.SortStableFunc(sorted, func(a, b store.Conversation) int { return cmp.Compare(a.ID, b.ID) })
	for _, c := range sorted {
		var ended *time.Time
		if !c.EndedAt.IsZero() {
			t := millis(c.EndedAt)
			ended = &t
		}
		q.Queue(upsertConversationSQL, c.ID, c.CustomerID, c.CustomerName, c.AgentID, c.AgentName,
			int64(c.Ticket), millis(c.StartedAt), ended, c.EndedBy, c.EndReason, c.Rating,
			store.TeamOrGeneral(c.Team), store.OriginOrChat(c.Origin), c.Inbox, c.CustomerEmail, c.CustomerLang,
			store.SearchText(c.CustomerName))
	}
}

// queueReadMarks queues the read marks by (conversation, party); the
// maximum wins whatever the order.
func queueReadMarks(q *pgx.Batch, reads []store.ReadMark) {
	sorted := slices.Clone(reads)
	slices.SortFunc(sorted, func(a, b store.ReadMark) int {
		return cmp.Or(cmp.Compare(a.Conv, b.Conv), cmp.Compare(a.PartyID, b.PartyID))
	})
	for _, r := range sorted {
		q.Queue(upsertReadMarkSQL, r.Conv, r.PartyID, int64(r.Seq))
	}
}

// uniqueMessages returns msgs sorted by (Conv, Seq) with copies dropped.
// One statement may not touch a row twice, so a message given twice must
// go in once; two different messages under one (Conv, Seq) are refused
// here with ErrInvalid, as a stored one would be by the insert.
func uniqueMessages(msgs []store.Message) ([]store.Message, error) {
	sorted := slices.Clone(msgs)
	slices.SortStableFunc(sorted, func(a, b store.Message) int {
		return cmp.Or(cmp.Compare(a.Conv, b.Conv), cmp.Compare(a.Seq, b.Seq))
	})
	out := sorted[:0]
	for i, m := range sorted {
		if i > 0 {
			prev := sorted[i-1]
			if prev.Conv == m.Conv && prev.Seq == m.Seq {
				if !sameMessage(prev, m) {
					return nil, fmt.Errorf("%w: seq %d of conversation %q is given twice with other content", store.ErrInvalid, m.Seq, m.Conv)
				}
				continue
			}
		}
		out = append(out, m)
	}
	return out, nil
}

// sameMessage reports whether a and b are one message as the store keeps it.
func sameMessage(a, b store.Message) bool {
	return a.SenderID == b.SenderID && a.SenderRole == b.SenderRole && a.SenderName == b.SenderName &&
		a.Text == b.Text && a.ClientID == b.ClientID && a.At.UnixMilli() == b.At.UnixMilli() && a.File == b.File
}

// messageColumns returns insertMessagesSQL's arguments: one array per
// column. Each message goes under its conversation's epoch in epochs (0
// if none).
func messageColumns(msgs []store.Message, epochs map[string]int64) []any {
	n := len(msgs)
	var (
		conv, sender, role, name = make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		text, client             = make([][]byte, n), make([][]byte, n) // bytea: see migrations
		seq, epoch               = make([]int64, n), make([]int64, n)
		at                       = make([]time.Time, n)
		fileID, fileType         = make([]string, n), make([]string, n)
		fileSize                 = make([]int64, n)
		words                    = make([]string, n)
	)
	for i, m := range msgs {
		conv[i], seq[i], sender[i], role[i], name[i] = m.Conv, int64(m.Seq), m.SenderID, m.SenderRole, m.SenderName
		text[i], client[i], at[i], epoch[i] = []byte(m.Text), []byte(m.ClientID), millis(m.At), epochs[m.Conv]
		fileID[i], fileType[i], fileSize[i] = m.File.ID, m.File.Type, m.File.Size
		words[i] = store.SearchText(m.Text)
	}
	return []any{conv, seq, sender, role, name, text, client, at, epoch, fileID, fileType, fileSize, words}
}
