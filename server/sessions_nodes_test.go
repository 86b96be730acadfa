package server

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"kefu/accounts"
	"kefu/internal/pgtest"
)

// Sign-outs reach every node: two servers on one PostgreSQL database, as
// two nodes would share it (no cluster is needed to prove the kick crosses:
// it travels through the database, not the cluster). An agent's socket is
// on B; the sign-out is asked of A, or of no server at all (`kefu agent
// passwd`), and B closes the socket.

// twoNodes starts two servers sharing one fresh PostgreSQL schema, and an
// agent account whose socket is open on the second.
func twoNodes(t *testing.T) (a, b *testServer, acct account, tab *nclient) {
	t.Helper()
	url := pgtest.NewSchema(t)
	a = startServer(t, Config{Store: url, Grace: time.Minute})
	b = startServer(t, Config{Store: url, Grace: time.Minute})
	acct = a.addAgent(t, "Sam", 3)
	tab = b.agentOnline(t, acct)
	return a, b, acct, tab
}

func TestSignOutReachesEveryNode(t *testing.T) {
	t.Run("Logout", func(t *testing.T) {
		a, b, acct, tab := twoNodes(t)
		other := b.agentOnline(t, account{ID: acct.ID, Name: acct.Name, Token: b.relogin(t, "Sam")})
		if status, body := a.api(t, "POST", "/api/logout", acct.Token, ""); status != http.StatusNoContent {
			t.Fatalf("logout on A=%d %v, want 204", status, body)
		}
		tab.expectClosed(4003, revokedReason)
		other.alive() // another browser's token, not signed out
	})
	t.Run("Revoke", func(t *testing.T) {
		a, _, _, tab := twoNodes(t)
		boss := a.supervisorToken(t)
		if status, body := a.api(t, "POST", "/api/agents/sam/revoke", boss, ""); status != http.StatusNoContent {
			t.Fatalf("revoke on A=%d %v, want 204", status, body)
		}
		tab.expectClosed(4003, revokedReason)
	})
	t.Run("Passwd", func(t *testing.T) {
		_, b, _, tab := twoNodes(t)
		var out, errOut bytes.Buffer
		err := accounts.Command(context.Background(),
			accounts.Config{Stdin: strings.NewReader("a brand new password\n"), Stdout: &out, Stderr: &errOut, Passwords: testPasswords},
			[]string{"passwd", "-store", b.cfg.Store, "-data", t.TempDir(), "-password-stdin", "Sam"})
		if err != nil {
			t.Fatalf("passwd: %v: %s", err, errOut.String())
		}
		tab.expectClosed(4003, revokedReason)
	})
}
