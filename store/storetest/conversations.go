package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"kefu/store"
)

// testApply checks that a batch lands whole or not at all.
func testApply(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		CheckFullBatch(t, open(t))
	})
	t.Run("OKEmpty", func(t *testing.T) {
		st := open(t)
		if err := st.Apply(ctx, &store.Batch{}); err != nil {
			t.Fatalf("Apply(empty)=%v, want nil", err)
		}
	})
	t.Run("OKNewConversationLater", func(t *testing.T) { testApplyLater(t, open(t)) })
	t.Run("OKUpsert", func(t *testing.T) { testUpsert(t, open(t)) })
	t.Run("OKReapply", func(t *testing.T) {
		st := open(t)
		for range 3 {
			mustApply(t, st, fullBatch())
		}
		checkFullBatch(t, st)
	})
	t.Run("OKDuplicateInBatch", func(t *testing.T) {
		st := open(t)
		b := fullBatch()
		b.Messages = append(b.Messages, b.Messages...)
		b.ConvEvents = append(b.ConvEvents, b.ConvEvents...)
		mustApply(t, st, b)
		checkFullBatch(t, st)
	})
	t.Run("LargeBatch", func(t *testing.T) { testLargeBatch(t, open) })
	t.Run("ErrInvalid", func(t *testing.T) { testApplyInvalid(t, open) })
	t.Run("ErrUnknownConversation", func(t *testing.T) {
		for name, mutate := range map[string]func(*store.Batch){
			"Message": func(b *store.Batch) { b.Messages = append(b.Messages, newMsg("nope", 1)) },
			"ConvEvent": func(b *store.Batch) {
				b.ConvEvents = append(b.ConvEvents, store.ConvEvent{Conv: "nope", Kind: "ended"})
			},
			"ReadMark": func(b *store.Batch) { b.Reads = append(b.Reads, store.ReadMark{Conv: "nope", PartyID: "p"}) },
		} {
			t.Run(name, func(t *testing.T) { testAtomic(t, open(t), mutate) })
		}
	})
	t.Run("ErrSeqTaken", func(t *testing.T) { testApplySeqTaken(t, open(t)) })
	t.Run("ErrContextDone", func(t *testing.T) { testApplyContextDone(t, open(t)) })
	t.Run("ErrSeqTakenInBatch", func(t *testing.T) {
		// Two messages under one (Conv, Seq) in the same batch: the second
		// is not a copy of the first, so the batch is refused.
		other := newMsg("c1", 2)
		other.Text = "another text"
		testAtomic(t, open(t), func(b *store.Batch) { b.Messages = append(b.Messages, other) })
	})
}

// testApplyLater: entries may name a conversation stored by an earlier
// batch.
func testApplyLater(t *testing.T, st store.Store) {
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{newConv("c1", 1, at(0))}})
	mustApply(t, st, &store.Batch{Messages: []store.Message{newMsg("c1", 1)}})
	checkMessages(t, mustMessages(t, st, "c1", 0, 0), []store.Message{newMsg("c1", 1)})
}

// testApplySeqTaken: another message under a stored (Conv, Seq) is refused,
// not skipped: it would vanish although its sender was acknowledged.
func testApplySeqTaken(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustApply(t, st, fullBatch())
	other := newMsg("c1", 1)
	other.Text = "another text"
	b := &store.Batch{Messages: []store.Message{newMsg("c1", 3), other}}
	if err := st.Apply(ctx, b); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("Apply err=%v, want ErrInvalid", err)
	}
	checkFullBatch(t, st) // seq 3 was not stored either
}

// testApplyContextDone: a context that ends before the commit fails the
// batch whole.
func testApplyContextDone(t *testing.T, st store.Store) {
	ctx := context.Background()
	done, cancel := context.WithCancel(ctx)
	cancel()
	if err := st.Apply(done, fullBatch()); !errors.Is(err, context.Canceled) {
		t.Fatalf("Apply err=%v, want context.Canceled", err)
	}
	if _, err := st.Conversation(ctx, "c1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Conversation after a cancelled batch: err=%v, want ErrNotFound", err)
	}
	CheckFullBatch(t, st)
}

// largeBatchLen is more messages than a store is likely to write with one
// statement, and not a round number, so that a store that splits a batch
// into statements of some sizes uses several of them.
const largeBatchLen = 1000 + 300 + 30 + 3

// largeBatch returns largeBatchLen messages interleaved over conversations
// "l0".."l6" (which it creates), each conversation's in Seq order.
func largeBatch() (b *store.Batch, byConv map[string][]store.Message) {
	const convs = 7
	b = &store.Batch{}
	byConv = make(map[string][]store.Message)
	for i := range convs {
		b.Conversations = append(b.Conversations, newConv(fmt.Sprint("l", i), uint64(i+1), at(0)))
	}
	for i := range largeBatchLen {
		conv := fmt.Sprint("l", i%convs)
		m := newMsg(conv, uint64(len(byConv[conv])+1))
		b.Messages = append(b.Messages, m)
		byConv[conv] = append(byConv[conv], m)
	}
	return b, byConv
}

// testLargeBatch checks the rules of Apply on a batch too large to be one
// statement: whatever way a store cuts it, the rules hold for every entry.
func testLargeBatch(t *testing.T, open Opener) {
	ctx := context.Background()
	check := func(t *testing.T, st store.Conversations, byConv map[string][]store.Message) {
		t.Helper()
		for conv, want := range byConv {
			checkMessages(t, mustMessages(t, st, conv, 0, 0), want)
		}
	}
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		b, byConv := largeBatch()
		mustApply(t, st, b)
		check(t, st, byConv)
	})
	t.Run("OKReapplyPart", func(t *testing.T) {
		// Every other message is stored already: those are skipped, the
		// rest go in.
		st := open(t)
		b, byConv := largeBatch()
		half := &store.Batch{Conversations: b.Conversations}
		for i, m := range b.Messages {
			if i%2 == 0 {
				half.Messages = append(half.Messages, m)
			}
		}
		mustApply(t, st, half)
		mustApply(t, st, b)
		mustApply(t, st, b)
		check(t, st, byConv)
	})
	for _, tc := range []struct {
		name   string
		mutate func(b *store.Batch)
	}{
		{"ErrUnknownConversation", func(b *store.Batch) {
			b.Messages[largeBatchLen-40].Conv = "nope"
		}},
		{"ErrSeqTakenInBatch", func(b *store.Batch) {
			m := b.Messages[3]
			m.Text = "another text"
			b.Messages = append(b.Messages, m)
		}},
		{"ErrInvalid", func(b *store.Batch) { b.Messages[largeBatchLen-1].SenderRole = "system" }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// Refused whole: nothing of the batch is stored.
			st := open(t)
			b, _ := largeBatch()
			tc.mutate(b)
			if err := st.Apply(ctx, b); !errors.Is(err, store.ErrInvalid) {
				t.Fatalf("Apply err=%v, want ErrInvalid", err)
			}
			for _, c := range b.Conversations {
				if _, err := st.Conversation(ctx, c.ID); !errors.Is(err, store.ErrNotFound) {
					t.Fatalf("Conversation(%q) after a refused batch: err=%v, want ErrNotFound", c.ID, err)
				}
				if got := mustMessages(t, st, c.ID, 0, 0); len(got) != 0 {
					t.Fatalf("%d messages of %q after a refused batch", len(got), c.ID)
				}
			}
		})
	}
	t.Run("ErrSeqTaken", func(t *testing.T) {
		// A message numbered like a stored one, with other content, late in
		// a batch that is otherwise a re-apply: refused, and nothing new of
		// the batch is stored.
		st := open(t)
		b, byConv := largeBatch()
		mustApply(t, st, b)
		next := newMsg("l0", uint64(len(byConv["l0"])+1))
		other := byConv["l3"][5]
		other.Text = "another text"
		b.Messages = append(b.Messages, next, other)
		if err := st.Apply(ctx, b); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("Apply err=%v, want ErrInvalid", err)
		}
		check(t, st, byConv)
	})
}

// testUpsert checks how a later entry for a stored conversation merges.
func testUpsert(t *testing.T, st store.Conversations) {
	want := newConv("c1", 7, at(0))
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{want}})
	checkConv(t, st, want)

	// The agent changes; the customer, ticket and start never do.
	c := newConv("c1", 99, at(500))
	c.CustomerID, c.CustomerName = "cu_other", "Other"
	c.AgentID, c.AgentName = "ag_1", "Alice"
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{c}})
	want.AgentID, want.AgentName = "ag_1", "Alice"
	checkConv(t, st, want)

	// In one batch, the later entry wins.
	c2, c3 := want, want
	c2.AgentID, c2.AgentName = "ag_2", "Bob"
	c3.AgentID, c3.AgentName = "ag_3", "Carol"
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{c2, c3}})
	want = c3
	checkConv(t, st, want)

	// A rating of 0 keeps the stored rating.
	rated := want
	rated.Rating = 4
	unrated := want
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{rated, unrated}})
	want.Rating = 4
	checkConv(t, st, want)

	// The end.
	end := want
	end.EndedAt, end.EndedBy, end.EndReason = at(900), want.CustomerID, "customer left"
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{end}})
	want = end
	checkConv(t, st, want)

	// An ended conversation stays as it ended: an entry cannot reopen it,
	// end it again or change its agent. A rating still lands.
	reopen := want
	reopen.EndedAt, reopen.EndedBy, reopen.EndReason = time.Time{}, "", ""
	reopen.AgentID, reopen.AgentName = "ag_9", "Zed"
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{reopen}})
	checkConv(t, st, want)
	again := want
	again.EndedAt, again.EndedBy, again.EndReason = at(1000), "", "system"
	again.AgentID, again.AgentName = "ag_8", "Yan"
	again.Rating = 2
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{again}})
	want.Rating = 2
	checkConv(t, st, want)
}

// testApplyInvalid checks that a batch breaking a rule is refused whole.
func testApplyInvalid(t *testing.T, open Opener) {
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		mutate func(*store.Batch)
	}{
		{"ConversationNoID", func(b *store.Batch) { b.Conversations = append(b.Conversations, newConv("", 2, at(0))) }},
		{"ConversationRating", func(b *store.Batch) { b.Conversations[0].Rating = 6 }},
		{"ConversationNegativeRating", func(b *store.Batch) { b.Conversations[0].Rating = -1 }},
		{"MessageNoConv", func(b *store.Batch) { b.Messages[0].Conv = "" }},
		{"MessageSeqZero", func(b *store.Batch) { b.Messages[0].Seq = 0 }},
		{"MessageRole", func(b *store.Batch) { b.Messages[0].SenderRole = "system" }},
		{"ConvEventKind", func(b *store.Batch) { b.ConvEvents[0].Kind = "closed" }},
		{"ConvEventNoConv", func(b *store.Batch) { b.ConvEvents[0].Conv = "" }},
		{"RoutingKind", func(b *store.Batch) { b.Routing[0].Kind = "waiting" }},
		{"ReadMarkNoParty", func(b *store.Batch) { b.Reads[0].PartyID = "" }},
		{"ReadMarkNoConv", func(b *store.Batch) { b.Reads[0].Conv = "" }},
	} {
		t.Run(tc.name, func(t *testing.T) { testAtomic(t, open(t), tc.mutate) })
	}
	t.Run("ErrLater", func(t *testing.T) {
		// A refused batch changes nothing stored before it.
		st := open(t)
		mustApply(t, st, fullBatch())
		b := fullBatch()
		b.Conversations[0].AgentID = "ag_2"
		b.Messages = append(b.Messages, newMsg("c1", 3))
		b.Reads[0].Seq = 3
		b.Messages = append(b.Messages, newMsg("nope", 1))
		if err := st.Apply(ctx, b); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("Apply err=%v, want ErrInvalid", err)
		}
		checkFullBatch(t, st)
	})
}

// testAtomic applies fullBatch, broken by mutate, to the empty st: the
// batch must be refused with ErrInvalid and leave nothing stored, although
// its first entries were valid.
func testAtomic(t *testing.T, st store.Conversations, mutate func(*store.Batch)) {
	t.Helper()
	ctx := context.Background()
	b := fullBatch()
	mutate(b)
	if err := st.Apply(ctx, b); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("Apply err=%v, want ErrInvalid", err)
	}
	if _, err := st.Conversation(ctx, "c1"); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("Conversation after a refused batch: err=%v, want ErrNotFound", err)
	}
	if got := mustMessages(t, st, "c1", 0, 0); len(got) != 0 {
		t.Fatalf("messages after a refused batch: %+v", got)
	}
	if got := mustEvents(t, st, "c1"); len(got) != 0 {
		t.Fatalf("events after a refused batch: %+v", got)
	}
	if got := mustReads(t, st, "c1"); len(got) != 0 {
		t.Fatalf("read marks after a refused batch: %+v", got)
	}
	if got, err := st.MaxTicket(ctx); err != nil || got != 0 {
		t.Fatalf("MaxTicket after a refused batch=%d, %v, want 0 (routing events stored?)", got, err)
	}
	// The refusal left nothing behind that blocks the next batch.
	CheckFullBatch(t, st)
}
