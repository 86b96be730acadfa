package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"
)

// RevokeSessions implements Accounts.
func (s *SQLite) RevokeSessions(ctx context.Context, id string) (int64, error) {
	var gen int64
	const update = `UPDATE agents SET token_generation = token_generation + 1 WHERE id = ? RETURNING token_generation`
	err := s.db.QueryRowContext(ctx, update, id).Scan(&gen)
	if errors.Is(err, sql.ErrNoRows) {
		return 0, fmt.Errorf("revoke sessions of agent id %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return 0, fmt.Errorf("revoke sessions of agent id %q: %w", id, err)
	}
	return gen, nil
}

// RevokeToken implements RevokedTokens. The prune rides along: rows come
// only from here, so the table never holds more than the sign-outs of one
// token lifetime.
func (s *SQLite) RevokeToken(ctx context.Context, id string, expires time.Time) error {
	if id == "" {
		return fmt.Errorf("revoke token: %w: empty id", ErrInvalid)
	}
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	defer tx.Rollback() // no-op after Commit
	if _, err := tx.ExecContext(ctx, `DELETE FROM revoked_tokens WHERE expires_at <= ?`, s.now().UnixMilli()); err != nil {
		return fmt.Errorf("revoke token: prune: %w", err)
	}
	const insert = `INSERT INTO revoked_tokens (id, expires_at) VALUES (?, ?)
		ON CONFLICT (id) DO UPDATE SET expires_at = MAX(expires_at, excluded.expires_at)`
	if _, err := tx.ExecContext(ctx, insert, id, expires.UnixMilli()); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// TokenRevoked implements RevokedTokens.
func (s *SQLite) TokenRevoked(ctx context.Context, id string) (bool, error) {
	var n int
	const query = `SELECT COUNT(*) FROM revoked_tokens WHERE id = ? AND expires_at > ?`
	if err := s.db.QueryRowContext(ctx, query, id, s.now().UnixMilli()).Scan(&n); err != nil {
		return false, fmt.Errorf("read revoked token: %w", err)
	}
	return n > 0, nil
}
