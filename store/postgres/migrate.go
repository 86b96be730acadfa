package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrateLock is the advisory lock key that serializes migrations: two
// nodes starting at once against a new database do not both apply a step.
// (Any fixed number; this one spells "kefu".)
const migrateLock = 0x6b656675

// migrate brings the database up to len(steps), one transaction per step,
// so a failed step leaves it at the previous version with nothing
// half-applied.
func migrate(ctx context.Context, pool *pgxpool.Pool, steps []string) error {
	const ledger = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    integer PRIMARY KEY,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`
	// Two first opens may race to create the ledger itself: under the lock.
	err := pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, ledger)
		return err
	})
	if err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for i, step := range steps {
		if err := applyStep(ctx, pool, i+1, step, len(steps)); err != nil {
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
	}
	return nil
}

// applyStep runs step as schema version `version` unless already applied.
// latest is the newest version this binary knows, to refuse a database that
// a newer kefu has already changed.
func applyStep(ctx context.Context, pool *pgxpool.Pool, version int, step string, latest int) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, migrateLock); err != nil {
			return err
		}
		var current int
		if err := tx.QueryRow(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&current); err != nil {
			return fmt.Errorf("read schema version: %w", err)
		}
		if current > latest {
			return fmt.Errorf("database schema version %d is newer than this kefu supports (%d)", current, latest)
		}
		if current >= version {
			return nil
		}
		if _, err := tx.Exec(ctx, step); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO schema_migrations (version) VALUES ($1)`, version)
		return err
	})
}
