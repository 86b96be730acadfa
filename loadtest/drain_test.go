package loadtest

import (
	"context"
	"testing"
	"time"
)

// TestAwaitDrain: the run ends only once every party holds what it knows
// of. A native agent's own message comes back through its agent actor,
// while the ack comes straight from the conversation: the ack can arrive
// first, and a run that ended in between counted the echo lost.
func TestAwaitDrain(t *testing.T) {
	const short = 2 * pollEvery // the drain's answer when it must not end

	t.Run("WaitsForOwnEcho", func(t *testing.T) {
		h := newHarness(&Config{})
		a := newAgent(h, 0, "token", make(chan bool, 1))
		ctx := context.Background()
		customer := &nParty{ID: "cu_1", Role: "customer", Name: h.customerName(0)}
		a.handle(ctx, &nFrame{Type: "conv", Conv: "cv", Customer: customer})
		a.handle(ctx, &nFrame{Type: "msg", Conv: "cv", Seq: 1, From: customer,
			Text: msgText(h.run, false, 0, 1, time.Now(), time.Time{})})
		if got, want := len(a.out), 1; got != want {
			t.Fatalf("answers waiting=%d, want %d", got, want)
		}
		answer := a.out[0]
		a.handle(ctx, &nFrame{Type: "ack", Conv: "cv", CID: answer.cid, Seq: 2})

		// Everything written is acknowledged and delivered to the other
		// side; only the agent's own answer has not come back yet.
		if h.awaitDrain(short) {
			t.Fatal("drained with the agent's own answer still on its way")
		}
		a.handle(ctx, &nFrame{Type: "msg", Conv: "cv", Seq: 2, From: &nParty{ID: "ag_1", Role: "agent"}, Text: answer.text})
		if !h.awaitDrain(short) {
			t.Fatalf("not drained with everything in: outstanding %d, unseen %d", h.m.outstanding.Load(), h.m.unseen.Load())
		}
	})

	t.Run("CutStreamNotAwaited", func(t *testing.T) {
		h := newHarness(&Config{})
		st := newStream("cv", "cv", 'c').awaited(&h.m.unseen)
		st.receive(1, newMsgID(false, 0, 1))
		st.owned(3, newMsgID(false, 0, 2)) // 2 and 3 not here
		if got, want := h.m.unseen.Load(), int64(2); got != want {
			t.Fatalf("unseen=%d, want %d", got, want)
		}
		st.abandon() // the conversation failed: nothing more will come
		if !h.awaitDrain(short) {
			t.Fatalf("not drained: unseen %d, want what a cut stream lacks not waited for", h.m.unseen.Load())
		}
	})
}
