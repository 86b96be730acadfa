package server

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"strings"
	"testing"

	"github.com/gorilla/websocket"

	"kefu/accounts"
	"kefu/auth"
)

// TestAccessSecrets: passwords and tokens never reach the log, at any
// level, and hashes never leave the server, whatever happens to an
// account: created, logged in with the right and wrong passwords, refused
// for a bad password, its password changed, listed. The one exception is
// the first start's one-time password, logged once by design
// (docs/operations.md).
func TestAccessSecrets(t *testing.T) {
	logs := &durLog{}
	ts := startServer(t, Config{Log: slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	boss := ts.supervisorToken(t)
	// Each password is its own string, so a leak says which step it was.
	pw := map[string]string{
		"created":  "pw-created-Hq7vX2",
		"wrong":    "pw-wrong-Lm3kR9",
		"unknown":  "pw-unknown-Tz5wB1",
		"short":    "pw-s",
		"long":     "pw-long-" + strings.Repeat("Q", auth.MaxPasswordLen),
		"taken":    "pw-taken-Nc8dF4",
		"blank":    "pw-blank-Vy6gJ0",
		"changed":  "pw-changed-Ws2hK7",
		"overlong": "", // the created one and more: bcrypt would read only 72 bytes
	}
	pw["overlong"] = pw["created"] + strings.Repeat("x", auth.MaxPasswordLen)
	var tokens, bodies []string
	keep := func(status int, body []byte, wantStatus int) {
		t.Helper()
		if status != wantStatus {
			t.Fatalf("status=%d, want %d: %s", status, wantStatus, body)
		}
		bodies = append(bodies, string(body))
	}
	post := func(path, token, body string) (int, []byte) {
		t.Helper()
		req, err := http.NewRequest("POST", "http://"+ts.Addr()+path, strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		req.Header.Set("Content-Type", "application/json")
		if token != "" {
			req.Header.Set("Authorization", "Bearer "+token)
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		out := new(bytes.Buffer)
		if _, err := out.ReadFrom(res.Body); err != nil {
			t.Fatal(err)
		}
		return res.StatusCode, out.Bytes()
	}

	t.Run("Create", func(t *testing.T) {
		status, body := post("/api/agents", boss, `{"name":"Paula","password":"`+pw["created"]+`"}`)
		keep(status, body, http.StatusCreated)
		for _, bad := range []string{"short", "long"} {
			status, body := post("/api/agents", boss, `{"name":"Pia","password":"`+pw[bad]+`"}`)
			keep(status, body, http.StatusBadRequest)
		}
		status, body = post("/api/agents", boss, `{"name":"Paula","password":"`+pw["taken"]+`"}`)
		keep(status, body, http.StatusConflict)
	})
	t.Run("Login", func(t *testing.T) {
		status, body := ts.login(t, encodeJSON(t, obj{"name": "Paula", "password": pw["created"]}))
		keep(status, body, http.StatusOK)
		var r loginBody
		decode(t, body, &r)
		tokens = append(tokens, r.Token)
		for name, want := range map[string]int{"wrong": 401, "overlong": 401} {
			status, body := ts.login(t, encodeJSON(t, obj{"name": "Paula", "password": pw[name]}))
			keep(status, body, want)
		}
		status, body = ts.login(t, encodeJSON(t, obj{"name": "Nobody", "password": pw["unknown"]}))
		keep(status, body, http.StatusUnauthorized)
		status, body = ts.login(t, encodeJSON(t, obj{"name": " ", "password": pw["blank"]}))
		keep(status, body, http.StatusBadRequest)
	})
	// kefu has no password change over HTTP: `kefu agent passwd` changes
	// it in the store, beside the running server.
	t.Run("Change", func(t *testing.T) {
		var out, errOut bytes.Buffer
		err := accounts.Command(context.Background(),
			accounts.Config{Stdin: strings.NewReader(pw["changed"] + "\n"), Stdout: &out, Stderr: &errOut, Passwords: testPasswords},
			[]string{"passwd", "-data", ts.cfg.DataDir, "-store", ts.cfg.Store, "-password-stdin", "Paula"})
		if err != nil {
			t.Fatalf("passwd: %v: %s", err, errOut.String())
		}
		if s := out.String() + errOut.String(); strings.Contains(s, pw["changed"]) {
			t.Fatalf("passwd printed the password it was given: %s", s)
		}
		status, body := ts.login(t, encodeJSON(t, obj{"name": "Paula", "password": pw["changed"]}))
		keep(status, body, http.StatusOK)
		var r loginBody
		decode(t, body, &r)
		tokens = append(tokens, r.Token)
		status, body = ts.login(t, encodeJSON(t, obj{"name": "Paula", "password": pw["created"]}))
		keep(status, body, http.StatusUnauthorized)
	})
	t.Run("Use", func(t *testing.T) {
		agent := ts.agentOnline(t, account{Name: "Paula", Token: tokens[len(tokens)-1]})
		cust := ts.customerOnline(t, "Cleo")
		tokens = append(tokens, cust.token)
		assign(t, agent, cust)
		req, _ := http.NewRequest("GET", "http://"+ts.Addr()+"/api/agents", nil)
		req.Header.Set("Authorization", "Bearer "+boss)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body := new(bytes.Buffer)
		_, _ = body.ReadFrom(res.Body)
		keep(res.StatusCode, body.Bytes(), http.StatusOK)
	})

	_, hash, err := ts.Store().AgentByName(context.Background(), "Paula")
	if err != nil {
		t.Fatal(err)
	}
	log := logs.String()
	t.Run("NotInLog", func(t *testing.T) {
		for name, p := range pw {
			if strings.Contains(log, p) {
				t.Errorf("the log holds the %s password %q:\n%s", name, p, log)
			}
		}
		for _, tok := range append(tokens, boss) {
			if strings.Contains(log, tok) {
				t.Errorf("the log holds a token:\n%s", log)
			}
		}
		for _, h := range []string{string(hash), "$2a$", "$2b$", "$2y$"} {
			if strings.Contains(log, h) {
				t.Errorf("the log holds a hash %q:\n%s", h, log)
			}
		}
		if got, want := strings.Count(log, "one-time password"), 1; got != want {
			t.Errorf("%d lines with a one-time password, want %d: the first start's only", got, want)
		}
	})
	t.Run("NotInBodies", func(t *testing.T) {
		for _, body := range bodies {
			for name, p := range pw {
				if strings.Contains(body, p) {
					t.Errorf("a reply holds the %s password: %s", name, body)
				}
			}
			for _, h := range []string{string(hash), "$2a$", "$2b$", "$2y$", `"password"`} {
				if strings.Contains(body, h) {
					t.Errorf("a reply holds %q: %s", h, body)
				}
			}
		}
	})
}

// TestAccessNoCookies: kefu authenticates with tokens in frames and
// headers, never cookies, so no response sets one, upgrades included.
// TestAccessHTTP checks every other endpoint.
func TestAccessNoCookies(t *testing.T) {
	ts := startServer(t, Config{})
	for _, url := range []string{"ws://" + ts.Addr() + "/ws", ts.compatURL("kefu", "Kai"), "ws://" + ts.Addr() + "/compat?type=kefu&name=Kim"} {
		ws, res, err := websocket.DefaultDialer.Dial(url, nil)
		if err != nil {
			t.Fatalf("dial %s: %v", url, err)
		}
		ws.Close()
		if c := res.Header.Values("Set-Cookie"); len(c) > 0 {
			t.Fatalf("%s: Set-Cookie %q", url, c)
		}
	}
}
