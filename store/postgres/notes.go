package postgres

import (
	"cmp"
	"context"
	"fmt"
	"slices"

	"github.com/jackc/pgx/v5"

	"kefu/store"
)

// Private notes and labels on PostgreSQL (store/notes.go, store/labels.go),
// as SQLite's (store/sqlite_notes.go).
const (
	// A note stored under its (conv_id, n) is skipped when it is the same
	// note (a re-applied batch) and refused by kefu_note_taken when not.
	insertNoteSQL = `INSERT INTO conv_notes (conv_id, n, author_id, author_name, text, client_id, after_seq, at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
		ON CONFLICT (conv_id, n) DO UPDATE SET n = kefu_note_taken(conv_notes.conv_id, conv_notes.n)
		WHERE (conv_notes.author_id, conv_notes.author_name, conv_notes.text, conv_notes.client_id, conv_notes.after_seq, conv_notes.at)
			IS DISTINCT FROM (excluded.author_id, excluded.author_name, excluded.text, excluded.client_id, excluded.after_seq, excluded.at)`
	notesSQL = `SELECT conv_id, n, author_id, author_name, text, client_id, after_seq, at
		FROM conv_notes WHERE conv_id = $1 ORDER BY n DESC LIMIT $2`
)

// queueNotes queues the notes by (conversation, n), the order rows are
// locked in everywhere.
func queueNotes(q *pgx.Batch, notes []store.Note) {
	sorted := slices.Clone(notes)
	slices.SortStableFunc(sorted, func(a, b store.Note) int {
		return cmp.Or(cmp.Compare(a.Conv, b.Conv), cmp.Compare(a.N, b.N))
	})
	for _, n := range sorted {
		q.Queue(insertNoteSQL, n.Conv, int64(n.N), n.AuthorID, n.AuthorName, []byte(n.Text), []byte(n.ClientID), int64(n.After), millis(n.At))
	}
}

// Notes implements store.Notes.
func (s *Store) Notes(ctx context.Context, conv string, limit int) ([]store.Note, error) {
	if limit < 0 {
		return nil, fmt.Errorf("read notes of %q: %w: limit %d", conv, store.ErrInvalid, limit)
	}
	var lim *int64 // NULL: no limit
	if limit > 0 {
		n := int64(limit)
		lim = &n
	}
	rows, err := s.pool.Query(ctx, notesSQL, conv, lim)
	if err != nil {
		return nil, fmt.Errorf("read notes of %q: %w", conv, err)
	}
	out, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Note, error) {
		var (
			n            store.Note
			num, after   int64
			text, client []byte
		)
		err := r.Scan(&n.Conv, &num, &n.AuthorID, &n.AuthorName, &text, &client, &after, &n.At)
		n.N, n.After, n.Text, n.ClientID, n.At = uint64(num), uint64(after), string(text), string(client), n.At.UTC()
		return n, err
	})
	if err != nil {
		return nil, fmt.Errorf("read notes of %q: %w", conv, err)
	}
	slices.Reverse(out)
	return out, nil
}

// SetLabels implements store.Labels: the old set out and the new one in,
// in one transaction, under the conversation's row lock.
func (s *Store) SetLabels(ctx context.Context, conv string, labels []string) error {
	labels, err := store.NormalLabels(labels)
	if err != nil {
		return fmt.Errorf("label conversation %q: %w", conv, err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `SELECT 1 FROM conversations WHERE id = $1 FOR UPDATE`, conv)
		if err != nil {
			return err
		}
		if tag.RowsAffected() == 0 {
			return store.ErrNotFound
		}
		if _, err := tx.Exec(ctx, `DELETE FROM conversation_labels WHERE conv_id = $1`, conv); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO conversation_labels (conv_id, label) SELECT $1, unnest($2::text[])`, conv, labels)
		return err
	})
	if err != nil {
		return fmt.Errorf("label conversation %q: %w", conv, err)
	}
	return nil
}

// LabelsOf implements store.Labels.
func (s *Store) LabelsOf(ctx context.Context, convs []string) (map[string][]string, error) {
	if err := store.ValidLabelsOf(convs); err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	out := map[string][]string{}
	rows, err := s.pool.Query(ctx, `SELECT conv_id, label FROM conversation_labels WHERE conv_id = ANY($1) ORDER BY conv_id, label`, convs)
	if err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	var conv, label string
	_, err = pgx.ForEachRow(rows, []any{&conv, &label}, func() error {
		out[conv] = append(out[conv], label)
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	return out, nil
}
