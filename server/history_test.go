package server

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"kefu/actors"
)

// fill has cust post n messages in conv, text(i) the i-th (from 1), and
// reads them back on both sides; in batches, so that neither socket's
// queue fills while the test is busy with the other.
func fill(tb testing.TB, cust, agent *nclient, conv string, first, n int, text func(int) string) {
	tb.Helper()
	// Each side gets up to two frames a message, and the attack's are 48
	// KiB each: 40 of them stay under half the socket's 4 MiB queue
	// (-send-queue-bytes) even when the kernel takes none meanwhile. 100
	// went over it on a busy CI machine (a clean-clone run closed the
	// filler with 4008).
	const batch = 40
	for from := first; from < first+n; from += batch {
		to := min(from+batch, first+n)
		for i := from; i < to; i++ {
			cust.post(conv, text(i), "")
		}
		for i := from; i < to; i++ {
			cust.expectMsg(conv, uint64(i), cust.me, text(i))
		}
		for i := from; i < to; i++ {
			agent.expectMsg(conv, uint64(i), cust.me, text(i))
		}
		agent.send(obj{"type": "pong"}) // a sign of life, for its read deadline
	}
}

// checkPage checks a conv or history frame's page: at most limits allow on
// the wire, in order, without gaps, and ending at last.
func checkPage(tb testing.TB, f nframe, limits actors.HistoryLimits, last uint64) {
	tb.Helper()
	if got, most := len(f.raw), limits.Bytes+1024; got > most { // 1 KiB: the frame's own fields
		tb.Fatalf("%s frame of %d bytes, want at most %d", f.Type, got, most)
	}
	if n := len(f.History); n == 0 || n > limits.Messages {
		tb.Fatalf("%s frame with %d messages, want 1 to %d", f.Type, n, limits.Messages)
	}
	for i, m := range f.History {
		if want := last - uint64(len(f.History)-1-i); m.Seq != want {
			tb.Fatalf("%s frame's history[%d] is seq %d, want %d", f.Type, i, m.Seq, want)
		}
	}
}

// TestHistoryConvFrameBounded is issue #12's attack: a customer fills its
// conversation with 800 texts of 8 KiB of U+0001, each 48 KiB as JSON, and
// then has it sent again and again. Every frame that carries the history
// (a reconnection's sync with no resume or one from far back, an agent's
// new tab, a hand-over through the queue, the replay after the end)
// carries only its newest page, bounded in messages and bytes, and says
// there is more.
func TestHistoryConvFrameBounded(t *testing.T) {
	ts := startServer(t, Config{Grace: time.Minute})
	alice := ts.addAgent(t, "Alice", 1)
	agent := ts.agentOnline(t, alice)
	cust := ts.customerOnline(t, "Filler")
	conv := assign(t, agent, cust)
	const n = 800
	text := strings.Repeat("\x01", 8192)
	fill(t, cust, agent, conv, 1, n, func(int) string { return text })
	limits := actors.DefaultHistoryLimits()

	bounded := func(what string, f nframe) {
		t.Helper()
		t.Log(what)
		checkPage(t, f, limits, n)
		if !f.More || f.After != f.History[0].Seq-1 {
			t.Fatalf("%s: conv after=%d more=%v, want after %d and more", what, f.After, f.More, f.History[0].Seq-1)
		}
	}
	// Clients carry on from one step to the next: no subtests, whose
	// ends would close them.
	back, _ := ts.customerResume(t, cust.token)
	bounded("a sync without resume", back.expect("conv"))
	back, _ = ts.hello(t, obj{"type": "hello", "v": 1, "role": "customer", "token": cust.token, "resume": obj{conv: 1}})
	bounded("a sync from far back", back.expect("conv"))
	bounded("an agent's new tab", ts.agentOnline(t, alice).expect("conv"))

	bob := ts.agentOnline(t, ts.addAgent(t, "Bob", 1))
	agent.send(obj{"type": "transfer", "conv": conv, "to": "queue"})
	f := bob.expect("conv")
	if f.Why != "assigned" {
		t.Fatalf("got conv why %q, want assigned", f.Why)
	}
	bounded("a hand-over through the queue", f)

	back.send(obj{"type": "end", "conv": conv})
	back.expect("ended", "agent", "requeued", "queued")
	ts.waitStats(t, "conversation over", func(s actors.Stats) bool { return s.Conversations == 0 })
	back, _ = ts.hello(t, obj{"type": "hello", "v": 1, "role": "customer", "token": cust.token, "resume": obj{conv: 0}})
	f = back.expect("conv")
	if f.Why != "ended" {
		t.Fatalf("got conv why %q, want ended", f.Why)
	}
	bounded("the replay after the end", f)
	back.expect("ended")
}

// TestHistoryPaging: after a conv frame with the newest page, history
// requests page back through the whole conversation, each page within
// its bounds and each message exactly once, in order; for the customer
// and the agent while it is open, and for the customer after its end.
func TestHistoryPaging(t *testing.T) {
	limits := actors.HistoryLimits{Messages: 7, Bytes: 4096}
	ts := startServer(t, Config{Grace: time.Minute, HistoryPage: limits})
	alice := ts.addAgent(t, "Alice", 1)
	agent := ts.agentOnline(t, alice)
	cust := ts.customerOnline(t, "Pager")
	conv := assign(t, agent, cust)
	const n = 60
	// Some long lines, so that bytes cut some pages short of 7 messages.
	text := func(i int) string {
		if i%5 == 0 {
			return fmt.Sprintf("%d %s", i, strings.Repeat("<", 200))
		}
		return fmt.Sprint(i)
	}
	fill(t, cust, agent, conv, 1, n, text)

	// pageBack reads the conv frame on c, then asks for older pages until
	// there are none, and checks it saw 1 to n once each, in order.
	pageBack := func(c *nclient, opened nframe) {
		t.Helper()
		checkPage(t, opened, limits, n)
		page, seen := opened, []nframe(nil)
		pages := 0
		for {
			seen = append(page.History, seen...)
			if !page.More {
				break
			}
			before := page.History[0].Seq
			c.send(obj{"type": "history", "conv": conv, "before": before})
			page = c.expect("history")
			if page.Conv != conv || page.Before != before {
				t.Fatalf("got %s, want the page before %d", page.raw, before)
			}
			checkPage(t, page, limits, before-1)
			pages++
		}
		for i, m := range seen {
			if m.Seq != uint64(i+1) || m.Text != text(i+1) || m.Conv != conv {
				t.Fatalf("message %d is %+v, want seq %d %q", i, m, i+1, text(i+1))
			}
		}
		if got := len(seen); got != n {
			t.Fatalf("paged %d messages, want %d", got, n)
		}
		if pages < n/limits.Messages {
			t.Fatalf("%d pages, want at least %d", pages, n/limits.Messages)
		}
	}
	t.Log("the customer, reconnected")
	back, _ := ts.customerResume(t, cust.token)
	pageBack(back, back.expect("conv"))
	t.Log("an agent's new tab")
	tab := ts.agentOnline(t, alice)
	pageBack(tab, tab.expect("conv"))
	t.Log("without before: the newest page of what this client has")
	back.send(obj{"type": "history", "conv": conv})
	checkPage(t, back.expect("history"), limits, n)
	t.Log("the customer, after the end")
	back.send(obj{"type": "end", "conv": conv})
	back.expect("ended")
	ts.waitStats(t, "conversation over", func(s actors.Stats) bool { return s.Conversations == 0 })
	back, _ = ts.hello(t, obj{"type": "hello", "v": 1, "role": "customer", "token": cust.token, "resume": obj{conv: 0}})
	opened := back.expect("conv")
	back.expect("ended")
	pageBack(back, opened)

	t.Log("bad requests")
	for frame, code := range map[string]string{
		`{"type":"history"}`:                          "missing_field",
		`{"type":"history","conv":"x","limit":0}`:     "bad_value",
		`{"type":"history","conv":"cv_nosuchthing"}`:  "unknown_conversation",
		`{"type":"history","conv":"x","before":"12"}`: "bad_frame",
	} {
		back.sendRaw(frame)
		back.expectError(code)
	}
}
