package server

import (
	"net/http"
	"testing"
)

// TestRatingsAPI: the customers' ratings come back added up: an agent sees
// its own count and average, a supervisor also the team's and each
// agent's; without a token, nothing.
func TestRatingsAPI(t *testing.T) {
	ts := startServer(t, Config{})
	alice := ts.addAgent(t, "Alice", 3)
	bob := ts.addAgent(t, "Bob", 3)
	boss := ts.supervisorToken(t)
	rateChat := func(a *nclient, rating int) {
		t.Helper()
		c := ts.customerOnline(t, "Cy")
		conv := assign(t, a, c)
		c.post(conv, "hello", "")
		c.expectMsg(conv, 1, c.me, "hello")
		a.expectMsg(conv, 1, c.me, "hello")
		c.send(obj{"type": "rate", "conv": conv, "rating": rating})
		c.expect("rated")
		c.send(obj{"type": "end", "conv": conv})
		c.expect("ended")
		a.expect("ended")
	}
	aliceConn := ts.agentOnline(t, alice)
	rateChat(aliceConn, 5)
	rateChat(aliceConn, 2)
	aliceConn.send(obj{"type": "status", "status": "away"})
	aliceConn.expect("state")
	rateChat(ts.agentOnline(t, bob), 4)

	t.Run("OKAgent", func(t *testing.T) {
		status, out := ts.api(t, "GET", "/api/ratings", alice.Token, "")
		if status != http.StatusOK {
			t.Fatalf("status=%d, want 200: %v", status, out)
		}
		you := out["you"].(map[string]any)
		if got, want := you["count"], 2.0; got != want {
			t.Fatalf("you.count=%v, want %v", got, want)
		}
		if got, want := you["average"], 3.5; got != want {
			t.Fatalf("you.average=%v, want %v", got, want)
		}
		if _, ok := out["team"]; ok {
			t.Fatalf("an agent sees the team: %v", out)
		}
		if _, ok := out["agents"]; ok {
			t.Fatalf("an agent sees the others: %v", out)
		}
	})
	t.Run("OKSupervisor", func(t *testing.T) {
		status, out := ts.api(t, "GET", "/api/ratings", boss, "")
		if status != http.StatusOK {
			t.Fatalf("status=%d, want 200: %v", status, out)
		}
		team := out["team"].(map[string]any)
		if got, want := team["count"], 3.0; got != want {
			t.Fatalf("team.count=%v, want %v", got, want)
		}
		if got, want := team["average"], 11.0/3; got != want {
			t.Fatalf("team.average=%v, want %v", got, want)
		}
		byID := map[string]map[string]any{}
		for _, a := range out["agents"].([]any) {
			m := a.(map[string]any)
			byID[m["id"].(string)] = m
		}
		if got, want := byID[bob.ID]["average"], 4.0; got != want {
			t.Fatalf("Bob's average=%v, want %v", got, want)
		}
		you := out["you"].(map[string]any)
		if you["count"] != 0.0 || you["average"] != nil {
			t.Fatalf("the supervisor's own=%v, want count 0 and average null", you)
		}
	})
	t.Run("ErrNoToken", func(t *testing.T) {
		if status, _ := ts.api(t, "GET", "/api/ratings", "", ""); status != http.StatusUnauthorized {
			t.Fatalf("status=%d, want 401", status)
		}
	})
}
