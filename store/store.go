// Package store defines what kefu keeps on disk, as small interfaces that the
// actors and the HTTP code depend on. The SQLite implementation lives in this
// package too (sqlite*.go); the PostgreSQL one, in store/postgres, implements
// the same interfaces, and store/choose opens either.
package store

import (
	"context"
	"time"
)

// Role says what an agent account may do.
type Role string

const (
	// RoleAgent answers customers.
	RoleAgent Role = "agent"
	// RoleSupervisor answers customers and manages other agents.
	RoleSupervisor Role = "supervisor"
)

// Valid reports whether r is one of the known roles.
func (r Role) Valid() bool { return r == RoleAgent || r == RoleSupervisor }

// Capacity bounds: how many conversations an agent holds at once.
const (
	DefaultCapacity = 3
	MinCapacity     = 1
	MaxCapacity     = 50 // past this nobody answers well; a typo guard
)

// Agent is an account that logs in to answer customers. ID is issued by the
// server and never changes; Name is a unique (case-insensitively) label.
type Agent struct {
	ID        string
	Name      string
	Role      Role
	Capacity  int
	CreatedAt time.Time // UTC, millisecond precision
	// TokenGeneration starts at 0 and rises each time the account's
	// sessions are revoked (RevokeSessions, SetPassword). A login token
	// carries the generation it was issued under; one from an older
	// generation no longer works.
	TokenGeneration int64
}

// Accounts stores agent accounts. Names are trimmed of surrounding space and
// compared case-insensitively by every method that takes one.
type Accounts interface {
	// CreateAgent adds an account with a new server-issued id. It returns
	// ErrNameTaken if the name exists in any letter case, and ErrInvalid for a
	// bad name (see ValidName), role, capacity or an empty hash.
	CreateAgent(ctx context.Context, name string, passwordHash []byte, role Role, capacity int) (Agent, error)

	// AgentByName returns the account and its password hash, or ErrNotFound.
	AgentByName(ctx context.Context, name string) (Agent, []byte, error)

	// AgentByID returns the account, or ErrNotFound.
	AgentByID(ctx context.Context, id string) (Agent, error)

	// ListAgents returns every account ordered by name.
	ListAgents(ctx context.Context) ([]Agent, error)

	// RemoveAgent deletes the account, or returns ErrNotFound.
	RemoveAgent(ctx context.Context, name string) error

	// SetPassword replaces the password hash and, in the same write, raises
	// TokenGeneration: whoever knew the old password is signed out. It
	// returns ErrNotFound or ErrInvalid.
	SetPassword(ctx context.Context, name string, hash []byte) error

	// RevokeSessions raises the account's TokenGeneration by one, so that
	// every token issued before stops working, and returns the new
	// generation, or ErrNotFound.
	RevokeSessions(ctx context.Context, id string) (int64, error)

	// SetCapacity changes the account's capacity (MinCapacity..MaxCapacity),
	// or returns ErrNotFound or ErrInvalid.
	SetCapacity(ctx context.Context, id string, capacity int) error

	// CountAgents returns the number of accounts.
	CountAgents(ctx context.Context) (int, error)
}

// RevokedTokens remembers login tokens signed out one at a time, by their
// id (the jti), until they would have expired anyway.
type RevokedTokens interface {
	// RevokeToken records that the token id is signed out. expires is the
	// token's own expiry: past it the row serves no purpose, and rows past
	// theirs are deleted on the way. Revoking a token twice is no error;
	// an empty id is ErrInvalid.
	RevokeToken(ctx context.Context, id string, expires time.Time) error

	// TokenRevoked reports whether the token id was signed out and has not
	// yet expired.
	TokenRevoked(ctx context.Context, id string) (bool, error)
}

// Store is everything kefu keeps. It is safe for concurrent use.
type Store interface {
	Accounts
	RevokedTokens
	Conversations
	Ratings
	Fencing
	Teams
	Inbox
	MailOutbox
	Settings
	CannedResponses
	Labels
	Blobs
	Searcher

	// Secret returns the token-signing key: 32 random bytes created on the
	// first call and kept in the store, so tokens survive a restart.
	Secret(ctx context.Context) ([]byte, error)

	// Close releases the store. Call it after everything using it stopped.
	Close() error
}
