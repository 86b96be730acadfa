package storetest

import (
	"context"
	"errors"
	"testing"

	"kefu/store"
)

// testCanned: shared replies and an agent's own, a shortcut unique in its
// scope in any letter case, updates under a version, an agent seeing the
// shared ones and its own only, and its own going with its account.
func testCanned(t *testing.T, open Opener) {
	ctx := context.Background()
	st := open(t)
	ann := mustCreate(t, st, "ann", store.RoleAgent)
	bob := mustCreate(t, st, "bob", store.RoleAgent)

	shared, err := st.CreateCanned(ctx, store.Canned{Shortcut: "/退款", Text: "您好 {customer}，退款已处理。"})
	if err != nil || shared.Shortcut != "退款" || shared.Version != 1 || shared.ID == "" || shared.CreatedAt.IsZero() {
		t.Fatalf("create shared: %+v, %v", shared, err)
	}
	mine, err := st.CreateCanned(ctx, store.Canned{Owner: ann.ID, Shortcut: "Hi", Text: "Hello, I am {agent}."})
	if err != nil {
		t.Fatal(err)
	}
	// The same shortcut in another scope is fine; in the same one, in any
	// letter case, it is taken.
	if _, err := st.CreateCanned(ctx, store.Canned{Owner: bob.ID, Shortcut: "hi", Text: "Hey"}); err != nil {
		t.Fatalf("bob's own /hi: %v", err)
	}
	if _, err := st.CreateCanned(ctx, store.Canned{Owner: ann.ID, Shortcut: "HI", Text: "again"}); !errors.Is(err, store.ErrNameTaken) {
		t.Fatalf("ann's second /HI: %v, want ErrNameTaken", err)
	}
	for _, bad := range []store.Canned{{Shortcut: "", Text: "x"}, {Shortcut: "two words", Text: "x"}, {Shortcut: "ok", Text: "  "}, {Owner: "ag_nobody", Shortcut: "x", Text: "x"}} {
		if _, err := st.CreateCanned(ctx, bad); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("create %+v: %v, want ErrInvalid", bad, err)
		}
	}
	list, err := st.ListCanned(ctx, ann.ID)
	if err != nil || len(list) != 2 || list[0].ID != mine.ID || list[1].ID != shared.ID {
		t.Fatalf("ann's list: %+v, %v; want her /hi and the shared /退款", list, err)
	}
	if n, err := st.CountCanned(ctx, ""); err != nil || n != 1 {
		t.Fatalf("shared count %d, %v", n, err)
	}

	mine.Text = "Hello, {agent} here."
	updated, err := st.UpdateCanned(ctx, mine)
	if err != nil || updated.Version != 2 || updated.Text != mine.Text {
		t.Fatalf("update: %+v, %v", updated, err)
	}
	if _, err := st.UpdateCanned(ctx, mine); !errors.Is(err, store.ErrConflict) {
		t.Fatalf("a stale update: %v, want ErrConflict", err)
	}
	notHers := updated
	notHers.Owner = bob.ID
	if _, err := st.UpdateCanned(ctx, notHers); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("bob updating ann's: %v, want ErrNotFound", err)
	}
	if err := st.DeleteCanned(ctx, shared.ID, ann.ID); !errors.Is(err, store.ErrNotFound) {
		t.Fatalf("ann deleting the shared one as hers: %v, want ErrNotFound", err)
	}
	if err := st.DeleteCanned(ctx, shared.ID, ""); err != nil {
		t.Fatal(err)
	}
	if err := st.RemoveAgent(ctx, "ann"); err != nil {
		t.Fatal(err)
	}
	if n, err := st.CountCanned(ctx, ann.ID); err != nil || n != 0 {
		t.Fatalf("ann's replies after her account went: %d, %v", n, err)
	}
}
