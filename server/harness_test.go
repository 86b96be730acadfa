package server

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"kefu/actors"
	"kefu/auth"
	"kefu/transport"
)

// testWait bounds every wait in these tests: far above what a healthy run
// needs, so only a real hang fails.
const testWait = 5 * time.Second

// testServer is a real server on loopback ports.
type testServer struct {
	*Server
	done chan error // Run's result
	stop context.CancelFunc
}

// startServer runs a server on 127.0.0.1 with the compat port on. cfg's
// zero fields take test defaults.
func startServer(t *testing.T, cfg Config) *testServer {
	t.Helper()
	if cfg.Addr == "" {
		cfg.Addr = "127.0.0.1:0"
	}
	if cfg.CompatAddr == "" {
		cfg.CompatAddr = "127.0.0.1:0"
	}
	if cfg.DataDir == "" {
		cfg.DataDir = t.TempDir()
		cfg.Store = testStore(t, cfg.Store)
	}
	if cfg.Log == nil {
		cfg.Log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Passwords == (auth.Hasher{}) {
		cfg.Passwords = testPasswords
	}
	if cfg.Abuse == (transport.AbuseLimits{}) {
		// These tests open hundreds of sockets from 127.0.0.1 and send as
		// fast as they can; the limits' own tests set the ones they cross.
		cfg.Abuse = transport.NoAbuseLimits()
	}
	srv, err := New(cfg)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	ts := &testServer{Server: srv, done: make(chan error, 1), stop: cancel}
	go func() { ts.done <- srv.Run(ctx) }()
	t.Cleanup(func() {
		cancel()
		select {
		case <-ts.done:
		case <-time.After(2 * shutdownBudget):
			t.Error("server did not stop")
		}
	})
	return ts
}

// getRoom calls the tutorial's /getroom and decodes its answer.
func (ts *testServer) getRoom(t *testing.T, name string) roomReply {
	t.Helper()
	return ts.getRoomFrom(t, name, "")
}

// getRoomFrom calls /getroom as the client at addr, which the server takes
// from X-Forwarded-For (it must trust the proxy); "" sends no header. Over
// the cap too the answer is a 200: the tutorial's pages know no other.
func (ts *testServer) getRoomFrom(t *testing.T, name, addr string) roomReply {
	t.Helper()
	req, err := http.NewRequest(http.MethodGet, "http://"+ts.Addr()+"/getroom?userName="+url.QueryEscape(name), nil)
	if err != nil {
		t.Fatal(err)
	}
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("getroom: %v", err)
	}
	defer res.Body.Close()
	if got, want := res.StatusCode, http.StatusOK; got != want {
		t.Fatalf("getroom status=%d, want %d", got, want)
	}
	var r roomReply
	if err := json.NewDecoder(res.Body).Decode(&r); err != nil {
		t.Fatalf("getroom body: %v", err)
	}
	return r
}

type roomReply struct {
	Room     bool   `json:"room"`
	KefuName string `json:"kefuName"`
}

// stats asks the dispatcher for its routing state.
func (ts *testServer) stats(t *testing.T) actors.Stats {
	t.Helper()
	s, err := ts.Stats(testWait)
	if err != nil {
		t.Fatalf("stats: %v", err)
	}
	return *s
}

// waitStats polls the dispatcher until ok holds or the deadline passes.
func (ts *testServer) waitStats(t *testing.T, what string, ok func(actors.Stats) bool) {
	t.Helper()
	deadline := time.After(testWait)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		s := ts.stats(t)
		if ok(s) {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("waiting for %s: stats %+v", what, s)
		case <-tick.C:
		}
	}
}

// client is one tutorial-protocol WebSocket client.
type client struct {
	t  *testing.T
	ws *websocket.Conn
}

type frame struct {
	NeiRong  string `json:"neiRong"`
	ShuiFaDe string `json:"shuiFaDe"`
}

// dial connects to the compat listener as the tutorial's pages do.
func (ts *testServer) dial(t *testing.T, typ, name string) *client {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial(ts.compatURL(typ, name), nil)
	if err != nil {
		t.Fatalf("dial %s %s: %v", typ, name, err)
	}
	t.Cleanup(func() { ws.Close() })
	return &client{t: t, ws: ws}
}

func (ts *testServer) compatURL(typ, name string) string {
	return "ws://" + ts.CompatAddr() + "/?type=" + url.QueryEscape(typ) + "&name=" + url.QueryEscape(name)
}

func (c *client) say(text string) {
	c.t.Helper()
	c.sendRaw(`{"neiRong":` + mustJSON(c.t, text) + `}`)
}

func (c *client) sendRaw(data string) {
	c.t.Helper()
	if err := c.ws.WriteMessage(websocket.TextMessage, []byte(data)); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// next reads the next frame, failing on a timeout or a close.
func (c *client) next() frame {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(testWait))
	kind, data, err := c.ws.ReadMessage()
	if err != nil {
		c.t.Fatalf("read: %v", err)
	}
	if kind != websocket.TextMessage {
		c.t.Fatalf("frame kind=%d, want text", kind)
	}
	var f frame
	if err := json.Unmarshal(data, &f); err != nil {
		c.t.Fatalf("frame %q: %v", data, err)
	}
	return f
}

// expect reads the next frame and checks it.
func (c *client) expect(from, text string) {
	c.t.Helper()
	if got, want := c.next(), (frame{NeiRong: text, ShuiFaDe: from}); got != want {
		c.t.Fatalf("frame=%+v, want %+v", got, want)
	}
}

// expectClosed reads until the server closes the socket and checks the code.
func (c *client) expectClosed(code int, reason string) {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(testWait))
	for {
		_, data, err := c.ws.ReadMessage()
		if err == nil {
			c.t.Fatalf("frame %s before close, want close %d", data, code)
		}
		ce, ok := err.(*websocket.CloseError)
		if !ok {
			c.t.Fatalf("read error %v, want close %d", err, code)
		}
		if ce.Code != code || (reason != "" && ce.Text != reason) {
			c.t.Fatalf("close=%d %q, want %d %q", ce.Code, ce.Text, code, reason)
		}
		return
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
