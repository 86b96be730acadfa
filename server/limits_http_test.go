package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"kefu/limit"
	"kefu/store"
	"kefu/transport"
)

// httpAnswer is one HTTP answer as the limit tests look at it.
type httpAnswer struct {
	status int
	retry  string // Retry-After
	body   string
}

func (ts *testServer) do(t *testing.T, method, path, body string) httpAnswer {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+ts.Addr()+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", method, path, err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return httpAnswer{res.StatusCode, res.Header.Get("Retry-After"), string(b)}
}

// loginAs posts a login for name with password.
func (ts *testServer) loginAs(t *testing.T, name, password string) httpAnswer {
	t.Helper()
	return ts.do(t, "POST", "/api/login", encodeJSON(t, obj{"name": name, "password": password}))
}

// expectTooMany checks a 429 with a Retry-After and the API's error shape.
func expectTooMany(t *testing.T, a httpAnswer, message string) {
	t.Helper()
	if a.status != http.StatusTooManyRequests {
		t.Fatalf("status=%d %s, want 429", a.status, a.body)
	}
	if secs, err := strconv.Atoi(a.retry); err != nil || secs < 1 {
		t.Fatalf("Retry-After=%q, want whole seconds", a.retry)
	}
	want := `{"code":"rate_limited","error":"` + message + `; try again in ` + a.retry + ` s"}` + "\n"
	if a.body != want {
		t.Fatalf("body=%q, want %q", a.body, want)
	}
}

func expectStatus(t *testing.T, a httpAnswer, status int) {
	t.Helper()
	if a.status != status {
		t.Fatalf("status=%d %s, want %d", a.status, a.body, status)
	}
}

func TestAPIRate(t *testing.T) {
	ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) {
		l.API = limit.Rate{Limit: perHour, Burst: 2}
	})})
	t.Run("ErrOverRate", func(t *testing.T) {
		expectStatus(t, ts.do(t, "GET", "/api/conversations", ""), http.StatusUnauthorized)
		expectStatus(t, ts.do(t, "GET", "/getroom?userName=B", ""), http.StatusOK)
		expectTooMany(t, ts.do(t, "GET", "/api/conversations", ""), "too many requests")
		expectTooMany(t, ts.do(t, "POST", "/api/login", `{"name":"admin","password":"x"}`), "too many requests")
		expectTooMany(t, ts.do(t, "GET", "/getroom?userName=B", ""), "too many requests")
		if got, want := ts.Offences().Get(limit.APIRate), uint64(3); got != want {
			t.Fatalf("api_rate offences=%d, want %d", got, want)
		}
	})
	t.Run("OKPagesNotCounted", func(t *testing.T) {
		for _, path := range []string{"/healthz", "/", "/kefu.html"} {
			expectStatus(t, ts.do(t, "GET", path, ""), http.StatusOK)
		}
	})
}

func TestLoginLimits(t *testing.T) {
	t.Run("ErrPerName", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) {
			l.LoginName = limit.Rate{Limit: perHour, Burst: 2}
		})})
		ts.addAgent(t, "Alice", 3)
		expectStatus(t, ts.loginAs(t, "Alice", "wrong password 1"), http.StatusUnauthorized)
		expectStatus(t, ts.loginAs(t, "ALICE", "wrong password 2"), http.StatusUnauthorized)
		// One budget for every spelling the store takes as the same name,
		// and the right password does not get past it: a guesser would
		// learn which guess was right.
		expectTooMany(t, ts.loginAs(t, " alice ", testPassword), "too many login attempts")
		// A name with no account is limited alike, with the same answer.
		expectStatus(t, ts.loginAs(t, "Nobody", "guess 1"), http.StatusUnauthorized)
		expectStatus(t, ts.loginAs(t, "Nobody", "guess 2"), http.StatusUnauthorized)
		known, unknown := ts.loginAs(t, "Alice", "guess 3"), ts.loginAs(t, "Nobody", "guess 3")
		expectTooMany(t, unknown, "too many login attempts")
		if known != unknown {
			t.Fatalf("429 for an account=%+v, for no account=%+v: want them alike", known, unknown)
		}
		// Other names keep budgets of their own.
		ts.addAgent(t, "Carol", 3)
		if got, want := ts.Offences().Get(limit.LoginName), uint64(3); got != want {
			t.Fatalf("login_name offences=%d, want %d", got, want)
		}
	})
	t.Run("OKRightPasswordRefills", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) {
			l.LoginName = limit.Rate{Limit: perHour, Burst: 2}
		})})
		ts.addAgent(t, "Alice", 3)
		expectStatus(t, ts.loginAs(t, "Alice", "typo"), http.StatusUnauthorized)
		expectStatus(t, ts.loginAs(t, "Alice", testPassword), http.StatusOK)
		expectStatus(t, ts.loginAs(t, "Alice", "typo"), http.StatusUnauthorized)
		expectStatus(t, ts.loginAs(t, "Alice", "typo"), http.StatusUnauthorized)
		expectTooMany(t, ts.loginAs(t, "Alice", "typo"), "too many login attempts")
	})
	t.Run("ErrPerAddress", func(t *testing.T) {
		ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) {
			l.LoginIP = limit.Rate{Limit: perHour, Burst: 2}
		})})
		expectStatus(t, ts.loginAs(t, "a", "guess"), http.StatusUnauthorized)
		expectStatus(t, ts.loginAs(t, "b", "guess"), http.StatusUnauthorized)
		expectTooMany(t, ts.loginAs(t, "c", "guess"), "too many login attempts")
		// Only logins: the rest of the API is not held to this budget.
		expectStatus(t, ts.do(t, "GET", "/api/conversations", ""), http.StatusUnauthorized)
		if got, want := ts.Offences().Get(limit.LoginIP), uint64(1); got != want {
			t.Fatalf("login_ip offences=%d, want %d", got, want)
		}
	})
}

// TestJSONOnly: the API answers 415 to a body not declared JSON before any
// of its budgets is spent. A page on another site can make its visitors'
// browsers POST text/plain, a form or an untyped Blob without a preflight;
// were those read, it could spend an account's logins from anywhere.
func TestJSONOnly(t *testing.T) {
	ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) {
		l.API = limit.Rate{Limit: perHour, Burst: 2}
		l.LoginIP = limit.Rate{Limit: perHour, Burst: 2}
		l.LoginName = limit.Rate{Limit: perHour, Burst: 1}
	})})
	hash, err := testPasswords.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Store().CreateAgent(context.Background(), "Alice", hash, store.RoleAgent, 3); err != nil {
		t.Fatal(err)
	}
	post := func(method, path, contentType, body string) httpAnswer {
		t.Helper()
		req, err := http.NewRequest(method, "http://"+ts.Addr()+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if contentType != "" {
			req.Header.Set("Content-Type", contentType)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		b, _ := io.ReadAll(res.Body)
		return httpAnswer{status: res.StatusCode, body: string(b)}
	}
	wrong := `{"name":"Alice","password":"wrong password"}`
	t.Run("ErrNotJSON", func(t *testing.T) {
		const want = `{"code":"unsupported_media_type","error":"send the body as JSON, with Content-Type: application/json"}` + "\n"
		for _, c := range []struct{ method, path, contentType string }{
			{"POST", "/api/login", "text/plain"},
			{"POST", "/api/login", "text/plain;charset=UTF-8"},
			{"POST", "/api/login", "application/x-www-form-urlencoded"},
			{"POST", "/api/login", "multipart/form-data; boundary=x"},
			{"POST", "/api/login", ""}, // an untyped Blob
			{"POST", "/api/login", "application/jsonp"},
			{"POST", "/api/login", "text/plain"}, // again: still no budget spent
			{"POST", "/api/agents", "text/plain"},
			{"DELETE", "/api/agents/Alice", "text/plain"},
			{"POST", "/api/agents/Alice/revoke", "text/plain"},
			{"POST", "/api/logout", "text/plain"},
		} {
			if got := post(c.method, c.path, c.contentType, wrong); got.status != http.StatusUnsupportedMediaType || got.body != want {
				t.Errorf("%s %s as %q: %d %q, want 415 %q", c.method, c.path, c.contentType, got.status, got.body, want)
			}
		}
		for _, k := range []limit.Kind{limit.APIRate, limit.LoginIP, limit.LoginName} {
			if got := ts.Offences().Get(k); got != 0 {
				t.Errorf("%s offences=%d, want 0", k, got)
			}
		}
	})
	t.Run("OKJSON", func(t *testing.T) {
		// The name's budget (1) and the address's (2) are whole.
		right := encodeJSON(t, obj{"name": "Alice", "password": testPassword})
		expectStatus(t, post("POST", "/api/login", "application/json", right), http.StatusOK)
		expectStatus(t, post("POST", "/api/login", "application/json; charset=utf-8", right), http.StatusOK)
	})
}
