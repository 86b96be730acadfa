package storetest

import (
	"context"
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
