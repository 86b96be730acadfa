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
// body and no type (POST /api/logout, .../revoke, DELETE). An upload's
// body is a file: it is declared application/octet-stream, which needs a
// preflight too (its type is sniffed from the bytes, whatever it says).
func requireJSON(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == uploadsPath {
			if !declared(r, "application/octet-stream") {
				writeError(w, http.StatusUnsupportedMediaType, "unsupported_media_type", "send the file as the body, with Content-Type: application/octet-stream")
				return
			}
		} else if strings.HasPrefix(r.URL.Path, "/api/") && !declaredJSON(r) {
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
	if r.Header.Get("Content-Type") == "" {
		return r.ContentLength == 0
	}
	return declared(r, "application/json")
}

// declared reports whether r's Content-Type is media, parameters aside.
func declared(r *http.Request, media string) bool {
	got, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	return err == nil && got == media
}
