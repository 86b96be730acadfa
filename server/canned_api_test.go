package server

import (
	"net/http"
	"testing"
)

// TestCannedAPI: an agent keeps its own saved replies and sees the shared
// ones, which only a supervisor keeps; another agent's reply is answered
// as one that does not exist; -canned-max bounds a scope.
func TestCannedAPI(t *testing.T) {
	ts := startServer(t, Config{MaxCanned: 2})
	boss := ts.supervisorToken(t)
	ann := ts.addAgent(t, "ann", 2)
	bob := ts.addAgent(t, "bob", 2)

	status, shared := ts.api(t, "POST", "/api/canned", boss, `{"shortcut":"退款","text":"您好 {customer}，退款已处理。","shared":true}`)
	if status != http.StatusCreated || shared["shared"] != true || shared["shortcut"] != "退款" {
		t.Fatalf("shared create=%d %v", status, shared)
	}
	if status, body := ts.api(t, "POST", "/api/canned", ann.Token, `{"shortcut":"x","text":"y","shared":true}`); status != http.StatusForbidden {
		t.Fatalf("an agent creating a shared reply=%d %v, want 403", status, body)
	}
	status, mine := ts.api(t, "POST", "/api/canned", ann.Token, `{"shortcut":"/hi","text":"Hello, I am {agent}."}`)
	if status != http.StatusCreated || mine["shortcut"] != "hi" || mine["shared"] != false {
		t.Fatalf("own create=%d %v", status, mine)
	}
	if status, body := ts.api(t, "POST", "/api/canned", ann.Token, `{"shortcut":"HI","text":"again"}`); status != http.StatusConflict || body["code"] != "name_taken" {
		t.Fatalf("a second /HI=%d %v, want 409 name_taken", status, body)
	}
	if status, body := ts.api(t, "POST", "/api/canned", ann.Token, `{"shortcut":"two words","text":"x"}`); status != http.StatusBadRequest || body["code"] != "bad_value" {
		t.Fatalf("a bad shortcut=%d %v, want 400 bad_value", status, body)
	}
	status, list := ts.api(t, "GET", "/api/canned", ann.Token, "")
	if items := list["canned"].([]any); status != http.StatusOK || len(items) != 2 {
		t.Fatalf("ann's list=%d %v, want hers and the shared one", status, list)
	}
	_, list = ts.api(t, "GET", "/api/canned", bob.Token, "")
	if items := list["canned"].([]any); len(items) != 1 {
		t.Fatalf("bob's list=%v, want the shared one only", list)
	}
	id := mine["id"].(string)
	if status, body := ts.api(t, "PUT", "/api/canned/"+id, bob.Token, `{"shortcut":"hi","text":"mine now","version":1}`); status != http.StatusNotFound {
		t.Fatalf("bob editing ann's=%d %v, want 404", status, body)
	}
	if status, body := ts.api(t, "PUT", "/api/canned/"+id, ann.Token, `{"shortcut":"hi","text":"Hello!","version":1}`); status != http.StatusOK || body["version"] != float64(2) {
		t.Fatalf("edit=%d %v", status, body)
	}
	if status, body := ts.api(t, "PUT", "/api/canned/"+id, ann.Token, `{"shortcut":"hi","text":"Hi!","version":1}`); status != http.StatusConflict || body["code"] != "conflict" {
		t.Fatalf("a stale edit=%d %v, want 409 conflict", status, body)
	}
	ts.api(t, "POST", "/api/canned", ann.Token, `{"shortcut":"bye","text":"Bye"}`)
	if status, body := ts.api(t, "POST", "/api/canned", ann.Token, `{"shortcut":"third","text":"x"}`); status != http.StatusConflict || body["code"] != "too_many_replies" {
		t.Fatalf("a third own reply past -canned-max 2=%d %v, want 409 too_many_replies", status, body)
	}
	if status, _ := ts.api(t, "DELETE", "/api/canned/"+shared["id"].(string), ann.Token, ""); status != http.StatusNotFound {
		t.Fatalf("an agent deleting the shared reply as its own=%d, want 404", status)
	}
	if status, _ := ts.api(t, "DELETE", "/api/canned/"+shared["id"].(string)+"?shared=1", boss, ""); status != http.StatusNoContent {
		t.Fatalf("the supervisor deleting the shared reply=%d, want 204", status)
	}
}
