package server

import (
	"context"
	"net/http"
	"testing"
	"time"

	"kefu/internal/pgtest"
)

// outageWait bounds waiting for /readyz to change: the pool notices a dead
// server at its next use and a live one at its next connection, within a
// probe or two.
const outageWait = 30 * time.Second

// TestPostgresOutage: while PostgreSQL is down (killed, as a crash does),
// a message is refused with not_stored and reaches nobody, and /readyz
// answers 503. Once the server is back, kefu reconnects by itself: /readyz
// answers 200 again, the resend (same cid) is stored once, and the
// conversation goes on; nothing acknowledged before the outage is lost.
func TestPostgresOutage(t *testing.T) {
	cluster := pgtest.NewCluster(t)
	ts := startServer(t, Config{Store: cluster.URL, Grace: time.Minute})
	agent := ts.agentOnline(t, ts.addAgent(t, "Olga", 1))
	cust := ts.customerOnline(t, "Oscar")
	conv := assign(t, agent, cust)
	cust.post(conv, "before the outage", "")
	cust.expectMsg(conv, 1, cust.me, "before the outage")
	agent.expectMsg(conv, 1, cust.me, "before the outage")

	cluster.Kill(t)
	waitReady(t, ts, http.StatusServiceUnavailable)
	cid := cust.post(conv, "during the outage", "")
	if e := cust.expectError("not_stored"); e.CID != cid {
		t.Fatalf("not_stored for %q, want %q", e.CID, cid)
	}
	agent.alive() // it got nothing: its next frame is the pong

	cluster.Start(t)
	waitReady(t, ts, http.StatusOK)
	cust.post(conv, "during the outage", cid)
	cust.expectMsg(conv, 2, cust.me, "during the outage")
	agent.expectMsg(conv, 2, cust.me, "during the outage")

	msgs, err := ts.Store().Messages(context.Background(), conv, 0, 0)
	if err != nil {
		t.Fatal(err)
	}
	if len(msgs) != 2 || msgs[0].Text != "before the outage" || msgs[1].ClientID != cid {
		t.Fatalf("stored %+v, want the message before the outage and the resend, once each", msgs)
	}
}

// waitReady polls /readyz until it answers want, or fails t.
func waitReady(t *testing.T, ts *testServer, want int) {
	t.Helper()
	deadline := time.After(outageWait)
	tick := time.NewTicker(50 * time.Millisecond) // a probe's pace
	defer tick.Stop()
	for {
		resp, err := http.Get("http://" + ts.Addr() + "/readyz")
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		got := resp.StatusCode
		if got == want {
			return
		}
		select {
		case <-tick.C:
		case <-deadline:
			t.Fatalf("/readyz=%d after %v, want %d", got, outageWait, want)
		}
	}
}
