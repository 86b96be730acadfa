package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"

	"kefu/store"
)

const cannedColumns = `id, COALESCE(owner_id, ''), shortcut, text, version, created_at`

func scanCanned(row pgx.Row) (store.Canned, error) {
	var c store.Canned
	err := row.Scan(&c.ID, &c.Owner, &c.Shortcut, &c.Text, &c.Version, &c.CreatedAt)
	c.CreatedAt = c.CreatedAt.UTC()
	return c, err
}

// ListCanned implements store.CannedResponses.
func (s *Store) ListCanned(ctx context.Context, owner string) ([]store.Canned, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+cannedColumns+` FROM canned
		WHERE owner_id IS NULL OR owner_id = $1 ORDER BY shortcut_key, COALESCE(owner_id, ''), id`, owner)
	if err != nil {
		return nil, fmt.Errorf("list canned responses: %w", err)
	}
	defer rows.Close()
	var out []store.Canned
	for rows.Next() {
		c, err := scanCanned(rows)
		if err != nil {
			return nil, fmt.Errorf("list canned responses: %w", err)
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// CreateCanned implements store.CannedResponses.
func (s *Store) CreateCanned(ctx context.Context, c store.Canned) (store.Canned, error) {
	if err := store.ValidCanned(&c); err != nil {
		return store.Canned{}, err
	}
	c.ID, c.Version, c.CreatedAt = store.NewCannedID(), 1, millis(s.now())
	_, err := s.pool.Exec(ctx, `INSERT INTO canned (id, owner_id, shortcut, shortcut_key, text, version, created_at)
		VALUES ($1, NULLIF($2, ''), $3, $4, $5, 1, $6)`, c.ID, c.Owner, c.Shortcut, strings.ToLower(c.Shortcut), c.Text, c.CreatedAt)
	if err != nil {
		return store.Canned{}, fmt.Errorf("create canned response /%s: %w", c.Shortcut, cannedError(err))
	}
	return c, nil
}

// UpdateCanned implements store.CannedResponses.
func (s *Store) UpdateCanned(ctx context.Context, c store.Canned) (store.Canned, error) {
	if err := store.ValidCanned(&c); err != nil {
		return store.Canned{}, err
	}
	var out store.Canned
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		tag, err := tx.Exec(ctx, `UPDATE canned SET shortcut = $1, shortcut_key = $2, text = $3, version = version + 1
			WHERE id = $4 AND COALESCE(owner_id, '') = $5 AND version = $6`, c.Shortcut, strings.ToLower(c.Shortcut), c.Text, c.ID, c.Owner, c.Version)
		if err := changedOne(tag, err); errors.Is(err, store.ErrNotFound) {
			var v int64
			if tx.QueryRow(ctx, `SELECT version FROM canned WHERE id = $1 AND COALESCE(owner_id, '') = $2`, c.ID, c.Owner).Scan(&v) == nil {
				return store.ErrConflict
			}
			return store.ErrNotFound
		} else if err != nil {
			return err
		}
		out, err = scanCanned(tx.QueryRow(ctx, `SELECT `+cannedColumns+` FROM canned WHERE id = $1`, c.ID))
		return err
	})
	if err != nil {
		return store.Canned{}, fmt.Errorf("update canned response %q: %w", c.ID, cannedError(err))
	}
	return out, nil
}

// DeleteCanned implements store.CannedResponses.
func (s *Store) DeleteCanned(ctx context.Context, id, owner string) error {
	tag, err := s.pool.Exec(ctx, `DELETE FROM canned WHERE id = $1 AND COALESCE(owner_id, '') = $2`, id, owner)
	if err := changedOne(tag, err); err != nil {
		return fmt.Errorf("delete canned response %q: %w", id, err)
	}
	return nil
}

// CountCanned implements store.CannedResponses.
func (s *Store) CountCanned(ctx context.Context, owner string) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT count(*) FROM canned WHERE COALESCE(owner_id, '') = $1`, owner).Scan(&n); err != nil {
		return 0, fmt.Errorf("count canned responses: %w", err)
	}
	return n, nil
}

// cannedError names a taken shortcut store.ErrNameTaken, and an owner that
// is no agent store.ErrInvalid.
func cannedError(err error) error {
	switch pgCode(err) {
	case codeUniqueViolation:
		return store.ErrNameTaken
	case codeForeignKeyViolation:
		return fmt.Errorf("%w: the owner is not an agent", store.ErrInvalid)
	}
	return err
}
