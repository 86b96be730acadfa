package server

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"kefu/store"
)

// TestAccessHTTP sends every HTTP endpoint from every kind of caller and
// checks each gets exactly its status and no more: no other caller's
// conversations, no password or hash, no cookie. docs/reliability.md,
// "Access control", has the table in words.
func TestAccessHTTP(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	for _, who := range httpCallers() {
		// Accounts for DELETE to aim at, one per caller.
		hash, err := testPasswords.Hash(testPassword)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.ts.Store().CreateAgent(ctx, "victim-"+who, hash, store.RoleAgent, 1); err != nil {
			t.Fatal(err)
		}
		if _, err := w.ts.Store().CreateAgent(ctx, "revokee-"+who, hash, store.RoleAgent, 1); err != nil {
			t.Fatal(err)
		}
	}
	for _, row := range httpTable() {
		t.Run(row.name, func(t *testing.T) {
			for _, who := range httpCallers() {
				t.Run(who, func(t *testing.T) {
					status, body, header := w.call(t, row, who)
					want, ok := row.want[who]
					if !ok {
						want = row.rest
					}
					path := row.path(w, who)
					if status != want {
						t.Fatalf("%s %s as %s: status=%d, want %d: %s", row.method, path, who, status, want, body)
					}
					noSecrets(t, w, body, header, row.name == "LoginRight")
					securityHeadersSet(t, header)
					// A login's refusal is bad_credentials; a token's, unauthorized.
					if status == http.StatusUnauthorized && path != "/api/login" && !bytes.Contains(body, []byte(`"code":"unauthorized"`)) {
						t.Fatalf("401 body=%s, want code unauthorized", body)
					}
					if row.check != nil {
						row.check(t, w, who, status, body)
					}
				})
			}
		})
	}

	// A conversation the caller did not serve is answered exactly as one
	// that does not exist, so ids cannot be probed.
	t.Run("NotServedLooksUnknown", func(t *testing.T) {
		for _, suffix := range []string{"", "/messages"} {
			_, notServed, _ := w.call(t, httpRow{method: "GET", path: fixed("/api/conversations/" + w.convA + suffix)}, agentY)
			_, unknown, _ := w.call(t, httpRow{method: "GET", path: fixed("/api/conversations/cv_nosuch" + suffix)}, agentY)
			if !bytes.Equal(notServed, unknown) {
				t.Fatalf("not served=%s, unknown=%s: want the same", notServed, unknown)
			}
		}
	})
	// Refused callers changed nothing.
	t.Run("RefusedChangedNothing", func(t *testing.T) {
		for _, who := range httpCallers() {
			_, _, err := w.ts.Store().AgentByName(ctx, "new-"+who)
			if created := err == nil; created != (who == super) {
				t.Errorf("POST /api/agents as %s: account created=%v (err %v)", who, created, err)
			}
			_, _, err = w.ts.Store().AgentByName(ctx, "victim-"+who)
			if gone := errors.Is(err, store.ErrNotFound); gone != (who == super) {
				t.Errorf("DELETE /api/agents as %s: account removed=%v (err %v)", who, gone, err)
			}
			a, _, err := w.ts.Store().AgentByName(ctx, "revokee-"+who)
			if err != nil || (a.TokenGeneration == 1) != (who == super) {
				t.Errorf("POST /api/agents/…/revoke as %s: generation=%d (err %v)", who, a.TokenGeneration, err)
			}
		}
	})
}

// securityHeadersSet checks the headers every response carries, refusals
// included: no inline script may run in anything served, nothing is
// sniffed into another type, and no address leaks in a Referer.
func securityHeadersSet(t *testing.T, h http.Header) {
	t.Helper()
	if csp := h.Get("Content-Security-Policy"); !strings.Contains(csp, "script-src 'self'") || strings.Contains(csp, "unsafe-inline") {
		t.Fatalf("Content-Security-Policy %q, want script-src 'self' and no unsafe-inline", csp)
	}
	if got := h.Get("X-Content-Type-Options"); got != "nosniff" {
		t.Fatalf("X-Content-Type-Options %q, want nosniff", got)
	}
	if got := h.Get("Referrer-Policy"); got != "no-referrer" {
		t.Fatalf("Referrer-Policy %q, want no-referrer", got)
	}
}

// httpRow is one endpoint: the status each caller gets (rest for those not
// named) and, optionally, a look at the body.
type httpRow struct {
	name, method string
	path, body   func(w *world, who string) string
	// token, when set, is what who presents instead of w.tokens[who].
	token func(t *testing.T, w *world, who string) string
	want  map[string]int
	rest  int
	check func(t *testing.T, w *world, who string, status int, body []byte)
}

func httpCallers() []string {
	return append(append([]string{anon}, onlineCallers...), badTokens...)
}

func fixed(s string) func(*world, string) string { return func(*world, string) string { return s } }

// onlySupervisor: a supervisor gets ok, agents 403, everyone else 401.
func onlySupervisor(ok int) map[string]int {
	return map[string]int{super: ok, agentX: http.StatusForbidden, agentY: http.StatusForbidden}
}

func httpTable() []httpRow {
	const (
		ok, created, gone = http.StatusOK, http.StatusCreated, http.StatusNoContent
		bad, unauth       = http.StatusBadRequest, http.StatusUnauthorized
		notFound, method  = http.StatusNotFound, http.StatusMethodNotAllowed
	)
	agents := map[string]int{agentX: ok, agentY: ok, super: ok}
	signedOut := map[string]int{agentX: gone, agentY: gone, super: gone}
	convA := func(suffix string) func(*world, string) string {
		return func(w *world, _ string) string { return "/api/conversations/" + w.convA + suffix }
	}
	return []httpRow{
		// Public: the token, good or bad, changes nothing.
		{name: "Healthz", method: "GET", path: fixed("/healthz"), rest: ok},
		{name: "Readyz", method: "GET", path: fixed("/readyz"), rest: ok},
		// Metrics show how busy the desk is: not on the customers' listener.
		{name: "MetricsNotPublic", method: "GET", path: fixed("/metrics"), rest: notFound},
		{name: "SupervisorPage", method: "GET", path: fixed("/supervisor"), rest: ok},
		{name: "Dictionary", method: "GET", path: fixed("/i18n/supervisor.js"), rest: ok},
		{name: "Index", method: "GET", path: fixed("/"), rest: ok},
		{name: "Pages", method: "GET", path: fixed("/kefu.html"), rest: ok},
		{name: "AgentConsole", method: "GET", path: fixed("/agent"), rest: ok},
		{name: "Embed", method: "GET", path: fixed("/embed"), rest: ok},
		{name: "EmbedScript", method: "GET", path: fixed("/widget.js"), rest: ok},
		{name: "Dictionary", method: "GET", path: fixed("/i18n/agent.js"), rest: ok},
		{name: "NoSuchAPI", method: "GET", path: fixed("/api/secrets"), rest: notFound},
		// It offers only the tutorial's agents: never a native one's name.
		{name: "GetRoom", method: "GET", path: fixed("/getroom?userName=Guest"), rest: ok,
			check: func(t *testing.T, _ *world, _ string, _ int, body []byte) {
				if got, want := string(body), `{"room":false}`+"\n"; got != want {
					t.Fatalf("body=%s, want %s", got, want)
				}
			}},
		{name: "WSNotUpgrade", method: "GET", path: fixed("/ws"), rest: bad},
		{name: "CompatNotUpgrade", method: "GET", path: fixed("/compat?type=yonghu&name=G"), rest: bad},
		{name: "LoginWrongPassword", method: "POST", path: fixed("/api/login"),
			body: fixed(`{"name":"Xavier","password":"not the password"}`), rest: unauth},
		{name: "LoginRight", method: "POST", path: fixed("/api/login"),
			body: fixed(`{"name":"Xavier","password":"` + testPassword + `"}`), rest: ok},

		// Accounts: supervisors only.
		{name: "CreateAgent", method: "POST", path: fixed("/api/agents"),
			body: func(_ *world, who string) string {
				return `{"name":"new-` + who + `","password":"another long password"}`
			},
			want: onlySupervisor(created), rest: unauth},
		{name: "ListAgents", method: "GET", path: fixed("/api/agents"), want: onlySupervisor(ok), rest: unauth},
		{name: "RemoveAgent", method: "DELETE", path: func(_ *world, who string) string { return "/api/agents/victim-" + who },
			want: onlySupervisor(gone), rest: unauth},
		{name: "RevokeAgentSessions", method: "POST", path: func(_ *world, who string) string { return "/api/agents/revokee-" + who + "/revoke" },
			want: onlySupervisor(gone), rest: unauth},
		{name: "RevokeUnknownAgent", method: "POST", path: fixed("/api/agents/nobody/revoke"),
			want: onlySupervisor(notFound), rest: unauth},
		// An agent cannot learn which names exist.
		{name: "RemoveUnknownAgent", method: "DELETE", path: fixed("/api/agents/nobody"),
			want: onlySupervisor(notFound), rest: unauth},

		// Signing out: any agent's or supervisor's working token, each with
		// a login of its own so that the world's tokens keep working.
		{name: "Logout", method: "POST", path: fixed("/api/logout"), token: spareToken, want: signedOut, rest: unauth,
			check: func(t *testing.T, w *world, who string, status int, _ []byte) {
				if status != http.StatusNoContent {
					return
				}
				r := httpRow{method: "GET", path: fixed("/api/conversations")}
				r.token = spareToken
				if got, _, _ := w.call(t, r, who); got != unauth {
					t.Fatalf("the signed-out token then got %d, want 401", got)
				}
				if got, _, _ := w.call(t, httpRow{method: "GET", path: fixed("/api/conversations")}, who); got != ok {
					t.Fatalf("%s's other token then got %d, want 200", who, got)
				}
			}},

		// The live statistics: supervisors only.
		{name: "SupervisorStats", method: "GET", path: fixed("/api/supervisor/stats"), want: onlySupervisor(ok), rest: unauth,
			check: func(t *testing.T, _ *world, _ string, status int, body []byte) {
				if status == ok && (!bytes.Contains(body, []byte(`"agents":[`)) || !bytes.Contains(body, []byte(`"history":[`))) {
					t.Fatalf("stats lack agents or history: %s", body)
				}
			}},

		// Ratings: every account its own, supervisors the team's too.
		{name: "Ratings", method: "GET", path: fixed("/api/ratings"), want: agents, rest: unauth,
			check: func(t *testing.T, _ *world, who string, status int, body []byte) {
				if status == ok && bytes.Contains(body, []byte(`"team":`)) != (who == super) {
					t.Fatalf("%s got %s: the team is for supervisors only", who, body)
				}
			}},

		// Teams: any agent lists them; supervisors alone change them, and
		// an agent cannot learn which ids exist (404 only past the role).
		{name: "ListTeams", method: "GET", path: fixed("/api/teams"), want: agents, rest: unauth,
			check: func(t *testing.T, _ *world, who string, status int, body []byte) {
				if status == ok && bytes.Contains(body, []byte(`"version":`)) != (who == super) {
					t.Fatalf("%s got %s: versions and members are for supervisors only", who, body)
				}
			}},
		{name: "CreateTeam", method: "POST", path: fixed("/api/teams"),
			body: func(_ *world, who string) string { return `{"name":"Team ` + who + `","hours":{"alwaysOpen":true}}` },
			want: onlySupervisor(created), rest: unauth},
		{name: "UpdateUnknownTeam", method: "PUT", path: fixed("/api/teams/tm_nosuch"),
			body: fixed(`{"name":"X","hours":{"alwaysOpen":true},"version":1}`), want: onlySupervisor(notFound), rest: unauth},
		{name: "SetUnknownTeamMembers", method: "PUT", path: fixed("/api/teams/tm_nosuch/members"),
			body: fixed(`{"agents":[],"version":1}`), want: onlySupervisor(notFound), rest: unauth},
		{name: "ArchiveUnknownTeam", method: "DELETE", path: fixed("/api/teams/tm_nosuch"), want: onlySupervisor(notFound), rest: unauth},
		// The widget's view of the teams: anyone, a page view; never
		// members, versions or hidden teams.
		// Saved replies: every agent its own and the shared ones; only a
		// supervisor the shared ones; another's reply is none.
		{name: "ListCanned", method: "GET", path: fixed("/api/canned"), want: agents, rest: unauth},
		{name: "CreateOwnCanned", method: "POST", path: fixed("/api/canned"), body: fixed(`{"shortcut":"mine","text":"x"}`),
			want: map[string]int{agentX: created, agentY: created, super: created}, rest: unauth},
		{name: "CreateSharedCanned", method: "POST", path: fixed("/api/canned"), body: fixed(`{"shortcut":"ours","text":"x","shared":true}`),
			want: onlySupervisor(created), rest: unauth},
		{name: "DeleteUnknownCanned", method: "DELETE", path: fixed("/api/canned/cn_nosuch"), want: map[string]int{agentX: notFound, agentY: notFound, super: notFound}, rest: unauth},
		{name: "WidgetSettings", method: "PUT", path: fixed("/api/widget"),
			body: fixed(`{"picker":true,"email":"optional","question":true}`), want: onlySupervisor(ok), rest: unauth},
		{name: "Widget", method: "GET", path: fixed("/api/widget"), want: map[string]int{}, rest: ok,
			check: func(t *testing.T, _ *world, who string, status int, body []byte) {
				if status == ok && (bytes.Contains(body, []byte(`"members"`)) || bytes.Contains(body, []byte(`"version"`)) || !bytes.Contains(body, []byte(`"teams":[`))) {
					t.Fatalf("%s got %s: want the visible teams, without members or versions", who, body)
				}
			}},

		// History: agents see what they served, supervisors everything.
		{name: "ListOwn", method: "GET", path: fixed("/api/conversations"), want: agents, rest: unauth, check: holdsConvA("list", agentX)},
		{name: "ListAll", method: "GET", path: fixed("/api/conversations?all=1"), want: onlySupervisor(ok), rest: unauth, check: holdsConvA("list", super)},
		// Search: the same rule as the list, convA found by its message.
		{name: "SearchOwn", method: "GET", path: fixed("/api/search?q=4111"), want: agents, rest: unauth, check: holdsConvA("search", agentX)},
		{name: "SearchAll", method: "GET", path: fixed("/api/search?q=4111&all=1"), want: onlySupervisor(ok), rest: unauth, check: holdsConvA("search", super)},
		{name: "SearchNothing", method: "GET", path: fixed("/api/search"), want: map[string]int{agentX: bad, agentY: bad, super: bad}, rest: unauth},
		{name: "GetServed", method: "GET", path: convA(""),
			want: map[string]int{agentX: ok, super: ok, agentY: notFound}, rest: unauth},
		{name: "MessagesServed", method: "GET", path: convA("/messages"),
			want: map[string]int{agentX: ok, super: ok, agentY: notFound}, rest: unauth,
			check: func(t *testing.T, w *world, who string, status int, body []byte) {
				if got, want := bytes.Contains(body, []byte("4111")), status == ok; got != want {
					t.Fatalf("%s: body holds the message=%v, want %v: %s", who, got, want, body)
				}
			}},
		{name: "GetOther", method: "GET", path: func(w *world, _ string) string { return "/api/conversations/" + w.convB },
			want: map[string]int{agentY: ok, super: ok, agentX: notFound}, rest: unauth},
		{name: "GetUnknown", method: "GET", path: fixed("/api/conversations/cv_nosuch"),
			want: map[string]int{agentX: notFound, agentY: notFound, super: notFound}, rest: unauth},
		{name: "MessagesUnknown", method: "GET", path: fixed("/api/conversations/cv_nosuch/messages"),
			want: map[string]int{agentX: notFound, agentY: notFound, super: notFound}, rest: unauth},

		// Methods no route has: refused before anyone is asked who they are.
		{name: "PutAgents", method: "PUT", path: fixed("/api/agents"), rest: method},
		{name: "PatchAgent", method: "PATCH", path: fixed("/api/agents/Xavier"), rest: method},
		{name: "PostConversations", method: "POST", path: fixed("/api/conversations"), rest: method},
		{name: "DeleteConversation", method: "DELETE", path: convA(""), rest: method},
		{name: "PutLogin", method: "PUT", path: fixed("/api/login"), rest: method},
		{name: "GetLogout", method: "GET", path: fixed("/api/logout"), rest: method},
		{name: "DeleteRevoke", method: "DELETE", path: fixed("/api/agents/Xavier/revoke"), rest: method},
		{name: "GetLogin", method: "GET", path: fixed("/api/login"), rest: method},
		{name: "GetAgent", method: "GET", path: fixed("/api/agents/Xavier"), rest: method},
		{name: "PostHealthz", method: "POST", path: fixed("/healthz"), rest: method},
		{name: "PostReadyz", method: "POST", path: fixed("/readyz"), rest: method},
		{name: "PostSupervisorStats", method: "POST", path: fixed("/api/supervisor/stats"), rest: method},
		{name: "PostRatings", method: "POST", path: fixed("/api/ratings"), rest: method},
		{name: "PostGetRoom", method: "POST", path: fixed("/getroom?userName=Guest"), rest: method},
		{name: "PostAgentConsole", method: "POST", path: fixed("/agent"), rest: method},
		{name: "PostEmbed", method: "POST", path: fixed("/embed"), rest: method},
		{name: "PatchTeams", method: "PATCH", path: fixed("/api/teams"), rest: method},
		{name: "GetTeam", method: "GET", path: fixed("/api/teams/tm_general"), rest: method},
		{name: "PostSearch", method: "POST", path: fixed("/api/search"), rest: method},
	}
}

// holdsConvA checks that a list's answer (what names it) holds convA for
// the caller only and for no other who gets 200.
func holdsConvA(what, only string) func(t *testing.T, w *world, who string, status int, body []byte) {
	return func(t *testing.T, w *world, who string, status int, body []byte) {
		if status != http.StatusOK {
			return
		}
		if got, want := bytes.Contains(body, []byte(w.convA)), who == only; got != want {
			t.Fatalf("%s's %s holds convA=%v, want %v: %s", who, what, got, want, body)
		}
	}
}

// spareToken is a second login of who's account, made once, for rows that
// sign a token out; anyone else presents their own.
func spareToken(t *testing.T, w *world, who string) string {
	t.Helper()
	if !slices.Contains([]string{agentX, agentY, super}, who) {
		return w.tokens[who]
	}
	if w.spare[who] == "" {
		w.spare[who] = w.ts.relogin(t, w.accts[who].Name)
	}
	return w.spare[who]
}

// call sends row as who: with who's token as a bearer token, none for
// the anonymous caller.
func (w *world) call(t *testing.T, row httpRow, who string) (int, []byte, http.Header) {
	t.Helper()
	var body io.Reader
	if row.body != nil {
		body = strings.NewReader(row.body(w, who))
	}
	req, err := http.NewRequest(row.method, "http://"+w.ts.Addr()+row.path(w, who), body)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	tok := w.tokens[who]
	if row.token != nil {
		tok = row.token(t, w, who)
	}
	if tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	out, err := io.ReadAll(res.Body)
	if err != nil {
		t.Fatal(err)
	}
	return res.StatusCode, out, res.Header
}

// noSecrets checks a response carries no cookie, no password hash, no
// password and, but for a login, no token.
func noSecrets(t *testing.T, w *world, body []byte, h http.Header, login bool) {
	t.Helper()
	if c := h.Values("Set-Cookie"); len(c) > 0 {
		t.Fatalf("Set-Cookie %q: kefu sets no cookies", c)
	}
	leaks := []string{"$2a$", "$2b$", "$2y$", testPassword, "another long password"}
	if strings.HasPrefix(h.Get("Content-Type"), "application/json") {
		// A page may have a password field; an answer may not have one.
		leaks = append(leaks, `"password"`, "password_hash")
	}
	for _, s := range leaks {
		if bytes.Contains(body, []byte(s)) {
			t.Fatalf("body holds %q: %s", s, body)
		}
	}
	for who, tok := range w.tokens {
		// A login's token may equal an earlier one of the same second.
		if tok != "" && !login && bytes.Contains(body, []byte(tok)) {
			t.Fatalf("body holds %s's token: %s", who, body)
		}
	}
}
