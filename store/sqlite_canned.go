package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

const cannedColumns = `id, COALESCE(owner_id, ''), shortcut, text, version, created_at`

// ListCanned implements CannedResponses.
func (s *SQLite) ListCanned(ctx context.Context, owner string) ([]Canned, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+cannedColumns+` FROM canned
		WHERE owner_id IS NULL OR owner_id = ? ORDER BY shortcut_key, COALESCE(owner_id, ''), id`, owner)
	if err != nil {
		return nil, fmt.Errorf("list canned responses: %w", err)
	}
	defer rows.Close()
	var out []Canned
	for rows.Next() {
		var c Canned
		var at int64
		if err := rows.Scan(&c.ID, &c.Owner, &c.Shortcut, &c.Text, &c.Version, &at); err != nil {
			return nil, fmt.Errorf("list canned responses: %w", err)
		}
		c.CreatedAt = fromMillis(at)
		out = append(out, c)
	}
	return out, rows.Err()
}

// CreateCanned implements CannedResponses.
func (s *SQLite) CreateCanned(ctx context.Context, c Canned) (Canned, error) {
	if err := ValidCanned(&c); err != nil {
		return Canned{}, err
	}
	c.ID, c.Version, c.CreatedAt = NewCannedID(), 1, time.UnixMilli(s.now().UnixMilli()).UTC()
	_, err := s.db.ExecContext(ctx, `INSERT INTO canned (id, owner_id, shortcut, shortcut_key, text, version, created_at)
		VALUES (?, NULLIF(?, ''), ?, ?, ?, 1, ?)`, c.ID, c.Owner, c.Shortcut, strings.ToLower(c.Shortcut), c.Text, c.CreatedAt.UnixMilli())
	if err != nil {
		return Canned{}, fmt.Errorf("create canned response /%s: %w", c.Shortcut, cannedError(err))
	}
	return c, nil
}

// UpdateCanned implements CannedResponses.
func (s *SQLite) UpdateCanned(ctx context.Context, c Canned) (Canned, error) {
	if err := ValidCanned(&c); err != nil {
		return Canned{}, err
	}
	var out Canned
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, `UPDATE canned SET shortcut = ?, shortcut_key = ?, text = ?, version = version + 1
			WHERE id = ? AND COALESCE(owner_id, '') = ? AND version = ?`, c.Shortcut, strings.ToLower(c.Shortcut), c.Text, c.ID, c.Owner, c.Version)
		if err := changedOne(res, err); errors.Is(err, ErrNotFound) {
			var v int64
			if tx.QueryRowContext(ctx, `SELECT version FROM canned WHERE id = ? AND COALESCE(owner_id, '') = ?`, c.ID, c.Owner).Scan(&v) == nil {
				return ErrConflict
			}
			return ErrNotFound
		} else if err != nil {
			return err
		}
		var at int64
		err = tx.QueryRowContext(ctx, `SELECT `+cannedColumns+` FROM canned WHERE id = ?`, c.ID).Scan(&out.ID, &out.Owner, &out.Shortcut, &out.Text, &out.Version, &at)
		out.CreatedAt = fromMillis(at)
		return err
	})
	if err != nil {
		return Canned{}, fmt.Errorf("update canned response %q: %w", c.ID, cannedError(err))
	}
	return out, nil
}

// DeleteCanned implements CannedResponses.
func (s *SQLite) DeleteCanned(ctx context.Context, id, owner string) error {
	res, err := s.db.ExecContext(ctx, `DELETE FROM canned WHERE id = ? AND COALESCE(owner_id, '') = ?`, id, owner)
	if err := changedOne(res, err); err != nil {
		return fmt.Errorf("delete canned response %q: %w", id, err)
	}
	return nil
}

// CountCanned implements CannedResponses.
func (s *SQLite) CountCanned(ctx context.Context, owner string) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT count(*) FROM canned WHERE COALESCE(owner_id, '') = ?`, owner).Scan(&n)
	if err != nil {
		return 0, fmt.Errorf("count canned responses: %w", err)
	}
	return n, nil
}

// cannedError names a taken shortcut ErrNameTaken, and an owner that is no
// agent ErrInvalid.
func cannedError(err error) error {
	switch {
	case isUniqueViolation(err):
		return ErrNameTaken
	case isForeignKeyViolation(err):
		return fmt.Errorf("%w: the owner is not an agent", ErrInvalid)
	}
	return err
}
