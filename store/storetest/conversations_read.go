package storetest

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"testing"

	"kefu/store"
)

func testConversation(t *testing.T, open Opener) {
	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		mustApply(t, st, fullBatch())
		for _, id := range []string{"c2", "C1", ""} {
			if _, err := st.Conversation(context.Background(), id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("Conversation(%q) err=%v, want ErrNotFound", id, err)
			}
		}
	})
}

func testMessages(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		var all, other []store.Message
		for seq := uint64(1); seq <= 10; seq++ {
			all = append(all, newMsg("a", seq))
			other = append(other, newMsg("b", seq))
		}
		// Stored out of order, over two batches, interleaved with another
		// conversation.
		mustApply(t, st, &store.Batch{
			Conversations: []store.Conversation{newConv("a", 1, at(0)), newConv("b", 2, at(0))},
			Messages:      []store.Message{all[9], other[0], all[2], all[0], all[5], all[7], all[3]},
		})
		mustApply(t, st, &store.Batch{
			Messages: append([]store.Message{all[1], all[8], all[4], all[6]}, other[1:]...),
		})
		for _, tc := range []struct {
			after  uint64
			limit  int
			lo, hi int // want all[lo:hi]
		}{
			{0, 0, 0, 10},
			{3, 0, 3, 10},
			{3, 4, 3, 7},
			{0, 1, 0, 1},
			{9, 5, 9, 10},
			{10, 0, 10, 10},
			{1 << 62, 0, 10, 10},
		} {
			got := mustMessages(t, st, "a", tc.after, tc.limit)
			checkMessages(t, got, all[tc.lo:tc.hi])
		}
		checkMessages(t, mustMessages(t, st, "b", 0, 0), other)
	})
	t.Run("OKUnknown", func(t *testing.T) {
		st := open(t)
		mustApply(t, st, fullBatch())
		if got := mustMessages(t, st, "c2", 0, 0); len(got) != 0 {
			t.Fatalf("Messages(unknown)=%+v, want none", got)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if _, err := open(t).Messages(ctx, "c1", 0, -1); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("Messages(limit -1) err=%v, want ErrInvalid", err)
		}
	})
}

func testMessagesBefore(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		var all []store.Message
		for seq := uint64(1); seq <= 10; seq++ {
			all = append(all, newMsg("a", seq))
		}
		mustApply(t, st, &store.Batch{
			Conversations: []store.Conversation{newConv("a", 1, at(0)), newConv("b", 2, at(0))},
			Messages:      append([]store.Message{newMsg("b", 1), newMsg("b", 2)}, all...),
		})
		for _, tc := range []struct {
			before uint64
			limit  int
			lo, hi int // want all[lo:hi]
		}{
			{0, 3, 7, 10},       // the newest
			{0, 100, 0, 10},     // the whole conversation
			{8, 3, 4, 7},        // seq 5, 6, 7
			{4, 10, 0, 3},       // fewer than the limit: the oldest
			{1, 5, 0, 0},        // nothing before the first
			{11, 1, 9, 10},      // just past the newest
			{1 << 63, 2, 8, 10}, // too large to bind: no bound
		} {
			got, err := st.MessagesBefore(ctx, "a", tc.before, tc.limit)
			if err != nil {
				t.Fatalf("MessagesBefore(%d, %d): %v", tc.before, tc.limit, err)
			}
			checkMessages(t, got, all[tc.lo:tc.hi])
		}
		// Paging backwards from the newest meets every message once, in order.
		var paged []store.Message
		for before := uint64(0); ; {
			page, err := st.MessagesBefore(ctx, "a", before, 3)
			if err != nil {
				t.Fatal(err)
			}
			if len(page) == 0 {
				break
			}
			paged = append(page, paged...)
			before = page[0].Seq
		}
		checkMessages(t, paged, all)
	})
	t.Run("OKUnknown", func(t *testing.T) {
		st := open(t)
		mustApply(t, st, fullBatch())
		got, err := st.MessagesBefore(ctx, "c2", 0, 10)
		if err != nil || len(got) != 0 {
			t.Fatalf("MessagesBefore(unknown)=%+v, %v, want none", got, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		for _, limit := range []int{0, -1} {
			if _, err := open(t).MessagesBefore(ctx, "c1", 0, limit); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("MessagesBefore(limit %d) err=%v, want ErrInvalid", limit, err)
			}
		}
	})
}

func testOpenConversations(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		// Neither ids nor start times are in ticket order: a customer who
		// lost their connection keeps their ticket.
		var b store.Batch
		for _, ticket := range []uint64{5, 2, 9, 7, 3} {
			b.Conversations = append(b.Conversations, newConv(fmt.Sprint("t", 10-ticket), ticket, at(int(ticket%4))))
		}
		b.Conversations[3].AgentID, b.Conversations[3].AgentName = "ag_1", "Alice" // t7: assigned, still open
		mustApply(t, st, &b)
		// End t2 and t9, one in a batch of its own.
		end := b.Conversations[1]
		end.EndedAt, end.EndReason = at(200), "customer left"
		mustApply(t, st, &store.Batch{Conversations: []store.Conversation{end}})
		end = b.Conversations[2]
		end.EndedAt, end.EndedBy = at(300), "ag_1"
		mustApply(t, st, &store.Batch{Conversations: []store.Conversation{end}})

		got, err := st.OpenConversations(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var ids []string
		for _, c := range got {
			ids = append(ids, c.ID)
			if !c.EndedAt.IsZero() {
				t.Fatalf("open conversation %q has EndedAt %v", c.ID, c.EndedAt)
			}
		}
		if got, want := strings.Join(ids, ","), "t7,t5,t3"; got != want { // tickets 3, 5, 7
			t.Fatalf("open=%s, want %s (ended left out, by ticket)", got, want)
		}
		if g, w := normConv(got[2]), normConv(b.Conversations[3]); g != w {
			t.Fatalf("open conversation=%+v, want %+v", g, w)
		}
	})
	t.Run("OKEmpty", func(t *testing.T) {
		got, err := open(t).OpenConversations(ctx)
		if err != nil || len(got) != 0 {
			t.Fatalf("OpenConversations=%+v, %v, want none", got, err)
		}
	})
}

func testListConversations(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OKPaging", func(t *testing.T) {
		st := open(t)
		const n = 120
		var b store.Batch
		for i := range n {
			// Stored in an order unrelated to StartedAt.
			j := (i * 37) % n
			b.Conversations = append(b.Conversations, newConv(fmt.Sprintf("c%03d", j), uint64(j+1), at(j*1000)))
		}
		mustApply(t, st, &b)
		ids := listAll(t, st, store.ConversationFilter{Limit: 50}, []int{50, 50, 20})
		for i, id := range ids {
			if want := fmt.Sprintf("c%03d", n-1-i); id != want {
				t.Fatalf("conversation %d=%s, want %s (newest first)", i, id, want)
			}
		}
	})
	t.Run("OKExactPages", func(t *testing.T) {
		// The last page is full: its next is "", not a cursor to an empty page.
		st := open(t)
		var b store.Batch
		for i := range 4 {
			b.Conversations = append(b.Conversations, newConv(fmt.Sprint("c", i), uint64(i+1), at(i)))
		}
		mustApply(t, st, &b)
		listAll(t, st, store.ConversationFilter{Limit: 2}, []int{2, 2})
		listAll(t, st, store.ConversationFilter{Limit: 4}, []int{4})
	})
	t.Run("OKDefaultLimit", func(t *testing.T) {
		st := open(t)
		var b store.Batch
		for i := range store.DefaultPageLimit + 1 {
			b.Conversations = append(b.Conversations, newConv(fmt.Sprint("c", i), uint64(i+1), at(i)))
		}
		mustApply(t, st, &b)
		listAll(t, st, store.ConversationFilter{}, []int{store.DefaultPageLimit, 1})
	})
	t.Run("OKSameStart", func(t *testing.T) {
		// Conversations that started in the same millisecond are neither
		// lost nor repeated across a page boundary.
		st := open(t)
		var b store.Batch
		for i := range 5 {
			b.Conversations = append(b.Conversations, newConv(fmt.Sprint("c", i), uint64(i+1), at(0)))
		}
		b.Conversations = append(b.Conversations, newConv("new", 9, at(1)), newConv("old", 10, at(-1)))
		mustApply(t, st, &b)
		ids := listAll(t, st, store.ConversationFilter{Limit: 2}, []int{2, 2, 2, 1})
		if ids[0] != "new" || ids[6] != "old" {
			t.Fatalf("ids=%v, want new first and old last", ids)
		}
	})
	t.Run("OKAgent", func(t *testing.T) {
		st := open(t)
		convs := []store.Conversation{
			newConv("transferred", 1, at(1)), // ag_1, then transferred to ag_2
			newConv("only2", 2, at(2)),       // ag_2 only
			newConv("current", 3, at(3)),     // ag_1 as current agent, no events
			newConv("other", 4, at(4)),       // ag_3
			newConv("queued", 5, at(5)),      // nobody yet
		}
		convs[0].AgentID, convs[0].AgentName = "ag_2", "Bob"
		convs[1].AgentID, convs[1].AgentName = "ag_2", "Bob"
		convs[2].AgentID, convs[2].AgentName = "ag_1", "Alice"
		convs[3].AgentID, convs[3].AgentName = "ag_3", "Carol"
		mustApply(t, st, &store.Batch{
			Conversations: convs,
			ConvEvents: []store.ConvEvent{
				{Conv: "transferred", Kind: "assigned", AgentID: "ag_1", AgentName: "Alice", At: at(10)},
				{Conv: "transferred", Kind: "transferred", AgentID: "ag_2", AgentName: "Bob", Reason: "billing", At: at(11)},
				{Conv: "only2", Kind: "assigned", AgentID: "ag_2", AgentName: "Bob", At: at(12)},
				{Conv: "other", Kind: "assigned", AgentID: "ag_3", AgentName: "Carol", At: at(13)},
			},
		})
		for _, tc := range []struct{ agent, want string }{
			{"ag_1", "current,transferred"},
			{"ag_2", "only2,transferred"},
			{"ag_3", "other"},
			{"ag_4", ""},
			{"", "queued,other,current,only2,transferred"},
		} {
			ids := listAll(t, st, store.ConversationFilter{AgentID: tc.agent, Limit: 1}, nil)
			if got := strings.Join(ids, ","); got != tc.want {
				t.Fatalf("agent %q: conversations=%s, want %s", tc.agent, got, tc.want)
			}
		}
	})
	t.Run("OKEmpty", func(t *testing.T) {
		page, next, err := open(t).ListConversations(ctx, store.ConversationFilter{})
		if err != nil || len(page) != 0 || next != "" {
			t.Fatalf("ListConversations=%+v, %q, %v, want an empty last page", page, next, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		st := open(t)
		mustApply(t, st, fullBatch())
		b64 := base64.RawURLEncoding.EncodeToString
		for _, f := range []store.ConversationFilter{
			{Before: "!!!"},
			{Before: "x"},
			{Before: b64([]byte("12"))},
			{Before: b64([]byte("notanumber.c1"))},
			{Before: b64([]byte("12."))},
			{Limit: -1},
			{Limit: store.MaxPageLimit + 1},
		} {
			if _, _, err := st.ListConversations(ctx, f); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("ListConversations(%+v) err=%v, want ErrInvalid", f, err)
			}
		}
	})
}

// listAll pages through ListConversations from f and returns the ids in the
// order listed. It fails tb on a repeated id, on a page out of order, or,
// if sizes is not nil, unless the pages have those sizes.
func listAll(tb testing.TB, st store.Conversations, f store.ConversationFilter, sizes []int) []string {
	tb.Helper()
	var (
		ids     []string
		got     []int
		seen    = map[string]bool{}
		prev    store.Conversation
		started bool
	)
	for {
		page, next, err := st.ListConversations(context.Background(), f)
		if err != nil {
			tb.Fatalf("ListConversations(%+v): %v", f, err)
		}
		got = append(got, len(page))
		for _, c := range page {
			if seen[c.ID] {
				tb.Fatalf("conversation %q listed twice", c.ID)
			}
			seen[c.ID] = true
			if started && (c.StartedAt.After(prev.StartedAt) || c.StartedAt.Equal(prev.StartedAt) && c.ID > prev.ID) {
				tb.Fatalf("%q (started %v) listed after %q (started %v): want newest first", c.ID, c.StartedAt, prev.ID, prev.StartedAt)
			}
			prev, started = c, true
			ids = append(ids, c.ID)
		}
		if next == "" {
			break
		}
		if len(got) > 1000 {
			tb.Fatal("ListConversations never reached the last page")
		}
		f.Before = next
	}
	if sizes != nil && fmt.Sprint(got) != fmt.Sprint(sizes) {
		tb.Fatalf("page sizes=%v, want %v", got, sizes)
	}
	return ids
}

func testReadMarks(t *testing.T, open Opener) {
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		mustApply(t, st, &store.Batch{
			Conversations: []store.Conversation{newConv("c1", 1, at(0))},
			Reads: []store.ReadMark{
				{Conv: "c1", PartyID: "ag_1", Seq: 5},
				{Conv: "c1", PartyID: "ag_1", Seq: 3}, // lower, same batch
			},
		})
		checkReads(t, mustReads(t, st, "c1"), []store.ReadMark{{Conv: "c1", PartyID: "ag_1", Seq: 5}})
		mustApply(t, st, &store.Batch{Reads: []store.ReadMark{
			{Conv: "c1", PartyID: "ag_1", Seq: 4}, // lower, later batch
			{Conv: "c1", PartyID: "cu_c1", Seq: 2},
		}})
		checkReads(t, mustReads(t, st, "c1"), []store.ReadMark{
			{Conv: "c1", PartyID: "ag_1", Seq: 5},
			{Conv: "c1", PartyID: "cu_c1", Seq: 2},
		})
		mustApply(t, st, &store.Batch{Reads: []store.ReadMark{{Conv: "c1", PartyID: "ag_1", Seq: 9}}})
		checkReads(t, mustReads(t, st, "c1"), []store.ReadMark{
			{Conv: "c1", PartyID: "ag_1", Seq: 9},
			{Conv: "c1", PartyID: "cu_c1", Seq: 2},
		})
		if got := mustReads(t, st, "c2"); len(got) != 0 {
			t.Fatalf("ReadMarks(unknown)=%+v, want none", got)
		}
	})
}

func testSetRating(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		mustApply(t, st, fullBatch())
		want := fullBatch().Conversations[0]
		for _, r := range []int{5, 1, 3} {
			if err := st.SetRating(ctx, "c1", r); err != nil {
				t.Fatal(err)
			}
			want.Rating = r
			checkConv(t, st, want)
		}
		// An ended conversation can be rated, and the rating stays when
		// the conversation is written again without one.
		end := fullBatch().Conversations[0]
		end.EndedAt, end.EndReason = at(50), "done"
		mustApply(t, st, &store.Batch{Conversations: []store.Conversation{end}})
		if err := st.SetRating(ctx, "c1", 4); err != nil {
			t.Fatal(err)
		}
		mustApply(t, st, &store.Batch{Conversations: []store.Conversation{end}})
		end.Rating = 4
		checkConv(t, st, end)
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		if err := open(t).SetRating(ctx, "nope", 3); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("err=%v, want ErrNotFound", err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		st := open(t)
		mustApply(t, st, fullBatch())
		for _, r := range []int{0, -1, 6} {
			if err := st.SetRating(ctx, "c1", r); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("SetRating(%d) err=%v, want ErrInvalid", r, err)
			}
		}
		checkConv(t, st, fullBatch().Conversations[0])
	})
}

func testMaxTicket(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		check := func(want uint64) {
			t.Helper()
			if got, err := st.MaxTicket(ctx); err != nil || got != want {
				t.Fatalf("MaxTicket=%d, %v, want %d", got, err, want)
			}
		}
		check(0)
		mustApply(t, st, &store.Batch{Conversations: []store.Conversation{
			newConv("a", 3, at(0)), newConv("b", 9, at(1)), newConv("c", 5, at(2)),
		}})
		check(9)
		// Ending the newest ticket does not free it.
		end := newConv("b", 9, at(1))
		end.EndedAt = at(10)
		mustApply(t, st, &store.Batch{Conversations: []store.Conversation{end}})
		check(9)
		// A customer who queued and left without a stored conversation
		// still used a ticket.
		mustApply(t, st, &store.Batch{Routing: []store.RoutingEvent{
			{Kind: "queued", Customer: "cu_x", Ticket: 12, At: at(20)},
			{Kind: "left_queue", Customer: "cu_x", Ticket: 12, At: at(21)},
		}})
		check(12)
	})
}

func testMessageByClientID(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	mine := newMsg("a", 1)
	theirs := newMsg("a", 2)
	theirs.SenderID, theirs.SenderRole, theirs.ClientID = "ag_x", "agent", mine.ClientID // same client id, other sender
	mustApply(t, st, &store.Batch{
		Conversations: []store.Conversation{newConv("a", 1, at(0)), newConv("b", 2, at(0))},
		Messages:      []store.Message{mine, theirs, newMsg("a", 3), newMsg("b", 1)},
	})
	for _, want := range []store.Message{mine, theirs} {
		got, err := st.MessageByClientID(ctx, "a", want.SenderID, want.ClientID)
		if err != nil || got != want {
			t.Fatalf("MessageByClientID(a, %s, %s) = %+v, %v; want %+v", want.SenderID, want.ClientID, got, err, want)
		}
	}
	for _, q := range [][3]string{{"a", "cu_a", "nope"}, {"a", "cu_b", "c1"}, {"c", "cu_a", "c1"}} {
		if _, err := st.MessageByClientID(ctx, q[0], q[1], q[2]); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("MessageByClientID%v err=%v, want ErrNotFound", q, err)
		}
	}
}
