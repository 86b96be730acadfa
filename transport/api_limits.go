package transport

import (
	"net/http"
	"strings"

	"kefu/limit"
)

// limitRequests holds the HTTP API (/api/*) and /getroom to each client
// address's budget, answering 429 beyond it. The pages, /healthz and the
// WebSocket endpoints (which have limits of their own) pass untouched.
func (g *Gateway) limitRequests(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") || r.URL.Path == "/getroom" {
			ip := clientKey(r, g.guards.limits.TrustProxy)
			if ok, retry := g.guards.api.Allow(ip); !ok {
				g.guards.offences.Record(limit.APIRate, "remote", ip, "path", r.URL.Path)
				tooManyJSON(w, retry, "too many requests")
				return
			}
		}
		next.ServeHTTP(w, r)
	})
}

// loginAllowed checks a login attempt against its address's and its
// account name's budgets, answering 429 when either is spent. The name's
// budget is spent whether or not the account exists, and before the store
// is asked, so the answer says nothing about the account.
func (g *Gateway) loginAllowed(w http.ResponseWriter, r *http.Request, name string) bool {
	gs := g.guards
	ip := clientKey(r, gs.limits.TrustProxy)
	if ok, retry := gs.loginIP.Allow(ip); !ok {
		gs.offences.Record(limit.LoginIP, "remote", ip)
		tooManyJSON(w, retry, "too many login attempts")
		return false
	}
	if ok, retry := gs.loginName.Allow(gs.nameKey(name)); !ok {
		// The name is not logged: it may be a password typed in the
		// wrong box.
		gs.offences.Record(limit.LoginName, "remote", ip)
		tooManyJSON(w, retry, "too many login attempts")
		return false
	}
	return true
}

// loggedIn forgets the failures counted against an account name once
// someone proves they know its password.
func (g *Gateway) loggedIn(name string) {
	g.guards.loginName.Forget(g.guards.nameKey(name))
}
