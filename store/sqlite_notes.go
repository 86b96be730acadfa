package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strings"
)

// Private notes and labels on SQLite (notes.go, labels.go).
const (
	insertNoteSQL = `INSERT INTO conv_notes (conv_id, n, author_id, author_name, text, client_id, after_seq, at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (conv_id, n) DO NOTHING`
	noteSQL = `SELECT conv_id, n, author_id, author_name, text, client_id, after_seq, at
		FROM conv_notes WHERE conv_id = ? AND n = ?`
	// notesSQL reads the newest backwards; Notes turns them round.
	notesSQL = `SELECT conv_id, n, author_id, author_name, text, client_id, after_seq, at
		FROM conv_notes WHERE conv_id = ? ORDER BY n DESC LIMIT ?`
	deleteLabelsSQL = `DELETE FROM conversation_labels WHERE conv_id = ?`
	insertLabelSQL  = `INSERT INTO conversation_labels (conv_id, label) VALUES (?, ?)`
)

// insertNotes writes b's notes in the writer's open transaction. A note
// whose (Conv, N) is stored already must be the same note.
func (s *SQLite) insertNotes(ctx context.Context, notes []Note) error {
	for _, n := range notes {
		res, err := s.writer.conn.ExecContext(ctx, insertNoteSQL, n.Conv, int64(n.N), n.AuthorID, n.AuthorName,
			n.Text, n.ClientID, int64(n.After), n.At.UnixMilli())
		if err != nil {
			return fmt.Errorf("note %q/%d: %w", n.Conv, n.N, unknownConv(err, n.Conv))
		}
		if k, err := res.RowsAffected(); err != nil || k == 1 {
			continue
		}
		got, err := scanNote(s.writer.conn.QueryRowContext(ctx, noteSQL, n.Conv, int64(n.N)))
		if err != nil {
			return fmt.Errorf("note %q/%d: read stored note: %w", n.Conv, n.N, err)
		}
		if !sameNote(got, n) {
			return fmt.Errorf("%w: note %d of conversation %q is already stored with other content", ErrInvalid, n.N, n.Conv)
		}
	}
	return nil
}

// Notes implements Notes.
func (s *SQLite) Notes(ctx context.Context, conv string, limit int) ([]Note, error) {
	if limit < 0 {
		return nil, fmt.Errorf("read notes of %q: %w: limit %d", conv, ErrInvalid, limit)
	}
	if limit == 0 {
		limit = -1 // SQLite: no limit
	}
	rows, err := s.db.QueryContext(ctx, notesSQL, conv, limit)
	if err != nil {
		return nil, fmt.Errorf("read notes of %q: %w", conv, err)
	}
	defer rows.Close()
	var out []Note
	for rows.Next() {
		n, err := scanNote(rows)
		if err != nil {
			return nil, fmt.Errorf("read notes of %q: %w", conv, err)
		}
		out = append(out, n)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read notes of %q: %w", conv, err)
	}
	slices.Reverse(out)
	return out, nil
}

// scanNote reads one row of noteSQL's columns.
func scanNote(sc scanner) (Note, error) {
	var (
		n          Note
		num, after int64
		at         int64
	)
	if err := sc.Scan(&n.Conv, &num, &n.AuthorID, &n.AuthorName, &n.Text, &n.ClientID, &after, &at); err != nil {
		return Note{}, err
	}
	n.N, n.After, n.At = uint64(num), uint64(after), fromMillis(at)
	return n, nil
}

// SetLabels implements Labels: the old set out and the new one in, in one
// transaction.
func (s *SQLite) SetLabels(ctx context.Context, conv string, labels []string) error {
	labels, err := NormalLabels(labels)
	if err != nil {
		return fmt.Errorf("label conversation %q: %w", conv, err)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("label conversation %q: %w", conv, err)
	}
	defer tx.Rollback()
	var one int
	err = tx.QueryRowContext(ctx, `SELECT 1 FROM conversations WHERE id = ?`, conv).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("label conversation %q: %w", conv, ErrNotFound)
	}
	if err != nil {
		return fmt.Errorf("label conversation %q: %w", conv, err)
	}
	if _, err := tx.ExecContext(ctx, deleteLabelsSQL, conv); err != nil {
		return fmt.Errorf("label conversation %q: %w", conv, err)
	}
	for _, l := range labels {
		if _, err := tx.ExecContext(ctx, insertLabelSQL, conv, l); err != nil {
			return fmt.Errorf("label conversation %q: %w", conv, err)
		}
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("label conversation %q: %w", conv, err)
	}
	return nil
}

// LabelsOf implements Labels: one query by the table's primary key.
func (s *SQLite) LabelsOf(ctx context.Context, convs []string) (map[string][]string, error) {
	if err := validLabelsOf(convs); err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	out := map[string][]string{}
	if len(convs) == 0 {
		return out, nil
	}
	args := make([]any, len(convs))
	for i, c := range convs {
		args[i] = c
	}
	q := `SELECT conv_id, label FROM conversation_labels WHERE conv_id IN (?` + strings.Repeat(", ?", len(convs)-1) + `) ORDER BY conv_id, label`
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	defer rows.Close()
	for rows.Next() {
		var conv, label string
		if err := rows.Scan(&conv, &label); err != nil {
			return nil, fmt.Errorf("read labels: %w", err)
		}
		out[conv] = append(out[conv], label)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("read labels: %w", err)
	}
	return out, nil
}
