package server

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"testing"
	"time"

	"kefu/store"
)

// supervisorToken provisions a supervisor and logs it in.
func (ts *testServer) supervisorToken(t *testing.T) string {
	t.Helper()
	hash, err := testPasswords.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ts.Store().CreateAgent(context.Background(), "boss", hash, store.RoleSupervisor, 3); err != nil {
		t.Fatal(err)
	}
	return ts.relogin(t, "boss")
}

func (ts *testServer) api(t *testing.T, method, path, token, body string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequest(method, "http://"+ts.Addr()+path, bytes.NewReader([]byte(body)))
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	return sendJSON(t, req)
}

// sendJSON sends req and returns its status and its JSON answer (nil when
// the body is not JSON).
func sendJSON(t *testing.T, req *http.Request) (int, map[string]any) {
	t.Helper()
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(res.Body).Decode(&out)
	return res.StatusCode, out
}

func TestAgentsAPI(t *testing.T) {
	ts := startServer(t, Config{})
	boss := ts.supervisorToken(t)
	agent := ts.addAgent(t, "worker", 3)

	t.Run("OK", func(t *testing.T) {
		status, body := ts.api(t, "POST", "/api/agents", boss, `{"name":"new1","password":"`+testPassword+`","capacity":5}`)
		if status != http.StatusCreated || body["name"] != "new1" || body["role"] != "agent" || body["capacity"] != float64(5) {
			t.Fatalf("create=%d %v, want 201 new1 agent capacity 5", status, body)
		}
		if got := ts.relogin(t, "new1"); got == "" {
			t.Fatal("the new account cannot log in")
		}
		status, body = ts.api(t, "GET", "/api/agents", boss, "")
		if status != http.StatusOK || len(body["agents"].([]any)) != 4 { // admin, boss, worker, new1
			t.Fatalf("list=%d %v, want 4 accounts", status, body)
		}
	})
	cases := map[string]struct {
		token, body string
		status      int
		code        string
	}{
		"ErrNoToken":     {"", `{"name":"x1","password":"long enough pw"}`, 401, "unauthorized"},
		"ErrForged":      {"nope", `{"name":"x2","password":"long enough pw"}`, 401, "unauthorized"},
		"ErrNotBoss":     {agent.Token, `{"name":"x3","password":"long enough pw"}`, 403, "forbidden"},
		"ErrNameTaken":   {boss, `{"name":"Worker","password":"long enough pw"}`, 409, "name_taken"},
		"ErrShortPw":     {boss, `{"name":"x4","password":"short"}`, 400, "bad_value"},
		"ErrBadRole":     {boss, `{"name":"x5","password":"long enough pw","role":"god"}`, 400, "bad_value"},
		"ErrBadCapacity": {boss, `{"name":"x6","password":"long enough pw","capacity":99}`, 400, "bad_value"},
		"ErrBadJSON":     {boss, `{`, 400, "bad_request"},
	}
	for name, tc := range cases {
		t.Run(name, func(t *testing.T) {
			status, body := ts.api(t, "POST", "/api/agents", tc.token, tc.body)
			if status != tc.status || body["code"] != tc.code {
				t.Fatalf("create=%d %v, want %d %s", status, body, tc.status, tc.code)
			}
		})
	}
	t.Run("ErrListNotBoss", func(t *testing.T) {
		if status, _ := ts.api(t, "GET", "/api/agents", agent.Token, ""); status != http.StatusForbidden {
			t.Fatalf("list by an agent=%d, want 403", status)
		}
	})
}

// TestRemoveOnlineAgent: removing the account of an agent who is chatting
// closes its sockets and puts its customer back at the head of the queue,
// at once, not after a grace period.
func TestRemoveOnlineAgent(t *testing.T) {
	ts := startServer(t, Config{Grace: time.Minute})
	boss := ts.supervisorToken(t)
	acct := ts.addAgent(t, "leaving", 1)
	agent := ts.agentOnline(t, acct)
	cust := ts.customerOnline(t, "Bob")
	conv := assign(t, agent, cust)

	t.Run("ErrSelf", func(t *testing.T) {
		if status, body := ts.api(t, "DELETE", "/api/agents/boss", boss, ""); status != http.StatusConflict {
			t.Fatalf("remove self=%d %v, want 409", status, body)
		}
	})
	t.Run("ErrNotBoss", func(t *testing.T) {
		if status, _ := ts.api(t, "DELETE", "/api/agents/boss", acct.Token, ""); status != http.StatusForbidden {
			t.Fatalf("remove by an agent=%d, want 403", status)
		}
	})
	t.Run("ErrUnknown", func(t *testing.T) {
		if status, _ := ts.api(t, "DELETE", "/api/agents/nobody", boss, ""); status != http.StatusNotFound {
			t.Fatalf("remove unknown=%d, want 404", status)
		}
	})
	t.Run("OK", func(t *testing.T) {
		if status, body := ts.api(t, "DELETE", "/api/agents/leaving", boss, ""); status != http.StatusNoContent {
			t.Fatalf("remove=%d %v, want 204", status, body)
		}
		agent.expectClosed(4003, "unauthorized: account removed")
		if f := cust.expect("requeued"); f.Conv != conv {
			t.Fatalf("customer got %s, want requeued %s", f.raw, conv)
		}
		cust.expectQueued(1)
		if status, _ := ts.login(t, encodeJSON(t, obj{"name": "leaving", "password": testPassword})); status != http.StatusUnauthorized {
			t.Fatalf("login after removal=%d, want 401", status)
		}
	})
}
