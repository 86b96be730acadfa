package postgres

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"kefu/store"
)

var _ store.Teams = (*Store)(nil)

// teamColumns is the column list every team query selects, in scanTeam's
// order.
const teamColumns = `id, name, description, visible, position, everyone, hours::text, version, created_at, archived_at`

// CreateTeam implements store.Teams.
func (s *Store) CreateTeam(ctx context.Context, t store.Team) (store.Team, error) {
	t.Name = strings.TrimSpace(t.Name)
	if err := store.ValidTeam(&t); err != nil {
		return store.Team{}, fmt.Errorf("create team: %w", err)
	}
	t.ID, t.Version, t.ArchivedAt = store.NewTeamID(), 1, time.Time{}
	t.CreatedAt = millis(s.now())
	hoursJSON, err := json.Marshal(t.Hours)
	if err != nil {
		return store.Team{}, fmt.Errorf("create team: %w", err)
	}
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		const insert = `INSERT INTO teams (id, name, name_key, description, visible, position, everyone, hours, version, created_at)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8::jsonb, 1, $9)`
		if _, err := tx.Exec(ctx, insert, t.ID, t.Name, store.NameKey(t.Name), t.Description, t.Visible,
			t.Position, t.Everyone, string(hoursJSON), t.CreatedAt); err != nil {
			return err
		}
		return insertMembers(ctx, tx, t.ID, t.Members)
	})
	if err != nil {
		return store.Team{}, fmt.Errorf("create team %q: %w", t.Name, teamError(err))
	}
	return t, nil
}

// UpdateTeam implements store.Teams.
func (s *Store) UpdateTeam(ctx context.Context, t store.Team) (store.Team, error) {
	t.Name = strings.TrimSpace(t.Name)
	if err := store.ValidTeam(&t); err != nil {
		return store.Team{}, fmt.Errorf("update team: %w", err)
	}
	hoursJSON, err := json.Marshal(t.Hours)
	if err != nil {
		return store.Team{}, fmt.Errorf("update team: %w", err)
	}
	var out store.Team
	err = pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkVersion(ctx, tx, t.ID, t.Version); err != nil {
			return err
		}
		const update = `UPDATE teams SET name = $1, name_key = $2, description = $3, visible = $4, position = $5,
			hours = $6::jsonb, version = version + 1 WHERE id = $7`
		if _, err := tx.Exec(ctx, update, t.Name, store.NameKey(t.Name), t.Description, t.Visible, t.Position,
			string(hoursJSON), t.ID); err != nil {
			return err
		}
		out, err = readTeam(ctx, tx, t.ID)
		return err
	})
	if err != nil {
		return store.Team{}, fmt.Errorf("update team %q: %w", t.ID, teamError(err))
	}
	return out, nil
}

// SetTeamMembers implements store.Teams.
func (s *Store) SetTeamMembers(ctx context.Context, id string, agents []string, version int64) (store.Team, error) {
	var out store.Team
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		if err := checkVersion(ctx, tx, id, version); err != nil {
			return err
		}
		var everyone bool
		if err := tx.QueryRow(ctx, `SELECT everyone FROM teams WHERE id = $1`, id).Scan(&everyone); err != nil {
			return err
		}
		if everyone {
			return fmt.Errorf("%w: every agent is in this team", store.ErrInvalid)
		}
		if _, err := tx.Exec(ctx, `DELETE FROM team_members WHERE team_id = $1`, id); err != nil {
			return err
		}
		t := store.Team{Name: "x", Members: agents}
		if err := store.ValidTeam(&t); err != nil {
			return err
		}
		if err := insertMembers(ctx, tx, id, t.Members); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE teams SET version = version + 1 WHERE id = $1`, id); err != nil {
			return err
		}
		var err error
		out, err = readTeam(ctx, tx, id)
		return err
	})
	if err != nil {
		return store.Team{}, fmt.Errorf("set members of team %q: %w", id, teamError(err))
	}
	return out, nil
}

// ArchiveTeam implements store.Teams.
func (s *Store) ArchiveTeam(ctx context.Context, id string) error {
	if id == store.GeneralTeamID {
		return fmt.Errorf("archive team %q: %w: every agent's team stays", id, store.ErrInvalid)
	}
	tag, err := s.pool.Exec(ctx, `UPDATE teams SET archived_at = $1, version = version + 1 WHERE id = $2 AND archived_at IS NULL`,
		millis(s.now()), id)
	if err := changedOne(tag, err); err != nil {
		return fmt.Errorf("archive team %q: %w", id, err)
	}
	return nil
}

// Team implements store.Teams.
func (s *Store) Team(ctx context.Context, id string) (store.Team, error) {
	var t store.Team
	err := pgx.BeginFunc(ctx, s.pool, func(tx pgx.Tx) error {
		var err error
		t, err = readTeam(ctx, tx, id)
		return err
	})
	if err != nil {
		return store.Team{}, fmt.Errorf("team %q: %w", id, teamError(err))
	}
	return t, nil
}

// ListTeams implements store.Teams.
func (s *Store) ListTeams(ctx context.Context, archived bool) ([]store.Team, error) {
	q := `SELECT ` + teamColumns + ` FROM teams`
	if !archived {
		q += ` WHERE archived_at IS NULL`
	}
	rows, err := s.pool.Query(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	teams, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (store.Team, error) { return scanTeam(r) })
	if err != nil {
		return nil, fmt.Errorf("list teams: %w", err)
	}
	members, err := s.pool.Query(ctx, `SELECT team_id, agent_id FROM team_members ORDER BY team_id, agent_id`)
	if err != nil {
		return nil, fmt.Errorf("list team members: %w", err)
	}
	defer members.Close()
	add := store.MemberAdder(teams)
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
	store.SortTeams(teams)
	return teams, nil
}

// checkVersion: the live team id is at version; its row stays locked to
// the end of the transaction, so two updates of one version cannot both
// pass.
func checkVersion(ctx context.Context, tx pgx.Tx, id string, version int64) error {
	var (
		got      int64
		archived *time.Time
	)
	err := tx.QueryRow(ctx, `SELECT version, archived_at FROM teams WHERE id = $1 FOR UPDATE`, id).Scan(&got, &archived)
	switch {
	case errors.Is(err, pgx.ErrNoRows) || archived != nil:
		return store.ErrNotFound
	case err != nil:
		return err
	case got != version:
		return fmt.Errorf("%w: version %d, not %d", store.ErrConflict, got, version)
	}
	return nil
}

// insertMembers adds agents to team; an id that is no agent is ErrInvalid.
func insertMembers(ctx context.Context, tx pgx.Tx, team string, agents []string) error {
	for _, a := range agents {
		_, err := tx.Exec(ctx, `INSERT INTO team_members (team_id, agent_id) VALUES ($1, $2)`, team, a)
		if pgCode(err) == codeForeignKeyViolation {
			return fmt.Errorf("%w: %q is no agent", store.ErrInvalid, a)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// readTeam reads one team and its members.
func readTeam(ctx context.Context, tx pgx.Tx, id string) (store.Team, error) {
	t, err := scanTeam(tx.QueryRow(ctx, `SELECT `+teamColumns+` FROM teams WHERE id = $1`, id))
	if err != nil {
		return store.Team{}, notFound(err)
	}
	rows, err := tx.Query(ctx, `SELECT agent_id FROM team_members WHERE team_id = $1 ORDER BY agent_id`, id)
	if err != nil {
		return store.Team{}, err
	}
	t.Members, err = pgx.CollectRows(rows, pgx.RowTo[string])
	if len(t.Members) == 0 {
		t.Members = nil
	}
	return t, err
}

func scanTeam(row pgx.Row) (store.Team, error) {
	var (
		t         store.Team
		hoursJSON string
		archived  *time.Time
	)
	if err := row.Scan(&t.ID, &t.Name, &t.Description, &t.Visible, &t.Position, &t.Everyone, &hoursJSON,
		&t.Version, &t.CreatedAt, &archived); err != nil {
		return store.Team{}, err
	}
	if err := json.Unmarshal([]byte(hoursJSON), &t.Hours); err != nil {
		return store.Team{}, fmt.Errorf("team %q: stored hours: %w", t.ID, err)
	}
	t.CreatedAt = t.CreatedAt.UTC()
	if archived != nil {
		t.ArchivedAt = archived.UTC()
	}
	return t, nil
}

// teamError names a unique violation (the name) as ErrNameTaken.
func teamError(err error) error {
	if pgCode(err) == codeUniqueViolation {
		return store.ErrNameTaken
	}
	return err
}
