package actors

import (
	"fmt"
	"testing"
	"time"

	"kefu/store"
)

// TestLongConversationSyncsFromStore: a conversation keeps only its newest
// messages in memory; a sync from further back reads the rest of its page
// from the store, still whole and in order.
func TestLongConversationSyncsFromStore(t *testing.T) {
	st, err := store.OpenSQLite(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	_, ap := f.agent("a", 1)
	c, cp, conv := seatCustomer(t, f, "c")
	const n = 3*max(keepInMemory, rememberCIDs) + 7
	pid := f.dir.PID(KindConv, string(conv))
	for i := range n {
		f.send(pid, &Post{From: c, Conn: cp.id, Text: fmt.Sprint(i + 1), ClientID: fmt.Sprint("m", i)})
	}
	for i := range n {
		if got := waitFor[*ConvMessage](t, ap, nil); got.Seq != uint64(i+1) {
			t.Fatalf("agent got seq %d, want %d", got.Seq, i+1)
		}
	}
	for _, after := range []uint64{0, keepInMemory, n - 3} {
		t.Run(fmt.Sprint("After", after), func(t *testing.T) {
			tab := f.probe()
			f.send(pid, &Sync{Conn: tab.id, Party: c, After: after})
			opened := waitFor[*ConvOpened](t, tab, nil)
			// The newest page of what came after.
			page := min(int(n-after), DefaultHistoryLimits().Messages)
			if got, want := len(opened.History), page; got != want {
				t.Fatalf("history of %d messages, want %d", got, want)
			}
			if got, want := opened.After, uint64(n-page); got != want {
				t.Fatalf("after=%d, want %d", got, want)
			}
			for i, m := range opened.History {
				if want := opened.After + uint64(i) + 1; m.Seq != want || m.Text != fmt.Sprint(want) {
					t.Fatalf("history[%d] = seq %d %q, want seq %d", i, m.Seq, m.Text, want)
				}
			}
		})
	}
	t.Run("ResendOutsideTheWindowAnsweredOnce", func(t *testing.T) {
		// Older than the messages kept in memory, within the ids kept.
		i := n - rememberCIDs
		cid := fmt.Sprint("m", i)
		f.send(pid, &Post{From: c, Conn: cp.id, Text: fmt.Sprint(i + 1), ClientID: cid})
		if ack := waitFor[*Ack](t, cp, func(a *Ack) bool { return a.ClientID == cid }); ack.Seq != uint64(i+1) || ack.At.IsZero() {
			t.Fatalf("resend acked %+v, want seq %d with its time", ack, i+1)
		}
	})
	t.Run("ResendOlderThanTheIDsKeptAnsweredFromStore", func(t *testing.T) {
		// n is past twice rememberCIDs: the next new message makes the
		// conversation forget the oldest ids, m0 and m1 among them.
		f.send(pid, &Post{From: c, Conn: cp.id, Text: "new", ClientID: "x"})
		if ack := waitFor[*Ack](t, cp, func(a *Ack) bool { return a.ClientID == "x" }); ack.Seq != n+1 {
			t.Fatalf("new message acked at seq %d, want %d", ack.Seq, n+1)
		}
		for _, i := range []int{0, 1} {
			cid := fmt.Sprint("m", i)
			f.send(pid, &Post{From: c, Conn: cp.id, Text: "again", ClientID: cid})
			if ack := waitFor[*Ack](t, cp, func(a *Ack) bool { return a.ClientID == cid }); ack.Seq != uint64(i+1) || ack.At.IsZero() {
				t.Fatalf("old resend acked %+v, want seq %d with its time", ack, i+1)
			}
		}
		// Nothing was stored again: a new message takes the next number.
		f.send(pid, &Post{From: c, Conn: cp.id, Text: "new", ClientID: "fresh"})
		if ack := waitFor[*Ack](t, cp, func(a *Ack) bool { return a.ClientID == "fresh" }); ack.Seq != n+2 {
			t.Fatalf("new message acked at seq %d, want %d", ack.Seq, n+2)
		}
	})
}
