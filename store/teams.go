package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"time"
	"unicode/utf8"

	"kefu/hours"
	"kefu/internal/ids"
)

// A team is a group of agents with a queue of its own (issue 18,
// docs/teams-plan.md): customers pick one in the widget, or the page fixes
// it. Every native agent is in the general team, which exists from the
// first migration on and cannot be archived: with no other team, kefu
// routes exactly as it did before teams.

// GeneralTeamID is the team every agent is in.
const GeneralTeamID = ids.Team + "general"

// MaxTeamDescription is the longest team description, in bytes.
const MaxTeamDescription = 500

// Team is one team as stored. Hours are kept whole, as JSON: the schedule
// is always read and written as one value, and hours.Parse checks it.
type Team struct {
	ID          string
	Name        string
	Description string
	Visible     bool // offered to customers in the widget's picker
	Position    int  // order in the picker, then by name
	Everyone    bool // every agent is a member (the general team)
	Hours       hours.Spec
	Members     []string // agent ids, sorted; none when Everyone
	// Version rises with every change: UpdateTeam and SetTeamMembers take
	// the version the caller read, so two supervisors editing the same team
	// cannot silently undo each other (ErrConflict).
	Version    int64
	CreatedAt  time.Time // UTC, millisecond precision
	ArchivedAt time.Time // zero while live
}

// Archived reports whether the team was archived.
func (t Team) Archived() bool { return !t.ArchivedAt.IsZero() }

// ErrConflict: the record changed since the caller read it.
var ErrConflict = errors.New("changed since it was read")

// Teams stores teams and their members. Names are unique among live teams,
// compared as account names are (NameKey).
type Teams interface {
	// CreateTeam stores t under a new server-issued id, version 1, and
	// returns it. ErrNameTaken, ErrInvalid (name, description, hours,
	// members that are not agents).
	CreateTeam(ctx context.Context, t Team) (Team, error)
	// UpdateTeam replaces a live team's name, description, visibility,
	// position and hours, if its version is still t.Version, and returns
	// it with its new version. ErrNotFound, ErrConflict, ErrNameTaken,
	// ErrInvalid.
	UpdateTeam(ctx context.Context, t Team) (Team, error)
	// SetTeamMembers replaces a live team's members, if its version is
	// still version. ErrNotFound, ErrConflict, ErrInvalid (the general
	// team, or an id that is no agent).
	SetTeamMembers(ctx context.Context, id string, agents []string, version int64) (Team, error)
	// ArchiveTeam archives a live team: it keeps its conversations, is
	// offered to nobody and frees its name. ErrNotFound; ErrInvalid for the
	// general team.
	ArchiveTeam(ctx context.Context, id string) error
	// Team returns one team, archived or not, or ErrNotFound.
	Team(ctx context.Context, id string) (Team, error)
	// ListTeams returns the live teams (and the archived ones with
	// archived) by position, then name, then id.
	ListTeams(ctx context.Context, archived bool) ([]Team, error)
}

// NewTeamID returns a new server-issued team id.
func NewTeamID() string { return ids.Team + ids.New() }

// ValidTeam checks what a supervisor may set on a team (a trimmed name):
// the name rule of accounts, the description's length, the hours. It
// returns the members sorted and without repeats.
func ValidTeam(t *Team) error {
	if err := ValidName(t.Name); err != nil {
		return err
	}
	if len(t.Description) > MaxTeamDescription || !utf8.ValidString(t.Description) {
		return fmt.Errorf("%w: the description is longer than %d bytes, or not UTF-8", ErrInvalid, MaxTeamDescription)
	}
	if _, err := hours.Parse(t.Hours); err != nil {
		return fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	t.Members = sortedMembers(t.Members)
	if t.Everyone && len(t.Members) > 0 {
		return fmt.Errorf("%w: a team of every agent lists no members", ErrInvalid)
	}
	return nil
}

func sortedMembers(m []string) []string {
	m = slices.Clone(m)
	slices.Sort(m)
	return slices.Compact(m)
}

// MemberAdder returns what adds agent to the team of teams with that id
// (ListTeams reads the teams, then every membership in one query).
func MemberAdder(teams []Team) func(team, agent string) {
	byID := make(map[string]int, len(teams))
	for i, t := range teams {
		byID[t.ID] = i
	}
	return func(team, agent string) {
		if i, ok := byID[team]; ok {
			teams[i].Members = append(teams[i].Members, agent)
		}
	}
}

// SortTeams puts teams in ListTeams' order.
func SortTeams(ts []Team) {
	slices.SortFunc(ts, func(a, b Team) int {
		return cmp.Or(cmp.Compare(a.Position, b.Position), cmp.Compare(NameKey(a.Name), NameKey(b.Name)), cmp.Compare(a.ID, b.ID))
	})
}
