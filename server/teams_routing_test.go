package server

import (
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestRequestByTeam, over real sockets: a team made over the API routes at
// once (the API tells the dispatcher); a customer asking for it waits,
// told its team and no estimate, while a free agent of another team idles;
// the team's member takes it when online; an unknown team is refused with
// unknown_team, and an agent hands the chat to a team over transfer.
func TestRequestByTeam(t *testing.T) {
	ts := startServer(t, Config{})
	boss := ts.supervisorToken(t)
	alice := ts.addAgent(t, "alice", 1)
	bea := ts.addAgent(t, "bea", 1)
	status, sales := ts.api(t, "POST", "/api/teams", boss, fmt.Sprintf(`{"name":"Sales","hours":{"alwaysOpen":true},"members":[%q]}`, bea.ID))
	if status != http.StatusCreated {
		t.Fatalf("create team=%d %v", status, sales)
	}
	salesID := sales["id"].(string)

	a := ts.agentOnline(t, alice)
	c := ts.customerOnline(t, "Carol")
	c.send(obj{"type": "request", "team": "tm_nosuch"})
	c.expectError("unknown_team")
	c.send(obj{"type": "request", "team": salesID})
	q := c.expect("queued")
	if q.Position != 1 || q.ETA != nil || !strings.Contains(q.raw, `"team":"`+salesID+`"`) {
		t.Fatalf("queued=%s, want position 1, no estimate, team %s", q.raw, salesID)
	}
	b := ts.agentOnline(t, bea)
	conv := b.expect("conv", "state").Conv
	if got := c.expect("conv", "queued").Conv; got != conv {
		t.Fatalf("customer's conv %s, bea's %s", got, conv)
	}
	// Bea hands it to the general team; alice, in it, takes it.
	b.send(obj{"type": "transfer", "conv": conv, "to": "tm_general"})
	b.expect("ended")
	if got := a.expect("conv", "state").Conv; got != conv {
		t.Fatalf("alice got %s, want %s", got, conv)
	}
}
