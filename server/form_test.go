package server

import (
	"fmt"
	"io"
	"mime/quotedprintable"
	"net/http"
	"net/mail"
	"strings"
	"testing"

	"kefu/mailer/smtptest"
)

// TestFormAnsweredAndMailed, over real sockets and a real SMTP server: a
// customer leaves a form for a team and goes; the team's agent, coming
// online, finds it in the inbox, takes it, answers and ends; the answer is
// mailed to the address left, in the customer's language, once; the
// customer back with its token is welcomed idle with the conversation in
// its history (resume shows it ended).
func TestFormAnsweredAndMailed(t *testing.T) {
	smtp := smtptest.Start(t)
	ts := startServer(t, Config{Mail: MailConfig{SMTPURL: "smtp://" + smtp.Addr, From: "support@kefu.test"}})
	boss := ts.supervisorToken(t)
	bea := ts.addAgent(t, "bea", 1)
	status, sales := ts.api(t, "POST", "/api/teams", boss, fmt.Sprintf(`{"name":"Sales","hours":{"alwaysOpen":true},"members":[%q]}`, bea.ID))
	if status != http.StatusCreated {
		t.Fatalf("create team=%d %v", status, sales)
	}
	team := sales["id"].(string)

	c := ts.customerOnline(t, "Carol")
	c.send(obj{"type": "leave", "team": team, "email": "carol@example.com", "lang": "zh", "text": "订单 42 还没到", "cid": "f1"})
	left := c.expect("left")
	if left.Conv == "" || !strings.Contains(left.raw, `"cid":"f1"`) || !strings.Contains(left.raw, `"team":"`+team+`"`) {
		t.Fatalf("left=%s", left.raw)
	}
	c.send(obj{"type": "request"})
	c.expectError("wrong_state") // one open conversation, the form included
	c.send(obj{"type": "inbox", "team": team})
	c.expectError("forbidden") // inboxes are for agents
	c.send(obj{"type": "take", "conv": left.Conv})
	c.expectError("forbidden")
	if left.Token == "" || left.Token == c.token {
		t.Fatalf("left=%s: want a token of its own, that outlasts the chat's", left.raw)
	}
	token := left.Token
	c.ws.Close()

	back, w := ts.customerResume(t, token)
	if w.State != "inbox" {
		t.Fatalf("welcome state %q, want inbox", w.State)
	}
	if f := back.expect("left"); f.Conv != left.Conv {
		t.Fatalf("left again for %s, want %s", f.Conv, left.Conv)
	}
	back.ws.Close()

	b := ts.agentOnline(t, bea)
	b.send(obj{"type": "inbox", "team": team})
	page := b.expect("inbox", "state")
	if !strings.Contains(page.raw, left.Conv) || !strings.Contains(page.raw, "carol@example.com") || !strings.Contains(page.raw, "订单 42 还没到") {
		t.Fatalf("inbox=%s", page.raw)
	}
	b.send(obj{"type": "inbox", "team": "tm_general"})
	if f := b.expect("inbox"); strings.Contains(f.raw, left.Conv) {
		t.Fatalf("the general team's inbox shows Sales' form: %s", f.raw)
	}
	b.send(obj{"type": "take", "conv": left.Conv})
	conv := b.expect("conv", "unboxed")
	if conv.Conv != left.Conv || conv.Why != "taken" {
		t.Fatalf("conv=%s, want the form, taken", conv.raw)
	}
	b.post(left.Conv, "已发货，明天到", "")
	b.send(obj{"type": "end", "conv": left.Conv})
	b.expect("ended", "msg", "ack")

	m := smtp.Next(t)
	if m.To != "carol@example.com" || m.From != "support@kefu.test" {
		t.Fatalf("mail from %q to %q", m.From, m.To)
	}
	msg, err := mail.ReadMessage(strings.NewReader(string(m.Data)))
	if err != nil {
		t.Fatal(err)
	}
	if id := msg.Header.Get("Message-ID"); !strings.Contains(id, left.Conv) || !strings.HasSuffix(id, "@kefu.test>") {
		t.Fatalf("Message-ID %q", id)
	}
	body, err := io.ReadAll(quotedprintable.NewReader(msg.Body))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(body), "已发货，明天到") {
		t.Fatalf("the mail lacks the answer:\n%s", body)
	}
	smtp.NoMore(t)
}
