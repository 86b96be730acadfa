package store

import (
	"context"
	"database/sql"
	"fmt"
	"time"
)

// migrations are the schema steps, applied in order at open. Step i brings the
// database to version i+1. Append new steps; never edit or reorder a step that
// has shipped, since databases in the field already ran it.
var migrations = []string{
	// 1: agent accounts. name keeps the spelling shown to people; name_key is
	// its case-folded form (nameKey), unique so that "Bob" and "bob" cannot
	// both exist. created_at is Unix milliseconds, UTC.
	`CREATE TABLE agents (
		id            TEXT    PRIMARY KEY,
		name          TEXT    NOT NULL,
		name_key      TEXT    NOT NULL,
		password_hash BLOB    NOT NULL,
		role          TEXT    NOT NULL CHECK (role IN ('agent', 'supervisor')),
		capacity      INTEGER NOT NULL CHECK (capacity BETWEEN 1 AND 50),
		created_at    INTEGER NOT NULL
	) STRICT;
	CREATE UNIQUE INDEX agents_name_key ON agents (name_key);`,

	// 2: server secrets by name, such as the token-signing key.
	`CREATE TABLE secrets (
		name  TEXT PRIMARY KEY,
		value BLOB NOT NULL
	) STRICT;`,
}

// migrate brings db up to len(steps), one transaction per step, so a failed
// step leaves the database at the previous version with nothing half-applied.
// Each transaction re-reads the version (under BEGIN IMMEDIATE, see sqlite.go),
// so two processes opening the same file at once do not both apply a step.
func migrate(ctx context.Context, db *sql.DB, steps []string) error {
	const ledger = `CREATE TABLE IF NOT EXISTS schema_migrations (
		version    INTEGER PRIMARY KEY,
		applied_at INTEGER NOT NULL
	) STRICT`
	if _, err := db.ExecContext(ctx, ledger); err != nil {
		return fmt.Errorf("create schema_migrations: %w", err)
	}
	for i, step := range steps {
		if err := applyStep(ctx, db, i+1, step, len(steps)); err != nil {
			return fmt.Errorf("migrate to version %d: %w", i+1, err)
		}
	}
	return nil
}

// applyStep runs step as schema version `version` unless already applied.
// latest is the newest version this binary knows, to refuse a database that
// a newer kefu has already changed.
func applyStep(ctx context.Context, db *sql.DB, version int, step string, latest int) error {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // no-op after Commit

	current, err := schemaVersion(ctx, tx)
	if err != nil {
		return err
	}
	if current > latest {
		return fmt.Errorf("database schema version %d is newer than this kefu supports (%d)", current, latest)
	}
	if current >= version {
		return nil
	}
	if _, err := tx.ExecContext(ctx, step); err != nil {
		return err
	}
	const record = `INSERT INTO schema_migrations (version, applied_at) VALUES (?, ?)`
	if _, err := tx.ExecContext(ctx, record, version, time.Now().UnixMilli()); err != nil {
		return err
	}
	return tx.Commit()
}

// querier is what *sql.DB and *sql.Tx share for reading.
type querier interface {
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

// schemaVersion returns the highest applied migration, 0 for a new database.
func schemaVersion(ctx context.Context, q querier) (int, error) {
	var v int
	err := q.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM schema_migrations`).Scan(&v)
	if err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
