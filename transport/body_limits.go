package transport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"time"

	"kefu/limit"
)

// maxBody bounds every request's body, on every route: the API's bodies
// (a login, a new account) are at most 4 KiB, and nothing else takes one.
const maxBody = 64 << 10

// limitBody is boundBody with the gateway's BodyTimeout, counting each
// body not received in time as an offence. An upload's body has bounds of
// its own (-upload-max, -upload-timeout): files are larger than the API's
// bodies, and a phone may take a while to send one.
func (g *Gateway) limitBody(next http.Handler) http.Handler {
	gs := g.guards
	timedOut := func(r *http.Request) {
		gs.offences.Record(limit.BodyTimeout, "remote", clientKey(r, gs.limits.TrustProxy), "path", r.URL.Path)
	}
	api := boundBody(next, bodyBound{max: maxBody, timeout: gs.limits.BodyTimeout}, timedOut)
	up := g.cfg.Uploads
	uploads := boundBody(next, bodyBound{max: up.MaxBytes, timeout: up.Timeout, tooLarge: tooLarge(up.MaxBytes)}, timedOut)
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == uploadsPath {
			uploads.ServeHTTP(w, r)
			return
		}
		api.ServeHTTP(w, r)
	})
}

// BoundBody is boundBody with the default timeout, for listeners without a
// gateway (the profiler's).
func BoundBody(next http.Handler) http.Handler {
	return boundBody(next, bodyBound{max: maxBody, timeout: DefaultAbuseLimits().BodyTimeout}, nil)
}

// bodyBound is how large a body may be and how long it may take;
// tooLarge is what a 413 says ("" for the bytes).
type bodyBound struct {
	max      int64
	timeout  time.Duration
	tooLarge string
}

// boundBody reads a request's body whole, within timeout of its headers
// (no limit if timeout <= 0) and at most maxBody, before next sees the
// request. A client that trickles its body, or never finishes it, holds its
// connection no longer than timeout whatever route it asks for: without
// this, net/http waits with no deadline for the rest of the body of a
// request it has answered, to reuse the connection. Too slow: 408 (and
// timedOut is called, if not nil); too large: 413; cut short: 400. Each
// closes the connection.
//
// http.Server.ReadTimeout would bound the body too, but at its deadline it
// also cancels the context of a handler still running: the server's
// background read, waiting for the next request, fails with it.
func boundBody(next http.Handler, b bodyBound, timedOut func(*http.Request)) http.Handler {
	timeout := b.timeout
	if b.tooLarge == "" {
		b.tooLarge = fmt.Sprintf("request body over %d bytes", b.max)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength == 0 || r.Body == nil || r.Body == http.NoBody {
			next.ServeHTTP(w, r)
			return
		}
		rc := http.NewResponseController(w)
		if timeout > 0 {
			_ = rc.SetReadDeadline(time.Now().Add(timeout))
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, b.max))
		var tooLarge *http.MaxBytesError
		switch {
		case errors.Is(err, os.ErrDeadlineExceeded):
			if timedOut != nil {
				timedOut(r)
			}
			refuseBody(w, r, http.StatusRequestTimeout, "body_timeout", fmt.Sprintf("request body not received within %s", timeout))
			return
		case errors.As(err, &tooLarge):
			refuseBody(w, r, http.StatusRequestEntityTooLarge, "too_large", b.tooLarge)
			return
		case err != nil:
			refuseBody(w, r, http.StatusBadRequest, "bad_request", "request body cut short")
			return
		}
		// Whole: the connection waits for the next request with no
		// deadline but IdleTimeout, as after a request without a body.
		_ = rc.SetReadDeadline(time.Time{})
		r.Body = io.NopCloser(bytes.NewReader(body))
		next.ServeHTTP(w, r)
	})
}

// refuseBody answers a request whose body could not be read, in the API's
// error shape on /api/* and in plain text elsewhere, and closes the
// connection: what is left of the body will not be read.
func refuseBody(w http.ResponseWriter, r *http.Request, status int, code, message string) {
	w.Header().Set("Connection", "close")
	if strings.HasPrefix(r.URL.Path, "/api/") {
		writeError(w, status, code, message)
		return
	}
	http.Error(w, message, status)
}
