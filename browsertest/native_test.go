package browsertest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"kefu/server"
	"kefu/store"
)

// account creates an account with role and logs it in; it returns the
// login token.
func account(t *testing.T, srv *server.Server, name string, role store.Role) string {
	t.Helper()
	hash, err := testPasswords.Hash(testPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := srv.Store().CreateAgent(context.Background(), name, hash, role, 3); err != nil {
		t.Fatalf("create %s: %v", name, err)
	}
	body, _ := json.Marshal(map[string]string{"name": name, "password": testPassword})
	res, err := http.Post("http://"+srv.Addr()+"/api/login", "application/json", bytes.NewReader(body))
	if err != nil {
		t.Fatalf("login %s: %v", name, err)
	}
	defer res.Body.Close()
	var out struct{ Token string }
	if err := json.NewDecoder(res.Body).Decode(&out); err != nil || out.Token == "" {
		t.Fatalf("login %s: status %d, %v", name, res.StatusCode, err)
	}
	return out.Token
}

// native is a client of the native protocol, driven from Go: the
// customers and agents whose work the supervisor watches.
type native struct {
	t  *testing.T
	ws *websocket.Conn
}

// frame holds the fields of server frames these tests read.
type frame struct {
	Type string `json:"type"`
	Conv string `json:"conv"`
	Code string `json:"code"`
}

// dialNative connects and says hello; it returns once welcomed.
func dialNative(t *testing.T, srv *server.Server, hello map[string]any) *native {
	t.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+srv.Addr()+"/ws", nil)
	if err != nil {
		t.Fatalf("dial /ws: %v", err)
	}
	t.Cleanup(func() { ws.Close() })
	c := &native{t: t, ws: ws}
	hello["type"], hello["v"] = "hello", 1
	c.send(hello)
	c.expect("welcome")
	return c
}

func (c *native) send(v any) {
	c.t.Helper()
	if err := c.ws.WriteJSON(v); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// expect reads frames until one of type typ, skipping the others (queue
// positions, heartbeats, acks).
func (c *native) expect(typ string) frame {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(stepTimeout))
	for {
		var f frame
		if err := c.ws.ReadJSON(&f); err != nil {
			c.t.Fatalf("waiting for %s: %v", typ, err)
		}
		if f.Type == typ {
			return f
		}
		if f.Type == "error" {
			c.t.Fatalf("waiting for %s: error %s", typ, f.Code)
		}
	}
}

// expectClosed reads until the server closes the socket, and checks the
// close code and reason.
func (c *native) expectClosed(code int, reason string) {
	c.t.Helper()
	_ = c.ws.SetReadDeadline(time.Now().Add(stepTimeout))
	for {
		_, _, err := c.ws.ReadMessage()
		if err == nil {
			continue
		}
		var ce *websocket.CloseError
		if !errors.As(err, &ce) || ce.Code != code || ce.Text != reason {
			c.t.Fatalf("closed with %v, want %d %q", err, code, reason)
		}
		return
	}
}
