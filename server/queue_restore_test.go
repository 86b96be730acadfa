package server

import (
	"context"
	"slices"
	"testing"
	"time"

	"kefu/actors"
	"kefu/store"
)

// restartServer stops ts gracefully and starts a new server on the same
// data directory with cfg.
func restartServer(t *testing.T, ts *testServer, cfg Config) *testServer {
	t.Helper()
	ts.stop()
	if err := <-ts.done; err != nil {
		t.Fatalf("Run: %v", err)
	}
	ts.done <- nil // for the cleanup
	return startServer(t, cfg)
}

// TestQueueRestart: customers waiting in the queue when the server stops
// keep their place. Those who come back within the grace period are queued
// again in their old places and served in their original order, ahead of
// anyone who arrives after the restart; one not back yet counts in nobody's
// position, and one who does not come back leaves the queue when its grace
// expires; one who had left the queue before the stop is not brought back.
func TestQueueRestart(t *testing.T) { forEachStore(t, testQueueRestart) }

func testQueueRestart(t *testing.T, spec, dir string) {
	ts := startServer(t, Config{DataDir: dir, Store: spec, Grace: time.Minute})
	var custs []*nclient
	for i, name := range []string{"Ann", "Bob", "Cat", "Dan"} {
		c := ts.customerOnline(t, name)
		c.send(obj{"type": "request"})
		c.expectQueued(i + 1)
		custs = append(custs, c)
	}
	ann, bob, cat, dan := custs[0], custs[1], custs[2], custs[3]
	dan.send(obj{"type": "cancel"})
	dan.expect("dequeued", "queued")

	// Bob will not come back: a short grace lets him go within the test.
	const grace = 3 * time.Second
	cfg := Config{DataDir: dir, Store: spec, Grace: grace}
	ts = restartServer(t, ts, cfg)
	ts.waitStats(t, "three restored waiters", func(s actors.Stats) bool {
		return s.Queued == 3 && s.Customers == 0 && s.Conversations == 0
	})

	ann, w := ts.customerResume(t, ann.token)
	if w.State != "queued" || w.You.Name != "Ann" {
		t.Fatalf("Ann's welcome=%s, want state queued", w.raw)
	}
	ann.expectQueued(1)
	cat, w = ts.customerResume(t, cat.token)
	if w.State != "queued" {
		t.Fatalf("Cat's welcome=%s, want state queued", w.raw)
	}
	cat.expectQueued(2) // Bob holds his place within his grace, but away he is passed over
	dan, w = ts.customerResume(t, dan.token)
	if w.State != "idle" {
		t.Fatalf("Dan, who left the queue before the stop: welcome=%s, want state idle", w.raw)
	}

	// Bob's grace expires: he leaves the queue, and the stored routing
	// events say so (he would not be restored again).
	ts.waitStats(t, "Bob gone", func(s actors.Stats) bool { return s.Queued == 2 })
	waitWaiters(t, ts.Store(), []string{ann.me.ID, cat.me.ID})
	if bob.me.ID == "" {
		t.Fatal("Bob had no id")
	}

	// A customer arriving after the restart queues behind them.
	eve := ts.customerOnline(t, "Eve")
	eve.send(obj{"type": "request"})
	eve.expectQueued(3)

	// One agent, one slot: served in the original order.
	agent := ts.agentOnline(t, ts.addAgent(t, "Alice", 1))
	for i, c := range []*nclient{ann, cat, eve} {
		got := c.expect("conv", "queued")
		checkConv(t, got, "assigned", c.me, agent.me, 0)
		checkConv(t, agent.expect("conv"), "assigned", c.me, agent.me, 0)
		if i < 2 {
			next := []*nclient{ann, cat, eve}[i+1]
			next.expectQueued(1)
		}
		agent.send(obj{"type": "end", "conv": got.Conv})
		agent.expect("ended")
		c.expect("ended")
	}
}

// waitWaiters polls the store until the customers it would restore as
// waiters are exactly want, in that order.
func waitWaiters(t *testing.T, st store.Conversations, want []string) {
	t.Helper()
	deadline := time.After(testWait)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for {
		ws, err := st.WaitingCustomers(context.Background(), time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, w := range ws {
			got = append(got, w.CustomerID)
		}
		if slices.Equal(got, want) {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("stored waiters=%v, want %v", got, want)
		case <-tick.C:
		}
	}
}

// TestQueueRestartTwice: a restore writes nothing that resolves a wait, so
// waiters restored and not yet back are restored again by the next restart,
// in the same order; the tickets go on above theirs. (Away, they are
// passed over: each comes back ahead of those behind it.)
func TestQueueRestartTwice(t *testing.T) { forEachStore(t, testQueueRestartTwice) }

func testQueueRestartTwice(t *testing.T, spec, dir string) {
	cfg := Config{DataDir: dir, Store: spec, Grace: time.Minute}
	ts := startServer(t, cfg)
	ann, bob := ts.customerOnline(t, "Ann"), ts.customerOnline(t, "Bob")
	for i, c := range []*nclient{ann, bob} {
		c.send(obj{"type": "request"})
		c.expectQueued(i + 1)
	}
	for range 2 {
		ts = restartServer(t, ts, cfg)
		ts.waitStats(t, "two restored waiters", func(s actors.Stats) bool { return s.Queued == 2 })
	}
	eve := ts.customerOnline(t, "Eve")
	eve.send(obj{"type": "request"})
	eve.expectQueued(1)
	bob, _ = ts.customerResume(t, bob.token)
	bob.expectQueued(1)
	eve.expectQueued(2)
	ann, _ = ts.customerResume(t, ann.token)
	ann.expectQueued(1)
	bob.expectQueued(2)
	eve.expectQueued(3)
}
