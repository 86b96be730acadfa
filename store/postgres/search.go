package postgres

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"

	"kefu/store"
)

var _ store.Searcher = (*Store)(nil)

// Search on PostgreSQL: the search columns of messages and conversations
// (migration 10), tsvectors of store.SearchText's words that Apply writes
// with the rows, queried with a tsquery of the same words.

// searchSQL returns Search's query for p and its arguments: SQLite's
// (store/sqlite_search.go), with the messages' and the names' index rows
// in two arms. Each conversation comes once, with the best seq: a
// message's (its first), then the name's (0), then the labels'
// (store.SearchSeqLabel).
func searchSQL(p store.SearchPlan) (string, []any) {
	var (
		q    strings.Builder
		args []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	q.WriteString(`SELECT ` + conversationColumns + `, `)
	if len(p.Phrases) > 0 {
		words := arg(tsQuery(p.Phrases))
		q.WriteString(`h.seq, m.text FROM (SELECT conv_id, MAX(seq) AS seq FROM (
			SELECT conv_id, MIN(seq) AS seq FROM messages WHERE search @@ to_tsquery('simple', ` + words + `) GROUP BY conv_id
			UNION ALL
			SELECT id, 0 FROM conversations WHERE search @@ to_tsquery('simple', ` + words + `)
			UNION ALL
			SELECT conv_id, ` + strconv.Itoa(store.SearchSeqLabel) + ` FROM conversation_labels WHERE label = ` + arg(p.Words[0]))
		for _, w := range p.Words[1:] {
			q.WriteString(` AND conv_id IN (SELECT conv_id FROM conversation_labels WHERE label = ` + arg(w) + `)`)
		}
		q.WriteString(`) hits GROUP BY conv_id) h
			JOIN conversations c ON c.id = h.conv_id
			LEFT JOIN messages m ON m.conv_id = h.conv_id AND m.seq = h.seq`)
	} else {
		q.WriteString(`0::bigint, NULL::bytea FROM conversations c`)
	}
	var where []string
	if p.AgentID != "" {
		a := arg(p.AgentID)
		where = append(where, `(c.agent_id = `+a+` OR c.id IN (SELECT conv_id FROM conv_events WHERE agent_id = `+a+`))`)
	}
	if p.Label != "" {
		where = append(where, `c.id IN (SELECT conv_id FROM conversation_labels WHERE label = `+arg(p.Label)+`)`)
	}
	if !p.From.IsZero() {
		where = append(where, `c.started_at >= `+arg(millis(p.From)))
	}
	if !p.To.IsZero() {
		where = append(where, `c.started_at < `+arg(millis(p.To)))
	}
	if !p.Before.IsZero() { // after the cursor in ORDER BY's order
		at := arg(millis(p.Before.At))
		where = append(where, `(c.started_at < `+at+` OR (c.started_at = `+at+` AND c.id < `+arg(p.Before.ID)+`))`)
	}
	if len(where) > 0 {
		q.WriteString(` WHERE ` + strings.Join(where, ` AND `))
	}
	q.WriteString(` ORDER BY c.started_at DESC, c.id DESC LIMIT ` + arg(p.Limit))
	return q.String(), args
}

// tsQuery returns the tsquery of phrases: each phrase's tokens adjacent
// (<->), every phrase required (&). SearchText's tokens hold only
// letters, numbers and marks; the quotes are doubled all the same.
func tsQuery(phrases [][]string) string {
	parts := make([]string, len(phrases))
	for i, ph := range phrases {
		quoted := make([]string, len(ph))
		for j, tok := range ph {
			quoted[j] = "'" + strings.ReplaceAll(tok, "'", "''") + "'"
		}
		parts[i] = strings.Join(quoted, " <-> ")
	}
	return strings.Join(parts, " & ")
}

// Search implements store.Searcher.
func (s *Store) Search(ctx context.Context, q store.SearchQuery) ([]store.SearchHit, error) {
	p, err := store.PlanSearch(q)
	if err != nil {
		return nil, err
	}
	query, args := searchSQL(p)
	rows, err := s.pool.Query(ctx, query, args...)
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	hits, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.SearchHit, error) {
		var (
			seq  int64
			text []byte // bytea: see migrations
		)
		c, err := scanConversation(scanAlso(r, &seq, &text))
		return p.Hit(c, seq, string(text)), err
	})
	if err != nil {
		return nil, fmt.Errorf("search: %w", err)
	}
	return hits, nil
}

// scanAlso is a pgx.Row that scans r's row into what it is given and,
// after those, into more: the columns a query selects after
// conversationColumns.
func scanAlso(r pgx.Row, more ...any) pgx.Row {
	return scanFunc(func(dest ...any) error { return r.Scan(append(dest, more...)...) })
}

// scanFunc is a pgx.Row made of a function.
type scanFunc func(dest ...any) error

func (f scanFunc) Scan(dest ...any) error { return f(dest...) }

// backfillBatch is how many rows backfillSearch indexes per transaction:
// small enough that a node opening at the same time waits little for the
// rows it locks, large enough that the round trips are few.
const backfillBatch = 1000

// backfillTable says how to find a table's rows with no search column
// yet and fill theirs: the select returns a key of text and bigint (0
// where one is enough) and the text to index, locking the rows it
// returns and skipping rows another node holds; the update takes them
// back as three arrays, the text as SearchText's words.
type backfillTable struct {
	name, selectSQL, updateSQL string
}

var backfillTables = []backfillTable{
	{"messages",
		`SELECT conv_id, seq, text FROM messages WHERE search IS NULL ORDER BY conv_id, seq LIMIT $1 FOR UPDATE SKIP LOCKED`,
		`UPDATE messages m SET search = to_tsvector('simple', u.words)
			FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u (conv_id, seq, words)
			WHERE m.conv_id = u.conv_id AND m.seq = u.seq`},
	{"conversations",
		`SELECT id, 0::bigint, convert_to(customer_name, 'UTF8') FROM conversations WHERE search IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
		`UPDATE conversations c SET search = to_tsvector('simple', u.words)
			FROM unnest($1::text[], $2::bigint[], $3::text[]) AS u (id, unused, words)
			WHERE c.id = u.id`},
}

// backfillSearch indexes the rows stored before migration 10 (or copied
// without their index), backfillBatch rows per transaction, so that a
// start that stops half way keeps what it did and the next start goes on
// from there. Several nodes starting at once share the rows.
func (s *Store) backfillSearch(ctx context.Context) error {
	for _, t := range backfillTables {
		for {
			var n int
			err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) (err error) {
				n, err = backfillOnce(ctx, tx, t)
				return err
			})
			if err != nil {
				return fmt.Errorf("index %s for search: %w", t.name, err)
			}
			if n < backfillBatch {
				break
			}
		}
	}
	return nil
}

// backfillAll indexes every row of tx's tables that has no index yet, in
// tx: what a copy ends with.
func backfillAll(ctx context.Context, tx pgx.Tx) error {
	for _, t := range backfillTables {
		for {
			n, err := backfillOnce(ctx, tx, t)
			if err != nil {
				return fmt.Errorf("index %s for search: %w", t.name, err)
			}
			if n < backfillBatch {
				break
			}
		}
	}
	return nil
}

// backfillOnce indexes up to backfillBatch rows of t in tx and returns how
// many it found.
func backfillOnce(ctx context.Context, tx pgx.Tx, t backfillTable) (int, error) {
	rows, err := tx.Query(ctx, t.selectSQL, backfillBatch)
	if err != nil {
		return 0, err
	}
	var (
		keys  []string
		seqs  []int64
		words []string
		key   string
		seq   int64
		text  []byte
	)
	_, err = pgx.ForEachRow(rows, []any{&key, &seq, &text}, func() error {
		keys, seqs, words = append(keys, key), append(seqs, seq), append(words, store.SearchText(string(text)))
		return nil
	})
	if err != nil || len(keys) == 0 {
		return 0, err
	}
	if _, err := tx.Exec(ctx, t.updateSQL, keys, seqs, words); err != nil {
		return 0, err
	}
	return len(keys), nil
}
