package transport

import (
	"mime"
	"net/http"
	"strings"
)

// requireJSON answers 415 to an /api/* request whose body is not declared
// JSON, before the API's budgets are spent. Without it, a page on any
// site could spend an account's login budget from its visitors' browsers:
// a cross-site POST of text/plain, a form or an untyped Blob needs no
// preflight, where one of application/json does (and is refused, as we
// send no CORS headers). GET and HEAD pass, and so does a request with no
// body and no type (POST /api/logout, .../revoke, DELETE).
func requireJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if strings.HasPrefix(r.URL.Path, "/api/") && !declaredJSON(r) {
			writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send the body as JSON, with Content-Type: application/json")
			return
		}
		next.ServeHTTP(w, r)
	})
}

// declaredJSON reports whether r's Content-Type is application/json (its
// parameters, such as charset, aside), or r has no type and no body.
func declaredJSON(r *http.Request) bool {
	if r.Method == http.MethodGet || r.Method == http.MethodHead {
		return true
	}
	ct := r.Header.Get("Content-Type")
	if ct == "" {
		return r.ContentLength == 0
	}
	media, _, err := mime.ParseMediaType(ct)
	return err == nil && media == "application/json"
}
