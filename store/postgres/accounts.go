package postgres

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"kefu/store"
)

// agentColumns is the column list every agent query selects, in scanAgent's order.
const agentColumns = `id, name, role, capacity, created_at, token_generation`

// CreateAgent implements store.Accounts.
func (s *Store) CreateAgent(ctx context.Context, name string, passwordHash []byte, role store.Role, capacity int) (store.Agent, error) {
	name = strings.TrimSpace(name)
	if err := store.ValidAgent(name, passwordHash, role, capacity); err != nil {
		return store.Agent{}, fmt.Errorf("create agent: %w", err)
	}
	a := store.Agent{
		ID:        store.NewAgentID(),
		Name:      name,
		Role:      role,
		Capacity:  capacity,
		CreatedAt: millis(s.now()), // as read back later
	}
	const insert = `INSERT INTO agents (id, name, name_key, password_hash, role, capacity, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7)`
	_, err := s.pool.Exec(ctx, insert,
		a.ID, a.Name, store.NameKey(a.Name), passwordHash, string(a.Role), a.Capacity, a.CreatedAt)
	if pgCode(err) == codeUniqueViolation {
		return store.Agent{}, fmt.Errorf("create agent %q: %w", name, store.ErrNameTaken)
	}
	if err != nil {
		return store.Agent{}, fmt.Errorf("create agent %q: %w", name, err)
	}
	return a, nil
}

// AgentByName implements store.Accounts.
func (s *Store) AgentByName(ctx context.Context, name string) (store.Agent, []byte, error) {
	name = strings.TrimSpace(name)
	var hash []byte
	row := s.pool.QueryRow(ctx, `SELECT `+agentColumns+`, password_hash FROM agents WHERE name_key = $1`, store.NameKey(name))
	a, err := scanAgent(row, &hash)
	if err != nil {
		return store.Agent{}, nil, fmt.Errorf("agent %q: %w", name, notFound(err))
	}
	return a, hash, nil
}

// AgentByID implements store.Accounts.
func (s *Store) AgentByID(ctx context.Context, id string) (store.Agent, error) {
	a, err := scanAgent(s.pool.QueryRow(ctx, `SELECT `+agentColumns+` FROM agents WHERE id = $1`, id))
	if err != nil {
		return store.Agent{}, fmt.Errorf("agent id %q: %w", id, notFound(err))
	}
	return a, nil
}

// ListAgents implements store.Accounts.
func (s *Store) ListAgents(ctx context.Context) ([]store.Agent, error) {
	rows, err := s.pool.Query(ctx, `SELECT `+agentColumns+` FROM agents ORDER BY name_key, id`)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	agents, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Agent, error) { return scanAgent(r) })
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	return agents, nil
}

// RemoveAgent implements store.Accounts.
func (s *Store) RemoveAgent(ctx context.Context, name string) error {
	name = strings.TrimSpace(name)
	tag, err := s.pool.Exec(ctx, `DELETE FROM agents WHERE name_key = $1`, store.NameKey(name))
	if err := changedOne(tag, err); err != nil {
		return fmt.Errorf("remove agent %q: %w", name, err)
	}
	return nil
}

// SetPassword implements store.Accounts.
func (s *Store) SetPassword(ctx context.Context, name string, hash []byte) error {
	name = strings.TrimSpace(name)
	if len(hash) == 0 {
		return fmt.Errorf("set password of agent %q: %w: empty password hash", name, store.ErrInvalid)
	}
	// One statement: no moment where the new password works and the old
	// tokens still do.
	const update = `UPDATE agents SET password_hash = $1, token_generation = token_generation + 1 WHERE name_key = $2`
	tag, err := s.pool.Exec(ctx, update, hash, store.NameKey(name))
	if err := changedOne(tag, err); err != nil {
		return fmt.Errorf("set password of agent %q: %w", name, err)
	}
	return nil
}

// SetCapacity implements store.Accounts.
func (s *Store) SetCapacity(ctx context.Context, id string, capacity int) error {
	if err := store.ValidCapacity(capacity); err != nil {
		return fmt.Errorf("set capacity of agent id %q: %w", id, err)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE agents SET capacity = $1 WHERE id = $2`, capacity, id)
	if err := changedOne(tag, err); err != nil {
		return fmt.Errorf("set capacity of agent id %q: %w", id, err)
	}
	return nil
}

// CountAgents implements store.Accounts.
func (s *Store) CountAgents(ctx context.Context) (int, error) {
	var n int
	if err := s.pool.QueryRow(ctx, `SELECT COUNT(*) FROM agents`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count agents: %w", err)
	}
	return n, nil
}

// RevokeSessions implements store.Accounts.
func (s *Store) RevokeSessions(ctx context.Context, id string) (int64, error) {
	var gen int64
	const update = `UPDATE agents SET token_generation = token_generation + 1 WHERE id = $1 RETURNING token_generation`
	if err := s.pool.QueryRow(ctx, update, id).Scan(&gen); err != nil {
		return 0, fmt.Errorf("revoke sessions of agent id %q: %w", id, notFound(err))
	}
	return gen, nil
}

// RevokeToken implements store.RevokedTokens. The prune rides along in the
// same round trip (a batch is one implicit transaction): rows come only
// from here, so the table never holds more than one token lifetime's
// sign-outs.
func (s *Store) RevokeToken(ctx context.Context, id string, expires time.Time) error {
	if id == "" {
		return fmt.Errorf("revoke token: %w: empty id", store.ErrInvalid)
	}
	b := &pgx.Batch{}
	b.Queue(`DELETE FROM revoked_tokens WHERE expires_at <= $1`, millis(s.now()))
	b.Queue(`INSERT INTO revoked_tokens (id, expires_at) VALUES ($1, $2)
		ON CONFLICT (id) DO UPDATE SET expires_at = GREATEST(revoked_tokens.expires_at, excluded.expires_at)`,
		id, millis(expires))
	if err := s.pool.SendBatch(ctx, b).Close(); err != nil {
		return fmt.Errorf("revoke token: %w", err)
	}
	return nil
}

// TokenRevoked implements store.RevokedTokens.
func (s *Store) TokenRevoked(ctx context.Context, id string) (bool, error) {
	var revoked bool
	const query = `SELECT EXISTS (SELECT 1 FROM revoked_tokens WHERE id = $1 AND expires_at > $2)`
	if err := s.pool.QueryRow(ctx, query, id, millis(s.now())).Scan(&revoked); err != nil {
		return false, fmt.Errorf("read revoked token: %w", err)
	}
	return revoked, nil
}

// scanAgent reads agentColumns, then any extra columns into extra.
func scanAgent(row pgx.Row, extra ...any) (store.Agent, error) {
	var (
		a    store.Agent
		role string
	)
	dest := append([]any{&a.ID, &a.Name, &role, &a.Capacity, &a.CreatedAt, &a.TokenGeneration}, extra...)
	if err := row.Scan(dest...); err != nil {
		return store.Agent{}, err
	}
	a.Role = store.Role(role)
	a.CreatedAt = a.CreatedAt.UTC()
	return a, nil
}

// changedOne turns the result of a one-row UPDATE or DELETE into its
// error, or store.ErrNotFound if no row matched.
func changedOne(tag pgconn.CommandTag, err error) error {
	if err != nil {
		return err
	}
	if tag.RowsAffected() == 0 {
		return store.ErrNotFound
	}
	return nil
}

// millis is t as the store keeps it: whole milliseconds, UTC.
func millis(t time.Time) time.Time {
	return time.UnixMilli(t.UnixMilli()).UTC()
}
