package server

import (
	"context"
	"net/http"
	"testing"
	"time"
)

// The ways a login token stops working before its expiry: signing it out
// (POST /api/logout), a supervisor revoking the account's sessions (POST
// /api/agents/{name}/revoke) and a password change.

const revokedReason = "unauthorized: token revoked"

// tokenRefused checks token fails on an API and on a new socket's hello.
func (ts *testServer) tokenRefused(t *testing.T, token string) {
	t.Helper()
	if status, body := ts.api(t, "GET", "/api/conversations", token, ""); status != http.StatusUnauthorized || body["code"] != "unauthorized" {
		t.Fatalf("API with the token=%d %v, want 401 unauthorized", status, body)
	}
	c := ts.dialNative(t)
	c.send(obj{"type": "hello", "v": 1, "role": "agent", "token": token})
	c.expectRefused("unauthorized", 4003, revokedReason)
}

// tokenWorks checks token opens the history API.
func (ts *testServer) tokenWorks(t *testing.T, token string) {
	t.Helper()
	if status, body := ts.api(t, "GET", "/api/conversations", token, ""); status != http.StatusOK {
		t.Fatalf("API with the token=%d %v, want 200", status, body)
	}
}

func TestLogout(t *testing.T) {
	ts := startServer(t, Config{Grace: time.Minute})
	acct := ts.addAgent(t, "Sam", 3)
	// Two tabs of one browser share a token; another browser has its own.
	tab1, tab2 := ts.agentOnline(t, acct), ts.agentOnline(t, acct)
	laptop := acct
	laptop.Token = ts.relogin(t, "Sam")
	other := ts.agentOnline(t, laptop)

	if status, body := ts.api(t, "POST", "/api/logout", acct.Token, ""); status != http.StatusNoContent {
		t.Fatalf("logout=%d %v, want 204", status, body)
	}
	tab1.expectClosed(4003, revokedReason)
	tab2.expectClosed(4003, revokedReason)
	other.alive()
	ts.tokenWorks(t, laptop.Token)
	ts.tokenRefused(t, acct.Token)
	// Once out, the token cannot sign out again either.
	if status, _ := ts.api(t, "POST", "/api/logout", acct.Token, ""); status != http.StatusUnauthorized {
		t.Fatalf("second logout=%d, want 401", status)
	}
	// A new login works as ever.
	ts.tokenWorks(t, ts.relogin(t, "Sam"))
}

func TestRevokeSessions(t *testing.T) {
	ts := startServer(t, Config{Grace: time.Minute})
	boss := ts.supervisorToken(t)
	acct := ts.addAgent(t, "Sam", 3)
	tab := ts.agentOnline(t, acct)
	cust := ts.customerOnline(t, "Bob")
	conv := assign(t, tab, cust)
	laptop := ts.relogin(t, "Sam")

	t.Run("ErrNotBoss", func(t *testing.T) {
		if status, _ := ts.api(t, "POST", "/api/agents/boss/revoke", acct.Token, ""); status != http.StatusForbidden {
			t.Fatalf("revoke by an agent=%d, want 403", status)
		}
		ts.tokenWorks(t, boss)
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		if status, body := ts.api(t, "POST", "/api/agents/nobody/revoke", boss, ""); status != http.StatusNotFound || body["code"] != "not_found" {
			t.Fatalf("revoke unknown=%d %v, want 404 not_found", status, body)
		}
	})
	t.Run("OK", func(t *testing.T) {
		if status, body := ts.api(t, "POST", "/api/agents/sam/revoke", boss, ""); status != http.StatusNoContent {
			t.Fatalf("revoke=%d %v, want 204", status, body)
		}
		tab.expectClosed(4003, revokedReason)
		ts.tokenRefused(t, acct.Token)
		ts.tokenRefused(t, laptop)
		ts.tokenWorks(t, boss)

		// A login after the revoke works, and within the grace period the
		// agent still has the customer.
		acct.Token = ts.relogin(t, "Sam")
		ts.tokenWorks(t, acct.Token)
		back := ts.agentOnline(t, acct)
		checkConv(t, back.expect("conv"), "sync", cust.me, back.me, 0)
		cust.post(conv, "still there?", "")
		back.expectMsg(conv, 1, cust.me, "still there?")
	})
}

// TestPasswordChangeRevokes is `kefu agent passwd` as the server sees it:
// the store changes under it, and the next check of an old token fails.
func TestPasswordChangeRevokes(t *testing.T) {
	ts := startServer(t, Config{})
	acct := ts.addAgent(t, "Sam", 3)
	older := ts.relogin(t, "Sam")
	hash, err := testPasswords.Hash("a brand new password")
	if err != nil {
		t.Fatal(err)
	}
	if err := ts.Store().SetPassword(context.Background(), "Sam", hash); err != nil {
		t.Fatal(err)
	}
	ts.tokenRefused(t, acct.Token)
	ts.tokenRefused(t, older)
	status, body := ts.login(t, encodeJSON(t, obj{"name": "Sam", "password": "a brand new password"}))
	if status != http.StatusOK {
		t.Fatalf("login with the new password=%d %s", status, body)
	}
	var r loginBody
	decode(t, body, &r)
	ts.tokenWorks(t, r.Token)
	ts.agentOnline(t, account{ID: acct.ID, Name: acct.Name, Token: r.Token})
}
