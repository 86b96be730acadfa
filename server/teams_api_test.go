package server

import (
	"fmt"
	"net/http"
	"testing"
)

// TestTeamsAPI: a supervisor creates a team with hours and members, edits
// it under its version, sets its members, and archives it; agents list the
// teams with their own membership and whether each is open, and may change
// nothing; customers and strangers get 401. The general team can be
// neither archived nor given members, and -max-teams bounds the live teams.
func TestTeamsAPI(t *testing.T) {
	ts := startServer(t, Config{MaxTeams: 3}) // the general team, and two more
	boss := ts.supervisorToken(t)
	alice := ts.addAgent(t, "alice", 3)
	bea := ts.addAgent(t, "bea", 3)

	closed := `{"timeZone":"Asia/Shanghai","week":[[],[],[],[],[],[],[]]}`
	status, sales := ts.api(t, "POST", "/api/teams", boss, fmt.Sprintf(`{"name":"Sales","description":"售前","visible":true,"hours":%s,"members":[%q]}`, closed, alice.ID))
	if status != http.StatusCreated || sales["name"] != "Sales" || sales["open"] != false || sales["version"] != float64(1) {
		t.Fatalf("create=%d %v, want 201 Sales, closed, version 1", status, sales)
	}
	id := sales["id"].(string)
	if members := sales["members"].([]any); len(members) != 1 || members[0] != alice.ID {
		t.Fatalf("members=%v, want alice", members)
	}

	t.Run("AgentsList", func(t *testing.T) {
		for _, who := range []struct {
			acc    account
			member bool
		}{{alice, true}, {bea, false}} {
			status, body := ts.api(t, "GET", "/api/teams", who.acc.Token, "")
			if status != http.StatusOK {
				t.Fatalf("list=%d %v", status, body)
			}
			var found bool
			for _, x := range body["teams"].([]any) {
				team := x.(map[string]any)
				if team["id"] == id {
					found = true
					if team["member"] != who.member || team["members"] != nil || team["version"] != nil {
						t.Fatalf("%s sees %v: want member=%v and no members or version", who.acc.ID, team, who.member)
					}
				}
				if team["id"] == "tm_general" && team["member"] != true {
					t.Fatalf("%s is not in the general team: %v", who.acc.ID, team)
				}
			}
			if !found {
				t.Fatalf("%s does not see Sales: %v", who.acc.ID, body)
			}
		}
	})
	t.Run("EditUnderVersion", func(t *testing.T) {
		status, body := ts.api(t, "PUT", "/api/teams/"+id, boss, `{"name":"Sales","description":"售前咨询","hours":{"alwaysOpen":true},"version":1}`)
		if status != http.StatusOK || body["version"] != float64(2) || body["open"] != true {
			t.Fatalf("edit=%d %v, want 200 version 2, open", status, body)
		}
		status, body = ts.api(t, "PUT", "/api/teams/"+id, boss, `{"name":"Sales 2","hours":{"alwaysOpen":true},"version":1}`)
		if status != http.StatusConflict || body["code"] != "conflict" {
			t.Fatalf("a stale edit=%d %v, want 409 conflict", status, body)
		}
		status, body = ts.api(t, "PUT", "/api/teams/"+id+"/members", boss, fmt.Sprintf(`{"agents":[%q,%q],"version":2}`, alice.ID, bea.ID))
		if status != http.StatusOK || len(body["members"].([]any)) != 2 {
			t.Fatalf("members=%d %v, want both", status, body)
		}
	})
	cases := map[string]struct {
		method, path, token, body string
		status                    int
		code                      string
	}{
		"ErrNoToken":        {"GET", "/api/teams", "", "", 401, "unauthorized"},
		"ErrAgentCreates":   {"POST", "/api/teams", alice.Token, `{"name":"X"}`, 403, "forbidden"},
		"ErrAgentArchives":  {"DELETE", "/api/teams/" + id, bea.Token, "", 403, "forbidden"},
		"ErrNameTaken":      {"POST", "/api/teams", boss, `{"name":"sales","hours":{"alwaysOpen":true}}`, 409, "name_taken"},
		"ErrBadZone":        {"POST", "/api/teams", boss, `{"name":"Y","hours":{"timeZone":"Mars/Olympus"}}`, 400, "bad_value"},
		"ErrBadJSON":        {"POST", "/api/teams", boss, `{`, 400, "bad_request"},
		"ErrUnknownTeam":    {"PUT", "/api/teams/tm_nope", boss, `{"name":"Z","hours":{"alwaysOpen":true},"version":1}`, 404, "not_found"},
		"ErrGeneralMembers": {"PUT", "/api/teams/tm_general/members", boss, `{"agents":[],"version":1}`, 409, "conflict"},
		"ErrGeneralArchive": {"DELETE", "/api/teams/tm_general", boss, "", 409, "conflict"},
	}
	for name, c := range cases {
		t.Run(name, func(t *testing.T) {
			status, body := ts.api(t, c.method, c.path, c.token, c.body)
			if status != c.status || body["code"] != c.code {
				t.Fatalf("%s %s=%d %v, want %d %s", c.method, c.path, status, body, c.status, c.code)
			}
		})
	}
	t.Run("MaxTeams", func(t *testing.T) {
		status, body := ts.api(t, "POST", "/api/teams", boss, `{"name":"Support","hours":{"alwaysOpen":true}}`)
		if status != http.StatusCreated {
			t.Fatalf("the third team=%d %v", status, body)
		}
		status, body = ts.api(t, "POST", "/api/teams", boss, `{"name":"Billing","hours":{"alwaysOpen":true}}`)
		if status != http.StatusConflict || body["code"] != "too_many_teams" {
			t.Fatalf("the fourth team=%d %v, want 409 too_many_teams", status, body)
		}
		if status, _ := ts.api(t, "DELETE", "/api/teams/"+id, boss, ""); status != http.StatusNoContent {
			t.Fatalf("archive=%d, want 204", status)
		}
		status, body = ts.api(t, "POST", "/api/teams", boss, `{"name":"Billing","hours":{"alwaysOpen":true}}`)
		if status != http.StatusCreated {
			t.Fatalf("a team after one was archived=%d %v, want 201", status, body)
		}
	})
}
