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
// closed with 4003 "unauthorized: token revoked", on every node sharing
// the store: this node's by its sessions actor, the others' through
// Config.Kicks (PostgreSQL NOTIFY, package kicks). A password change
// (`kefu agent passwd`) revokes like the second, from outside the running
// server: on PostgreSQL it publishes the same kick, so open sockets close
// too; on SQLite they last until they reconnect.

// KickPublisher tells every node sharing the store to close the sockets a
// kick names (kicks.Bus). Best-effort: the store already refuses the
// token, so a node that misses it keeps only sockets that said hello
// before, and only until they reconnect.
type KickPublisher interface {
	Publish(ctx context.Context, k actors.KickSessions) error
}

// Logout serves POST /api/logout: the bearer token is signed out. It is
// recorded in the store (until it would have expired anyway), so it fails on
// every API and hello from now on, and the sockets that used it are
// closed, on every node. The account's other tokens, in other browsers,
// keep working.
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
		g.kickSessions(ctx, actors.KickSessions{Agent: a.ID, TokenID: c.ID})
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
		g.kickSessions(ctx, actors.KickSessions{Agent: a.ID, Below: gen})
		g.cfg.Log.Info("agent sessions revoked over HTTP", "agent", a.ID, "name", a.Name, "by", who.id)
		w.WriteHeader(http.StatusNoContent)
	})
}

// kickSessions asks the sessions actors to close the sockets that said
// hello with the tokens k names: this node's at once, and every node's
// (this one's again) through Kicks. A kick handled twice closes nothing
// more (sessions forgets a socket as it kicks it), and this node's sockets
// close even if the NOTIFY is slow or fails. The agent's conversations stay
// theirs for the grace period, as when a tab closes: logging in again
// within it picks them up.
func (g *Gateway) kickSessions(ctx context.Context, k actors.KickSessions) {
	g.cfg.Root.Send(g.cfg.Dir.PID(actors.KindSessions, actors.SessionsID), &k)
	if g.cfg.Kicks == nil {
		return
	}
	// Not cut short by a client that hangs up: the refusal is stored, and
	// the other nodes' sockets should close all the same.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), storeTimeout)
	defer cancel()
	if err := g.cfg.Kicks.Publish(ctx, k); err != nil {
		// The refusal is stored, so the answer stays a success: only
		// other nodes' sockets from before stay, until they reconnect.
		g.cfg.Log.Warn("sign-out not published to the other nodes; their open sockets stay until they reconnect", "agent", k.Agent, "err", err)
	}
}
