package postgres

import (
	"context"
	"strings"
	"testing"

	"kefu/internal/pgtest"
)

// TestOpenSynchronousCommit: the store's connections commit with
// synchronous_commit on whatever the URL, the role or the server asks, so
// that an acknowledged message is on disk.
func TestOpenSynchronousCommit(t *testing.T) {
	url := pgtest.NewSchema(t) + "&synchronous_commit=off"
	st, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var got string
	if err := st.pool.QueryRow(context.Background(), `SHOW synchronous_commit`).Scan(&got); err != nil {
		t.Fatal(err)
	}
	if want := "on"; got != want {
		t.Fatalf("synchronous_commit=%q, want %q", got, want)
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	t.Run("OKReopen", func(t *testing.T) {
		// Migrations run once: a second open finds the schema current.
		url := pgtest.NewSchema(t)
		for range 2 {
			st, err := Open(ctx, url)
			if err != nil {
				t.Fatal(err)
			}
			st.Close()
		}
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		url := pgtest.NewSchema(t)
		st, err := Open(ctx, url)
		if err != nil {
			t.Fatal(err)
		}
		st.Close()
		newer := len(migrations) + 1
		pgtest.Exec(t, url, `INSERT INTO schema_migrations (version) VALUES ($1)`, newer)
		_, err = Open(ctx, url)
		if err == nil || !strings.Contains(err.Error(), "newer than this kefu supports") {
			t.Fatalf("Open err=%v, want a refusal of the newer schema", err)
		}
	})
	t.Run("ErrBadURL", func(t *testing.T) {
		_, err := Open(ctx, "postgres://user:secret@[bad")
		if err == nil || strings.Contains(err.Error(), "secret") {
			t.Fatalf("Open err=%v, want an error that does not show the password", err)
		}
	})
}
