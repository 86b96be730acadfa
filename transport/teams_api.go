package transport

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"kefu/actors"
	"kefu/hours"
	"kefu/store"
)

// The teams API (issue 18, docs/operations.md "Teams"): a supervisor
// creates, edits and archives teams and sets their members; any signed-in
// agent lists them, with whether it is a member and whether the team is
// open now. Each change is stored, then told to the native dispatcher,
// which routes by teams (actors/dispatcher_teams.go).

// maxTeamBody bounds a team request: a description of 500 bytes, a week
// of spans, 400 closed days.
const maxTeamBody = 32 << 10

// DefaultMaxTeams bounds the live teams (-max-teams).
const DefaultMaxTeams = 100

// teamIn is what a supervisor sends to create or edit a team.
type teamIn struct {
	Name        string     `json:"name"`
	Description string     `json:"description"`
	Visible     *bool      `json:"visible"` // nil: true on create
	Position    int        `json:"position"`
	Hours       hours.Spec `json:"hours"`
	Members     []string   `json:"members"` // create only; PUT …/members changes them
	Version     int64      `json:"version"` // edit only: the version read
}

// team is in as the store takes it, for team id (empty on create); a
// team is visible unless the request says otherwise.
func (in teamIn) team(id string) store.Team {
	return store.Team{ID: id, Name: strings.TrimSpace(in.Name), Description: in.Description,
		Visible: in.Visible == nil || *in.Visible, Position: in.Position, Hours: in.Hours,
		Members: in.Members, Version: in.Version}
}

// teamOut is a team as the API shows it: everything to a supervisor; to
// an agent, what the console needs (no members, no version).
type teamOut struct {
	ID          string      `json:"id"`
	Name        string      `json:"name"`
	Description string      `json:"description"`
	Visible     bool        `json:"visible"`
	Position    int         `json:"position"`
	Everyone    bool        `json:"everyone"`
	Open        bool        `json:"open"`
	NextOpen    *time.Time  `json:"nextOpen,omitempty"` // when closed: the next opening, UTC
	Member      bool        `json:"member"`
	Hours       *hours.Spec `json:"hours,omitempty"`
	Members     []string    `json:"members,omitempty"`
	Version     int64       `json:"version,omitempty"`
	Archived    bool        `json:"archived,omitempty"`
}

// teamView is t for who, at now.
func teamView(t store.Team, who caller, now time.Time) teamOut {
	out := teamOut{ID: t.ID, Name: t.Name, Description: t.Description, Visible: t.Visible, Position: t.Position,
		Everyone: t.Everyone, Member: t.Everyone || slices.Contains(t.Members, who.id), Archived: t.Archived()}
	if s, err := hours.Parse(t.Hours); err == nil {
		out.Open = s.Open(now)
		if !out.Open {
			if next, ok := s.NextOpen(now); ok {
				next = next.UTC()
				out.NextOpen = &next
			}
		}
	}
	if who.supervisor {
		h := t.Hours
		out.Hours, out.Members, out.Version = &h, t.Members, t.Version
		if out.Members == nil {
			out.Members = []string{}
		}
	}
	return out
}

// ListTeams serves GET /api/teams (?archived=1 adds the archived ones,
// for supervisors).
func (g *Gateway) ListTeams() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.agentCaller(w, r)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		teams, err := g.cfg.Identity.Store.ListTeams(ctx, who.supervisor && r.URL.Query().Get("archived") == "1")
		if err != nil {
			g.storeFailed(w, "list teams", err)
			return
		}
		now := time.Now()
		out := struct {
			Teams []teamOut `json:"teams"`
		}{Teams: make([]teamOut, 0, len(teams))}
		for _, t := range teams {
			out.Teams = append(out.Teams, teamView(t, who, now))
		}
		writeJSON(w, http.StatusOK, out)
	})
}

// readTeam decodes a team request; on a bad one it has answered 400.
func readTeam(w http.ResponseWriter, r *http.Request) (teamIn, bool) {
	return readBody[teamIn](w, r, maxTeamBody, `expected JSON {"name","description","visible","position","hours",…}`)
}

// readBody decodes a JSON request body of at most limit bytes; on a bad
// one it has answered 400 bad_request with expected.
func readBody[T any](w http.ResponseWriter, r *http.Request, limit int64, expected string) (T, bool) {
	var in T
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, limit)).Decode(&in); err != nil {
		writeError(w, http.StatusBadRequest, "bad_request", expected)
		return in, false
	}
	return in, true
}

// CreateTeam serves POST /api/teams.
func (g *Gateway) CreateTeam() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.supervisor(w, r)
		if !ok {
			return
		}
		in, ok := readTeam(w, r)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		live, err := g.cfg.Identity.Store.ListTeams(ctx, false)
		if err != nil {
			g.storeFailed(w, "list teams", err)
			return
		}
		if max := g.maxTeams(); len(live) >= max {
			writeError(w, http.StatusConflict, "too_many_teams", fmt.Sprintf("there are %d teams already, the most allowed (-max-teams)", max))
			return
		}
		t, err := g.cfg.Identity.Store.CreateTeam(ctx, in.team(""))
		if g.teamStoreError(w, "create team", err) {
			return
		}
		g.cfg.Log.Info("team created", "team", t.ID, "name", t.Name, "by", who.id)
		g.teamChanged(t)
		writeJSON(w, http.StatusCreated, teamView(t, who, time.Now()))
	})
}

// UpdateTeam serves PUT /api/teams/{id}: its version must be the one
// read (409 conflict otherwise).
func (g *Gateway) UpdateTeam() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.supervisor(w, r)
		if !ok {
			return
		}
		in, ok := readTeam(w, r)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		t, err := g.cfg.Identity.Store.UpdateTeam(ctx, in.team(r.PathValue("id")))
		if g.teamStoreError(w, "update team", err) {
			return
		}
		g.cfg.Log.Info("team changed", "team", t.ID, "version", t.Version, "by", who.id)
		g.teamChanged(t)
		writeJSON(w, http.StatusOK, teamView(t, who, time.Now()))
	})
}

// SetTeamMembers serves PUT /api/teams/{id}/members {"agents","version"}.
func (g *Gateway) SetTeamMembers() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.supervisor(w, r)
		if !ok {
			return
		}
		var in struct {
			Agents  []string `json:"agents"`
			Version int64    `json:"version"`
		}
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxTeamBody)).Decode(&in); err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", `expected JSON {"agents":["ag_…"],"version":N}`)
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		id := r.PathValue("id")
		if id == store.GeneralTeamID {
			writeError(w, http.StatusConflict, "conflict", "every agent is in the general team")
			return
		}
		t, err := g.cfg.Identity.Store.SetTeamMembers(ctx, id, in.Agents, in.Version)
		if g.teamStoreError(w, "set team members", err) {
			return
		}
		g.cfg.Log.Info("team members set", "team", t.ID, "members", len(t.Members), "by", who.id)
		g.teamChanged(t)
		writeJSON(w, http.StatusOK, teamView(t, who, time.Now()))
	})
}

// ArchiveTeam serves DELETE /api/teams/{id}: the team is archived (its
// conversations keep it), never deleted.
func (g *Gateway) ArchiveTeam() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.supervisor(w, r)
		if !ok {
			return
		}
		id := r.PathValue("id")
		if id == store.GeneralTeamID {
			writeError(w, http.StatusConflict, "conflict", "the general team cannot be archived")
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		if g.teamStoreError(w, "archive team", g.cfg.Identity.Store.ArchiveTeam(ctx, id)) {
			return
		}
		g.cfg.Log.Info("team archived", "team", id, "by", who.id)
		if t, err := g.cfg.Identity.Store.Team(ctx, id); err == nil {
			g.teamChanged(t)
		} else {
			// Archived all the same: the dispatcher reads it at its next
			// restore, and until then only takes requests it should not.
			g.cfg.Log.Warn("archived team not read back; the dispatcher learns it at its next restore", "team", id, "err", err)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

// teamChanged tells the native dispatcher a team as just stored, so that
// it routes by it at once; a lost message is healed at its next restore,
// which reads the store.
func (g *Gateway) teamChanged(t store.Team) {
	g.cfg.Root.Send(g.cfg.Dir.PID(actors.KindDispatcher, actors.DispatcherID(actors.PoolNative)), &actors.TeamChanged{Team: t})
}

// teamStoreError answers a team write's error, if any, and reports
// whether it did.
func (g *Gateway) teamStoreError(w http.ResponseWriter, what string, err error) bool {
	return g.storeWriteError(w, what, err, writeWords{
		notFound: "no such team", conflict: "the team changed since it was read: read it again", nameTaken: "a team with that name exists"})
}

// writeWords are what a record's store write errors are answered with.
type writeWords struct{ notFound, conflict, nameTaken string }

// storeWriteError answers a write's error, if any, in words, and reports
// whether it did: 404, 409 conflict or name_taken, 400 bad_value, else
// the store's failure.
func (g *Gateway) storeWriteError(w http.ResponseWriter, what string, err error, words writeWords) bool {
	switch {
	case err == nil:
		return false
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", words.notFound)
	case errors.Is(err, store.ErrConflict):
		writeError(w, http.StatusConflict, "conflict", words.conflict)
	case errors.Is(err, store.ErrNameTaken):
		writeError(w, http.StatusConflict, "name_taken", words.nameTaken)
	case errors.Is(err, store.ErrInvalid):
		writeError(w, http.StatusBadRequest, "bad_value", strings.TrimPrefix(err.Error(), "store: "))
	default:
		g.storeFailed(w, what, err)
	}
	return true
}

// maxTeams is the bound on live teams.
func (g *Gateway) maxTeams() int {
	if g.cfg.MaxTeams > 0 {
		return g.cfg.MaxTeams
	}
	return DefaultMaxTeams
}
