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

	// 3: conversations, their messages, who served them, read marks and
	// routing events for reports. Times are Unix milliseconds, UTC; ended_at
	// is NULL while a conversation is open. The CHECKs mirror validBatch.
	// Messages, events and read marks name a stored conversation (foreign
	// keys: Apply writes the conversations of a batch first).
	`CREATE TABLE conversations (
		id            TEXT    PRIMARY KEY CHECK (id <> ''),
		customer_id   TEXT    NOT NULL,
		customer_name TEXT    NOT NULL,
		agent_id      TEXT    NOT NULL,
		agent_name    TEXT    NOT NULL,
		ticket        INTEGER NOT NULL CHECK (ticket >= 0),
		started_at    INTEGER NOT NULL,
		ended_at      INTEGER,
		ended_by      TEXT    NOT NULL,
		end_reason    TEXT    NOT NULL,
		rating        INTEGER NOT NULL CHECK (rating BETWEEN 0 AND 5)
	) STRICT;
	-- OpenConversations: only the open ones, already in queue order.
	CREATE INDEX conversations_open ON conversations (ticket, id) WHERE ended_at IS NULL;
	-- MaxTicket.
	CREATE INDEX conversations_ticket ON conversations (ticket);
	-- ListConversations: newest first, keyset paging on (started_at, id).
	CREATE INDEX conversations_started ON conversations (started_at, id);
	-- ListConversations for one agent: the current agent.
	CREATE INDEX conversations_agent ON conversations (agent_id, started_at, id);

	-- The primary key is the clustered "messages by conversation" index: a
	-- replay reads one contiguous range of it. WITHOUT ROWID stores each
	-- message once, in that order, instead of a row plus an index entry.
	CREATE TABLE messages (
		conv_id     TEXT    NOT NULL REFERENCES conversations (id),
		seq         INTEGER NOT NULL CHECK (seq >= 1),
		sender_id   TEXT    NOT NULL,
		sender_role TEXT    NOT NULL CHECK (sender_role IN ('agent', 'customer')),
		sender_name TEXT    NOT NULL,
		text        TEXT    NOT NULL,
		client_id   TEXT    NOT NULL,
		at          INTEGER NOT NULL,
		PRIMARY KEY (conv_id, seq)
	) STRICT, WITHOUT ROWID;

	-- id keeps the order events were applied in.
	CREATE TABLE conv_events (
		id         INTEGER PRIMARY KEY,
		conv_id    TEXT    NOT NULL REFERENCES conversations (id),
		kind       TEXT    NOT NULL CHECK (kind IN ('assigned', 'transferred', 'requeued', 'ended')),
		agent_id   TEXT    NOT NULL,
		agent_name TEXT    NOT NULL,
		reason     TEXT    NOT NULL,
		at         INTEGER NOT NULL
	) STRICT;
	-- ConvEvents by conversation; unique so that a re-applied event is skipped.
	CREATE UNIQUE INDEX conv_events_conv ON conv_events (conv_id, at, kind, agent_id, agent_name, reason);
	-- ListConversations for one agent: every conversation the agent served.
	CREATE INDEX conv_events_agent ON conv_events (agent_id, conv_id);

	-- No foreign key: a report row outlives anything it names, and a
	-- customer may queue and leave before a conversation is stored.
	CREATE TABLE routing_events (
		id          INTEGER PRIMARY KEY AUTOINCREMENT,
		kind        TEXT    NOT NULL CHECK (kind IN ('queued', 'left_queue', 'assigned', 'transferred', 'requeued', 'ended')),
		customer_id TEXT    NOT NULL,
		agent_id    TEXT    NOT NULL,
		conv_id     TEXT    NOT NULL,
		ticket      INTEGER NOT NULL CHECK (ticket >= 0),
		at          INTEGER NOT NULL
	) STRICT;
	-- Reports by time; unique so that a re-applied event is skipped.
	CREATE UNIQUE INDEX routing_events_at ON routing_events (at, kind, customer_id, agent_id, conv_id, ticket);
	-- MaxTicket.
	CREATE INDEX routing_events_ticket ON routing_events (ticket);

	CREATE TABLE read_marks (
		conv_id  TEXT    NOT NULL REFERENCES conversations (id),
		party_id TEXT    NOT NULL CHECK (party_id <> ''),
		seq      INTEGER NOT NULL CHECK (seq >= 0),
		PRIMARY KEY (conv_id, party_id)
	) STRICT, WITHOUT ROWID;`,

	// 4: the queue survives a restart. A waiting customer has no
	// conversation record, so its routing events are all there is: they
	// carry the display name (for the conversation it may get before it
	// comes back), and WaitingCustomers finds a customer's later events
	// by this index. Rows written before have no name ('').
	`ALTER TABLE routing_events ADD COLUMN customer_name TEXT NOT NULL DEFAULT '';
	CREATE INDEX routing_events_customer ON routing_events (customer_id, at);`,
	// 5: signing out. token_generation rises when an account's sessions
	// are revoked (a password change, a supervisor's revoke); a token
	// carries the generation it was issued under and an older one is
	// refused. Existing accounts start at 0, which is also what tokens
	// issued before this step read as, so they keep working.
	// revoked_tokens holds tokens signed out one at a time, by jti, until
	// expires_at (Unix milliseconds), their own expiry; older rows are
	// deleted as new ones come (RevokeToken).
	`ALTER TABLE agents ADD COLUMN token_generation INTEGER NOT NULL DEFAULT 0 CHECK (token_generation >= 0);
	CREATE TABLE revoked_tokens (
		id         TEXT    PRIMARY KEY CHECK (id <> ''),
		expires_at INTEGER NOT NULL
	) STRICT, WITHOUT ROWID;
	CREATE INDEX revoked_tokens_expiry ON revoked_tokens (expires_at);`,
	// 6: hand-offs. A transfer, or a trip back to the queue that an agent
	// asked for, keeps who asked (by_id, by_name: the server's record of
	// that agent, never the client's word) and the agent's note for the
	// next one. Rows written before have '' in all three. The unique index
	// that skips a re-applied event takes the new columns too, so it still
	// compares every field; it stays unique over the old rows, which are
	// unique on fewer.
	`ALTER TABLE conv_events ADD COLUMN by_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE conv_events ADD COLUMN by_name TEXT NOT NULL DEFAULT '';
	ALTER TABLE conv_events ADD COLUMN note TEXT NOT NULL DEFAULT '';
	DROP INDEX conv_events_conv;
	CREATE UNIQUE INDEX conv_events_conv ON conv_events (conv_id, at, kind, agent_id, agent_name, reason, by_id, by_name, note);`,
	// 7: fencing (fencing.go), PostgreSQL's tables for several nodes, kept
	// here too so that one conformance suite covers both stores. Times are
	// Unix milliseconds by the store's clock (SQLite has no other).
	// node_leases: one row per node start (the node id is new each time),
	// never deleted, so an evicted or expired node can never come back.
	// owners: each identity's epoch and the node that claimed it last.
	// messages.epoch: the epoch a message was stored under, 0 unfenced.
	`CREATE TABLE node_leases (
		node_id    TEXT    PRIMARY KEY CHECK (node_id <> ''),
		address    TEXT    NOT NULL,
		expires_at INTEGER NOT NULL,
		evicted    INTEGER NOT NULL DEFAULT 0 CHECK (evicted IN (0, 1))
	) STRICT, WITHOUT ROWID;
	CREATE TABLE owners (
		key        TEXT    PRIMARY KEY CHECK (key <> ''),
		epoch      INTEGER NOT NULL CHECK (epoch >= 1),
		node_id    TEXT    NOT NULL,
		claimed_at INTEGER NOT NULL
	) STRICT, WITHOUT ROWID;
	ALTER TABLE messages ADD COLUMN epoch INTEGER NOT NULL DEFAULT 0 CHECK (epoch >= 0);`,
	// 8: teams (teams.go, issue 18). A name is unique among live teams;
	// hours are one JSON value (hours.Spec). The general team, every
	// agent's, exists from here on: routing with no other team is routing
	// as before teams.
	`CREATE TABLE teams (
		id          TEXT    PRIMARY KEY CHECK (id <> ''),
		name        TEXT    NOT NULL,
		name_key    TEXT    NOT NULL,
		description TEXT    NOT NULL DEFAULT '',
		visible     INTEGER NOT NULL CHECK (visible IN (0, 1)),
		position    INTEGER NOT NULL DEFAULT 0,
		everyone    INTEGER NOT NULL DEFAULT 0 CHECK (everyone IN (0, 1)),
		hours       TEXT    NOT NULL DEFAULT '{}',
		version     INTEGER NOT NULL DEFAULT 1 CHECK (version >= 1),
		created_at  INTEGER NOT NULL,
		archived_at INTEGER
	) STRICT;
	CREATE UNIQUE INDEX teams_name_key ON teams (name_key) WHERE archived_at IS NULL;
	INSERT INTO teams (id, name, name_key, visible, everyone, hours, created_at)
		VALUES ('tm_general', 'General', 'general', 1, 1, '{"alwaysOpen":true}', 0);
	CREATE TABLE team_members (
		team_id  TEXT NOT NULL REFERENCES teams (id),
		agent_id TEXT NOT NULL REFERENCES agents (id) ON DELETE CASCADE,
		PRIMARY KEY (team_id, agent_id)
	) STRICT, WITHOUT ROWID;
	CREATE INDEX team_members_agent ON team_members (agent_id);`,
	// 9: a conversation's team, origin and inbox, and the form's email
	// and language (inbox.go); a routing event's team. Everything before
	// is the general team's, begun as a chat.
	`ALTER TABLE conversations ADD COLUMN team_id TEXT NOT NULL DEFAULT 'tm_general';
	ALTER TABLE conversations ADD COLUMN origin TEXT NOT NULL DEFAULT 'chat' CHECK (origin IN ('chat', 'form'));
	ALTER TABLE conversations ADD COLUMN inbox INTEGER NOT NULL DEFAULT 0 CHECK (inbox IN (0, 1));
	ALTER TABLE conversations ADD COLUMN customer_email TEXT NOT NULL DEFAULT '';
	ALTER TABLE conversations ADD COLUMN customer_lang TEXT NOT NULL DEFAULT '';
	CREATE INDEX conversations_inbox ON conversations (team_id, ticket, id) WHERE inbox = 1 AND ended_at IS NULL;
	ALTER TABLE routing_events ADD COLUMN team_id TEXT NOT NULL DEFAULT 'tm_general';
	CREATE TABLE mail_outbox (
		id            INTEGER PRIMARY KEY,
		message_id    TEXT    NOT NULL UNIQUE CHECK (message_id <> ''),
		conv_id       TEXT    NOT NULL REFERENCES conversations (id),
		to_addr       TEXT    NOT NULL,
		lang          TEXT    NOT NULL,
		after_seq     INTEGER NOT NULL CHECK (after_seq >= 0),
		created_at    INTEGER NOT NULL,
		next_at       INTEGER NOT NULL,
		attempts      INTEGER NOT NULL DEFAULT 0,
		claimed_by    TEXT    NOT NULL DEFAULT '',
		claimed_until INTEGER NOT NULL DEFAULT 0,
		sent_at       INTEGER,
		gave_up_at    INTEGER,
		last_error    TEXT    NOT NULL DEFAULT ''
	) STRICT;
	CREATE INDEX mail_outbox_due ON mail_outbox (next_at, id) WHERE sent_at IS NULL AND gave_up_at IS NULL;
	CREATE INDEX mail_outbox_done ON mail_outbox (COALESCE(sent_at, gave_up_at)) WHERE sent_at IS NOT NULL OR gave_up_at IS NOT NULL;`,
	// 10: settings a supervisor changes at runtime, by name, as JSON
	// (settings.go): the widget's picker and pre-chat form.
	`CREATE TABLE settings (
		name  TEXT PRIMARY KEY CHECK (name <> ''),
		value TEXT NOT NULL
	) STRICT, WITHOUT ROWID;`,
	// 11: canned responses (canned.go, issue 19): shared (no owner) or an
	// agent's own, a shortcut unique in its scope in any letter case.
	`CREATE TABLE canned (
		id           TEXT    PRIMARY KEY CHECK (id <> ''),
		owner_id     TEXT    REFERENCES agents (id) ON DELETE CASCADE,
		shortcut     TEXT    NOT NULL,
		shortcut_key TEXT    NOT NULL,
		text         TEXT    NOT NULL,
		version      INTEGER NOT NULL DEFAULT 1,
		created_at   INTEGER NOT NULL
	) STRICT;
	CREATE UNIQUE INDEX canned_scope ON canned (COALESCE(owner_id, ''), shortcut_key);`,
	// 12: private notes, numbered apart from the messages (notes.go), and
	// conversations' labels with the index the label filter reads
	// (labels.go; issue 19).
	`CREATE TABLE conv_notes (
		conv_id     TEXT    NOT NULL REFERENCES conversations (id),
		n           INTEGER NOT NULL CHECK (n >= 1),
		author_id   TEXT    NOT NULL CHECK (author_id <> ''),
		author_name TEXT    NOT NULL,
		text        TEXT    NOT NULL,
		client_id   TEXT    NOT NULL,
		after_seq   INTEGER NOT NULL CHECK (after_seq >= 0),
		at          INTEGER NOT NULL,
		PRIMARY KEY (conv_id, n)
	) STRICT, WITHOUT ROWID;
	CREATE TABLE conversation_labels (
		conv_id TEXT NOT NULL REFERENCES conversations (id),
		label   TEXT NOT NULL CHECK (label <> ''),
		PRIMARY KEY (conv_id, label)
	) STRICT, WITHOUT ROWID;
	CREATE INDEX conversation_labels_label ON conversation_labels (label, conv_id);`,
	// 13: uploaded files (blobs.go, sqlite_blobs.go; issue 19): their
	// records (the bytes are files under blobs/), and the file a message
	// shows, with the index the sweep of unsent uploads reads.
	`CREATE TABLE blobs (
		id         TEXT    PRIMARY KEY CHECK (id <> ''),
		conv_id    TEXT    NOT NULL,
		by_id      TEXT    NOT NULL,
		name       TEXT    NOT NULL,
		type       TEXT    NOT NULL,
		size       INTEGER NOT NULL CHECK (size >= 0),
		sha256     TEXT    NOT NULL,
		created_at INTEGER NOT NULL
	) STRICT;
	CREATE INDEX blobs_created ON blobs (created_at);
	ALTER TABLE messages ADD COLUMN file_id TEXT NOT NULL DEFAULT '';
	ALTER TABLE messages ADD COLUMN file_type TEXT NOT NULL DEFAULT '';
	ALTER TABLE messages ADD COLUMN file_size INTEGER NOT NULL DEFAULT 0;
	CREATE INDEX messages_file ON messages (file_id) WHERE file_id <> '';`,
	// 14: search (search.go, sqlite_search.go; issue 19). One FTS5 row per
	// message and one (seq 0) per conversation for its customer's name,
	// body SearchText's words. Contentless: the words are not kept twice,
	// only conv_id and seq are (contentless_unindexed), and no column
	// sizes (columnsize=0: nothing ranks by them). The tokenizer takes
	// SearchText's words as they are (letters, numbers and marks; no
	// folding). Triggers name each row an insert really added (a
	// re-applied batch's messages are skipped, a conversation's later
	// upserts are no inserts) in message_search_pending, in the writing
	// transaction; a later commit, or the next Search, moves them into
	// the index (sqlite_search.go says why). kefu_search_text is
	// SearchText, with which this step indexes the rows already stored.
	`CREATE VIRTUAL TABLE message_search USING fts5 (
		body, conv_id UNINDEXED, seq UNINDEXED,
		content = '', contentless_unindexed = 1, columnsize = 0,
		tokenize = "unicode61 remove_diacritics 0 categories 'L* N* Co M*'"
	);
	CREATE TABLE message_search_pending (
		conv_id TEXT    NOT NULL,
		seq     INTEGER NOT NULL -- 0: the customer's name
	) STRICT;
	CREATE TRIGGER messages_search AFTER INSERT ON messages BEGIN
		INSERT INTO message_search_pending (conv_id, seq) VALUES (new.conv_id, new.seq);
	END;
	CREATE TRIGGER conversations_search AFTER INSERT ON conversations BEGIN
		INSERT INTO message_search_pending (conv_id, seq) VALUES (new.id, 0);
	END;
	INSERT INTO message_search (body, conv_id, seq) SELECT kefu_search_text(customer_name), id, 0 FROM conversations;
	INSERT INTO message_search (body, conv_id, seq) SELECT kefu_search_text(text), conv_id, seq FROM messages;`,
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

// querier is what *sql.DB, *sql.Conn and *sql.Tx share for reading.
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
