package server

import (
	"net/http"
	"regexp"
	"strconv"
	"testing"
	"time"

	"github.com/gorilla/websocket"

	"kefu/actors"
	"kefu/limit"
	"kefu/transport"
)

// customerFrom connects a new customer whose proxy says it is at xff.
func (ts *testServer) customerFrom(tb testing.TB, name, xff string) *nclient {
	tb.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+ts.Addr()+"/ws", http.Header{"X-Forwarded-For": {xff}})
	if err != nil {
		tb.Fatalf("dial /ws from %s: %v", xff, err)
	}
	tb.Cleanup(func() { ws.Close() })
	c := &nclient{tb: tb, ws: ws, sent: map[string]bool{}}
	c.send(obj{"type": "hello", "v": 1, "role": "customer", "name": name})
	c.welcomed()
	return c
}

// TestCustomersPerIP: an address may have so many customers waiting or
// chatting; a request past that gets too_many_customers, and counts from
// other addresses are their own. A customer counts until its conversation
// ends or it leaves the queue, and while away within its grace.
func TestCustomersPerIP(t *testing.T) {
	ts := startServer(t, Config{Grace: time.Minute, Abuse: only(func(l *transport.AbuseLimits) {
		l.CustomersPerIP, l.TrustProxy = 2, true
	})})
	agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 1))
	c1 := ts.customerOnline(t, "C1") // from 127.0.0.1: no X-Forwarded-For
	conv := assign(t, agent, c1)     // chatting counts
	c2 := ts.customerOnline(t, "C2")
	c2.send(obj{"type": "request"})
	c2.expectQueued(1)

	c3 := ts.customerOnline(t, "C3")
	c3.send(obj{"type": "request"})
	if got, want := c3.expectError("too_many_customers").Message, "too many customers waiting or chatting from your address (limit 2)"; got != want {
		t.Fatalf("message=%q, want %q", got, want)
	}
	if got, want := ts.Offences().Get(limit.Customers), uint64(1); got != want {
		t.Fatalf("customers_per_ip offences=%d, want %d", got, want)
	}
	c3.alive() // refused, not cut off

	other := ts.customerFrom(t, "Other", "203.0.113.9")
	other.send(obj{"type": "request"})
	other.expectQueued(2)

	// C1's conversation ends: C2 takes the agent, and C3 has room.
	endConv(t, conv, c1, agent)
	got := c2.expect("conv", "queued")
	checkConv(t, got, "assigned", c2.me, agent.me, 0)
	checkConv(t, agent.expect("conv"), "assigned", c2.me, agent.me, 0)
	c3.send(obj{"type": "request"})
	c3.expectQueued(2)

	// C3 away within its grace still counts: it may come back.
	c3.ws.Close()
	ts.waitStats(t, "C3 away", func(s actors.Stats) bool { return s.Customers == 3 && s.Queued == 2 })
	c4 := ts.customerOnline(t, "C4")
	c4.send(obj{"type": "request"})
	c4.expectError("too_many_customers")
	// C2's conversation ends: the agent goes to Other, the first present,
	// and the address has room for one more.
	endConv(t, got.Conv, c2, agent)
	checkConv(t, other.expect("conv", "queued"), "assigned", other.me, agent.me, 0)
	c4.send(obj{"type": "request"})
	c4.expectQueued(1)
	// C3 comes back to its place, ahead of C4.
	back, _ := ts.customerResume(t, c3.token)
	back.expectQueued(1)
	c4.expectQueued(2)
}

// TestConvStartRate: a customer cycling request and end past its budget
// of conversation starts gets rate_limited with how long to wait, and no
// conversation; other customers are not held back.
func TestConvStartRate(t *testing.T) {
	ts := startServer(t, Config{Abuse: only(func(l *transport.AbuseLimits) {
		l.ConvStarts = limit.Rate{Limit: perHour, Burst: 3}
	})})
	agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 1))
	cust := ts.customerOnline(t, "Cycler")
	for range 3 {
		endConv(t, assign(t, agent, cust), cust, agent)
	}
	cust.send(obj{"type": "request"})
	e := cust.expectError("rate_limited")
	if m := regexp.MustCompile(`^too many conversations started; try again in (\d+) s$`).FindStringSubmatch(e.Message); m == nil {
		t.Fatalf("message=%q, want one saying how long to wait", e.Message)
	} else if secs, _ := strconv.Atoi(m[1]); secs < 1 || secs > 3600 {
		t.Fatalf("try again in %d s, want 1 to 3600 (one start an hour)", secs)
	}
	if got, want := ts.Offences().Get(limit.ConvStarts), uint64(1); got != want {
		t.Fatalf("conv_starts offences=%d, want %d", got, want)
	}
	if s := ts.stats(t); s.Queued != 0 || s.Conversations != 0 {
		t.Fatalf("stats %+v, want nothing queued or open", s)
	}
	assign(t, agent, ts.customerOnline(t, "Other"))
}
