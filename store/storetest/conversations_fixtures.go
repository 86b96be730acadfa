package storetest

import (
	"context"
	"fmt"
	"testing"
	"time"

	"kefu/store"
)

// The conversations and messages the conformance tests build, and the
// checks that compare what a store gives back.

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
		Team:         store.GeneralTeamID,
		Origin:       store.OriginChat,
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
	checkList(tb, "messages", "message %d=\n\t%+v\nwant\n\t%+v", got, want, normMsg)
}

// checkEvents fails tb unless events are want, in order.
func checkEvents(tb testing.TB, got, want []store.ConvEvent) {
	tb.Helper()
	checkList(tb, "events", "event %d=\n\t%+v\nwant\n\t%+v", got, want, normEvent)
}

// checkReads fails tb unless marks are want, in order.
func checkReads(tb testing.TB, got, want []store.ReadMark) {
	tb.Helper()
	checkList(tb, "read marks", "read mark %d=%+v, want %+v", got, want, func(m store.ReadMark) store.ReadMark { return m })
}

// checkList fails tb unless got is want, in order, each compared after
// norm; what names the list and differs the message for one element.
func checkList[T comparable](tb testing.TB, what, differs string, got, want []T, norm func(T) T) {
	tb.Helper()
	if len(got) != len(want) {
		tb.Fatalf("len(%s)=%d, want %d (got %+v)", what, len(got), len(want), got)
	}
	for i := range got {
		if g, w := norm(got[i]), norm(want[i]); g != w {
			tb.Fatalf(differs, i, g, w)
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
