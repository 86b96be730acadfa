package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// agentColumns is the column list every agent query selects, in scanAgent's order.
const agentColumns = `id, name, role, capacity, created_at, token_generation`

// CreateAgent implements Accounts.
func (s *SQLite) CreateAgent(ctx context.Context, name string, passwordHash []byte, role Role, capacity int) (Agent, error) {
	name = strings.TrimSpace(name)
	if err := validAgent(name, passwordHash, role, capacity); err != nil {
		return Agent{}, fmt.Errorf("create agent: %w", err)
	}
	a := Agent{
		ID:        NewAgentID(),
		Name:      name,
		Role:      role,
		Capacity:  capacity,
		CreatedAt: time.UnixMilli(s.now().UnixMilli()).UTC(), // as read back later
	}
	const insert = `INSERT INTO agents (id, name, name_key, password_hash, role, capacity, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?)`
	_, err := s.db.ExecContext(ctx, insert,
		a.ID, a.Name, nameKey(a.Name), passwordHash, string(a.Role), a.Capacity, a.CreatedAt.UnixMilli())
	if isUniqueViolation(err) {
		return Agent{}, fmt.Errorf("create agent %q: %w", name, ErrNameTaken)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("create agent %q: %w", name, err)
	}
	return a, nil
}

// validAgent checks a new account against the rules the schema also enforces,
// so that the caller gets ErrInvalid with a reason instead of a SQL error.
func validAgent(name string, hash []byte, role Role, capacity int) error {
	if err := ValidName(name); err != nil {
		return err
	}
	if len(hash) == 0 {
		return fmt.Errorf("%w: empty password hash", ErrInvalid)
	}
	if !role.Valid() {
		return fmt.Errorf("%w: role %q is neither %q nor %q", ErrInvalid, role, RoleAgent, RoleSupervisor)
	}
	return validCapacity(capacity)
}

// validCapacity checks capacity against MinCapacity..MaxCapacity.
func validCapacity(capacity int) error {
	if capacity < MinCapacity || capacity > MaxCapacity {
		return fmt.Errorf("%w: capacity %d is outside %d..%d", ErrInvalid, capacity, MinCapacity, MaxCapacity)
	}
	return nil
}

// AgentByName implements Accounts.
func (s *SQLite) AgentByName(ctx context.Context, name string) (Agent, []byte, error) {
	name = strings.TrimSpace(name)
	var hash []byte
	row := s.db.QueryRowContext(ctx,
		`SELECT `+agentColumns+`, password_hash FROM agents WHERE name_key = ?`, nameKey(name))
	a, err := scanAgent(row, &hash)
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, nil, fmt.Errorf("agent %q: %w", name, ErrNotFound)
	}
	if err != nil {
		return Agent{}, nil, fmt.Errorf("read agent %q: %w", name, err)
	}
	return a, hash, nil
}

// AgentByID implements Accounts.
func (s *SQLite) AgentByID(ctx context.Context, id string) (Agent, error) {
	row := s.db.QueryRowContext(ctx, `SELECT `+agentColumns+` FROM agents WHERE id = ?`, id)
	a, err := scanAgent(row)
	if errors.Is(err, sql.ErrNoRows) {
		return Agent{}, fmt.Errorf("agent id %q: %w", id, ErrNotFound)
	}
	if err != nil {
		return Agent{}, fmt.Errorf("read agent id %q: %w", id, err)
	}
	return a, nil
}

// ListAgents implements Accounts.
func (s *SQLite) ListAgents(ctx context.Context) ([]Agent, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+agentColumns+` FROM agents ORDER BY name_key, id`)
	if err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	defer rows.Close()
	var agents []Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, fmt.Errorf("list agents: %w", err)
		}
		agents = append(agents, a)
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list agents: %w", err)
	}
	return agents, nil
}

// RemoveAgent implements Accounts.
func (s *SQLite) RemoveAgent(ctx context.Context, name string) error {
	name = strings.TrimSpace(name)
	res, err := s.db.ExecContext(ctx, `DELETE FROM agents WHERE name_key = ?`, nameKey(name))
	if err := changedOne(res, err); err != nil {
		return fmt.Errorf("remove agent %q: %w", name, err)
	}
	return nil
}

// SetPassword implements Accounts.
func (s *SQLite) SetPassword(ctx context.Context, name string, hash []byte) error {
	name = strings.TrimSpace(name)
	if len(hash) == 0 {
		return fmt.Errorf("set password of agent %q: %w: empty password hash", name, ErrInvalid)
	}
	// One statement: no moment where the new password works and the old
	// tokens still do.
	const update = `UPDATE agents SET password_hash = ?, token_generation = token_generation + 1 WHERE name_key = ?`
	res, err := s.db.ExecContext(ctx, update, hash, nameKey(name))
	if err := changedOne(res, err); err != nil {
		return fmt.Errorf("set password of agent %q: %w", name, err)
	}
	return nil
}

// SetCapacity implements Accounts.
func (s *SQLite) SetCapacity(ctx context.Context, id string, capacity int) error {
	if err := validCapacity(capacity); err != nil {
		return fmt.Errorf("set capacity of agent id %q: %w", id, err)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE agents SET capacity = ? WHERE id = ?`, capacity, id)
	if err := changedOne(res, err); err != nil {
		return fmt.Errorf("set capacity of agent id %q: %w", id, err)
	}
	return nil
}

// CountAgents implements Accounts.
func (s *SQLite) CountAgents(ctx context.Context) (int, error) {
	var n int
	if err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents`).Scan(&n); err != nil {
		return 0, fmt.Errorf("count agents: %w", err)
	}
	return n, nil
}

// scanner is what *sql.Row and *sql.Rows share.
type scanner interface{ Scan(dest ...any) error }

// scanAgent reads agentColumns, then any extra columns into extra.
func scanAgent(sc scanner, extra ...any) (Agent, error) {
	var (
		a       Agent
		role    string
		created int64
	)
	dest := append([]any{&a.ID, &a.Name, &role, &a.Capacity, &created, &a.TokenGeneration}, extra...)
	if err := sc.Scan(dest...); err != nil {
		return Agent{}, err
	}
	a.Role = Role(role)
	a.CreatedAt = time.UnixMilli(created).UTC()
	return a, nil
}

// changedOne turns the result of a one-row UPDATE or DELETE into the
// driver's error, or ErrNotFound if no row matched.
func changedOne(res sql.Result, err error) error {
	if err != nil {
		return err
	}
	n, err := res.RowsAffected()
	if err != nil {
		return err
	}
	if n == 0 {
		return ErrNotFound
	}
	return nil
}
