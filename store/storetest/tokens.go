package storetest

import (
	"context"
	"errors"
	"testing"
	"time"

	"kefu/store"
)

// generation reads the account's TokenGeneration by id and by name, which
// must agree, or fails tb.
func generation(tb testing.TB, st store.Store, a store.Agent) int64 {
	tb.Helper()
	ctx := context.Background()
	byID, err := st.AgentByID(ctx, a.ID)
	if err != nil {
		tb.Fatal(err)
	}
	byName, _, err := st.AgentByName(ctx, a.Name)
	if err != nil {
		tb.Fatal(err)
	}
	if byID.TokenGeneration != byName.TokenGeneration {
		tb.Fatalf("TokenGeneration by id %d, by name %d", byID.TokenGeneration, byName.TokenGeneration)
	}
	return byID.TokenGeneration
}

func testRevokeSessions(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		a := mustCreate(t, st, "Iris", store.RoleAgent)
		other := mustCreate(t, st, "Jack", store.RoleAgent)
		if got := generation(t, st, a); got != 0 {
			t.Fatalf("new account's TokenGeneration=%d, want 0", got)
		}
		for want := int64(1); want <= 2; want++ {
			got, err := st.RevokeSessions(ctx, a.ID)
			if err != nil {
				t.Fatal(err)
			}
			if got != want || generation(t, st, a) != want {
				t.Fatalf("RevokeSessions=%d, stored %d, want %d", got, generation(t, st, a), want)
			}
		}
		if got := generation(t, st, other); got != 0 {
			t.Fatalf("another account's TokenGeneration=%d, want 0", got)
		}
	})
	t.Run("OKSetPasswordRaises", func(t *testing.T) {
		st := open(t)
		a := mustCreate(t, st, "Iris", store.RoleAgent)
		if err := st.SetPassword(ctx, "iris", []byte("new")); err != nil {
			t.Fatal(err)
		}
		if got := generation(t, st, a); got != 1 {
			t.Fatalf("TokenGeneration after a password change=%d, want 1", got)
		}
		// A refused change changes nothing.
		if err := st.SetPassword(ctx, "iris", nil); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("err=%v, want ErrInvalid", err)
		}
		if got := generation(t, st, a); got != 1 {
			t.Fatalf("TokenGeneration after a refused change=%d, want 1", got)
		}
	})
	t.Run("ErrNotFound", func(t *testing.T) {
		st := open(t)
		a := mustCreate(t, st, "Iris", store.RoleAgent)
		for _, id := range []string{"ag_aaaaaaaaaaaaaaaa", a.Name, ""} {
			if _, err := st.RevokeSessions(ctx, id); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("RevokeSessions(%q) err=%v, want ErrNotFound", id, err)
			}
		}
	})
}

// revoked reads TokenRevoked or fails tb.
func revoked(tb testing.TB, st store.Store, id string) bool {
	tb.Helper()
	r, err := st.TokenRevoked(context.Background(), id)
	if err != nil {
		tb.Fatal(err)
	}
	return r
}

func testRevokeToken(t *testing.T, open Opener) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := open(t)
		later := time.Now().Add(time.Hour)
		if revoked(t, st, "tok-1") {
			t.Fatal("a token nobody signed out reads as revoked")
		}
		for range 2 { // twice is no error
			if err := st.RevokeToken(ctx, "tok-1", later); err != nil {
				t.Fatal(err)
			}
		}
		if !revoked(t, st, "tok-1") {
			t.Fatal("a signed-out token reads as not revoked")
		}
		if revoked(t, st, "tok-2") || revoked(t, st, "TOK-1") {
			t.Fatal("another token reads as revoked")
		}
	})
	t.Run("OKExpired", func(t *testing.T) {
		// Past its own expiry the row is of no use: the token is refused
		// as expired anyway.
		st := open(t)
		if err := st.RevokeToken(ctx, "old", time.Now().Add(-time.Second)); err != nil {
			t.Fatal(err)
		}
		if revoked(t, st, "old") {
			t.Fatal("a token past its expiry still reads as revoked")
		}
	})
	t.Run("ErrInvalid", func(t *testing.T) {
		if err := open(t).RevokeToken(ctx, "", time.Now().Add(time.Hour)); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("err=%v, want ErrInvalid", err)
		}
	})
}
