package transport

import (
	"io/fs"
	"net/http"
)

// Routes returns the main listener's handler: the pages, the native
// protocol at /ws and its login, the tutorial's /getroom and its WebSocket at
// /compat (so the pages need no second port), the HTTP API, and the
// liveness and readiness probes. /metrics is here only with
// Config.MetricsOnMain: the main listener faces customers, and the metrics
// show how busy the desk is (MetricsRoutes serves them apart). Every
// request's body is read within its time and size bounds first, and the
// API's must be declared JSON before its budgets are spent.
func (g *Gateway) Routes(pages fs.FS) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /getroom", g.GetRoom())
	mux.Handle("GET /compat", g.compatSocket(g.cfg.Origins))
	mux.Handle("GET /ws", g.NativeSocket())
	mux.Handle("POST /api/login", g.Login())
	mux.Handle("POST /api/logout", g.Logout())
	mux.Handle("POST /api/agents", g.CreateAgent())
	mux.Handle("GET /api/agents", g.ListAgentAccounts())
	mux.Handle("DELETE /api/agents/{name}", g.RemoveAgentAccount())
	mux.Handle("POST /api/agents/{name}/revoke", g.RevokeAgentSessions())
	mux.Handle("GET /api/conversations", g.ListConversations())
	mux.Handle("GET /api/search", g.Search())
	mux.Handle("GET /api/conversations/{id}", g.GetConversation())
	mux.Handle("GET /api/conversations/{id}/messages", g.ConversationMessages())
	mux.Handle("PUT /api/conversations/{id}/labels", g.SetLabels())
	mux.Handle("POST "+uploadsPath, g.Upload())
	mux.Handle("GET /api/files/{blob}", g.File())
	mux.Handle("GET /api/supervisor/stats", g.SupervisorStats())
	mux.Handle("GET /api/ratings", g.Ratings())
	mux.Handle("GET /api/teams", g.ListTeams())
	mux.Handle("POST /api/teams", g.CreateTeam())
	mux.Handle("PUT /api/teams/{id}", g.UpdateTeam())
	mux.Handle("PUT /api/teams/{id}/members", g.SetTeamMembers())
	mux.Handle("DELETE /api/teams/{id}", g.ArchiveTeam())
	mux.Handle("GET /api/canned", g.ListCanned())
	mux.Handle("POST /api/canned", g.CreateCanned())
	mux.Handle("PUT /api/canned/{id}", g.UpdateCanned())
	mux.Handle("DELETE /api/canned/{id}", g.DeleteCanned())
	mux.Handle("GET /api/widget", g.Widget())
	mux.Handle("PUT /api/widget", g.SetWidget())
	if g.cfg.MetricsOnMain {
		mux.Handle("GET /metrics", metricsHandler(g.metrics))
	}
	mux.Handle("GET /healthz", Healthz())
	mux.Handle("GET /readyz", g.Ready())
	// The pages are one level deep, plus their dictionaries. Serving them
	// at "GET /" would also answer GET on every API path meant for another
	// method (GET /api/login) with the pages' 404, where the mux says 405.
	pageRoutes(mux, pages, embedAncestors(g.cfg.Origins.Allowed))
	return securityHeaders(g.limitBody(requireJSON(g.limitRequests(mux))))
}

// MetricsRoutes returns the metrics listener's handler: /metrics and the
// two probes, for a port that only the monitoring network reaches.
func (g *Gateway) MetricsRoutes() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("GET /metrics", metricsHandler(g.metrics))
	mux.Handle("GET /healthz", Healthz())
	mux.Handle("GET /readyz", g.Ready())
	return securityHeaders(g.limitBody(mux))
}

// CompatRoutes returns the compat listener's handler: the tutorial's
// WebSocket at any path, as its pages call ws://HOST:3000?type=&name=.
func (g *Gateway) CompatRoutes() http.Handler {
	return securityHeaders(g.limitBody(g.compatSocket(g.cfg.CompatOrigins)))
}

// securityHeaders sets the headers every response carries. The policy
// forbids inline script and any origin but our own: the pages load their
// code from files, and no chat text can become code.
func securityHeaders(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentPolicy("'self'"))
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("X-Frame-Options", "SAMEORIGIN")
		next.ServeHTTP(w, r)
	})
}
