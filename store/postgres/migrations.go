package postgres

import (
	"context"
	"fmt"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// migrations are the schema steps, applied in order at open. Step i brings
// the database to version i+1. Append new steps; never edit or reorder a
// step that has shipped, since databases in the field already ran it.
//
// The schema holds what SQLite's (store/migrations.go) holds as of its
// version 5, in PostgreSQL's types: times are timestamptz at millisecond
// precision (the store truncates), ids and keys are compared byte by byte
// (COLLATE "C", as SQLite compares them), so that orders and cursors match
// whatever locale the database was created with. A message's text and
// client id are bytea: they come from clients as any JSON string, and a
// NUL character, which kefu relays and stores byte for byte, is the one
// thing PostgreSQL's text cannot hold.
var migrations = []string{
	// 1: everything kefu keeps. The CHECKs mirror store.ValidBatch.
	`CREATE TABLE agents (
		id               text COLLATE "C" PRIMARY KEY,
		name             text        NOT NULL,
		name_key         text COLLATE "C" NOT NULL UNIQUE, -- store.NameKey: Unicode case folding
		password_hash    bytea       NOT NULL,
		role             text        NOT NULL CHECK (role IN ('agent', 'supervisor')),
		capacity         integer     NOT NULL CHECK (capacity BETWEEN 1 AND 50),
		created_at       timestamptz NOT NULL,
		token_generation bigint      NOT NULL DEFAULT 0 CHECK (token_generation >= 0)
	);
	CREATE TABLE secrets (
		name  text PRIMARY KEY,
		value bytea NOT NULL
	);
	CREATE TABLE revoked_tokens (
		id         text COLLATE "C" PRIMARY KEY CHECK (id <> ''),
		expires_at timestamptz NOT NULL
	);
	CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);

	CREATE TABLE conversations (
		id            text COLLATE "C" PRIMARY KEY CHECK (id <> ''),
		customer_id   text COLLATE "C" NOT NULL,
		customer_name text        NOT NULL,
		agent_id      text COLLATE "C" NOT NULL,
		agent_name    text        NOT NULL,
		ticket        bigint      NOT NULL CHECK (ticket >= 0),
		started_at    timestamptz NOT NULL,
		ended_at      timestamptz,
		ended_by      text        NOT NULL,
		end_reason    text        NOT NULL,
		rating        smallint    NOT NULL CHECK (rating BETWEEN 0 AND 5)
	);
	CREATE INDEX conversations_open ON conversations (ticket, id) WHERE ended_at IS NULL;
	CREATE INDEX conversations_ticket ON conversations (ticket);
	CREATE INDEX conversations_started ON conversations (started_at, id);
	CREATE INDEX conversations_agent ON conversations (agent_id, started_at, id);

	CREATE TABLE messages (
		conv_id     text COLLATE "C" NOT NULL REFERENCES conversations (id),
		seq         bigint      NOT NULL CHECK (seq >= 1),
		sender_id   text        NOT NULL,
		sender_role text        NOT NULL CHECK (sender_role IN ('agent', 'customer')),
		sender_name text        NOT NULL,
		text        bytea       NOT NULL, -- UTF-8, NUL and all
		client_id   bytea       NOT NULL,
		at          timestamptz NOT NULL,
		PRIMARY KEY (conv_id, seq)
	);

	-- id keeps the order events were applied in.
	CREATE TABLE conv_events (
		id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		conv_id    text COLLATE "C" NOT NULL REFERENCES conversations (id),
		kind       text        NOT NULL CHECK (kind IN ('assigned', 'transferred', 'requeued', 'ended')),
		agent_id   text COLLATE "C" NOT NULL,
		agent_name text        NOT NULL,
		reason     text        NOT NULL,
		at         timestamptz NOT NULL,
		-- A hand-off's sender (the server's record) and note; '' otherwise.
		-- The note is bytea like a message's text: a client may put a NUL in it.
		by_id      text COLLATE "C" NOT NULL DEFAULT '',
		by_name    text        NOT NULL DEFAULT '',
		note       bytea       NOT NULL DEFAULT '',
		UNIQUE (conv_id, at, kind, agent_id, agent_name, reason, by_id, by_name, note) -- a re-applied event is skipped
	);
	CREATE INDEX conv_events_agent ON conv_events (agent_id, conv_id);

	-- No foreign key: a report row outlives anything it names, and a
	-- customer may queue and leave before a conversation is stored.
	CREATE TABLE routing_events (
		id            bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
		kind          text        NOT NULL CHECK (kind IN ('queued', 'left_queue', 'assigned', 'transferred', 'requeued', 'ended')),
		customer_id   text COLLATE "C" NOT NULL,
		customer_name text        NOT NULL DEFAULT '',
		agent_id      text COLLATE "C" NOT NULL,
		conv_id       text COLLATE "C" NOT NULL,
		ticket        bigint      NOT NULL CHECK (ticket >= 0),
		at            timestamptz NOT NULL,
		UNIQUE (at, kind, customer_id, agent_id, conv_id, ticket) -- a re-applied event is skipped
	);
	CREATE INDEX routing_events_ticket ON routing_events (ticket);
	CREATE INDEX routing_events_customer ON routing_events (customer_id, at);

	CREATE TABLE read_marks (
		conv_id  text COLLATE "C" NOT NULL REFERENCES conversations (id),
		party_id text COLLATE "C" NOT NULL CHECK (party_id <> ''),
		seq      bigint NOT NULL CHECK (seq >= 0),
		PRIMARY KEY (conv_id, party_id)
	);

	-- Apply's insert of messages calls this when a message meets another
	-- stored under its (conv_id, seq) with other content: raising aborts the
	-- whole batch, which arrived in one round trip, so the refusal costs no
	-- second query. KF001 is kefu's own SQLSTATE (codeSeqTaken).
	CREATE FUNCTION kefu_seq_taken(conv text, seq bigint) RETURNS bigint
	LANGUAGE plpgsql AS $$
	BEGIN
		RAISE EXCEPTION 'seq % of conversation "%" is already stored with other content', seq, conv
			USING ERRCODE = 'KF001';
	END
	$$;`,
}

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
