package server

import (
	"context"
	"fmt"
	"strings"
	"testing"
)

// TestNotesNeverReachCustomer (issue 19): an agent's private note is
// stored and told to the agent's tabs, and never to the customer's socket:
// not live, not in the conv frame of a resume, not in history; the
// customer's seq has no gap for it. A resend is stored once; a customer
// cannot write one. The history API gives it to the agent.
func TestNotesNeverReachCustomer(t *testing.T) {
	ts := startServer(t, Config{})
	alice := ts.addAgent(t, "Alice", 3)
	agent := ts.agentOnline(t, alice)
	cust := ts.customerOnline(t, "Bob")
	conv := assign(t, agent, cust)
	cust.post(conv, "where is my refund", "")
	cust.expectMsg(conv, 1, cust.me, "where is my refund")
	agent.expectMsg(conv, 1, cust.me, "where is my refund")

	const secret = "VIP; refund checked in the ledger"
	note := func(c *nclient, cid string) {
		c.send(obj{"type": "note", "conv": conv, "text": secret, "cid": cid})
	}
	expectNote := func(c *nclient) {
		t.Helper()
		f := c.expect("note")
		if f.Conv != conv || f.N != 1 || f.After != 1 || f.Text != secret || f.CID != "n-1" || f.From == nil || f.From.ID != alice.ID {
			t.Fatalf("got %s, want note 1 after message 1", f.raw)
		}
	}
	note(agent, "n-1")
	expectNote(agent)
	note(agent, "n-1") // a resend: told again, stored once
	expectNote(agent)

	// The customer's next frame is the agent's next message, numbered
	// right after its own: nothing came between, no seq was skipped.
	agent.post(conv, "it is on its way", "")
	agent.expectMsg(conv, 2, agent.me, "it is on its way")
	cust.expectMsg(conv, 2, agent.me, "it is on its way")

	// A customer cannot write one.
	cust.send(obj{"type": "note", "conv": conv, "text": "me too", "cid": "x"})
	cust.expectError("forbidden")

	// The customer's resume: history without the note.
	back, _ := ts.customerResume(t, cust.token)
	f := back.expect("conv")
	if strings.Contains(f.raw, secret) || strings.Contains(f.raw, `"notes"`) || len(f.History) != 2 {
		t.Fatalf("customer's conv frame %s: want both messages and no note", f.raw)
	}
	back.send(obj{"type": "history", "conv": conv, "before": 3})
	if h := back.expect("history"); strings.Contains(h.raw, secret) {
		t.Fatalf("customer's history %s holds the note", h.raw)
	}

	// The agent's new tab has it in the conv frame.
	tab := ts.agentOnline(t, alice)
	g := tab.expect("conv")
	if len(g.Notes) != 1 || g.Notes[0].Text != secret || g.Notes[0].N != 1 || g.Notes[0].After != 1 {
		t.Fatalf("agent's conv frame %s: want note 1", g.raw)
	}

	stored, err := ts.Store().Notes(context.Background(), conv, 0)
	if err != nil || len(stored) != 1 || stored[0].Text != secret || stored[0].AuthorID != alice.ID {
		t.Fatalf("stored notes %+v, %v: want the one", stored, err)
	}
	status, body := ts.api(t, "GET", "/api/conversations/"+conv, alice.Token, "")
	if notes, _ := body["notes"].([]any); status != 200 || len(notes) != 1 || !strings.Contains(fmt.Sprint(notes[0]), secret) {
		t.Fatalf("GET conversation: %d %v", status, body)
	}
	status, body = ts.api(t, "GET", "/api/conversations/"+conv+"/messages", alice.Token, "")
	if status != 200 || strings.Contains(fmt.Sprint(body), secret) {
		t.Fatalf("GET messages: %d %v: want no note among them", status, body)
	}
}

// TestLabelsAPI: an agent labels a conversation it served, the labels come
// back in normal form, filter the list and show in the record; another
// agent cannot label it; bad labels are refused.
func TestLabelsAPI(t *testing.T) {
	ts := startServer(t, Config{})
	alice := ts.addAgent(t, "Alice", 3)
	eve := ts.addAgent(t, "Eve", 3)
	agent := ts.agentOnline(t, alice)
	cust := ts.customerOnline(t, "Bob")
	conv := assign(t, agent, cust)
	cust.post(conv, "hi", "")
	cust.expectMsg(conv, 1, cust.me, "hi")

	path := "/api/conversations/" + conv + "/labels"
	status, body := ts.api(t, "PUT", path, alice.Token, `{"labels":[" Refund ","退款","refund"]}`)
	if status != 200 || fmt.Sprint(body["labels"]) != "[refund 退款]" {
		t.Fatalf("PUT labels: %d %v", status, body)
	}
	status, body = ts.api(t, "GET", "/api/conversations?label=REFUND", alice.Token, "")
	if list, _ := body["conversations"].([]any); status != 200 || len(list) != 1 || !strings.Contains(fmt.Sprint(list[0]), "退款") {
		t.Fatalf("list by label: %d %v", status, body)
	}
	if status, body = ts.api(t, "GET", "/api/conversations?label=vip", alice.Token, ""); status != 200 || len(body["conversations"].([]any)) != 0 {
		t.Fatalf("list by another label: %d %v", status, body)
	}
	if status, body = ts.api(t, "GET", "/api/conversations/"+conv, alice.Token, ""); status != 200 || fmt.Sprint(body["labels"]) != "[refund 退款]" {
		t.Fatalf("GET conversation: %d %v", status, body)
	}
	if status, _ = ts.api(t, "PUT", path, eve.Token, `{"labels":["mine"]}`); status != 404 {
		t.Fatalf("another agent's PUT: %d, want 404", status)
	}
	for _, bad := range []string{`{"labels":["two words"]}`, `{"labels":"x"}`, `not json`} {
		if status, body = ts.api(t, "PUT", path, alice.Token, bad); status != 400 {
			t.Fatalf("PUT %s: %d %v, want 400", bad, status, body)
		}
	}
	if status, _ = ts.api(t, "GET", "/api/conversations?label=a,b", alice.Token, ""); status != 400 {
		t.Fatalf("a bad label filter: %d, want 400", status)
	}
}
