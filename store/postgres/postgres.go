// Package postgres is the store.Store that several kefu nodes can share: a
// PostgreSQL database reached through pgx's connection pool. It keeps what
// the SQLite store keeps, by the same rules (the storetest conformance suite
// runs against both); docs/durability.md says how its group commit works
// and docs/operations.md how to run it.
package postgres

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"kefu/store"
)

// IsURL reports whether s names a PostgreSQL database (postgres:// or
// postgresql://), the form -store and KEFU_STORE take for this store.
func IsURL(s string) bool {
	return strings.HasPrefix(s, "postgres://") || strings.HasPrefix(s, "postgresql://")
}

// Store is the PostgreSQL store.Store. Safe for concurrent use: the pool
// hands each call a connection of its own.
type Store struct {
	pool *pgxpool.Pool
	now  func() time.Time // clock for created_at and token expiry
}

var _ store.Store = (*Store)(nil)

// runtimeParams are set on every connection the pool opens, whatever the
// server's or the role's defaults say.
var runtimeParams = map[string]string{
	// A commit returns only once its WAL is flushed to disk (and to any
	// synchronous standby): kefu acknowledges a message once it is
	// stored, so an acknowledged message must survive a crash.
	"synchronous_commit": "on",
	"application_name":   "kefu",
}

// Open connects to the database at url (a postgres:// URL; its query may
// set pgx's pool settings, such as pool_max_conns) and applies the schema
// migrations this binary knows, then indexes for search the rows stored
// before search was (backfillSearch). A database whose schema is newer
// than this binary knows is refused.
func Open(ctx context.Context, url string) (*Store, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		// pgx's message may quote the URL, password and all.
		return nil, errors.New("open store: the PostgreSQL URL does not parse")
	}
	for k, v := range runtimeParams {
		cfg.ConnConfig.RuntimeParams[k] = v
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, fmt.Errorf("open store: %w", err)
	}
	if err := migrate(ctx, pool, migrations); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", describe(cfg), err)
	}
	s := &Store{pool: pool, now: time.Now}
	if err := s.backfillSearch(ctx); err != nil {
		pool.Close()
		return nil, fmt.Errorf("open store %s: %w", describe(cfg), err)
	}
	return s, nil
}

// describe names the database for messages, without the password.
func describe(cfg *pgxpool.Config) string {
	c := cfg.ConnConfig
	return fmt.Sprintf("postgres://%s@%s:%d/%s", c.User, c.Host, c.Port, c.Database)
}

// Close closes every connection of the pool, waiting for those in use.
func (s *Store) Close() error {
	s.pool.Close()
	return nil
}

// secretKeyName names the token-signing key in the secrets table.
const secretKeyName = "token_key"

// Secret implements store.Store. The create is an insert-if-absent and a
// read, so that concurrent first calls, even from several nodes, all get
// the one key that won.
func (s *Store) Secret(ctx context.Context) ([]byte, error) {
	fresh := make([]byte, store.SecretLen)
	rand.Read(fresh) // never fails (Go 1.24+ crashes the program instead)
	const insert = `INSERT INTO secrets (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING`
	if _, err := s.pool.Exec(ctx, insert, secretKeyName, fresh); err != nil {
		return nil, fmt.Errorf("create secret: %w", err)
	}
	var key []byte
	err := s.pool.QueryRow(ctx, `SELECT value FROM secrets WHERE name = $1`, secretKeyName).Scan(&key)
	if err != nil {
		return nil, fmt.Errorf("read secret: %w", err)
	}
	return key, nil
}

// SQLSTATE codes kefu tells apart
// (https://www.postgresql.org/docs/current/errcodes-appendix.html).
const (
	codeUniqueViolation     = "23505"
	codeForeignKeyViolation = "23503"
	codeCheckViolation      = "23514"
	// Text PostgreSQL cannot hold: a NUL character, or bytes that are not
	// UTF-8. SQLite would store them; here they are the input's fault.
	codeUntranslatable = "22P05"
	codeBadEncoding    = "22021"
	// codeSeqTaken is kefu's own, raised by kefu_seq_taken (migrations.go)
	// when a message meets another stored under its (conv, seq).
	codeSeqTaken = "KF001"
	// codeFenced is kefu's own too, raised by kefu_check_fences when a
	// group commit's fences are stale (fencing.go).
	codeFenced = "KF002"
)

// pgCode returns the SQLSTATE of err, "" if it is not a server's error.
func pgCode(err error) string {
	var e *pgconn.PgError
	if errors.As(err, &e) {
		return e.Code
	}
	return ""
}

// invalidInput turns the server's refusal of the input (a rule of the
// schema, an unknown conversation, a taken seq, text it cannot hold) into
// store.ErrInvalid with the server's words; other errors pass unchanged.
func invalidInput(err error) error {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return err
	}
	switch e.Code {
	case codeForeignKeyViolation:
		return fmt.Errorf("%w: a conversation is not stored (%s)", store.ErrInvalid, e.Detail)
	case codeCheckViolation, codeSeqTaken, codeUntranslatable, codeBadEncoding:
		return fmt.Errorf("%w: %s", store.ErrInvalid, e.Message)
	}
	return err
}

// notFound turns pgx.ErrNoRows into store.ErrNotFound.
func notFound(err error) error {
	if errors.Is(err, pgx.ErrNoRows) {
		return store.ErrNotFound
	}
	return err
}
