package transport

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"

	"kefu/auth"
	"kefu/store"
)

// maxAgentBody bounds a create-agent request.
const maxAgentBody = 4 << 10

type newAgentRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
	Role     string `json:"role"`
	Capacity int    `json:"capacity"`
}

// supervisor checks the bearer token belongs to a supervisor.
func (g *Gateway) supervisor(w http.ResponseWriter, r *http.Request) bool {
	who, ok := g.agentCaller(w, r)
	if ok && !who.supervisor {
		writeError(w, http.StatusForbidden, "forbidden", "only supervisors manage accounts")
		return false
	}
	return ok
}

// CreateAgent serves POST /api/agents: a supervisor adds an agent account,
// the same as `kefu agent add` but over HTTP, for tools such as the load
// harness that provision accounts on a running server.
func (g *Gateway) CreateAgent() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.supervisor(w, r) {
			return
		}
		var req newAgentRequest
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxAgentBody)).Decode(&req); err != nil {
			writeError(w, http.StatusBadRequest, "bad_request", `expected JSON {"name","password","role","capacity"}`)
			return
		}
		role := store.Role(cmp.Or(req.Role, string(store.RoleAgent)))
		if !role.Valid() {
			writeError(w, http.StatusBadRequest, "bad_value", `role must be "agent" or "supervisor"`)
			return
		}
		capacity := req.Capacity
		if capacity == 0 {
			capacity = store.DefaultCapacity
		}
		hash, err := auth.HashPassword(req.Password)
		if err != nil {
			writeError(w, http.StatusBadRequest, "bad_value", err.Error())
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		a, err := g.cfg.Identity.Store.CreateAgent(ctx, strings.TrimSpace(req.Name), hash, role, capacity)
		switch {
		case errors.Is(err, store.ErrNameTaken):
			writeError(w, http.StatusConflict, "name_taken", "an account with that name exists")
		case errors.Is(err, store.ErrInvalid):
			writeError(w, http.StatusBadRequest, "bad_value", strings.TrimPrefix(err.Error(), "store: "))
		case err != nil:
			g.storeFailed(w, "create agent", err)
		default:
			g.cfg.Log.Info("agent account created over HTTP", "agent", a.ID, "name", a.Name, "role", a.Role)
			writeJSON(w, http.StatusCreated, agentOut{a.ID, a.Name, string(a.Role), a.Capacity})
		}
	})
}

// ListAgentAccounts serves GET /api/agents: every account, for supervisors.
func (g *Gateway) ListAgentAccounts() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !g.supervisor(w, r) {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		all, err := g.cfg.Identity.Store.ListAgents(ctx)
		if err != nil {
			g.storeFailed(w, "list agents", err)
			return
		}
		out := struct {
			Agents []agentOut `json:"agents"`
		}{Agents: make([]agentOut, 0, len(all))}
		for _, a := range all {
			out.Agents = append(out.Agents, agentOut{a.ID, a.Name, string(a.Role), a.Capacity})
		}
		writeJSON(w, http.StatusOK, out)
	})
}
