package server

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"kefu/actors"
	"kefu/auth"
	"kefu/internal/ids"
	"kefu/limit"
	"kefu/transport"
)

// End-to-end tests of the native protocol (docs/protocol.md, "Native
// protocol (v1)"): real sockets on /ws against a real server. Each frame of
// the document is sent here at least once and its answer checked. The
// client helpers are in native_harness_test.go.

func TestNativeLogin(t *testing.T) {
	ts := startServer(t, Config{})
	acct := ts.addAgent(t, "Alice", 4)

	t.Run("OK", func(t *testing.T) {
		before := time.Now()
		status, body := ts.login(t, `{"name":"Alice","password":"`+testPassword+`"}`)
		if got, want := status, http.StatusOK; got != want {
			t.Fatalf("status=%d, want %d: %s", got, want, body)
		}
		var r loginBody
		decode(t, body, &r)
		if r.Token == "" {
			t.Fatalf("no token: %s", body)
		}
		if got, want := r.Agent.ID, acct.ID; got != want || !strings.HasPrefix(got, "ag_") {
			t.Fatalf("agent.id=%q, want %q", got, want)
		}
		if got, want := r.Agent.Name, "Alice"; got != want {
			t.Fatalf("agent.name=%q, want %q", got, want)
		}
		if got, want := r.Agent.Role, "agent"; got != want {
			t.Fatalf("agent.role=%q, want %q", got, want)
		}
		if got, want := r.Agent.Capacity, 4; got != want {
			t.Fatalf("agent.capacity=%d, want %d", got, want)
		}
		if d := r.ExpiresAt.Sub(before); d < transport.AgentTokenTTL-time.Minute || d > transport.AgentTokenTTL+time.Minute {
			t.Fatalf("expiresAt=%v, want about %v from now", r.ExpiresAt, transport.AgentTokenTTL)
		}
	})
	t.Run("NameAnyCase", func(t *testing.T) {
		status, _ := ts.login(t, `{"name":"  aLiCe ","password":"`+testPassword+`"}`)
		if got, want := status, http.StatusOK; got != want {
			t.Fatalf("status=%d, want %d", got, want)
		}
	})

	const refused = `{"code":"bad_credentials","error":"wrong name or password"}` + "\n"
	t.Run("ErrWrongPassword", func(t *testing.T) {
		status, body := ts.login(t, `{"name":"Alice","password":"wrong password"}`)
		if got, want := status, http.StatusUnauthorized; got != want {
			t.Fatalf("status=%d, want %d", got, want)
		}
		if got, want := string(body), refused; got != want {
			t.Fatalf("body=%s, want %s", got, want)
		}
	})
	t.Run("ErrUnknownName", func(t *testing.T) {
		status, body := ts.login(t, `{"name":"Nobody","password":"`+testPassword+`"}`)
		if got, want := status, http.StatusUnauthorized; got != want {
			t.Fatalf("status=%d, want %d", got, want)
		}
		if got, want := string(body), refused; got != want {
			t.Fatalf("body=%s, want the same as a wrong password, %s", got, want)
		}
	})
	t.Run("ErrBadJSON", func(t *testing.T) {
		for _, body := range []string{`not json`, `{"name":"Alice"}`, `{"name":" ","password":"x"}`, `[]`} {
			status, reply := ts.login(t, body)
			if got, want := status, http.StatusBadRequest; got != want {
				t.Fatalf("%s: status=%d, want %d", body, got, want)
			}
			var r loginBody
			decode(t, reply, &r)
			if got, want := r.Code, "bad_request"; got != want {
				t.Fatalf("%s: code=%q, want %q", body, got, want)
			}
		}
	})
}

func TestNativeHello(t *testing.T) {
	ts := startServer(t, Config{})
	acct := ts.addAgent(t, "Alice", 4)

	t.Run("AgentOK", func(t *testing.T) {
		c := ts.dialNative(t)
		c.send(obj{"type": "hello", "v": 1, "role": "agent", "token": acct.Token})
		w := c.expect("welcome")
		if got, want := *w.You, (nparty{ID: acct.ID, Role: "agent", Name: "Alice"}); got != want {
			t.Fatalf("you=%+v, want %+v", got, want)
		}
		if w.V != 1 || w.Status != "available" || w.Capacity != 4 || w.HeartbeatMs != transport.DefaultHeartbeat.Milliseconds() || w.Token != "" || w.State != "" {
			t.Fatalf("welcome=%s, want v 1, available, capacity 4, heartbeatMs %d, no token, no state", w.raw, transport.DefaultHeartbeat.Milliseconds())
		}
	})

	var resume string
	var bob nparty
	t.Run("CustomerOK", func(t *testing.T) {
		c := ts.dialNative(t)
		c.send(obj{"type": "hello", "v": 1, "role": "customer", "name": "Bob <b>"})
		w := c.expect("welcome")
		if !strings.HasPrefix(w.You.ID, ids.Customer) || w.You.Role != "customer" || w.You.Name != "Bob <b>" {
			t.Fatalf("you=%+v, want a cu_ id, role customer, name as given", *w.You)
		}
		if w.V != 1 || w.Token == "" || w.State != "idle" || w.HeartbeatMs == 0 || w.Status != "" || w.Capacity != 0 {
			t.Fatalf("welcome=%s, want v 1, a token, state idle, a heartbeat, no status or capacity", w.raw)
		}
		resume, bob = w.Token, *w.You
	})
	t.Run("CustomerResume", func(t *testing.T) {
		if resume == "" {
			t.Fatal("no resume token: CustomerOK failed")
		}
		_, w := ts.customerResume(t, resume)
		if got, want := *w.You, bob; got != want {
			t.Fatalf("you=%+v, want %+v", got, want)
		}
		if w.Token == "" || w.State != "idle" {
			t.Fatalf("welcome=%s, want a fresh token and state idle", w.raw)
		}
	})
	t.Run("NewCustomersGetNewIDs", func(t *testing.T) {
		a, b := ts.customerOnline(t, "Same"), ts.customerOnline(t, "Same")
		if a.me.ID == b.me.ID {
			t.Fatalf("two new customers named Same both got id %s", a.me.ID)
		}
	})

	// Refusals: the socket is closed with a code and a reason.
	key, err := ts.Store().Secret(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	signer := auth.NewSigner(key, nil)
	forger := auth.NewSigner(bytes.Repeat([]byte("k"), 32), nil)
	past := auth.NewSigner(key, func() time.Time { return time.Now().Add(-2 * time.Hour) })
	issue := func(s *auth.Signer, c auth.Claims) string {
		t.Helper()
		tok, err := s.Issue(c)
		if err != nil {
			t.Fatal(err)
		}
		return tok
	}
	hour := time.Now().Add(time.Hour)
	refusals := map[string]struct {
		hello     obj
		errorCode string
		code      int
		reason    string
	}{
		"ErrForgedCustomerToken": {
			obj{"type": "hello", "v": 1, "role": "customer", "token": issue(forger, auth.Claims{Subject: bob.ID + "x", Role: auth.RoleCustomer, ExpiresAt: hour})},
			"unauthorized", 4003, "unauthorized: invalid or expired token",
		},
		"ErrForgedAgentToken": {
			obj{"type": "hello", "v": 1, "role": "agent", "token": issue(forger, auth.Claims{Subject: acct.ID, Role: auth.RoleAgent, ExpiresAt: hour})},
			"unauthorized", 4003, "unauthorized: invalid or expired token",
		},
		"ErrGarbageToken": {
			obj{"type": "hello", "v": 1, "role": "customer", "token": "garbage"},
			"unauthorized", 4003, "unauthorized: invalid or expired token",
		},
		"ErrExpiredToken": {
			obj{"type": "hello", "v": 1, "role": "customer", "token": issue(past, auth.Claims{Subject: "cu_old", Role: auth.RoleCustomer, ExpiresAt: time.Now().Add(-time.Hour)})},
			"unauthorized", 4003, "unauthorized: token expired",
		},
		"ErrAgentWithCustomerToken": {
			obj{"type": "hello", "v": 1, "role": "agent", "token": issue(signer, auth.Claims{Subject: "cu_someone", Role: auth.RoleCustomer, ExpiresAt: hour})},
			"unauthorized", 4003, "unauthorized: invalid or expired token",
		},
		"ErrCustomerWithAgentToken": {
			obj{"type": "hello", "v": 1, "role": "customer", "token": acct.Token},
			"unauthorized", 4003, "unauthorized: invalid or expired token",
		},
		"ErrVersion": {
			obj{"type": "hello", "v": 2, "role": "customer", "name": "Bob"},
			"bad_value", 4000, "unsupported protocol version",
		},
		"ErrNameTooLong": {
			obj{"type": "hello", "v": 1, "role": "customer", "name": strings.Repeat("名", 65)},
			"bad_value", 4000, "name: name is longer than 64 characters",
		},
		// Names that would disguise themselves (issue 12, item 5).
		"ErrNameBidiOverride": {
			obj{"type": "hello", "v": 1, "role": "customer", "name": "evil\u202egnp.exe"},
			"bad_value", 4000, "name: name contains invisible character U+202E",
		},
		"ErrNameZeroWidth": {
			obj{"type": "hello", "v": 1, "role": "customer", "name": "系\u200b统"},
			"bad_value", 4000, "name: name contains invisible character U+200B",
		},
		"ErrNameByteOrderMark": {
			obj{"type": "hello", "v": 1, "role": "customer", "name": "Bob\ufeff"},
			"bad_value", 4000, "name: name contains invisible character U+FEFF",
		},
		"ErrNameTag": {
			obj{"type": "hello", "v": 1, "role": "customer", "name": "Bob\U000e0041"},
			"bad_value", 4000, "name: name contains invisible character U+E0041",
		},
		"ErrNamePadded": {
			obj{"type": "hello", "v": 1, "role": "customer", "name": "Bob "},
			"bad_value", 4000, "name: name starts or ends with white space",
		},
		"ErrNameReserved": {
			obj{"type": "hello", "v": 1, "role": "customer", "name": "系统"},
			"bad_value", 4000, "name: name is reserved",
		},
	}
	for name, tc := range refusals {
		t.Run(name, func(t *testing.T) {
			c := ts.dialNative(t)
			c.send(tc.hello)
			c.expectRefused(tc.errorCode, tc.code, tc.reason)
		})
	}
	t.Run("ErrAccountRemoved", func(t *testing.T) {
		gone := ts.addAgent(t, "Gone", 3)
		if err := ts.Store().RemoveAgent(context.Background(), "Gone"); err != nil {
			t.Fatal(err)
		}
		c := ts.dialNative(t)
		c.send(obj{"type": "hello", "v": 1, "role": "agent", "token": gone.Token})
		c.expectRefused("unauthorized", 4003, "unauthorized: account removed")
	})

	t.Run("ErrNotWebSocket", func(t *testing.T) {
		res, err := http.Get("http://" + ts.Addr() + "/ws")
		if err != nil {
			t.Fatal(err)
		}
		defer res.Body.Close()
		body := new(strings.Builder)
		if _, err := io.Copy(body, res.Body); err != nil {
			t.Fatal(err)
		}
		if got, want := res.StatusCode, http.StatusBadRequest; got != want {
			t.Fatalf("status=%d, want %d", got, want)
		}
		if got, want := body.String(), "this is a WebSocket endpoint; see docs/protocol.md\n"; got != want {
			t.Fatalf("body=%q, want %q", got, want)
		}
	})
	t.Run("ErrNoHello", func(t *testing.T) {
		c := ts.dialNative(t)
		c.send(obj{"type": "request"})
		c.expectError("hello_required")
		c.expectClosed(4002, "expected a hello frame first")
	})
	t.Run("ErrSecondHello", func(t *testing.T) {
		c := ts.customerOnline(t, "Twice")
		c.send(obj{"type": "hello", "v": 1, "role": "customer", "name": "Twice"})
		c.expectError("wrong_state")
		c.alive()
	})
	// A malformed hello is an error frame, not a close: the client may
	// correct it and try again.
	t.Run("ErrHelloFields", func(t *testing.T) {
		c := ts.dialNative(t)
		for _, tc := range []struct {
			hello obj
			code  string
		}{
			{obj{"type": "hello", "role": "customer", "name": "B"}, "missing_field"},
			{obj{"type": "hello", "v": 1, "name": "B"}, "missing_field"},
			{obj{"type": "hello", "v": 1, "role": "boss", "name": "B"}, "bad_value"},
			{obj{"type": "hello", "v": 1, "role": "customer"}, "missing_field"},
			{obj{"type": "hello", "v": 1, "role": "agent"}, "missing_field"},
			{obj{"type": "hello", "v": "1", "role": "customer", "name": "B"}, "bad_frame"},
		} {
			c.send(tc.hello)
			if got, want := c.next(), tc.code; got.Code != want {
				t.Fatalf("hello %v: got %s, want error %s", tc.hello, got.raw, want)
			}
		}
		c.send(obj{"type": "hello", "v": 1, "role": "customer", "name": "B"})
		c.welcomed()
	})
	// Frames sent right behind the hello, before its welcome, are not
	// lost: a client need not wait a round trip to ask for an agent.
	t.Run("PipelinedAfterHello", func(t *testing.T) {
		c := ts.dialNative(t)
		c.send(obj{"type": "hello", "v": 1, "role": "customer", "name": "Eager"})
		c.send(obj{"type": "request"})
		c.welcomed()
		// The cancel travels behind the request: dequeued only if the
		// request was kept, wrong_state if it was dropped.
		c.send(obj{"type": "cancel"})
		c.expectQueued(1)
		c.expect("dequeued")
	})
}

func TestNativeQueue(t *testing.T) {
	ts := startServer(t, Config{})
	acct := ts.addAgent(t, "Alice", 1)
	c1, c2 := ts.customerOnline(t, "C1"), ts.customerOnline(t, "C2")
	var agent *nclient
	connect := func() { agent = ts.agentOnline(t, acct) } // lives as long as the test

	// With no agent available there is no estimate: eta is null.
	t.Run("QueuedFirst", func(t *testing.T) {
		c1.send(obj{"type": "request"})
		if got, want := c1.expect("queued").raw, `{"type":"queued","position":1,"eta":null,"team":"tm_general"}`; got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	})
	t.Run("QueuedSecond", func(t *testing.T) {
		c2.send(obj{"type": "request"})
		if got, want := c2.expect("queued").raw, `{"type":"queued","position":2,"eta":null,"team":"tm_general"}`; got != want {
			t.Fatalf("got %s, want %s", got, want)
		}
	})
	t.Run("ErrRequestTwice", func(t *testing.T) {
		c1.send(obj{"type": "request"})
		c1.expectError("wrong_state")
	})
	t.Run("CancelMovesTheNextUp", func(t *testing.T) {
		c1.send(obj{"type": "cancel"})
		c1.expect("dequeued")
		if q := c2.expect("queued"); q.Position != 1 || q.ETA != nil {
			t.Fatalf("got %s, want position 1 eta null", q.raw)
		}
		ts.waitStats(t, "one waiting", func(s actors.Stats) bool { return s.Queued == 1 })
	})
	t.Run("ErrCancelNotWaiting", func(t *testing.T) {
		c1.send(obj{"type": "cancel"})
		c1.expectError("wrong_state")
	})
	t.Run("RequestAgainGoesToTheBack", func(t *testing.T) {
		c1.send(obj{"type": "request"})
		c1.expectQueued(2)
	})
	t.Run("AgentTakesTheHead", func(t *testing.T) {
		connect()
		conv := c2.expect("conv")
		checkConv(t, conv, "assigned", c2.me, agent.me, 0)
		if got := agent.expect("conv"); got.Conv != conv.Conv {
			t.Fatalf("agent got %s, want conv %s", got.raw, conv.Conv)
		}
		checkConv(t, conv, "assigned", c2.me, agent.me, 0)
		// One available slot and the starting average of two minutes:
		// position 1 waits about 120 s.
		if q := c1.expectQueued(1); q.ETA == nil || *q.ETA != 120 {
			t.Fatalf("got %s, want position 1 eta 120", q.raw)
		}
	})
	t.Run("ErrRequestInConversation", func(t *testing.T) {
		c2.send(obj{"type": "request"})
		c2.expectError("wrong_state")
		agent.alive()
	})
}

func TestNativeChat(t *testing.T) {
	ts := startServer(t, Config{})
	agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 3))
	cust := ts.customerOnline(t, "Bob")
	conv := assign(t, agent, cust)

	t.Run("MessagesBothWays", func(t *testing.T) {
		cust.post(conv, "你好", "c-1")
		for _, c := range []*nclient{cust, agent} {
			m := c.expectMsg(conv, 1, cust.me, "你好")
			if got, want := m.CID, "c-1"; got != want {
				t.Fatalf("cid=%q, want %q", got, want)
			}
			if time.Since(m.At) > time.Minute || m.At.Location() != time.UTC {
				t.Fatalf("at=%v, want now in UTC", m.At)
			}
		}
		text := `<b>hi</b> & "q"`
		agent.post(conv, text, "a-1")
		for _, c := range []*nclient{agent, cust} {
			if got, want := c.expectMsg(conv, 2, agent.me, text).CID, "a-1"; got != want {
				t.Fatalf("cid=%q, want %q", got, want)
			}
		}
	})
	// A message sent again with the same cid (a resend after a lost
	// connection, say) is acknowledged again with its first seq, and nobody
	// gets it twice.
	t.Run("ResendAnsweredOnce", func(t *testing.T) {
		cust.post(conv, "once", "c-2")
		cust.expectMsg(conv, 3, cust.me, "once")
		agent.expectMsg(conv, 3, cust.me, "once")
		cust.send(obj{"type": "msg", "conv": conv, "text": "once", "cid": "c-2"})
		if a := cust.expect("ack"); a.Conv != conv || a.CID != "c-2" || a.Seq != 3 {
			t.Fatalf("got %s, want the ack of seq 3 again", a.raw)
		}
		// The agent's client ids are its own: the same cid is a new message.
		agent.post(conv, "mine", "c-2")
		agent.expectMsg(conv, 4, agent.me, "mine")
		cust.expectMsg(conv, 4, agent.me, "mine") // not 3 again
	})
	t.Run("ManyInOrder", func(t *testing.T) {
		for i := range 20 {
			cust.post(conv, strings.Repeat("x", i+1), "")
		}
		for i := range 20 {
			agent.expectMsg(conv, uint64(5+i), cust.me, strings.Repeat("x", i+1))
			cust.expectMsg(conv, uint64(5+i), cust.me, strings.Repeat("x", i+1))
		}
	})
	t.Run("TypingThrottled", func(t *testing.T) {
		for range 5 {
			cust.send(obj{"type": "typing", "conv": conv})
		}
		cust.post(conv, "done typing", "")
		typing := agent.expect("typing")
		if typing.Conv != conv || *typing.From != cust.me {
			t.Fatalf("got %s, want typing in %s from %+v", typing.raw, conv, cust.me)
		}
		// One typing for the burst, then the message; the typist hears
		// nothing of its own typing.
		agent.expectMsg(conv, 25, cust.me, "done typing")
		cust.expectMsg(conv, 25, cust.me, "done typing")

		agent.send(obj{"type": "typing", "conv": conv})
		if typing := cust.expect("typing"); *typing.From != agent.me {
			t.Fatalf("got %s, want typing from %+v", typing.raw, agent.me)
		}
	})
	t.Run("EndByCustomer", func(t *testing.T) {
		cust.send(obj{"type": "end", "conv": conv})
		for _, c := range []*nclient{cust, agent} {
			e := c.expect("ended")
			if e.Conv != conv || e.Reason != "customer_ended" || e.By == nil || *e.By != cust.me {
				t.Fatalf("got %s, want ended %s customer_ended by %+v", e.raw, conv, cust.me)
			}
		}
		cust.post(conv, "after the end", "")
		cust.expectError("unknown_conversation")
		agent.post(conv, "after the end", "")
		agent.expectError("unknown_conversation")
	})
	t.Run("EndByAgent", func(t *testing.T) {
		conv := assign(t, agent, cust)
		agent.send(obj{"type": "end", "conv": conv})
		for _, c := range []*nclient{agent, cust} {
			e := c.expect("ended")
			if e.Conv != conv || e.Reason != "agent_ended" || e.By == nil || *e.By != agent.me {
				t.Fatalf("got %s, want ended %s agent_ended by %+v", e.raw, conv, agent.me)
			}
		}
	})
	t.Run("EndFreesTheAgent", func(t *testing.T) {
		ts := startServer(t, Config{})
		agent := ts.agentOnline(t, ts.addAgent(t, "Solo", 1))
		c1, c2 := ts.customerOnline(t, "C1"), ts.customerOnline(t, "C2")
		conv := assign(t, agent, c1)
		c2.send(obj{"type": "request"})
		c2.expectQueued(1)
		agent.send(obj{"type": "end", "conv": conv})
		agent.expect("ended")
		checkConv(t, agent.expect("conv"), "assigned", c2.me, agent.me, 0)
		checkConv(t, c2.expect("conv"), "assigned", c2.me, agent.me, 0)
	})
}

// TestNativeReadReceipts: read marks go to the other side, only forward and
// only over messages that exist.
func TestNativeReadReceipts(t *testing.T) {
	chat := func(t *testing.T) (agent, cust *nclient, conv string) {
		t.Helper()
		ts := startServer(t, Config{})
		agent = ts.agentOnline(t, ts.addAgent(t, "Alice", 3))
		cust = ts.customerOnline(t, "Bob")
		conv = assign(t, agent, cust)
		cust.post(conv, "one", "")
		cust.expectMsg(conv, 1, cust.me, "one")
		agent.expectMsg(conv, 1, cust.me, "one")
		agent.post(conv, "two", "")
		agent.expectMsg(conv, 2, agent.me, "two")
		cust.expectMsg(conv, 2, agent.me, "two")
		return agent, cust, conv
	}
	t.Run("ByAgent", func(t *testing.T) {
		agent, cust, conv := chat(t)
		agent.send(obj{"type": "read", "conv": conv, "seq": 1})
		if r := cust.expect("read"); r.Conv != conv || r.Seq != 1 || r.By == nil || *r.By != agent.me {
			t.Fatalf("got %s, want read 1 by %+v", r.raw, agent.me)
		}
		// These two are dropped without an answer: backwards, and past the
		// last message.
		agent.send(obj{"type": "read", "conv": conv, "seq": 1})
		agent.send(obj{"type": "read", "conv": conv, "seq": 999})
		agent.send(obj{"type": "read", "conv": conv, "seq": 2})
		if r := cust.expect("read"); r.Seq != 2 {
			t.Fatalf("got %s, want read 2", r.raw)
		}
	})
	t.Run("ByCustomer", func(t *testing.T) {
		agent, cust, conv := chat(t)
		cust.send(obj{"type": "read", "conv": conv, "seq": 2})
		if r := agent.expect("read"); r.Conv != conv || r.Seq != 2 || r.By == nil || *r.By != cust.me {
			t.Fatalf("got %s, want read 2 by %+v", r.raw, cust.me)
		}
	})
	t.Run("ErrRead", func(t *testing.T) {
		_, cust, conv := chat(t)
		cust.send(obj{"type": "read", "conv": conv})
		cust.expectError("missing_field")
		cust.send(obj{"type": "read", "conv": conv, "seq": "3"})
		cust.expectError("bad_frame")
		cust.send(obj{"type": "read", "conv": "cv_nope", "seq": 1})
		cust.expectError("unknown_conversation")
		cust.alive()
	})
}

func TestNativeAgentControls(t *testing.T) {
	ts := startServer(t, Config{})
	alice := ts.addAgent(t, "Alice", 3)
	agent := ts.agentOnline(t, alice)
	c1, c2 := ts.customerOnline(t, "C1"), ts.customerOnline(t, "C2")

	expectState := func(t *testing.T, c *nclient, status string, capacity int) {
		t.Helper()
		if s := c.expect("state"); s.Status != status || s.Capacity != capacity {
			t.Fatalf("got %s, want state %s capacity %d", s.raw, status, capacity)
		}
	}
	t.Run("Away", func(t *testing.T) {
		agent.send(obj{"type": "status", "status": "away"})
		expectState(t, agent, "away", 3)
		c1.send(obj{"type": "request"})
		c1.expectQueued(1)
	})
	t.Run("AvailableTakesTheWaiting", func(t *testing.T) {
		agent.send(obj{"type": "status", "status": "available"})
		expectState(t, agent, "available", 3) // and nothing assigned while away
		checkConv(t, agent.expect("conv"), "assigned", c1.me, agent.me, 0)
		checkConv(t, c1.expect("conv", "queued"), "assigned", c1.me, agent.me, 0)
	})
	t.Run("ErrStatus", func(t *testing.T) {
		agent.send(obj{"type": "status", "status": "busy"})
		agent.expectError("bad_value")
		agent.send(obj{"type": "status"})
		agent.expectError("missing_field")
		agent.alive()
	})
	t.Run("CapacityFull", func(t *testing.T) {
		agent.send(obj{"type": "capacity", "capacity": 1})
		expectState(t, agent, "available", 1)
		c2.send(obj{"type": "request"})
		c2.expectQueued(1)
	})
	t.Run("CapacityRaised", func(t *testing.T) {
		agent.send(obj{"type": "capacity", "capacity": 2})
		expectState(t, agent, "available", 2)
		checkConv(t, agent.expect("conv"), "assigned", c2.me, agent.me, 0)
		checkConv(t, c2.expect("conv", "queued"), "assigned", c2.me, agent.me, 0)
		a, err := ts.Store().AgentByID(context.Background(), alice.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := a.Capacity, 2; got != want {
			t.Fatalf("stored capacity=%d, want %d", got, want)
		}
	})
	t.Run("ErrCapacity", func(t *testing.T) {
		for _, n := range []int{0, 51, -1} {
			agent.send(obj{"type": "capacity", "capacity": n})
			agent.expectError("bad_value")
		}
		agent.send(obj{"type": "capacity", "capacity": "5"})
		if e := agent.expectError("bad_frame"); !strings.Contains(e.Message, "capacity") {
			t.Fatalf("got %s, want the message to name the field capacity", e.raw)
		}
		agent.send(obj{"type": "capacity"})
		agent.expectError("missing_field")
		agent.alive()
	})
	t.Run("Agents", func(t *testing.T) {
		carol := ts.addAgent(t, "Carol", 5)
		other := ts.agentOnline(t, carol)
		other.send(obj{"type": "status", "status": "away"})
		expectState(t, other, "away", 5)
		ts.addAgent(t, "Offline", 3)
		agent.send(obj{"type": "agents"})
		got := agent.expect("agents").Agents
		want := []nagent{
			{ID: alice.ID, Name: "Alice", Status: "available", Load: 2, Capacity: 2},
			{ID: carol.ID, Name: "Carol", Status: "away", Load: 0, Capacity: 5},
		}
		if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] {
			t.Fatalf("agents=%+v, want %+v", got, want)
		}
	})
}

func TestNativeTransfer(t *testing.T) {
	ts := startServer(t, Config{})
	alice := ts.agentOnline(t, ts.addAgent(t, "Alice", 3))
	cust := ts.customerOnline(t, "Bob")
	conv := assign(t, alice, cust) // before Bea is online, so Alice gets it
	bea := ts.agentOnline(t, ts.addAgent(t, "Bea", 3))

	cust.post(conv, "one", "")
	for _, c := range []*nclient{cust, alice} {
		c.expectMsg(conv, 1, cust.me, "one")
	}
	alice.post(conv, "two", "")
	for _, c := range []*nclient{cust, alice} {
		c.expectMsg(conv, 2, alice.me, "two")
	}

	t.Run("ToAgent", func(t *testing.T) {
		alice.send(obj{"type": "transfer", "conv": conv, "to": bea.me.ID})
		if a := cust.expect("agent"); a.Conv != conv || a.Agent == nil || *a.Agent != bea.me {
			t.Fatalf("customer got %s, want agent %+v", a.raw, bea.me)
		}
		if e := alice.expect("ended"); e.Conv != conv || e.Reason != "transferred" || e.By != nil {
			t.Fatalf("old agent got %s, want ended transferred, by null", e.raw)
		}
		got := bea.expect("conv")
		checkConv(t, got, "transferred", cust.me, bea.me, 2)
		if got.Conv != conv || got.History[0].Text != "one" || got.History[1].Text != "two" || *got.History[1].From != alice.me {
			t.Fatalf("new agent got %s, want the whole conversation", got.raw)
		}
		cust.post(conv, "three", "")
		cust.expectMsg(conv, 3, cust.me, "three")
		bea.expectMsg(conv, 3, cust.me, "three")
		alice.post(conv, "still mine?", "")
		alice.expectError("unknown_conversation")
	})
	t.Run("ToQueue", func(t *testing.T) {
		for _, a := range []*nclient{alice, bea} {
			a.send(obj{"type": "status", "status": "away"})
			a.expect("state")
		}
		bea.send(obj{"type": "transfer", "conv": conv, "to": "queue"})
		if e := bea.expect("ended"); e.Conv != conv || e.Reason != "requeued" {
			t.Fatalf("agent got %s, want ended requeued", e.raw)
		}
		if r := cust.expect("requeued"); r.Conv != conv || r.Reason != "requeued" {
			t.Fatalf("customer got %s, want requeued %s", r.raw, conv)
		}
		cust.expectQueued(1)
		alice.send(obj{"type": "status", "status": "available"})
		alice.expect("state")
		got := alice.expect("conv")
		checkConv(t, got, "assigned", cust.me, alice.me, 3)
		if got.Conv != conv {
			t.Fatalf("agent got conv %s, want the same conversation %s", got.Conv, conv)
		}
		if a := cust.expect("agent", "queued"); a.Conv != conv || *a.Agent != alice.me {
			t.Fatalf("customer got %s, want agent %+v", a.raw, alice.me)
		}
		alice.post(conv, "back", "")
		cust.expectMsg(conv, 4, alice.me, "back")
		alice.expectMsg(conv, 4, alice.me, "back")
	})
	// Cy is full with another customer; both stay for the whole test.
	cy := ts.agentOnline(t, ts.addAgent(t, "Cy", 1))
	other := ts.customerOnline(t, "Other")
	t.Run("ErrAgentUnavailable", func(t *testing.T) {
		// Bea is away; Cy is full; nobody has the id ag_nobody.
		assign(t, cy, other)
		for _, to := range []string{bea.me.ID, cy.me.ID, "ag_nobody"} {
			alice.send(obj{"type": "transfer", "conv": conv, "to": to})
			alice.expectError("agent_unavailable")
		}
		alice.post(conv, "still here", "")
		cust.expectMsg(conv, 5, alice.me, "still here")
		alice.expectMsg(conv, 5, alice.me, "still here")
	})
	t.Run("ErrToSelf", func(t *testing.T) {
		alice.send(obj{"type": "transfer", "conv": conv, "to": alice.me.ID})
		alice.expectError("bad_value")
	})
	t.Run("ErrMissingTo", func(t *testing.T) {
		alice.send(obj{"type": "transfer", "conv": conv})
		alice.expectError("missing_field")
	})
	t.Run("ErrCustomerTransfers", func(t *testing.T) {
		cust.send(obj{"type": "transfer", "conv": conv, "to": bea.me.ID})
		cust.expectError("forbidden")
	})
	t.Run("ErrNotYours", func(t *testing.T) {
		bea.send(obj{"type": "transfer", "conv": conv, "to": bea.me.ID})
		bea.expectError("unknown_conversation")
	})
}

func TestNativeAccess(t *testing.T) {
	ts := startServer(t, Config{})
	alice := ts.agentOnline(t, ts.addAgent(t, "Alice", 1))
	c1 := ts.customerOnline(t, "C1")
	conv1 := assign(t, alice, c1)
	bea := ts.agentOnline(t, ts.addAgent(t, "Bea", 1))
	c2 := ts.customerOnline(t, "C2")
	conv2 := assign(t, bea, c2)

	for name, tc := range map[string]struct {
		from  *nclient
		frame obj
		code  string
	}{
		"ErrCustomerPostsElsewhere":   {c1, obj{"type": "msg", "conv": conv2, "text": "hi", "cid": "x1"}, "unknown_conversation"},
		"ErrCustomerReadsElsewhere":   {c1, obj{"type": "read", "conv": conv2, "seq": 1}, "unknown_conversation"},
		"ErrCustomerTypesElsewhere":   {c1, obj{"type": "typing", "conv": conv2}, "unknown_conversation"},
		"ErrCustomerEndsElsewhere":    {c1, obj{"type": "end", "conv": conv2}, "unknown_conversation"},
		"ErrMadeUpConversation":       {c1, obj{"type": "msg", "conv": "cv_nope", "text": "hi", "cid": "x2"}, "unknown_conversation"},
		"ErrAgentPostsElsewhere":      {alice, obj{"type": "msg", "conv": conv2, "text": "hi", "cid": "x3"}, "unknown_conversation"},
		"ErrAgentEndsElsewhere":       {alice, obj{"type": "end", "conv": conv2}, "unknown_conversation"},
		"ErrAgentTransfersElsewhere":  {alice, obj{"type": "transfer", "conv": conv2, "to": "queue"}, "unknown_conversation"},
		"ErrCustomerSetsStatus":       {c1, obj{"type": "status", "status": "away"}, "forbidden"},
		"ErrCustomerSetsCapacity":     {c1, obj{"type": "capacity", "capacity": 5}, "forbidden"},
		"ErrCustomerListsAgents":      {c1, obj{"type": "agents"}, "forbidden"},
		"ErrCustomerTransfersOwnConv": {c1, obj{"type": "transfer", "conv": conv1, "to": "queue"}, "forbidden"},
		"ErrAgentRequests":            {alice, obj{"type": "request"}, "forbidden"},
		"ErrAgentCancels":             {alice, obj{"type": "cancel"}, "forbidden"},
	} {
		t.Run(name, func(t *testing.T) {
			tc.from.send(tc.frame)
			tc.from.expectError(tc.code)
			tc.from.alive()
		})
	}
	t.Run("OtherConversationUntouched", func(t *testing.T) {
		c2.post(conv2, "mine", "")
		c2.expectMsg(conv2, 1, c2.me, "mine") // nothing from the attempts before it
		bea.expectMsg(conv2, 1, c2.me, "mine")
		c1.post(conv1, "also mine", "")
		alice.expectMsg(conv1, 1, c1.me, "also mine")
	})
}

func TestNativeBadFrames(t *testing.T) {
	ts := startServer(t, Config{})
	agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 3))
	cust := ts.customerOnline(t, "Bob")
	conv := assign(t, agent, cust)

	for name, tc := range map[string]struct {
		frame string
		code  string
	}{
		"ErrUnknownType":       {`{"type":"fly"}`, "unknown_type"},
		"ErrNoType":            {`{"conv":"` + conv + `","text":"hi"}`, "missing_field"},
		"ErrMsgWithoutText":    {`{"type":"msg","conv":"` + conv + `","cid":"b2"}`, "missing_field"},
		"ErrMsgWithoutConv":    {`{"type":"msg","text":"hi","cid":"b1"}`, "missing_field"},
		"ErrMsgWithoutCID":     {`{"type":"msg","conv":"` + conv + `","text":"hi"}`, "missing_field"},
		"ErrCIDTooLong":        {`{"type":"msg","conv":"` + conv + `","text":"hi","cid":"` + strings.Repeat("c", 65) + `"}`, "bad_value"},
		"ErrTypingWithoutConv": {`{"type":"typing"}`, "missing_field"},
		"ErrEndWithoutConv":    {`{"type":"end"}`, "missing_field"},
		"ErrWrongType":         {`{"type":"msg","conv":"` + conv + `","text":5}`, "bad_frame"},
		"ErrNotJSON":           {`hello`, "bad_frame"},
		"ErrNotAnObject":       {`[1,2]`, "bad_frame"},
		"ErrTwoObjects":        {`{"type":"ping"}{"type":"ping"}`, "bad_frame"},
		"ErrEmptyText":         {`{"type":"msg","conv":"` + conv + `","text":" \n\t","cid":"b3"}`, "empty_text"},
		"ErrTextTooLong":       {`{"type":"msg","conv":"` + conv + `","text":"` + strings.Repeat("x", transport.DefaultMaxTextBytes+1) + `","cid":"b4"}`, "text_too_long"},
		"ErrNotUTF8":           {"{\"type\":\"msg\",\"conv\":\"" + conv + "\",\"text\":\"\xff\",\"cid\":\"b5\"}", "bad_text"},
	} {
		t.Run(name, func(t *testing.T) {
			cust.sendRaw(tc.frame)
			e := cust.expectError(tc.code)
			if tc.code == "bad_frame" && name == "ErrWrongType" && !strings.Contains(e.Message, "text") {
				t.Fatalf("got %s, want the message to name the field text", e.raw)
			}
			cust.alive()
		})
	}
	t.Run("ErrBinary", func(t *testing.T) {
		if err := cust.ws.WriteMessage(websocket.BinaryMessage, []byte(`{"type":"ping"}`)); err != nil {
			t.Fatal(err)
		}
		cust.expectError("binary_frame")
		cust.alive()
	})
	t.Run("UnknownFieldsIgnored", func(t *testing.T) {
		cust.sent["u-1"] = true
		cust.sendRaw(`{"type":"msg","conv":"` + conv + `","text":"hi","cid":"u-1","from":{"id":"ag_x","role":"agent","name":"Boss"},"seq":99,"future":true}`)
		cust.expectMsg(conv, 1, cust.me, "hi")
		agent.expectMsg(conv, 1, cust.me, "hi")
	})
	t.Run("ErrFrameTooLarge", func(t *testing.T) {
		other := ts.customerOnline(t, "Big")
		other.sendRaw(`{"type":"ping","pad":"` + strings.Repeat("x", 64<<10) + `"}`)
		other.expectClosed(websocket.CloseMessageTooBig, "frame too large: limit 65536 bytes")
	})
	t.Run("CountedAndLogged", func(t *testing.T) {
		// The 15 refused frames above and the binary one, but for the
		// empty text (not an offence) and the long one (counted as
		// text_length). The log line per offence is limit.Offences'
		// (rate-limited, tested in limit/).
		if got := ts.Offences().Get(limit.BadFrame); got != 14 {
			t.Fatalf("%d bad frames counted, want 14", got)
		}
	})
	t.Run("ConversationUnharmed", func(t *testing.T) {
		agent.post(conv, "still here", "")
		cust.expectMsg(conv, 2, agent.me, "still here")
		agent.expectMsg(conv, 2, agent.me, "still here")
	})
}

func TestNativeHeartbeat(t *testing.T) {
	t.Run("ServerPings", func(t *testing.T) {
		ts := startServer(t, Config{Heartbeat: 50 * time.Millisecond})
		c := ts.dialNative(t)
		c.send(obj{"type": "hello", "v": 1, "role": "customer", "name": "Bob"})
		if got, want := c.nextAny().HeartbeatMs, int64(50); got != want {
			t.Fatalf("heartbeatMs=%d, want %d", got, want)
		}
		// Answered, as a client does: a silent one is dropped after 3
		// heartbeats, which would race the third ping on a busy machine.
		for range 3 {
			if f := c.nextAny(); f.raw != `{"type":"ping"}` {
				t.Fatalf("got %s, want {\"type\":\"ping\"}", f.raw)
			}
			c.send(obj{"type": "pong"})
		}
	})
	t.Run("NoPingUnderTraffic", func(t *testing.T) {
		// A ping is for a quiet socket: a client whose frames come and
		// go faster than the heartbeat gets none, and one gone quiet gets
		// one a heartbeat later.
		heartbeat := 300 * time.Millisecond
		ts := startServer(t, Config{Heartbeat: heartbeat})
		c := ts.customerOnline(t, "Bob")
		for end := time.Now().Add(4 * heartbeat); time.Now().Before(end); {
			c.send(obj{"type": "ping"})
			if f := c.nextAny(); f.raw != `{"type":"pong"}` {
				t.Fatalf("got %s under traffic, want only the pong to its ping", f.raw)
			}
		}
		if f := c.nextAny(); f.raw != `{"type":"ping"}` {
			t.Fatalf("got %s once quiet, want {\"type\":\"ping\"}", f.raw)
		}
	})
	t.Run("ClientPingPong", func(t *testing.T) {
		ts := startServer(t, Config{})
		c := ts.customerOnline(t, "Bob")
		c.send(obj{"type": "pong"}) // answers nothing
		c.send(obj{"type": "ping"})
		if f := c.next(); f.raw != `{"type":"pong"}` {
			t.Fatalf("got %s, want {\"type\":\"pong\"}", f.raw)
		}
	})
	t.Run("SilentClientDropped", func(t *testing.T) {
		limits := transport.DefaultNativeLimits()
		limits.PongWait = 300 * time.Millisecond
		ts := startServer(t, Config{Heartbeat: 100 * time.Millisecond, NativeSockets: limits})

		// The live client answers every heartbeat with a pong.
		live := ts.customerOnline(t, "Live")
		stop, stopped := make(chan struct{}), make(chan struct{})
		go func() {
			defer close(stopped)
			for {
				select {
				case <-stop:
					return
				default:
				}
				_ = live.ws.SetReadDeadline(time.Now().Add(testWait))
				_, data, err := live.ws.ReadMessage()
				if err != nil {
					return
				}
				if string(data) == `{"type":"ping"}` {
					if err := live.ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"pong"}`)); err != nil {
						return
					}
				}
			}
		}()

		// The silent one reads nothing from now on, so answers nothing.
		ts.customerOnline(t, "Silent")
		start := time.Now()
		ts.waitStats(t, "silent client dropped", func(s actors.Stats) bool { return s.Customers == 1 })
		if took := time.Since(start); took > 10*limits.PongWait {
			t.Fatalf("silent client dropped after %v, want within about %v", took, limits.PongWait)
		}
		close(stop)
		<-stopped
		live.alive()
	})
}

func TestNativeAgentGrace(t *testing.T) {
	t.Run("BackWithinGrace", func(t *testing.T) {
		ts := startServer(t, Config{Grace: time.Minute})
		acct := ts.addAgent(t, "Alice", 3)
		agent := ts.agentOnline(t, acct)
		c1, c2 := ts.customerOnline(t, "C1"), ts.customerOnline(t, "C2")
		conv1, conv2 := assign(t, agent, c1), assign(t, agent, c2)
		c1.post(conv1, "one", "")
		c1.expectMsg(conv1, 1, c1.me, "one")
		agent.expectMsg(conv1, 1, c1.me, "one")

		// The first time the agent comes back with nothing in hand and gets
		// the whole history; the second time with a new login and the last
		// seq it has of each conversation, and gets only what is newer.
		seq := map[string]uint64{conv1: 1, conv2: 0} // last seq of each
		for _, how := range []string{"same token", "new login"} {
			known := map[string]uint64{conv1: seq[conv1], conv2: seq[conv2]}
			agent.ws.Close()
			ts.waitStats(t, "agent away within grace", func(s actors.Stats) bool { return s.Agents == 1 && s.FreeAgents == 0 })
			// What the customer says meanwhile waits in the history.
			c1.post(conv1, "anyone? ("+how+")", "")
			seq[conv1]++
			c1.expectMsg(conv1, seq[conv1], c1.me, "anyone? ("+how+")")
			hello := obj{"type": "hello", "v": 1, "role": "agent", "token": acct.Token}
			after := map[string]uint64{conv1: 0, conv2: 0}
			if how == "new login" {
				hello["token"] = ts.relogin(t, "Alice")
				hello["resume"] = known
				after = known
			}
			agent, _ = ts.hello(t, hello)
			synced := map[string]nframe{}
			for range 2 {
				f := agent.expect("conv")
				synced[f.Conv] = f
			}
			for _, tc := range []struct {
				conv string
				cust *nclient
			}{{conv1, c1}, {conv2, c2}} {
				got := synced[tc.conv]
				checkConv(t, got, "sync", tc.cust.me, agent.me, int(seq[tc.conv]-after[tc.conv]))
				if got.After != after[tc.conv] {
					t.Fatalf("got %s, want after %d", got.raw, after[tc.conv])
				}
			}
			if h := synced[conv1].History; h[len(h)-1].Text != "anyone? ("+how+")" {
				t.Fatalf("history=%+v, want what was said while away last", h)
			}

			// The conversations carry on; the customers noticed nothing.
			text := "back (" + how + ")"
			agent.post(conv2, text, "")
			seq[conv2]++
			c2.expectMsg(conv2, seq[conv2], agent.me, text)
			agent.expectMsg(conv2, seq[conv2], agent.me, text)
			c1.post(conv1, text, "")
			seq[conv1]++
			c1.expectMsg(conv1, seq[conv1], c1.me, text)
			agent.expectMsg(conv1, seq[conv1], c1.me, text)
		}
	})
	t.Run("PastGraceRequeuedInOrder", func(t *testing.T) {
		ts := startServer(t, Config{Grace: 300 * time.Millisecond})
		agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 2))
		c1, c2, c3 := ts.customerOnline(t, "C1"), ts.customerOnline(t, "C2"), ts.customerOnline(t, "C3")
		conv1, conv2 := assign(t, agent, c1), assign(t, agent, c2)
		c1.post(conv1, "first", "")
		c2.post(conv2, "second", "")
		c1.expectMsg(conv1, 1, c1.me, "first")
		c2.expectMsg(conv2, 1, c2.me, "second")
		c3.send(obj{"type": "request"})
		c3.expectQueued(1)

		agent.ws.Close()
		for i, c := range []*nclient{c1, c2} {
			r := c.expect("requeued")
			if r.Conv != []string{conv1, conv2}[i] || r.Reason != "agent_lost" {
				t.Fatalf("%s got %s, want requeued agent_lost", c.me.Name, r.raw)
			}
			c.expectQueued(i + 1) // at the head, in the original order
		}
		c3.expectQueued(3) // behind them
		ts.waitStats(t, "agent gone", func(s actors.Stats) bool { return s.Agents == 0 && s.Queued == 3 })

		// A new agent takes them one at a time, oldest first, each with
		// its history.
		bea := ts.agentOnline(t, ts.addAgent(t, "Bea", 1))
		for i, tc := range []struct {
			c       *nclient
			conv    string
			history int
		}{{c1, conv1, 1}, {c2, conv2, 1}, {c3, "", 0}} {
			got := bea.expect("conv")
			checkConv(t, got, "assigned", tc.c.me, bea.me, tc.history)
			if tc.conv != "" {
				if got.Conv != tc.conv {
					t.Fatalf("assignment %d: conv %s, want %s", i, got.Conv, tc.conv)
				}
				if a := tc.c.expect("agent", "queued"); a.Conv != tc.conv || *a.Agent != bea.me {
					t.Fatalf("%s got %s, want agent %+v", tc.c.me.Name, a.raw, bea.me)
				}
			} else {
				checkConv(t, tc.c.expect("conv", "queued"), "assigned", tc.c.me, bea.me, 0)
			}
			bea.send(obj{"type": "end", "conv": got.Conv})
			bea.expect("ended")
		}
	})
}

func TestNativeCustomerGrace(t *testing.T) {
	t.Run("QueuedBackWithinGrace", func(t *testing.T) {
		ts := startServer(t, Config{Grace: time.Minute})
		c1, c2 := ts.customerOnline(t, "C1"), ts.customerOnline(t, "C2")
		c1.send(obj{"type": "request"})
		c1.expectQueued(1)
		c2.send(obj{"type": "request"})
		c2.expectQueued(2)
		c1.ws.Close()
		ts.waitStats(t, "C1 away", func(s actors.Stats) bool { return s.Customers == 1 && s.Queued == 2 })
		back, w := ts.customerResume(t, c1.token)
		if *w.You != c1.me || w.State != "queued" {
			t.Fatalf("welcome=%s, want %+v state queued", w.raw, c1.me)
		}
		back.expectQueued(1)
	})
	t.Run("QueuedPastGrace", func(t *testing.T) {
		ts := startServer(t, Config{Grace: 300 * time.Millisecond})
		c1, c2 := ts.customerOnline(t, "C1"), ts.customerOnline(t, "C2")
		c1.send(obj{"type": "request"})
		c1.expectQueued(1)
		c2.send(obj{"type": "request"})
		c2.expectQueued(2)
		c1.ws.Close()
		c2.expectQueued(1)
		ts.waitStats(t, "C1 out of the queue", func(s actors.Stats) bool { return s.Queued == 1 })
		_, w := ts.customerResume(t, c1.token)
		if w.State != "idle" {
			t.Fatalf("welcome=%s, want state idle", w.raw)
		}
	})
	// A customer whose conversation went back to the queue resumes both:
	// its place and its conversation, without an agent yet.
	t.Run("RequeuedBackWithinGrace", func(t *testing.T) {
		ts := startServer(t, Config{Grace: time.Minute})
		agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 3))
		cust := ts.customerOnline(t, "Bob")
		conv := assign(t, agent, cust)
		agent.send(obj{"type": "status", "status": "away"})
		agent.expect("state")
		agent.send(obj{"type": "transfer", "conv": conv, "to": "queue"})
		cust.expect("requeued")
		cust.expectQueued(1)
		cust.ws.Close()
		ts.waitStats(t, "customer away", func(s actors.Stats) bool { return s.Customers == 0 && s.Queued == 1 })

		back, w := ts.customerResume(t, cust.token)
		if w.State != "queued" {
			t.Fatalf("welcome=%s, want state queued", w.raw)
		}
		back.expectQueued(1)
		checkConv(t, back.expect("conv"), "sync", cust.me, nparty{}, 0)

		// Leaving the queue now ends the conversation.
		back.send(obj{"type": "cancel"})
		if e := back.expect("ended"); e.Conv != conv || e.Reason != "customer_ended" {
			t.Fatalf("got %s, want ended customer_ended", e.raw)
		}
		ts.waitStats(t, "nothing left", func(s actors.Stats) bool { return s.Queued == 0 && s.Conversations == 0 })
	})
	t.Run("ChattingBackWithinGrace", func(t *testing.T) {
		ts := startServer(t, Config{Grace: time.Minute})
		agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 3))
		cust := ts.customerOnline(t, "Bob")
		conv := assign(t, agent, cust)
		cust.post(conv, "one", "")
		agent.expectMsg(conv, 1, cust.me, "one")
		cust.ws.Close()
		ts.waitStats(t, "customer away", func(s actors.Stats) bool { return s.Customers == 0 && s.Conversations == 1 })
		agent.post(conv, "while you were away", "")
		agent.expectMsg(conv, 2, agent.me, "while you were away")

		// The customer has seq 1; it gets only what came after.
		back, w := ts.hello(t, obj{"type": "hello", "v": 1, "role": "customer", "token": cust.token, "resume": obj{conv: 1}})
		if *w.You != cust.me || w.State != "chatting" {
			t.Fatalf("welcome=%s, want %+v state chatting", w.raw, cust.me)
		}
		got := back.expect("conv")
		checkConv(t, got, "sync", cust.me, agent.me, 1)
		if got.After != 1 || got.History[0].Text != "while you were away" {
			t.Fatalf("got %s, want after 1 and only what was said while away", got.raw)
		}
		back.post(conv, "back", "")
		back.expectMsg(conv, 3, cust.me, "back")
		agent.expectMsg(conv, 3, cust.me, "back")
	})
	t.Run("ChattingPastGrace", func(t *testing.T) {
		ts := startServer(t, Config{Grace: 300 * time.Millisecond})
		agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 1))
		cust := ts.customerOnline(t, "Bob")
		conv := assign(t, agent, cust)
		cust.ws.Close()
		agent.post(conv, "are you there?", "")
		e := agent.expect("ended", "msg", "ack")
		if e.Conv != conv || e.Reason != "customer_left" || e.By == nil || *e.By != cust.me {
			t.Fatalf("agent got %s, want ended customer_left by %+v", e.raw, cust.me)
		}
		ts.waitStats(t, "agent free", func(s actors.Stats) bool { return s.FreeAgents == 1 && s.Conversations == 0 })
		// A conversation the client remembers but that ended meanwhile:
		// what it missed, then that it is gone, however long it was away.
		back, w := ts.hello(t, obj{"type": "hello", "v": 1, "role": "customer", "token": cust.token, "resume": obj{conv: 0}})
		if w.State != "idle" {
			t.Fatalf("welcome=%s, want state idle", w.raw)
		}
		replay := back.expect("conv")
		if replay.Conv != conv || replay.Why != "ended" || len(replay.History) != 1 || replay.History[0].Text != "are you there?" {
			t.Fatalf("got %s, want the missed message replayed", replay.raw)
		}
		if e := back.expect("ended"); e.Conv != conv || e.Reason != "gone" || e.By != nil {
			t.Fatalf("got %s, want ended gone, by null", e.raw)
		}
	})
}

func TestNativeSecondTab(t *testing.T) {
	t.Run("Agent", func(t *testing.T) {
		ts := startServer(t, Config{Grace: time.Minute})
		acct := ts.addAgent(t, "Alice", 3)
		tab1 := ts.agentOnline(t, acct)
		cust := ts.customerOnline(t, "Bob")
		conv := assign(t, tab1, cust)
		cust.post(conv, "one", "")
		cust.expectMsg(conv, 1, cust.me, "one")
		tab1.expectMsg(conv, 1, cust.me, "one")

		acct.Token = ts.relogin(t, "Alice")
		tab2 := ts.agentOnline(t, acct)
		checkConv(t, tab2.expect("conv"), "sync", cust.me, tab2.me, 1)

		cust.post(conv, "two", "")
		cust.expectMsg(conv, 2, cust.me, "two")
		tab1.expectMsg(conv, 2, cust.me, "two")
		tab2.expectMsg(conv, 2, cust.me, "two")
		tab2.post(conv, "three", "t2")
		for _, c := range []*nclient{tab1, tab2, cust} {
			c.expectMsg(conv, 3, tab1.me, "three")
		}
		tab1.send(obj{"type": "status", "status": "away"})
		for _, c := range []*nclient{tab1, tab2} {
			if s := c.expect("state"); s.Status != "away" {
				t.Fatalf("got %s, want state away", s.raw)
			}
		}
		tab1.ws.Close()
		ts.waitStats(t, "one tab left", func(s actors.Stats) bool { return s.Agents == 1 })
		cust.post(conv, "four", "")
		tab2.expectMsg(conv, 4, cust.me, "four")
		tab2.send(obj{"type": "end", "conv": conv})
		tab2.expect("ended")
		cust.expectMsg(conv, 4, cust.me, "four")
		cust.expect("ended")
	})
	t.Run("CustomerReplaced", func(t *testing.T) {
		ts := startServer(t, Config{Grace: time.Minute})
		agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 3))
		tab1 := ts.customerOnline(t, "Bob")
		conv := assign(t, agent, tab1)
		tab1.post(conv, "one", "")
		tab1.expectMsg(conv, 1, tab1.me, "one")

		tab2, w := ts.customerResume(t, tab1.token)
		tab1.expectClosed(4011, "connected elsewhere")
		if w.State != "chatting" {
			t.Fatalf("welcome=%s, want state chatting", w.raw)
		}
		checkConv(t, tab2.expect("conv"), "sync", tab1.me, agent.me, 1)
		agent.expectMsg(conv, 1, tab1.me, "one")
		agent.post(conv, "to the new tab", "")
		tab2.expectMsg(conv, 2, agent.me, "to the new tab")
		ts.waitStats(t, "one customer connection", func(s actors.Stats) bool { return s.Customers == 1 && s.Conversations == 1 })
	})
}

// TestNativeReplacedWithoutGrace: with no grace at all (-grace 0), a
// customer opening a second tab mid-conversation still keeps the
// conversation: the first tab closing is not the customer leaving.
func TestNativeReplacedWithoutGrace(t *testing.T) {
	ts := startServer(t, Config{})
	agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 50))
	for range 5 { // the loss is a race; a few rounds make it show
		tab1 := ts.customerOnline(t, "Bob")
		conv := assign(t, agent, tab1)
		tab2, w := ts.customerResume(t, tab1.token)
		tab1.expectClosed(4011, "connected elsewhere")
		if w.State != "chatting" {
			t.Fatalf("welcome=%s, want state chatting", w.raw)
		}
		checkConv(t, tab2.expect("conv"), "sync", tab1.me, agent.me, 0)
		tab2.post(conv, "still here", "")
		agent.expectMsg(conv, 1, tab1.me, "still here")
		tab2.send(obj{"type": "end", "conv": conv})
		agent.expect("ended")
		tab2.ws.Close()
	}
}

// TestNativeRestart: conversations open when the server stops are there
// when it starts again; both sides come back with the tokens they had.
func TestNativeRestart(t *testing.T) { forEachStore(t, testNativeRestart) }

func testNativeRestart(t *testing.T, spec, dir string) {
	ts := startServer(t, Config{DataDir: dir, Store: spec, Grace: time.Minute})
	acct := ts.addAgent(t, "Alice", 3)
	agent := ts.agentOnline(t, acct)
	cust := ts.customerOnline(t, "Bob")
	conv := assign(t, agent, cust)
	cust.post(conv, "before the restart", "")
	cust.expectMsg(conv, 1, cust.me, "before the restart")
	agent.expectMsg(conv, 1, cust.me, "before the restart")

	ts.stop()
	if err := <-ts.done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	ts.done <- nil // for the cleanup
	ts = startServer(t, Config{DataDir: dir, Store: spec, Grace: time.Minute})

	back, w := ts.customerResume(t, cust.token)
	if *w.You != cust.me || w.State != "chatting" {
		t.Fatalf("welcome=%s, want %+v chatting", w.raw, cust.me)
	}
	checkConv(t, back.expect("conv"), "sync", cust.me, agent.me, 1)
	agent, _ = ts.hello(t, obj{"type": "hello", "v": 1, "role": "agent", "token": acct.Token})
	checkConv(t, agent.expect("conv"), "sync", cust.me, agent.me, 1)
	agent.post(conv, "after the restart", "")
	agent.expectMsg(conv, 2, agent.me, "after the restart")
	back.expectMsg(conv, 2, agent.me, "after the restart")
}

// TestNativePoolsApart: the tutorial's agents serve only the tutorial's
// customers, and the native agents only native ones.
func TestNativePoolsApart(t *testing.T) {
	ts := startServer(t, Config{})
	onlineAgent(t, ts, "CompatAgent")
	cust := ts.customerOnline(t, "Bob")
	cust.send(obj{"type": "request"})
	cust.expectQueued(1)

	ts2 := startServer(t, Config{})
	ts2.agentOnline(t, ts2.addAgent(t, "Alice", 3))
	if got, want := ts2.getRoom(t, "B"), (roomReply{}); got != want {
		t.Fatalf("getroom with only a native agent=%+v, want %+v", got, want)
	}
}
