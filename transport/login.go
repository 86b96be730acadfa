package transport

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"time"

	"kefu/auth"
	"kefu/store"
)

// maxLoginBody bounds a login request: a name and a password.
const maxLoginBody = 4 << 10

// newDummyHash returns the hash a login compares against when the name is
// unknown, so a failed login takes as long whether or not the name exists.
// It is made on first use, with the gateway's Passwords: at the cost of the
// accounts it stands in for.
func newDummyHash(passwords auth.Hasher) func() []byte {
	return sync.OnceValue(func() []byte {
		h, _ := passwords.Hash("kefu-no-such-agent")
		return h
	})
}

type loginRequest struct {
	Name     string `json:"name"`
	Password string `json:"password"`
}

type loginReply struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	Agent     agentOut  `json:"agent"`
}

type agentOut struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Role     string `json:"role"`
	Capacity int    `json:"capacity"`
}

// Login serves POST /api/login: an agent's name and password for a token
// to open /ws with.
func (g *Gateway) Login() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		var req loginRequest
		dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxLoginBody))
		if err := dec.Decode(&req); err != nil || strings.TrimSpace(req.Name) == "" || req.Password == "" {
			writeError(w, http.StatusBadRequest, "bad_request", `expected JSON {"name":"…","password":"…"}`)
			return
		}
		if !g.loginAllowed(w, r, req.Name) {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		a, hash, err := g.cfg.Identity.Store.AgentByName(ctx, strings.TrimSpace(req.Name))
		switch {
		case errors.Is(err, store.ErrNotFound):
			auth.CheckPassword(g.dummyHash(), req.Password)
			writeError(w, http.StatusUnauthorized, "bad_credentials", "wrong name or password")
			return
		case err != nil:
			g.cfg.Log.Error("login: store", "err", err)
			writeError(w, http.StatusServiceUnavailable, "unavailable", "try again")
			return
		case !auth.CheckPassword(hash, req.Password):
			writeError(w, http.StatusUnauthorized, "bad_credentials", "wrong name or password")
			return
		}
		g.loggedIn(req.Name)
		expires := time.Now().Add(AgentTokenTTL)
		token, err := g.cfg.Identity.Signer.Issue(auth.Claims{
			Subject: a.ID, Role: string(a.Role), Name: a.Name, ExpiresAt: expires,
			Generation: a.TokenGeneration, // revoking the account's sessions outdates it
		})
		if err != nil {
			g.cfg.Log.Error("login: cannot issue token", "err", err)
			writeError(w, http.StatusInternalServerError, "internal", "internal error")
			return
		}
		g.cfg.Log.Info("agent logged in", "agent", a.ID, "name", a.Name)
		writeJSON(w, http.StatusOK, loginReply{Token: token, ExpiresAt: expires.UTC().Truncate(time.Second), Agent: agentOut{a.ID, a.Name, string(a.Role), min(a.Capacity, g.cfg.MaxCapacity)}})
	})
}

// writeError answers with the API's error shape.
func writeError(w http.ResponseWriter, status int, code, message string) {
	writeJSON(w, status, map[string]string{"error": message, "code": code})
}
