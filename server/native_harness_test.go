package server

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"kefu/store"
)

// obj is a client frame as a test writes it.
type obj = map[string]any

// testPassword is every test agent's password.
const testPassword = "correct horse battery"

// account is a provisioned agent and its login token.
type account struct {
	ID, Name, Token string
}

// addAgent creates an agent account in the store and logs it in over HTTP.
func (ts *testServer) addAgent(tb testing.TB, name string, capacity int) account {
	tb.Helper()
	hash, err := testPasswords.Hash(testPassword)
	if err != nil {
		tb.Fatal(err)
	}
	a, err := ts.Store().CreateAgent(context.Background(), name, hash, store.RoleAgent, capacity)
	if err != nil {
		tb.Fatalf("create agent %s: %v", name, err)
	}
	status, body := ts.login(tb, encodeJSON(tb, obj{"name": name, "password": testPassword}))
	if got, want := status, http.StatusOK; got != want {
		tb.Fatalf("login %s status=%d, want %d: %s", name, got, want, body)
	}
	var r loginBody
	decode(tb, body, &r)
	return account{ID: a.ID, Name: a.Name, Token: r.Token}
}

// login posts body to /api/login.
func (ts *testServer) login(tb testing.TB, body string) (status int, reply []byte) {
	tb.Helper()
	res, err := http.Post("http://"+ts.Addr()+"/api/login", "application/json", bytes.NewReader([]byte(body)))
	if err != nil {
		tb.Fatalf("login: %v", err)
	}
	defer res.Body.Close()
	reply, err = io.ReadAll(res.Body)
	if err != nil {
		tb.Fatalf("login body: %v", err)
	}
	return res.StatusCode, reply
}

type loginBody struct {
	Token     string    `json:"token"`
	ExpiresAt time.Time `json:"expiresAt"`
	Agent     struct {
		ID       string `json:"id"`
		Name     string `json:"name"`
		Role     string `json:"role"`
		Capacity int    `json:"capacity"`
	} `json:"agent"`
	Error string `json:"error"`
	Code  string `json:"code"`
}

// nparty is a party as the native protocol shows it.
type nparty struct {
	ID   string `json:"id"`
	Role string `json:"role"`
	Name string `json:"name"`
}

// nagent is one entry of the agents frame.
type nagent struct {
	ID       string `json:"id"`
	Name     string `json:"name"`
	Status   string `json:"status"`
	Load     int    `json:"load"`
	Capacity int    `json:"capacity"`
}

// nframe holds every field any server frame may carry.
type nframe struct {
	Type        string    `json:"type"`
	V           int       `json:"v"`
	You         *nparty   `json:"you"`
	Token       string    `json:"token"`
	Status      string    `json:"status"`
	Capacity    int       `json:"capacity"`
	State       string    `json:"state"`
	HeartbeatMs int64     `json:"heartbeatMs"`
	MaxText     int       `json:"maxTextBytes"`
	Position    int       `json:"position"`
	ETA         *int64    `json:"eta"`
	Conv        string    `json:"conv"`
	After       uint64    `json:"after"`
	Why         string    `json:"why"`
	Customer    *nparty   `json:"customer"`
	Agent       *nparty   `json:"agent"`
	History     []nframe  `json:"history"`
	More        bool      `json:"more"`
	Before      uint64    `json:"before"`
	Seq         uint64    `json:"seq"`
	From        *nparty   `json:"from"`
	Text        string    `json:"text"`
	CID         string    `json:"cid"`
	At          time.Time `json:"at"`
	Reason      string    `json:"reason"`
	By          *nparty   `json:"by"`
	Agents      []nagent  `json:"agents"`
	Code        string    `json:"code"`
	Message     string    `json:"message"`
	Rating      int       `json:"rating"`
	N           uint64    `json:"n"`
	Notes       []nframe  `json:"notes"`

	raw string
}

// nclient is one native-protocol client on /ws.
type nclient struct {
	tb testing.TB
	ws *websocket.Conn
	// From the welcome: who the server says this client is, and a
	// customer's resume token.
	me    nparty
	token string
	// sent holds the client ids of messages this connection posted whose
	// ack has not been read yet.
	sent map[string]bool
}

// cids numbers the client ids post makes up.
var cids atomic.Uint64

// dialNative opens /ws without saying hello.
func (ts *testServer) dialNative(tb testing.TB) *nclient {
	tb.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+ts.Addr()+"/ws", nil)
	if err != nil {
		tb.Fatalf("dial /ws: %v", err)
	}
	tb.Cleanup(func() { ws.Close() })
	return &nclient{tb: tb, ws: ws, sent: map[string]bool{}}
}

// agentOnline connects as the agent and reads its welcome.
func (ts *testServer) agentOnline(tb testing.TB, a account) *nclient {
	tb.Helper()
	c := ts.dialNative(tb)
	c.send(obj{"type": "hello", "v": 1, "role": "agent", "token": a.Token})
	c.welcomed()
	return c
}

// customerOnline connects a new customer and reads its welcome.
func (ts *testServer) customerOnline(tb testing.TB, name string) *nclient {
	tb.Helper()
	c := ts.dialNative(tb)
	c.send(obj{"type": "hello", "v": 1, "role": "customer", "name": name})
	c.welcomed()
	return c
}

// hello connects with the given hello frame and reads the welcome.
func (ts *testServer) hello(tb testing.TB, hello obj) (*nclient, nframe) {
	tb.Helper()
	c := ts.dialNative(tb)
	c.send(hello)
	return c, c.welcomed()
}

// customerResume reconnects a customer with its resume token and returns
// the client and its welcome.
func (ts *testServer) customerResume(tb testing.TB, token string) (*nclient, nframe) {
	tb.Helper()
	c := ts.dialNative(tb)
	c.send(obj{"type": "hello", "v": 1, "role": "customer", "token": token})
	return c, c.welcomed()
}

func (c *nclient) welcomed() nframe {
	c.tb.Helper()
	w := c.expect("welcome")
	if w.You == nil {
		c.tb.Fatalf("welcome without you: %s", w.raw)
	}
	c.me, c.token = *w.You, w.Token
	return w
}

// send writes v as one JSON text frame.
func (c *nclient) send(v any) {
	c.tb.Helper()
	c.sendRaw(encodeJSON(c.tb, v))
}

func (c *nclient) sendRaw(data string) {
	c.tb.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(data)); err != nil {
		c.tb.Fatalf("write: %v", err)
	}
}

// next reads the next frame other than a heartbeat, waiting at most
// testWait in all.
func (c *nclient) next() nframe {
	c.tb.Helper()
	return c.nextBefore(time.Now().Add(testWait))
}

func (c *nclient) nextBefore(deadline time.Time) nframe {
	c.tb.Helper()
	for {
		if f := c.read(deadline); f.Type != "ping" {
			return f
		}
	}
}

// nextAny reads the next frame, heartbeats included.
func (c *nclient) nextAny() nframe {
	c.tb.Helper()
	return c.read(time.Now().Add(testWait))
}

// read reads one frame, failing on the deadline or a close.
func (c *nclient) read(deadline time.Time) nframe {
	c.tb.Helper()
	_ = c.ws.SetReadDeadline(deadline)
	kind, data, err := c.ws.ReadMessage()
	if err != nil {
		c.tb.Fatalf("%s: read: %v", c.me.Name, err)
	}
	if kind != websocket.TextMessage {
		c.tb.Fatalf("frame kind=%d, want text", kind)
	}
	var f nframe
	if err := json.Unmarshal(data, &f); err != nil {
		c.tb.Fatalf("frame %s: %v", data, err)
	}
	f.raw = string(data)
	return f
}

// expect reads the next frame, skipping heartbeats and any of the types in
// skip, and checks its type.
func (c *nclient) expect(typ string, skip ...string) nframe {
	c.tb.Helper()
	deadline := time.Now().Add(testWait)
	for {
		f := c.nextBefore(deadline)
		if f.Type == typ {
			return f
		}
		if !slices.Contains(skip, f.Type) {
			c.tb.Fatalf("%s got %s, want a %q frame", c.me.Name, f.raw, typ)
		}
	}
}

// expectError reads the next frame and checks it is an error with code.
func (c *nclient) expectError(code string) nframe {
	c.tb.Helper()
	f := c.expect("error")
	if got, want := f.Code, code; got != want {
		c.tb.Fatalf("error code=%q, want %q (%s)", got, want, f.raw)
	}
	if f.Message == "" {
		c.tb.Fatalf("error without a message: %s", f.raw)
	}
	return f
}

// expectQueued reads queued frames until one has position pos: the
// estimate alone may change in between.
func (c *nclient) expectQueued(pos int) nframe {
	c.tb.Helper()
	deadline := time.Now().Add(testWait)
	for {
		f := c.nextBefore(deadline)
		if f.Type != "queued" {
			c.tb.Fatalf("%s got %s, want a queued frame", c.me.Name, f.raw)
		}
		if !strings.Contains(f.raw, `"eta":`) {
			c.tb.Fatalf("queued without eta: %s", f.raw)
		}
		if f.Position == pos {
			return f
		}
	}
}

// expectMsg reads the next msg frame and checks its place, sender and
// text. For a message this connection posted it also reads the ack, which
// may come before or after the msg.
func (c *nclient) expectMsg(conv string, seq uint64, from nparty, text string) nframe {
	c.tb.Helper()
	deadline := time.Now().Add(testWait)
	var ack *nframe
	for {
		f := c.nextBefore(deadline)
		switch {
		case f.Type == "ack" && ack == nil:
			ack = &f
			continue
		case f.Type != "msg":
			c.tb.Fatalf("%s got %s, want msg %d in %s", c.me.Name, f.raw, seq, conv)
		}
		if f.Conv != conv || f.Seq != seq || f.From == nil || *f.From != from || f.Text != text {
			c.tb.Fatalf("%s got %s, want msg %d in %s from %+v: %q", c.me.Name, f.raw, seq, conv, from, text)
		}
		if !c.sent[f.CID] {
			if ack != nil {
				c.tb.Fatalf("%s got %s for a message it did not send", c.me.Name, ack.raw)
			}
			return f
		}
		delete(c.sent, f.CID)
		for ack == nil {
			if a := c.nextBefore(deadline); a.Type == "ack" {
				ack = &a
			} else {
				c.tb.Fatalf("%s got %s, want the ack of %q", c.me.Name, a.raw, f.CID)
			}
		}
		if ack.Conv != conv || ack.CID != f.CID || ack.Seq != seq || !ack.At.Equal(f.At) {
			c.tb.Fatalf("%s got %s, want the ack of %s", c.me.Name, ack.raw, f.raw)
		}
		return f
	}
}

// expectClosed reads until the server closes the socket, skipping only
// heartbeats, and checks the close code and reason ("" for any reason).
func (c *nclient) expectClosed(code int, reason string) {
	c.tb.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(testWait))
	for {
		_, data, err := c.ws.ReadMessage()
		if err == nil {
			if bytes.Equal(data, []byte(`{"type":"ping"}`)) {
				continue
			}
			c.tb.Fatalf("frame %s before close, want close %d", data, code)
		}
		ce, ok := err.(*websocket.CloseError)
		if !ok {
			c.tb.Fatalf("read error %v, want close %d", err, code)
		}
		if ce.Code != code || (reason != "" && ce.Text != reason) {
			c.tb.Fatalf("close=%d %q, want %d %q", ce.Code, ce.Text, code, reason)
		}
		return
	}
}

// expectRefused checks a refused hello: an error frame with code and the
// close reason as its message, then the close itself.
func (c *nclient) expectRefused(code string, closeCode int, reason string) {
	c.tb.Helper()
	if e := c.expectError(code); e.Message != reason {
		c.tb.Fatalf("error message=%q, want the close reason %q", e.Message, reason)
	}
	c.expectClosed(closeCode, reason)
}

// alive checks the connection still answers: ping, then pong.
func (c *nclient) alive() {
	c.tb.Helper()
	c.send(obj{"type": "ping"})
	c.expect("pong")
}

// post sends a chat message with client id cid, or with a fresh one when
// cid is "", and returns the client id.
func (c *nclient) post(conv, text, cid string) string {
	c.tb.Helper()
	if cid == "" {
		// Unique across connections: a sender's client ids are its own
		// across all its tabs and reconnections.
		cid = fmt.Sprintf("m-%d", cids.Add(1))
	}
	c.sent[cid] = true
	c.send(obj{"type": "msg", "conv": conv, "text": text, "cid": cid})
	return cid
}

// assign has the customer ask for an agent that is free and checks that
// both get the new conversation; it returns the conversation id.
func assign(tb testing.TB, agent, cust *nclient) string {
	tb.Helper()
	cust.send(obj{"type": "request"})
	got := cust.expect("conv")
	checkConv(tb, got, "assigned", cust.me, agent.me, 0)
	checkConv(tb, agent.expect("conv"), "assigned", cust.me, agent.me, 0)
	return got.Conv
}

// checkConv checks a conv frame's reason, parties and history length;
// agent's zero value means none.
func checkConv(tb testing.TB, f nframe, why string, cust, agent nparty, history int) {
	tb.Helper()
	if f.Type != "conv" || f.Conv == "" || f.Why != why || f.Customer == nil || *f.Customer != cust {
		tb.Fatalf("got %s, want conv why %q with customer %+v", f.raw, why, cust)
	}
	switch {
	case agent == nparty{} && f.Agent != nil:
		tb.Fatalf("got %s, want conv with agent null", f.raw)
	case agent != nparty{} && (f.Agent == nil || *f.Agent != agent):
		tb.Fatalf("got %s, want conv with agent %+v", f.raw, agent)
	}
	if got, want := len(f.History), history; got != want {
		tb.Fatalf("history has %d messages, want %d: %s", got, want, f.raw)
	}
	if why != "sync" && f.After != 0 {
		tb.Fatalf("got %s, want after 0: the whole history", f.raw)
	}
	for i, m := range f.History {
		if got, want := m.Seq, f.After+uint64(i+1); got != want || m.Type != "msg" || m.Conv != f.Conv {
			tb.Fatalf("history[%d]=%+v, want msg seq %d of %s", i, m, want, f.Conv)
		}
	}
}

func encodeJSON(tb testing.TB, v any) string {
	tb.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		tb.Fatal(err)
	}
	return string(b)
}

// relogin logs an existing account in again and returns the new token.
func (ts *testServer) relogin(tb testing.TB, name string) string {
	tb.Helper()
	status, body := ts.login(tb, encodeJSON(tb, obj{"name": name, "password": testPassword}))
	if got, want := status, http.StatusOK; got != want {
		tb.Fatalf("login status=%d, want %d: %s", got, want, body)
	}
	var r loginBody
	decode(tb, body, &r)
	return r.Token
}

func decode(tb testing.TB, data []byte, v any) {
	tb.Helper()
	if err := json.Unmarshal(data, v); err != nil {
		tb.Fatalf("decode %s: %v", data, err)
	}
}
