package server

import (
	"io"
	"net/http"
	"strings"
	"testing"
)

// TestPages: every page is served, none may be framed by another site but
// /embed, the widget for other sites' iframes, which keeps the rest of the
// policy; and the page routes leave the API's 405s alone.
func TestPages(t *testing.T) {
	get := func(t *testing.T, ts *testServer, method, path string) (*http.Response, string) {
		t.Helper()
		req, err := http.NewRequest(method, "http://"+ts.Addr()+path, nil)
		if err != nil {
			t.Fatal(err)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body, err := io.ReadAll(res.Body)
		if err != nil {
			t.Fatal(err)
		}
		return res, string(body)
	}
	const strict = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'self'; base-uri 'none'; form-action 'self'"
	embedPolicy := func(ancestors string) string {
		return strings.Replace(strict, "frame-ancestors 'self'", "frame-ancestors "+ancestors, 1)
	}

	ts := startServer(t, Config{})
	t.Run("OK", func(t *testing.T) {
		for path, want := range map[string]struct {
			status      int
			contentType string
		}{
			"/":                  {http.StatusOK, "text/html"},
			"/agent":             {http.StatusOK, "text/html"},
			"/tutorial.html":     {http.StatusOK, "text/html"},
			"/kefu-client.js":    {http.StatusOK, "text/javascript"},
			"/widget.js":         {http.StatusOK, "text/javascript"},
			"/i18n/customer.js":  {http.StatusOK, "text/javascript"},
			"/i18n/agent.js":     {http.StatusOK, "text/javascript"},
			"/i18n/nothing.js":   {http.StatusNotFound, ""},
			"/static/index.html": {http.StatusNotFound, ""},
			"/agent/":            {http.StatusNotFound, ""},
		} {
			res, _ := get(t, ts, "GET", path)
			if got := res.StatusCode; got != want.status {
				t.Errorf("GET %s: status=%d, want %d", path, got, want.status)
			}
			if got := res.Header.Get("Content-Type"); !strings.HasPrefix(got, want.contentType) {
				t.Errorf("GET %s: Content-Type=%q, want %s", path, got, want.contentType)
			}
			if got := res.Header.Get("Content-Security-Policy"); got != strict {
				t.Errorf("GET %s: CSP=%q, want %q", path, got, strict)
			}
			if got, want := res.Header.Get("X-Frame-Options"), "SAMEORIGIN"; got != want {
				t.Errorf("GET %s: X-Frame-Options=%q, want %q", path, got, want)
			}
		}
	})
	t.Run("EmbedFrameable", func(t *testing.T) {
		res, body := get(t, ts, "GET", "/embed")
		_, index := get(t, ts, "GET", "/")
		if res.StatusCode != http.StatusOK || body != index {
			t.Fatalf("GET /embed: status=%d, want 200 and the widget page", res.StatusCode)
		}
		if got, want := res.Header.Get("Content-Security-Policy"), embedPolicy("*"); got != want {
			t.Fatalf("CSP=%q, want %q", got, want)
		}
		if got := res.Header.Values("X-Frame-Options"); len(got) != 0 {
			t.Fatalf("X-Frame-Options=%q, want none: it cannot name other sites", got)
		}
		if got, want := res.Header.Get("X-Content-Type-Options"), "nosniff"; got != want {
			t.Fatalf("X-Content-Type-Options=%q, want %q", got, want)
		}
	})
	t.Run("EmbedAllowedOrigins", func(t *testing.T) {
		ts := startServer(t, Config{AllowedOrigins: []string{"https://shop.example", "https://evil.example; script-src *", "http://b.example:8080"}})
		res, _ := get(t, ts, "GET", "/embed")
		if got, want := res.Header.Get("Content-Security-Policy"), embedPolicy("'self' https://shop.example http://b.example:8080"); got != want {
			t.Fatalf("CSP=%q, want %q", got, want)
		}
	})
	t.Run("ErrMethod", func(t *testing.T) {
		for _, r := range []struct{ method, path string }{
			{"POST", "/agent"}, {"POST", "/embed"}, {"GET", "/api/login"}, {"DELETE", "/i18n/agent.js"},
		} {
			if res, _ := get(t, ts, r.method, r.path); res.StatusCode != http.StatusMethodNotAllowed {
				t.Errorf("%s %s: status=%d, want 405", r.method, r.path, res.StatusCode)
			}
		}
	})
}
