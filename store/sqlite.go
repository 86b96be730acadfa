package store

import (
	"context"
	"crypto/rand"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// FileName is the database file inside the data directory.
const FileName = "kefu.db"

// busyTimeout is how long a connection waits for another's write lock before
// failing with SQLITE_BUSY: writes are short, so waiting beats failing.
const busyTimeout = 5 * time.Second

// journalSizeLimit is the size the write-ahead log's file is cut back to
// when the log starts over: about a second of S1's writes.
const journalSizeLimit = 64 << 20

// SQLite is the embedded Store: one file, no server to run. Safe for
// concurrent use; database/sql pools the connections.
type SQLite struct {
	db   *sql.DB
	path string           // the database file
	now  func() time.Time // clock for created_at; tests in this package replace it

	// applyMu serializes Apply within this process. SQLite has one writer at
	// a time anyway; waiting on a mutex hands the turn over at once, where
	// waiting under busy_timeout polls with sleeps of up to 100ms.
	applyMu sync.Mutex
	writer  *writer // applyMu guards its use

	checkpoints *checkpointer
	msgArgs     []any // insertChunk's arguments, reused by every Apply; applyMu guards it
	// searchPending is the work that may wait in message_search_pending
	// (sqlite_search.go, queuedWork), at least as much as does; applyMu
	// guards it.
	searchPending int
}

var _ Store = (*SQLite)(nil)

// Option changes how OpenSQLite opens the database.
type Option func(*sqliteOptions)

// sqliteOptions are what the Options given to OpenSQLite set.
type sqliteOptions struct {
	syncFull bool
}

// WithSyncFull makes every commit wait for an fsync of the write-ahead log
// (PRAGMA synchronous=FULL). The default, NORMAL, fsyncs only at checkpoints:
// committed transactions survive a crash of the process (kill -9, panic, OOM)
// because they are in the operating system's page cache, but an OS crash or a
// power cut may lose the last ones (never corrupting the file). FULL closes
// that window at the cost of one fsync per commit, which bounds the commit
// rate to what the disk can fsync (from hundreds to thousands a second);
// group commit (many messages per Apply) keeps the message rate high either
// way. BenchmarkApply measures both.
func WithSyncFull() Option {
	return func(o *sqliteOptions) { o.syncFull = true }
}

// OpenSQLite opens (creating if needed) dir/kefu.db and applies the schema
// migrations this binary knows. Without options it uses synchronous=NORMAL;
// see WithSyncFull.
func OpenSQLite(dir string, opts ...Option) (*SQLite, error) {
	var o sqliteOptions
	for _, opt := range opts {
		opt(&o)
	}
	if strings.ContainsRune(dir, '?') {
		// The driver splits its DSN at the first '?'.
		return nil, fmt.Errorf("open store: data directory %q must not contain '?'", dir)
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return nil, fmt.Errorf("open store: create data directory: %w", err)
	}
	path := filepath.Join(dir, FileName)
	db, err := sql.Open("sqlite", path+"?"+dsnParams(o))
	if err != nil {
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	ctx := context.Background()
	if err := migrate(ctx, db, migrations); err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	w, err := openWriter(ctx, db)
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s := &SQLite{db: db, path: path, now: time.Now, writer: w, searchPending: 1} // unknown: index what a stop left queued
	if err := s.indexAllPending(ctx); err != nil {
		w.close()
		db.Close()
		return nil, fmt.Errorf("open store %s: %w", path, err)
	}
	s.checkpoints = startCheckpointer(db, checkpointEvery)
	return s, nil
}

// dsnParams are applied by the driver to every new pooled connection.
func dsnParams(o sqliteOptions) string {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", busyTimeout.Milliseconds()))
	// WAL: readers never block the writer nor the writer readers.
	q.Add("_pragma", "journal_mode(WAL)")
	// NORMAL under WAL still never corrupts the file; a power cut (not a
	// process crash) may lose the last commits. FULL fsyncs every commit.
	// See WithSyncFull.
	if o.syncFull {
		q.Add("_pragma", "synchronous(FULL)")
	} else {
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	q.Add("_pragma", "foreign_keys(1)")
	// A multi-row INSERT into a table with a foreign key keeps a statement
	// journal, to undo that statement alone should a row break the key.
	// Kept in a temporary file, it cost two system calls for every page the
	// statement changed, more than the multi-row insert saved; in memory it
	// is a copy. (Only ever a statement's undo: the WAL alone makes commits
	// durable.)
	q.Add("_pragma", "temp_store(MEMORY)")
	// No automatic checkpoints: a commit that crosses the threshold would
	// copy the whole WAL into the database (with an fsync) before it
	// returns. The checkpointer does it beside the writer (checkpointer.go).
	q.Add("_pragma", "wal_autocheckpoint(0)")
	// When the log starts over, SQLite cuts its file back to this size;
	// without a limit the file stays as long as the longest it ever was.
	q.Add("_pragma", fmt.Sprintf("journal_size_limit(%d)", journalSizeLimit))
	// BEGIN IMMEDIATE takes the write lock up front: a read-then-write
	// transaction that started deferred could fail with SQLITE_BUSY mid-way,
	// past the reach of busy_timeout.
	q.Set("_txlock", "immediate")
	return q.Encode()
}

// WALBytes is the size of the write-ahead log's file now, 0 when there is
// none. Under steady writes it should stay near journalSizeLimit; one that
// keeps growing means checkpoints are not keeping up (see checkpointer).
func (s *SQLite) WALBytes() int64 {
	fi, err := os.Stat(s.path + "-wal")
	if err != nil {
		return 0
	}
	return fi.Size()
}

// Close closes the database. A WAL checkpoint runs as the last connection closes.
func (s *SQLite) Close() error {
	s.checkpoints.close()
	s.writer.close()
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("close store: %w", err)
	}
	return nil
}

// secretKeyName names the token-signing key in the secrets table.
const secretKeyName = "token_key"

// secretLen is the size of the token-signing key: HMAC-SHA256's block output.
const secretLen = 32

// Secret returns the token-signing key, creating it on the first call. The
// create is an insert-if-absent followed by a read, so concurrent first calls
// (even from two processes) all get the one key that won.
func (s *SQLite) Secret(ctx context.Context) ([]byte, error) {
	key, err := s.readSecret(ctx)
	if err == nil || !errors.Is(err, sql.ErrNoRows) {
		return key, err
	}
	fresh := make([]byte, secretLen)
	rand.Read(fresh) // never fails (Go 1.24+ crashes the program instead)
	const insert = `INSERT INTO secrets (name, value) VALUES (?, ?) ON CONFLICT (name) DO NOTHING`
	if _, err := s.db.ExecContext(ctx, insert, secretKeyName, fresh); err != nil {
		return nil, fmt.Errorf("create secret: %w", err)
	}
	return s.readSecret(ctx)
}

// readSecret reads the signing key; the error wraps sql.ErrNoRows if none yet.
func (s *SQLite) readSecret(ctx context.Context) ([]byte, error) {
	var key []byte
	err := s.db.QueryRowContext(ctx, `SELECT value FROM secrets WHERE name = ?`, secretKeyName).Scan(&key)
	if err != nil {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	return key, nil
}

// isForeignKeyViolation reports whether err is SQLite refusing a row that
// names a parent row that does not exist (for conversations: an unknown id).
func isForeignKeyViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
}

// isUniqueViolation reports whether err is SQLite refusing a duplicate in a
// UNIQUE index (for agents: the name_key index).
func isUniqueViolation(err error) bool {
	var e *sqlite.Error
	return errors.As(err, &e) && e.Code() == sqlite3.SQLITE_CONSTRAINT_UNIQUE
}
