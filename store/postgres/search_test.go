package postgres

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"kefu/internal/pgtest"
	"kefu/store"
	"kefu/store/storetest"
)

// TestBackfillSearch: rows stored before the search index (schema 9) are
// indexed when a store opens, more than one batch of them, and nothing is
// left out.
func TestBackfillSearch(t *testing.T) {
	ctx := context.Background()
	url := pgtest.NewSchema(t)
	pool, err := pgxpool.New(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	if err := migrate(ctx, pool, migrations[:9]); err != nil {
		pool.Close()
		t.Fatal(err)
	}
	for _, q := range []string{
		`INSERT INTO conversations (id, customer_id, customer_name, agent_id, agent_name, ticket, started_at, ended_by, end_reason, rating)
			VALUES ('cv_old', 'cu_old', '老客户', 'ag_1', 'Ann', 1, now(), '', '', 0)`,
		// One batch and a few more, the last one to be found.
		`INSERT INTO messages (conv_id, seq, sender_id, sender_role, sender_name, text, client_id, at)
			SELECT 'cv_old', n, 'cu_old', 'customer', '老客户',
				convert_to(CASE WHEN n = 1005 THEN '我的退款还没到账' ELSE 'hello ' || n END, 'UTF8'), '', now()
			FROM generate_series(1, 1005) AS n`,
	} {
		if _, err := pool.Exec(ctx, q); err != nil {
			pool.Close()
			t.Fatal(err)
		}
	}
	pool.Close()

	st, err := Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	storetest.CheckSearch(t, st, store.SearchQuery{Text: "退款"}, "cv_old/1005")
	storetest.CheckSearch(t, st, store.SearchQuery{Text: "老客户"}, "cv_old/0")
	storetest.CheckSearch(t, st, store.SearchQuery{Text: "hello 7"}, "cv_old/7")
	checkAllIndexed(t, st)
}

// TestCopyIndexesSearch: a copy from SQLite ends with every row indexed
// for search, without waiting for the next open.
func TestCopyIndexesSearch(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	src, err := store.OpenSQLite(dir)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckFullBatch(t, src)
	if err := src.Close(); err != nil {
		t.Fatal(err)
	}
	db, err := sql.Open("sqlite", filepath.Join(dir, store.FileName))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	st, err := Open(ctx, pgtest.NewSchema(t))
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CopyFromSQLite(ctx, db, func(id string) string { return store.BlobFile(dir, id) }); err != nil {
		t.Fatal(err)
	}
	checkAllIndexed(t, st)
	storetest.CheckSearchStored(t, st)
}

// checkAllIndexed fails tb if a message or conversation of st has no
// search index.
func checkAllIndexed(tb testing.TB, st *Store) {
	tb.Helper()
	var left int
	const count = `SELECT (SELECT count(*) FROM messages WHERE search IS NULL) + (SELECT count(*) FROM conversations WHERE search IS NULL)`
	if err := st.pool.QueryRow(context.Background(), count).Scan(&left); err != nil || left != 0 {
		tb.Fatalf("rows left unindexed: %d, %v; want none", left, err)
	}
}
