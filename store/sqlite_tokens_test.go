package store

import (
	"context"
	"testing"
	"time"
)

// TestRevokeTokenPrunes checks that rows past their token's expiry are
// deleted as new ones come, so the table holds one token lifetime at most.
func TestRevokeTokenPrunes(t *testing.T) {
	ctx := context.Background()
	st := openTemp(t)
	now := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	st.now = func() time.Time { return now }
	rows := func() int {
		t.Helper()
		var n int
		if err := st.db.QueryRow(`SELECT COUNT(*) FROM revoked_tokens`).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	for _, tc := range []struct {
		id  string
		ttl time.Duration
	}{{"short", time.Minute}, {"long", 12 * time.Hour}} {
		if err := st.RevokeToken(ctx, tc.id, now.Add(tc.ttl)); err != nil {
			t.Fatal(err)
		}
	}
	if got := rows(); got != 2 {
		t.Fatalf("rows=%d, want 2", got)
	}
	now = now.Add(time.Minute) // "short" has expired
	if r, _ := st.TokenRevoked(ctx, "short"); r {
		t.Fatal("an expired row still reads as revoked")
	}
	if r, _ := st.TokenRevoked(ctx, "long"); !r {
		t.Fatal("a live row reads as not revoked")
	}
	if err := st.RevokeToken(ctx, "next", now.Add(time.Hour)); err != nil {
		t.Fatal(err)
	}
	if got := rows(); got != 2 {
		t.Fatalf("rows=%d after the next sign-out, want 2 (the expired one pruned)", got)
	}
	var gone int
	st.db.QueryRow(`SELECT COUNT(*) FROM revoked_tokens WHERE id = 'short'`).Scan(&gone)
	if gone != 0 {
		t.Fatal("the expired row was not pruned")
	}
}
