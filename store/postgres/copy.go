package postgres

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// copyTable says how one table moves from SQLite to here: the columns both
// schemas share, the ones SQLite keeps as Unix milliseconds (timestamptz
// here), and the order that keeps what order means (the events' ids).
// SQLite's text columns that are bytea here (bytesColumns) go as bytes.
type copyTable struct {
	name    string
	columns []string
	millis  map[string]bool
	orderBy string
}

// bytesColumns are the columns kept as bytea (see migrations), as
// table.column.
var bytesColumns = set("messages.text", "messages.client_id", "conv_events.note", "conv_notes.text", "conv_notes.client_id")

// boolColumns are SQLite's 0/1 integers that are boolean here.
var boolColumns = set("teams.visible", "teams.everyone", "conversations.inbox")

// seededRows are rows every new database has from its migrations (the
// general team): the copy replaces them with the SQLite store's own.
var seededRows = map[string]string{"teams": "id = 'tm_general'"}

// copyTables are every table of both schemas but node_leases, parents
// before children.
var copyTables = []copyTable{
	{"agents", []string{"id", "name", "name_key", "password_hash", "role", "capacity", "created_at", "token_generation"}, set("created_at"), "id"},
	{"secrets", []string{"name", "value"}, nil, "name"},
	{"revoked_tokens", []string{"id", "expires_at"}, set("expires_at"), "id"},
	{"conversations", []string{"id", "customer_id", "customer_name", "agent_id", "agent_name", "ticket", "started_at", "ended_at", "ended_by", "end_reason", "rating", "team_id", "origin", "inbox", "customer_email", "customer_lang"}, set("started_at", "ended_at"), "id"},
	{"messages", []string{"conv_id", "seq", "sender_id", "sender_role", "sender_name", "text", "client_id", "at", "epoch", "file_id", "file_type", "file_size"}, set("at"), "conv_id, seq"},
	// The ids are not copied: new ones are given in the order copied,
	// which is the order applied.
	{"conv_events", []string{"conv_id", "kind", "agent_id", "agent_name", "reason", "at", "by_id", "by_name", "note"}, set("at"), "id"},
	{"routing_events", []string{"kind", "customer_id", "customer_name", "agent_id", "conv_id", "ticket", "at", "team_id"}, set("at"), "id"},
	{"read_marks", []string{"conv_id", "party_id", "seq"}, nil, "conv_id, party_id"},
	{"conv_notes", []string{"conv_id", "n", "author_id", "author_name", "text", "client_id", "after_seq", "at"}, set("at"), "conv_id, n"},
	{"conversation_labels", []string{"conv_id", "label"}, nil, "conv_id, label"},
	// Owner epochs keep rising across the move. node_leases is not
	// copied: leases are a running cluster's, and a SQLite store's are
	// past by the time it is copied.
	{"owners", []string{"key", "epoch", "node_id", "claimed_at"}, set("claimed_at"), "key"},
	{"teams", []string{"id", "name", "name_key", "description", "visible", "position", "everyone", "hours", "version", "created_at", "archived_at"}, set("created_at", "archived_at"), "id"},
	{"team_members", []string{"team_id", "agent_id"}, nil, "team_id, agent_id"},
	{"settings", []string{"name", "value"}, nil, "name"},
	{"canned", []string{"id", "owner_id", "shortcut", "shortcut_key", "text", "version", "created_at"}, set("created_at"), "id"},
	// Their bytes, files beside the SQLite store, go in as blob_chunks.
	{"blobs", []string{"id", "conv_id", "by_id", "name", "type", "size", "sha256", "created_at"}, set("created_at"), "id"},
	// New ids, in the order queued, as for the events.
	{"mail_outbox", []string{"message_id", "conv_id", "to_addr", "lang", "after_seq", "created_at", "next_at", "attempts", "claimed_by", "claimed_until", "sent_at", "gave_up_at", "last_error"},
		set("created_at", "next_at", "claimed_until", "sent_at", "gave_up_at"), "id"},
}

func set(names ...string) map[string]bool {
	m := make(map[string]bool, len(names))
	for _, n := range names {
		m[n] = true
	}
	return m
}

// TableCount is how many rows a table holds after a copy, in both stores.
type TableCount struct {
	Table string
	Rows  int64
}

// CopyFromSQLite copies every row of the SQLite database src (a kefu.db at
// this binary's schema version) into this store, which must be empty, in
// one transaction: all of it or nothing. It reads src in one transaction
// too, a snapshot however much a server might still write. Before
// committing it counts each table on both sides and refuses a mismatch; it
// returns the counts it verified.
//
// The blobs' bytes are files beside the SQLite store: blobFile(id) names
// each, and their bytes go into blob_chunks with the blobs' rows.
func (s *Store) CopyFromSQLite(ctx context.Context, src *sql.DB, blobFile func(id string) string) ([]TableCount, error) {
	read, err := src.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return nil, fmt.Errorf("copy: read the SQLite store: %w", err)
	}
	defer read.Rollback()
	var counts []TableCount
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		for _, t := range copyTables {
			var exists bool
			q := `SELECT EXISTS (SELECT 1 FROM ` + t.name
			if seeded, ok := seededRows[t.name]; ok {
				q += ` WHERE NOT (` + seeded + `)`
			}
			if err := tx.QueryRow(ctx, q+`)`).Scan(&exists); err != nil {
				return fmt.Errorf("check %s is empty: %w", t.name, err)
			}
			if exists {
				return fmt.Errorf("the PostgreSQL store is not empty (%s has rows): copy only into a new database", t.name)
			}
		}
		for _, t := range copyTables {
			if seeded, ok := seededRows[t.name]; ok {
				if _, err := tx.Exec(ctx, `DELETE FROM `+t.name+` WHERE `+seeded); err != nil {
					return fmt.Errorf("clear %s: %w", t.name, err)
				}
			}
			n, err := copyOne(ctx, read, tx, t)
			if err != nil {
				return fmt.Errorf("copy %s: %w", t.name, err)
			}
			counts = append(counts, TableCount{t.name, n})
		}
		// SQLite's index is its own (an FTS5 table, not copied); this
		// one is computed from the rows copied.
		if err := backfillAll(ctx, tx); err != nil {
			return err
		}
		return copyBlobFiles(ctx, tx, blobFile)
	})
	if err != nil {
		return nil, fmt.Errorf("copy: %w", err)
	}
	return counts, nil
}

// copyOne copies table t and returns its row count, the same on both sides.
func copyOne(ctx context.Context, read *sql.Tx, tx pgx.Tx, t copyTable) (int64, error) {
	var want int64
	if err := read.QueryRowContext(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&want); err != nil {
		return 0, err
	}
	rows, err := read.QueryContext(ctx, `SELECT `+strings.Join(t.columns, ", ")+` FROM `+t.name+` ORDER BY `+t.orderBy)
	if err != nil {
		return 0, err
	}
	defer rows.Close()
	copied, err := tx.CopyFrom(ctx, pgx.Identifier{t.name}, t.columns, &sqliteRows{rows: rows, t: t})
	if err != nil {
		return 0, err
	}
	var got int64
	if err := tx.QueryRow(ctx, `SELECT COUNT(*) FROM `+t.name).Scan(&got); err != nil {
		return 0, err
	}
	if copied != want || got != want {
		return 0, fmt.Errorf("%d rows in SQLite, %d copied, %d in PostgreSQL", want, copied, got)
	}
	return got, nil
}

// sqliteRows feeds pgx's COPY from SQLite rows, turning Unix milliseconds
// into times.
type sqliteRows struct {
	rows *sql.Rows
	t    copyTable
	vals []any
}

func (r *sqliteRows) Next() bool { return r.rows.Next() }

func (r *sqliteRows) Values() ([]any, error) {
	r.vals = make([]any, len(r.t.columns))
	ptrs := make([]any, len(r.vals))
	for i := range r.vals {
		ptrs[i] = &r.vals[i]
	}
	if err := r.rows.Scan(ptrs...); err != nil {
		return nil, err
	}
	for i, c := range r.t.columns {
		if ms, ok := r.vals[i].(int64); ok && r.t.millis[c] {
			r.vals[i] = time.UnixMilli(ms).UTC()
		}
		if text, ok := r.vals[i].(string); ok && bytesColumns[r.t.name+"."+c] {
			r.vals[i] = []byte(text)
		}
		if n, ok := r.vals[i].(int64); ok && boolColumns[r.t.name+"."+c] {
			r.vals[i] = n != 0
		}
	}
	return r.vals, nil
}

func (r *sqliteRows) Err() error { return r.rows.Err() }

// copyBlobFiles reads each copied blob's file into blob_chunks, checking
// its size against the record.
func copyBlobFiles(ctx context.Context, tx pgx.Tx, blobFile func(id string) string) error {
	rows, err := tx.Query(ctx, `SELECT id, size FROM blobs ORDER BY id`)
	if err != nil {
		return fmt.Errorf("list blobs: %w", err)
	}
	type rec struct {
		id   string
		size int64
	}
	list, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (rec, error) {
		var b rec
		return b, r.Scan(&b.id, &b.size)
	})
	if err != nil {
		return fmt.Errorf("list blobs: %w", err)
	}
	for _, b := range list {
		data, err := os.ReadFile(blobFile(b.id))
		if err != nil {
			return fmt.Errorf("blob %s: %w", b.id, err)
		}
		if int64(len(data)) != b.size {
			return fmt.Errorf("blob %s: the file has %d bytes, its record %d", b.id, len(data), b.size)
		}
		for n := 0; n*blobChunk < len(data); n++ {
			chunk := data[n*blobChunk : min(len(data), (n+1)*blobChunk)]
			if _, err := tx.Exec(ctx, `INSERT INTO blob_chunks (blob_id, n, bytes) VALUES ($1, $2, $3)`, b.id, n, chunk); err != nil {
				return fmt.Errorf("blob %s: %w", b.id, err)
			}
		}
	}
	return nil
}
