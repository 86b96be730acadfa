package transport

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"

	"kefu/actors"
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
func (g *Gateway) supervisor(w http.ResponseWriter, r *http.Request) (caller, bool) {
	who, ok := g.agentCaller(w, r)
	if ok && !who.supervisor {
		writeError(w, http.StatusForbidden, "forbidden", "only supervisors may do this")
		return who, false
	}
	return who, ok
}

// RemoveAgentAccount serves DELETE /api/agents/{name}: the account goes,
// and if the agent is online its tabs are closed (4003) and its customers
// go back to the head of the queue at once. `kefu agent remove` works on
// the data directory and cannot reach a running server's sockets.
func (g *Gateway) RemoveAgentAccount() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		who, ok := g.supervisor(w, r)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		a, ok := g.namedAgent(ctx, w, r)
		if !ok {
			return
		}
		if a.ID == who.id {
			writeError(w, http.StatusConflict, "self", "a supervisor cannot remove their own account")
			return
		}
		if err := g.cfg.Identity.Store.RemoveAgent(ctx, a.Name); err != nil && !errors.Is(err, store.ErrNotFound) {
			g.storeFailed(w, "remove agent", err)
			return
		}
		// Accounts are the native pool's agents (the tutorial's have none).
		g.cfg.Root.Send(g.cfg.Dir.PID(actors.KindDispatcher, actors.DispatcherID(actors.PoolNative)), &actors.RemoveAgent{Agent: a.ID})
		g.cfg.Log.Info("agent account removed over HTTP", "agent", a.ID, "name", a.Name, "by", who.id)
		w.WriteHeader(http.StatusNoContent)
	})
}

// namedAgent reads the account the request's {name} names; when there is
// none, or the store fails, it has answered (404, 503) and ok is false.
func (g *Gateway) namedAgent(ctx context.Context, w http.ResponseWriter, r *http.Request) (a store.Agent, ok bool) {
	a, _, err := g.cfg.Identity.Store.AgentByName(ctx, r.PathValue("name"))
	switch {
	case errors.Is(err, store.ErrNotFound):
		writeError(w, http.StatusNotFound, "not_found", "no such account")
		return a, false
	case err != nil:
		g.storeFailed(w, "find agent", err)
		return a, false
	}
	return a, true
}

// CreateAgent serves POST /api/agents: a supervisor adds an agent account,
// the same as `kefu agent add` but over HTTP, for tools such as the load
// harness that provision accounts on a running server.
func (g *Gateway) CreateAgent() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := g.supervisor(w, r); !ok {
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
			capacity = min(store.DefaultCapacity, g.cfg.MaxCapacity)
		}
		if capacity > g.cfg.MaxCapacity {
			writeError(w, http.StatusBadRequest, "bad_value", fmt.Sprintf("capacity must be between %d and %d", store.MinCapacity, g.cfg.MaxCapacity))
			return
		}
		hash, err := g.cfg.Passwords.Hash(req.Password)
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
		if _, ok := g.supervisor(w, r); !ok {
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
