package storetest

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"kefu/store"
)

// t0 is the start of every test's timeline; tests add whole milliseconds,
// the precision the store keeps.
var t0 = time.Date(2025, 3, 4, 5, 6, 7, 0, time.UTC)

// at returns t0 plus ms milliseconds.
func at(ms int) time.Time { return t0.Add(time.Duration(ms) * time.Millisecond) }

// newConv returns an open, unassigned conversation.
func newConv(id string, ticket uint64, started time.Time) store.Conversation {
	return store.Conversation{
		ID:           id,
		CustomerID:   "cu_" + id,
		CustomerName: "Customer " + id,
		Ticket:       ticket,
		StartedAt:    started,
	}
}

// newMsg returns a customer's message.
func newMsg(conv string, seq uint64) store.Message {
	return store.Message{
		Conv:       conv,
		Seq:        seq,
		SenderID:   "cu_" + conv,
		SenderRole: "customer",
		SenderName: "Customer " + conv,
		Text:       fmt.Sprintf("message %d of %s", seq, conv),
		ClientID:   fmt.Sprintf("c%d", seq),
		At:         at(int(seq)),
	}
}

// mustApply applies b or fails tb.
func mustApply(tb testing.TB, st store.Conversations, b *store.Batch) {
	tb.Helper()
	if err := st.Apply(context.Background(), b); err != nil {
		tb.Fatalf("Apply: %v", err)
	}
}

// mustConv reads a conversation or fails tb.
func mustConv(tb testing.TB, st store.Conversations, id string) store.Conversation {
	tb.Helper()
	c, err := st.Conversation(context.Background(), id)
	if err != nil {
		tb.Fatalf("Conversation(%q): %v", id, err)
	}
	return c
}

// mustMessages reads messages or fails tb.
func mustMessages(tb testing.TB, st store.Conversations, conv string, afterSeq uint64, limit int) []store.Message {
	tb.Helper()
	msgs, err := st.Messages(context.Background(), conv, afterSeq, limit)
	if err != nil {
		tb.Fatalf("Messages(%q, %d, %d): %v", conv, afterSeq, limit, err)
	}
	return msgs
}

// mustEvents reads conversation events or fails tb.
func mustEvents(tb testing.TB, st store.Conversations, conv string) []store.ConvEvent {
	tb.Helper()
	events, err := st.ConvEvents(context.Background(), conv)
	if err != nil {
		tb.Fatalf("ConvEvents(%q): %v", conv, err)
	}
	return events
}

// mustReads reads read marks or fails tb.
func mustReads(tb testing.TB, st store.Conversations, conv string) []store.ReadMark {
	tb.Helper()
	marks, err := st.ReadMarks(context.Background(), conv)
	if err != nil {
		tb.Fatalf("ReadMarks(%q): %v", conv, err)
	}
	return marks
}

// ms normalizes t to what a store keeps: UTC, whole milliseconds, and the
// zero time for zero.
func ms(t time.Time) time.Time {
	if t.IsZero() {
		return time.Time{}
	}
	return time.UnixMilli(t.UnixMilli()).UTC()
}

// Normalizers, so that == compares what a store promises to keep whatever
// time.Location or monotonic reading an implementation returns.
func normConv(c store.Conversation) store.Conversation {
	c.StartedAt, c.EndedAt = ms(c.StartedAt), ms(c.EndedAt)
	return c
}

func normMsg(m store.Message) store.Message {
	m.At = ms(m.At)
	return m
}

func normEvent(e store.ConvEvent) store.ConvEvent {
	e.At = ms(e.At)
	return e
}

// checkConv fails tb unless the stored conversation is want.
func checkConv(tb testing.TB, st store.Conversations, want store.Conversation) {
	tb.Helper()
	if got, want := normConv(mustConv(tb, st, want.ID)), normConv(want); got != want {
		tb.Fatalf("Conversation(%q)=\n\t%+v\nwant\n\t%+v", want.ID, got, want)
	}
}

// checkMessages fails tb unless msgs are want, in order.
func checkMessages(tb testing.TB, got, want []store.Message) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("len(messages)=%d, want %d (got %+v)", len(got), len(want), got)
	}
	for i := range got {
		if g, w := normMsg(got[i]), normMsg(want[i]); g != w {
			tb.Fatalf("message %d=\n\t%+v\nwant\n\t%+v", i, g, w)
		}
	}
}

// checkEvents fails tb unless events are want, in order.
func checkEvents(tb testing.TB, got, want []store.ConvEvent) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("len(events)=%d, want %d (got %+v)", len(got), len(want), got)
	}
	for i := range got {
		if g, w := normEvent(got[i]), normEvent(want[i]); g != w {
			tb.Fatalf("event %d=\n\t%+v\nwant\n\t%+v", i, g, w)
		}
	}
}

// checkReads fails tb unless marks are want, in order.
func checkReads(tb testing.TB, got, want []store.ReadMark) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("len(read marks)=%d, want %d (got %+v)", len(got), len(want), got)
	}
	for i := range got {
		if got[i] != want[i] {
			tb.Fatalf("read mark %d=%+v, want %+v", i, got[i], want[i])
		}
	}
}

// fullBatch returns a batch with one of everything, for conversation "c1".
func fullBatch() *store.Batch {
	c := newConv("c1", 1, at(0))
	c.AgentID, c.AgentName = "ag_1", "Alice"
	m1, m2 := newMsg("c1", 1), newMsg("c1", 2)
	m2.SenderID, m2.SenderRole, m2.SenderName = "ag_1", "agent", "Alice"
	m2.ClientID = "" // the tutorial's protocol has none
	return &store.Batch{
		Conversations: []store.Conversation{c},
		Messages:      []store.Message{m1, m2},
		ConvEvents: []store.ConvEvent{
			{Conv: "c1", Kind: "assigned", AgentID: "ag_1", AgentName: "Alice", At: at(1)},
			// A hand-off keeps who made it and the note, in any script.
			{Conv: "c1", Kind: "transferred", AgentID: "ag_2", AgentName: "Bob", ByID: "ag_1", ByName: "Alice", Note: "退款 $45, 已核实", At: at(2)},
			{Conv: "c1", Kind: "requeued", Reason: "requeued", ByID: "ag_2", ByName: "Bob", Note: "needs billing", At: at(3)},
		},
		Routing: []store.RoutingEvent{
			{Kind: "queued", Customer: "cu_c1", Conv: "c1", Ticket: 1, At: at(0)},
			{Kind: "assigned", Customer: "cu_c1", Agent: "ag_1", Conv: "c1", Ticket: 1, At: at(1)},
		},
		Reads: []store.ReadMark{{Conv: "c1", PartyID: "ag_1", Seq: 1}},
	}
}

// checkFullBatch fails tb unless everything fullBatch wrote reads back.
func checkFullBatch(tb testing.TB, st store.Conversations) {
	tb.Helper()
	b := fullBatch()
	checkConv(tb, st, b.Conversations[0])
	checkMessages(tb, mustMessages(tb, st, "c1", 0, 0), b.Messages)
	checkEvents(tb, mustEvents(tb, st, "c1"), b.ConvEvents)
	checkReads(tb, mustReads(tb, st, "c1"), b.Reads)
	if got, err := st.MaxTicket(context.Background()); err != nil || got != 1 {
		tb.Fatalf("MaxTicket=%d, %v, want 1", got, err)
	}
}

// CheckFullBatch applies a batch with one entry of every kind to st, which
// must be empty, and checks that all of it reads back. Together with
// CheckFullBatchStored it tests that a store keeps conversations across a
// reopen.
func CheckFullBatch(tb testing.TB, st store.Conversations) {
	tb.Helper()
	mustApply(tb, st, fullBatch())
	checkFullBatch(tb, st)
}

// CheckFullBatchStored checks that what CheckFullBatch wrote is in st.
func CheckFullBatchStored(tb testing.TB, st store.Conversations) {
	tb.Helper()
	checkFullBatch(tb, st)
}

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
	t.Run("OKNewConversationLater", func(t *testing.T) {
		// Entries may name a conversation stored by an earlier batch.
		st := open(t)
		mustApply(t, st, &store.Batch{Conversations: []store.Conversation{newConv("c1", 1, at(0))}})
		mustApply(t, st, &store.Batch{Messages: []store.Message{newMsg("c1", 1)}})
		checkMessages(t, mustMessages(t, st, "c1", 0, 0), []store.Message{newMsg("c1", 1)})
	})
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
	t.Run("ErrSeqTaken", func(t *testing.T) {
		// Another message under a stored (Conv, Seq) is refused, not
		// skipped: it would vanish although its sender was acknowledged.
		st := open(t)
		mustApply(t, st, fullBatch())
		other := newMsg("c1", 1)
		other.Text = "another text"
		b := &store.Batch{Messages: []store.Message{newMsg("c1", 3), other}}
		if err := st.Apply(ctx, b); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("Apply err=%v, want ErrInvalid", err)
		}
		checkFullBatch(t, st) // seq 3 was not stored either
	})
	t.Run("ErrContextDone", func(t *testing.T) {
		// A context that ends before the commit fails the batch whole.
		st := open(t)
		done, cancel := context.WithCancel(ctx)
		cancel()
		if err := st.Apply(done, fullBatch()); !errors.Is(err, context.Canceled) {
			t.Fatalf("Apply err=%v, want context.Canceled", err)
		}
		if _, err := st.Conversation(ctx, "c1"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Conversation after a cancelled batch: err=%v, want ErrNotFound", err)
		}
		CheckFullBatch(t, st)
	})
	t.Run("ErrSeqTakenInBatch", func(t *testing.T) {
		// Two messages under one (Conv, Seq) in the same batch: the second
		// is not a copy of the first, so the batch is refused.
		other := newMsg("c1", 2)
		other.Text = "another text"
		testAtomic(t, open(t), func(b *store.Batch) { b.Messages = append(b.Messages, other) })
	})
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
