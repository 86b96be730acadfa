package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
)

var _ Teams = (*SQLite)(nil)

// teamColumns is the column list every team query selects, in scanTeam's
// order.
const teamColumns = `id, name, description, visible, position, everyone, hours, version, created_at, archived_at`

// CreateTeam implements Teams.
func (s *SQLite) CreateTeam(ctx context.Context, t Team) (Team, error) {
	t.Name = strings.TrimSpace(t.Name)
	if err := ValidTeam(&t); err != nil {
		return Team{}, fmt.Errorf("create team: %w", err)
	}
	t.ID, t.Version, t.ArchivedAt = NewTeamID(), 1, time.Time{}
	t.CreatedAt = time.UnixMilli(s.now().UnixMilli()).UTC()
	hoursJSON, err := json.Marshal(t.Hours)
	if err != nil {
		return Team{}, fmt.Errorf("create team: %w", err)
	}
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		const insert = `INSERT INTO teams (id, name, name_key, description, visible, position, everyone, hours, version, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?, ?, 1, ?)`
		if _, err := tx.ExecContext(ctx, insert, t.ID, t.Name, nameKey(t.Name), t.Description, t.Visible,
			t.Position, t.Everyone, string(hoursJSON), t.CreatedAt.UnixMilli()); err != nil {
			return err
		}
		return insertMembers(ctx, tx, t.ID, t.Members)
	})
	if err != nil {
		return Team{}, fmt.Errorf("create team %q: %w", t.Name, teamError(err))
	}
	return t, nil
}

// UpdateTeam implements Teams.
func (s *SQLite) UpdateTeam(ctx context.Context, t Team) (Team, error) {
	t.Name = strings.TrimSpace(t.Name)
	if err := ValidTeam(&t); err != nil {
		return Team{}, fmt.Errorf("update team: %w", err)
	}
	hoursJSON, err := json.Marshal(t.Hours)
	if err != nil {
		return Team{}, fmt.Errorf("update team: %w", err)
	}
	var out Team
	err = s.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkVersion(ctx, tx, t.ID, t.Version); err != nil {
			return err
		}
		const update = `UPDATE teams SET name = ?, name_key = ?, description = ?, visible = ?, position = ?,
			hours = ?, version = version + 1 WHERE id = ?`
		if _, err := tx.ExecContext(ctx, update, t.Name, nameKey(t.Name), t.Description, t.Visible, t.Position,
			string(hoursJSON), t.ID); err != nil {
			return err
		}
		out, err = readTeam(ctx, tx, t.ID)
		return err
	})
	if err != nil {
		return Team{}, fmt.Errorf("update team %q: %w", t.ID, teamError(err))
	}
	return out, nil
}

// SetTeamMembers implements Teams.
func (s *SQLite) SetTeamMembers(ctx context.Context, id string, agents []string, version int64) (Team, error) {
	var out Team
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		if err := checkVersion(ctx, tx, id, version); err != nil {
			return err
		}
		var everyone bool
		if err := tx.QueryRowContext(ctx, `SELECT everyone FROM teams WHERE id = ?`, id).Scan(&everyone); err != nil {
			return err
		}
		if everyone {
			return fmt.Errorf("%w: every agent is in this team", ErrInvalid)
		}
		if _, err := tx.ExecContext(ctx, `DELETE FROM team_members WHERE team_id = ?`, id); err != nil {
			return err
		}
		if err := insertMembers(ctx, tx, id, sortedMembers(agents)); err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE teams SET version = version + 1 WHERE id = ?`, id); err != nil {
			return err
		}
		var err error
		out, err = readTeam(ctx, tx, id)
		return err
	})
	if err != nil {
		return Team{}, fmt.Errorf("set members of team %q: %w", id, teamError(err))
	}
	return out, nil
}

// ArchiveTeam implements Teams.
func (s *SQLite) ArchiveTeam(ctx context.Context, id string) error {
	if id == GeneralTeamID {
		return fmt.Errorf("archive team %q: %w: every agent's team stays", id, ErrInvalid)
	}
	res, err := s.db.ExecContext(ctx, `UPDATE teams SET archived_at = ?, version = version + 1 WHERE id = ? AND archived_at IS NULL`,
		s.now().UnixMilli(), id)
	if err := changedOne(res, err); err != nil {
		return fmt.Errorf("archive team %q: %w", id, err)
	}
	return nil
}

// Team implements Teams.
func (s *SQLite) Team(ctx context.Context, id string) (Team, error) {
	var t Team
	err := s.inTx(ctx, func(tx *sql.Tx) error {
		var err error
		t, err = readTeam(ctx, tx, id)
		return err
	})
	if err != nil {
		return Team{}, fmt.Errorf("team %q: %w", id, teamError(err))
	}
	return t, nil
}

// ListTeams implements Teams.
func (s *SQLite) ListTeams(ctx context.Context, archived bool) ([]Team, error) {
	q := `SELECT ` + teamColumns + ` FROM teams`
	if !archived {
		q += ` WHERE archived_at IS NULL`
	}
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	var teams []Team
	for rows.Next() {
		t, err := scanTeam(rows)
		if err != nil {
			rows.Close()
			return nil, fmt.Errorf("list teams: %w", err)
		}
		teams = append(teams, t)
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	members, err := s.db.QueryContext(ctx, `SELECT team_id, agent_id FROM team_members ORDER BY team_id, agent_id`)
	if err != nil {
		return nil, fmt.Errorf("list team members: %w", err)
	}
	defer members.Close()
	add := MemberAdder(teams)
	for members.Next() {
		var team, agent string
		if err := members.Scan(&team, &agent); err != nil {
			return nil, fmt.Errorf("list team members: %w", err)
		}
		add(team, agent)
	}
	if err := members.Err(); err != nil {
		return nil, fmt.Errorf("list team members: %w", err)
	}
	SortTeams(teams)
	return teams, nil
}

// inTx runs f in one write transaction (BEGIN IMMEDIATE: see sqlite.go).
func (s *SQLite) inTx(ctx context.Context, f func(*sql.Tx) error) error {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback() // no-op after Commit
	if err := f(tx); err != nil {
		return err
	}
	return tx.Commit()
}

// checkVersion: the live team id is at version.
func checkVersion(ctx context.Context, tx *sql.Tx, id string, version int64) error {
	var (
		got      int64
		archived sql.NullInt64
	)
	err := tx.QueryRowContext(ctx, `SELECT version, archived_at FROM teams WHERE id = ?`, id).Scan(&got, &archived)
	switch {
	case errors.Is(err, sql.ErrNoRows) || archived.Valid:
		return ErrNotFound
	case err != nil:
		return err
	case got != version:
		return fmt.Errorf("%w: version %d, not %d", ErrConflict, got, version)
	}
	return nil
}

// insertMembers adds agents to team; an id that is no agent is ErrInvalid.
func insertMembers(ctx context.Context, tx *sql.Tx, team string, agents []string) error {
	for _, a := range agents {
		var n int
		if err := tx.QueryRowContext(ctx, `SELECT COUNT(*) FROM agents WHERE id = ?`, a).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return fmt.Errorf("%w: %q is no agent", ErrInvalid, a)
		}
		if _, err := tx.ExecContext(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES (?, ?)`, team, a); err != nil {
			return err
		}
	}
	return nil
}

// readTeam reads one team and its members.
func readTeam(ctx context.Context, tx *sql.Tx, id string) (Team, error) {
	t, err := scanTeam(tx.QueryRowContext(ctx, `SELECT `+teamColumns+` FROM teams WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return Team{}, ErrNotFound
	}
	if err != nil {
		return Team{}, err
	}
	rows, err := tx.QueryContext(ctx, `SELECT agent_id FROM team_members WHERE team_id = ? ORDER BY agent_id`, id)
	if err != nil {
		return Team{}, err
	}
	defer rows.Close()
	for rows.Next() {
		var a string
		if err := rows.Scan(&a); err != nil {
			return Team{}, err
		}
		t.Members = append(t.Members, a)
	}
	return t, rows.Err()
}

func scanTeam(sc scanner) (Team, error) {
	var (
		t         Team
		hoursJSON string
		created   int64
		archived  sql.NullInt64
	)
	if err := sc.Scan(&t.ID, &t.Name, &t.Description, &t.Visible, &t.Position, &t.Everyone, &hoursJSON,
		&t.Version, &created, &archived); err != nil {
		return Team{}, err
	}
	if err := json.Unmarshal([]byte(hoursJSON), &t.Hours); err != nil {
		return Team{}, fmt.Errorf("team %q: stored hours: %w", t.ID, err)
	}
	t.CreatedAt = time.UnixMilli(created).UTC()
	if archived.Valid {
		t.ArchivedAt = time.UnixMilli(archived.Int64).UTC()
	}
	return t, nil
}

// teamError names a unique violation (the name) as ErrNameTaken.
func teamError(err error) error {
	if isUniqueViolation(err) {
		return ErrNameTaken
	}
	return err
}
