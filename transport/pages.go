package transport

import (
	"io/fs"
	"net/http"
	"strings"
)

// The pages: top-level files (the customer widget at /, its scripts and
// styles, the tutorial's pages), the agent console at /agent, each page's
// dictionary under /i18n/, and /embed, the widget for other sites' iframes.
// Nothing here is deeper than one directory, so a GET on an API path meant
// for another method (GET /api/login) still reaches the mux's 405.

// pageRoutes adds the page routes to mux. embedAncestors is the
// frame-ancestors source list of /embed.
func pageRoutes(mux *http.ServeMux, pages fs.FS, embedAncestors string) {
	files := http.FileServerFS(pages)
	mux.Handle("GET /{$}", files)
	mux.Handle("GET /{file}", files)
	mux.Handle("GET /i18n/{file}", files)
	mux.Handle("GET /agent", page(pages, "agent.html"))
	mux.Handle("GET /supervisor", page(pages, "supervisor.html"))
	mux.Handle("GET /embed", frameable(embedAncestors, page(pages, "index.html")))
}

// page serves one file at a path that is not its name.
func page(pages fs.FS, name string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.ServeFileFS(w, r, pages, name)
	})
}

// contentPolicy is every response's Content-Security-Policy, with
// ancestors as its frame-ancestors: who may show the page in a frame.
func contentPolicy(ancestors string) string {
	return "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors " +
		ancestors + "; base-uri 'none'; form-action 'self'"
}

// frameable lets other sites show the page in an iframe: the widget that
// widget.js embeds. The page keeps the rest of the policy, and runs on this
// server's origin, so its storage and socket stay its own. Only this route
// drops X-Frame-Options (which cannot name other origins); every other page
// may be framed only by this server's own.
func frameable(ancestors string, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Security-Policy", contentPolicy(ancestors))
		h.Del("X-Frame-Options")
		next.ServeHTTP(w, r)
	})
}

// embedAncestors is who may frame /embed: the origins in -allow-origins,
// which an operator who lists them means to trust, or any site when none
// are listed, since a widget is meant to be put on other sites. Entries
// that would break out of the directive are left out.
func embedAncestors(allowed []string) string {
	var out []string
	for _, o := range allowed {
		if o != "" && !strings.ContainsAny(o, " \t\r\n;,'\"") {
			out = append(out, o)
		}
	}
	if len(out) == 0 {
		return "*"
	}
	return "'self' " + strings.Join(out, " ")
}
