package transport

import (
	"context"
	"errors"
	"net/http"

	"kefu/actors"
	"kefu/store"
)

// Signing out, over HTTP with the login token as a bearer token:
//
//	POST /api/logout                  this token stops working
//	POST /api/agents/{name}/revoke    every token of the account issued so far stops working (supervisors)
//
// Either way the sockets that said hello with a token now refused are
// closed with 4003 "unauthorized: token revoked". A password change
// (`kefu agent passwd`) revokes like the second, but from outside the
// running server, so open sockets last until they reconnect.

// Logout serves POST /api/logout: the bearer token is signed out. It is
// recorded in the store (until it would have expired anyway), so it fails on
// every API and hello from now on, and this server's sockets that used it
// are closed. The account's other tokens, in other browsers, keep working.
func (g *Gateway) Logout() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		c, a, ok := g.agentToken(w, r)
		if !ok {
			return
		}
		ctx, cancel := context.WithTimeout(r.Context(), storeTimeout)
		defer cancel()
		if err := g.cfg.Identity.Store.RevokeToken(ctx, c.ID, c.ExpiresAt); err != nil {
			g.storeFailed(w, "sign out", err)
			return
		}
		g.kickSessions(actors.KickSessions{Agent: a.ID, TokenID: c.ID})
		g.cfg.Log.Info("agent signed out", "agent", a.ID)
		w.WriteHeader(http.StatusNoContent)
	})
}

// RevokeAgentSessions serves POST /api/agents/{name}/revoke: a supervisor
// signs an account out everywhere, as after a lost laptop. The account's
// token generation rises, so every token issued before fails; a login
// after works as usual. A supervisor may do it to their own account, which
// signs out the token they asked with too.
func (g *Gateway) RevokeAgentSessions() http.Handler {
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
		gen, err := g.cfg.Identity.Store.RevokeSessions(ctx, a.ID)
		switch {
		case errors.Is(err, store.ErrNotFound): // removed in between
			writeError(w, http.StatusNotFound, "not_found", "no such account")
			return
		case err != nil:
			g.storeFailed(w, "revoke sessions", err)
			return
		}
		g.kickSessions(actors.KickSessions{Agent: a.ID, Below: gen})
		g.cfg.Log.Info("agent sessions revoked over HTTP", "agent", a.ID, "name", a.Name, "by", who.id)
		w.WriteHeader(http.StatusNoContent)
	})
}

// kickSessions asks the sessions actor to close the sockets that said
// hello with the tokens k names. The agent's conversations stay theirs for
// the grace period, as when a tab closes: logging in again within it picks
// them up.
func (g *Gateway) kickSessions(k actors.KickSessions) {
	g.cfg.Root.Send(g.cfg.Dir.PID(actors.KindSessions, actors.SessionsID), &k)
}
