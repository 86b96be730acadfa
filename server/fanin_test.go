package server

import (
	"fmt"
	"testing"
	"time"

	"kefu/store"
	"kefu/transport"
)

// TestFanInBurstArrivesWhole: an agent at full capacity whose customers
// all send at once, each within its frame burst, gets every message in
// order while it reads: a burst fanned in from many conversations is not
// a slow client (issue #12, item 7). The frame limits are the defaults, so
// each customer's 38 messages, with its hello and request, are exactly its
// 40-frame burst; only the cap on customers per address is off, as all 40
// come from 127.0.0.1.
func TestFanInBurstArrivesWhole(t *testing.T) {
	const (
		customers = 40
		perCust   = 38
	)
	abuse := transport.DefaultAbuseLimits()
	abuse.CustomersPerIP = -1
	ts := startServer(t, Config{Abuse: abuse})
	agent := ts.agentOnline(t, ts.addAgent(t, "Busy", store.MaxCapacity))
	custs := make([]*nclient, customers)
	convs := map[string]int{} // conversation -> its customer's index
	for i := range custs {
		custs[i] = ts.customerOnline(t, fmt.Sprint("C", i))
		convs[assign(t, agent, custs[i])] = i
	}

	start := time.Now()
	for conv, i := range convs {
		for n := 1; n <= perCust; n++ {
			custs[i].post(conv, fanInLine(n), "")
		}
	}
	// The agent reads continuously; each conversation's messages must
	// come whole and in order, and the socket must stay open.
	next := map[string]int{} // conversation -> messages read from it
	deadline := time.Now().Add(4 * testWait)
	got := 0
	defer func() {
		if t.Failed() {
			t.Logf("the agent had %d of %d messages after %v", got, customers*perCust, time.Since(start))
		}
	}()
	for got < customers*perCust {
		f := agent.nextBefore(deadline)
		if f.Type != "msg" {
			t.Fatalf("agent got %s after %d messages, want msg", f.raw, got)
		}
		n := next[f.Conv] + 1
		if _, ok := convs[f.Conv]; !ok || f.Seq != uint64(n) || f.Text != fanInLine(n) {
			t.Fatalf("agent got %s after %d messages, want msg %d of %s", f.raw, got, n, f.Conv)
		}
		next[f.Conv] = n
		got++
	}
	t.Logf("%d messages from %d customers reached one agent in %v", customers*perCust, customers, time.Since(start))
	agent.alive()
}

// fanInLine is a customer's nth message in TestFanInBurstArrivesWhole.
func fanInLine(n int) string { return fmt.Sprintf("%d: where is my order?", n) }
