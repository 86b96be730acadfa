package loadtest

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// sinkLink is a compat link to a local socket that reads and forgets every
// frame: what a client writes is counted by the client itself.
func sinkLink(tb testing.TB) *link[cFrame] {
	tb.Helper()
	up := websocket.Upgrader{}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := up.Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}))
	l, err := dial(context.Background(), "ws"+strings.TrimPrefix(srv.URL, "http"), decodeCompat)
	if err != nil {
		srv.Close()
		tb.Fatalf("dial: %v", err)
	}
	tb.Cleanup(func() { l.bye(); srv.Close() })
	return l
}

// TestCompatNoLineAfterWindow: once stop has closed, no compat client
// writes a line, though its select has not taken stop yet. A closed-loop
// customer took the agent's answer before stop (a select picks at random
// among ready cases) and wrote its next line after finish; both sides left
// at once, the line never arrived, and, numbered by its sender, it was
// counted lost (TestRun/CompatOK, about 1 run in 30 under load).
func TestCompatNoLineAfterWindow(t *testing.T) {
	const agentName = "lt-agent-0000"

	t.Run("CustomerOK", func(t *testing.T) {
		h := newHarness(&Config{})
		c := newCompatCustomer(h, 0, nil)
		c.l, c.agent, c.begun = sinkLink(t), agentName, true
		c.send() // the window is open: line 1 goes
		close(h.stop)
		c.echo(msgText(h.run, false, 0, 1, time.Now(), time.Time{}))
		c.answer(msgText(h.run, true, 0, 1, time.Now(), time.Now()))
		if got, want := c.ownSt.top, uint64(1); got != want {
			t.Errorf("customer's lines=%d, want %d: none written after the window", got, want)
		}
		if got, want := h.m.sent.Load(), int64(1); got != want {
			t.Errorf("sent=%d, want %d", got, want)
		}
		if got, want := h.m.outstanding.Load(), int64(0); got != want {
			t.Errorf("outstanding=%d, want %d", got, want)
		}
	})

	t.Run("AgentOK", func(t *testing.T) {
		h := newHarness(&Config{})
		a := newCompatAgent(h, 0, nil)
		a.l = sinkLink(t)
		customer := h.customerName(0)
		a.notice(joinedPrefix + customer + joinedSuffix)
		close(h.stop)
		a.line(msgText(h.run, false, 0, 1, time.Now(), time.Time{}))
		if got, want := a.ownSt.top, uint64(0); got != want {
			t.Errorf("agent's answers=%d, want %d: none written after the window", got, want)
		}
		if got, want := h.m.sent.Load(), int64(0); got != want {
			t.Errorf("sent=%d, want %d", got, want)
		}
		if got, want := h.m.delivered.Load(), int64(1); got != want {
			t.Errorf("delivered=%d, want %d: the customer's line still counts as arrived", got, want)
		}
	})
}
