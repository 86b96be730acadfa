package storetest

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"kefu/store"
)

// testNotes: notes go in with a batch, numbered apart from the messages;
// a re-applied note is skipped and another note under its number refused;
// Notes reads the newest, oldest first; text keeps every byte.
func testNotes(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	note := func(n uint64, text string) store.Note {
		return store.Note{Conv: "cv_n", N: n, AuthorID: "ag_1", AuthorName: "Ann", Text: text, ClientID: "k" + text, After: n, At: at(int(n))}
	}
	b := &store.Batch{Conversations: []store.Conversation{newConv("cv_n", 1, at(0))}, Messages: []store.Message{newMsg("cv_n", 1)},
		Notes: []store.Note{note(1, "退款已核对"), note(2, "nul\x00inside")}}
	mustApply(t, st, b)
	mustApply(t, st, b) // an unknown outcome, applied again: the same notes
	mustApply(t, st, &store.Batch{Notes: []store.Note{note(3, "third")}})

	got, err := st.Notes(ctx, "cv_n", 0)
	if err != nil || len(got) != 3 {
		t.Fatalf("Notes: %d, %v; want 3", len(got), err)
	}
	for i, want := range []store.Note{note(1, "退款已核对"), note(2, "nul\x00inside"), note(3, "third")} {
		got[i].At = ms(got[i].At)
		if !reflect.DeepEqual(got[i], want) {
			t.Fatalf("note %d:\n\t%+v\nwant\n\t%+v", i, got[i], want)
		}
	}
	if newest, err := st.Notes(ctx, "cv_n", 2); err != nil || len(newest) != 2 || newest[0].N != 2 || newest[1].N != 3 {
		t.Fatalf("the newest two: %+v, %v", newest, err)
	}
	if msgs := mustMessages(t, st, "cv_n", 0, 0); len(msgs) != 1 {
		t.Fatalf("messages %+v: the notes are not among them", msgs)
	}
	if none, err := st.Notes(ctx, "cv_none", 0); err != nil || len(none) != 0 {
		t.Fatalf("an unknown conversation's notes: %+v, %v", none, err)
	}

	// Another note under a stored number refuses the whole batch.
	clash := &store.Batch{Messages: []store.Message{newMsg("cv_n", 2)}, Notes: []store.Note{note(3, "other")}}
	if err := st.Apply(ctx, clash); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("a second note 3: %v, want ErrInvalid", err)
	}
	if msgs := mustMessages(t, st, "cv_n", 0, 0); len(msgs) != 1 {
		t.Fatalf("the refused batch's message was stored: %+v", msgs)
	}
	for _, bad := range []store.Note{{Conv: "cv_n", N: 0, AuthorID: "ag_1"}, {Conv: "cv_n", N: 9}, {Conv: "cv_unknown", N: 1, AuthorID: "ag_1", At: at(1)}} {
		if err := st.Apply(ctx, &store.Batch{Notes: []store.Note{bad}}); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("note %+v: %v, want ErrInvalid", bad, err)
		}
	}
	if _, err := st.Notes(ctx, "cv_n", -1); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("a negative limit: %v, want ErrInvalid", err)
	}
}

// testLabels: SetLabels replaces a conversation's labels (normal form:
// trimmed, lower case, sorted, once each), LabelsOf reads a page's, and
// ListConversations filters by one, with an agent's filter too.
func testLabels(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	a, b, c := newConv("cv_a", 1, at(10)), newConv("cv_b", 2, at(20)), newConv("cv_c", 3, at(30))
	c.AgentID, c.AgentName = "ag_1", "Ann"
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{a, b, c}})

	if err := st.SetLabels(ctx, "cv_a", []string{" Refund ", "vip", "refund", "退款"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetLabels(ctx, "cv_c", []string{"refund"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetLabels(ctx, "cv_b", []string{"refund"}); err != nil {
		t.Fatal(err)
	}
	if err := st.SetLabels(ctx, "cv_b", nil); err != nil { // all removed
		t.Fatal(err)
	}
	got, err := st.LabelsOf(ctx, []string{"cv_a", "cv_b", "cv_c", "cv_none"})
	want := map[string][]string{"cv_a": {"refund", "vip", "退款"}, "cv_c": {"refund"}}
	if err != nil || !reflect.DeepEqual(got, want) {
		t.Fatalf("LabelsOf: %v, %v; want %v", got, err, want)
	}

	page, _, err := st.ListConversations(ctx, store.ConversationFilter{Label: "refund"})
	if err != nil || len(page) != 2 || page[0].ID != "cv_c" || page[1].ID != "cv_a" {
		t.Fatalf("labelled refund: %+v, %v; want cv_c, cv_a", page, err)
	}
	page, _, err = st.ListConversations(ctx, store.ConversationFilter{Label: "refund", AgentID: "ag_1"})
	if err != nil || len(page) != 1 || page[0].ID != "cv_c" {
		t.Fatalf("ann's labelled refund: %+v, %v; want cv_c", page, err)
	}
	page, _, err = st.ListConversations(ctx, store.ConversationFilter{Label: "退款", Limit: 1})
	if err != nil || len(page) != 1 || page[0].ID != "cv_a" {
		t.Fatalf("labelled 退款: %+v, %v; want cv_a", page, err)
	}

	if err := st.SetLabels(ctx, "cv_none", []string{"x"}); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("an unknown conversation: %v, want ErrNotFound", err)
	}
	many := make([]string, store.MaxLabels+1)
	for i := range many {
		many[i] = string(rune('a'+i%26)) + string(rune('a'+i/26))
	}
	for _, bad := range [][]string{{"two words"}, {""}, {"a,b"}, many, {"123456789012345678901234567890123"}} {
		if err := st.SetLabels(ctx, "cv_a", bad); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("labels %q: %v, want ErrInvalid", bad, err)
		}
	}
	if got, _ := st.LabelsOf(ctx, []string{"cv_a"}); len(got["cv_a"]) != 3 {
		t.Fatalf("a refused SetLabels changed them: %v", got)
	}
}
