package transport

import (
	"context"
	"net/http"
	"time"

	"kefu/actors"
)

// readyTimeout bounds each readiness check. A load balancer probes every
// few seconds; a store or dispatcher slower than this is not serving.
const readyTimeout = 2 * time.Second

// Healthz serves GET /healthz: the process is up and serving HTTP. It
// checks nothing else, so a restart is never triggered by a slow disk.
func Healthz() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		plain(w, http.StatusOK, "ok")
	})
}

// Ready serves GET /readyz: 200 when the store answers a trivial query and
// every pool's dispatcher answers GetStats, each within readyTimeout, and
// on a cluster the node holds its lease and agrees on membership; otherwise 503
// naming which did not. The reason is a fixed phrase: the error itself
// goes to the log, not to whoever probes.
func (g *Gateway) Ready() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if g.cfg.Identity != nil {
			ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
			_, err := g.cfg.Identity.Store.CountAgents(ctx)
			cancel()
			if err != nil {
				g.cfg.Log.Warn("not ready: the store did not answer", "err", err)
				plain(w, http.StatusServiceUnavailable, "not ready: store unavailable")
				return
			}
		}
		if g.cfg.Member != nil && !g.cfg.Member() {
			plain(w, http.StatusServiceUnavailable, "not ready: no lease, or the cluster's members and leases differ")
			return
		}
		if _, err := actors.AskStats(g.cfg.Root, g.cfg.Dir, readyTimeout); err != nil {
			g.cfg.Log.Warn("not ready: the dispatcher did not answer", "err", err)
			plain(w, http.StatusServiceUnavailable, "not ready: dispatcher unavailable")
			return
		}
		plain(w, http.StatusOK, "ready")
	})
}

func plain(w http.ResponseWriter, status int, line string) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(line + "\n"))
}
