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

// testListConversations checks paging through every conversation, newest
// first, and by agent.
func testListConversations(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OKPaging", func(t *testing.T) { testListPaging(t, open(t)) })
	t.Run("OKExactPages", func(t *testing.T) { testListExactPages(t, open(t)) })
	t.Run("OKDefaultLimit", func(t *testing.T) { testListDefaultLimit(t, open(t)) })
	t.Run("OKSameStart", func(t *testing.T) { testListSameStart(t, open(t)) })
	t.Run("OKAgent", func(t *testing.T) { testListAgent(t, open(t)) })
	t.Run("OKEmpty", func(t *testing.T) {
		page, next, err := open(t).ListConversations(ctx, store.ConversationFilter{})
		if err != nil || len(page) != 0 || next != "" {
			t.Fatalf("ListConversations=%+v, %q, %v, want an empty last page", page, next, err)
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) { testListInvalid(t, open(t)) })
}

// testListPaging: 120 conversations, stored out of order, come back newest
// first in pages of 50, 50 and 20.
func testListPaging(t *testing.T, st store.Store) {
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
}

// testListExactPages: when the last page is full, its next is "", not a
// cursor to an empty page.
func testListExactPages(t *testing.T, st store.Store) {
	var b store.Batch
	for i := range 4 {
		b.Conversations = append(b.Conversations, newConv(fmt.Sprint("c", i), uint64(i+1), at(i)))
	}
	mustApply(t, st, &b)
	listAll(t, st, store.ConversationFilter{Limit: 2}, []int{2, 2})
	listAll(t, st, store.ConversationFilter{Limit: 4}, []int{4})
}

// testListDefaultLimit: a filter without a limit pages by
// store.DefaultPageLimit.
func testListDefaultLimit(t *testing.T, st store.Store) {
	var b store.Batch
	for i := range store.DefaultPageLimit + 1 {
		b.Conversations = append(b.Conversations, newConv(fmt.Sprint("c", i), uint64(i+1), at(i)))
	}
	mustApply(t, st, &b)
	listAll(t, st, store.ConversationFilter{}, []int{store.DefaultPageLimit, 1})
}

// testListSameStart: conversations that started in the same millisecond
// are neither lost nor repeated across a page boundary.
func testListSameStart(t *testing.T, st store.Store) {
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
}

// testListAgent: an agent's filter lists the conversations it served, now
// or before a transfer; no agent lists them all.
func testListAgent(t *testing.T, st store.Store) {
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
}

// testListInvalid: a cursor that is not one, or a limit out of range, is
// ErrInvalid.
func testListInvalid(t *testing.T, st store.Store) {
	ctx := context.Background()
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
