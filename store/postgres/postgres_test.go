package postgres_test

import (
	"context"
	"testing"

	"kefu/internal/pgtest"
	"kefu/store"
	"kefu/store/postgres"
	"kefu/store/storetest"
)

// openPostgres opens a store in a fresh schema and closes it when tb ends.
func openPostgres(tb testing.TB) *postgres.Store {
	tb.Helper()
	return openAt(tb, pgtest.NewSchema(tb))
}

// openAt opens a store on the database at url and closes it when tb ends.
func openAt(tb testing.TB, url string) *postgres.Store {
	tb.Helper()
	st, err := postgres.Open(context.Background(), url)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() {
		if err := st.Close(); err != nil {
			tb.Error(err)
		}
	})
	return st
}

func TestPostgres(t *testing.T) {
	storetest.Run(t, func(tb testing.TB) store.Store {
		tb.Helper()
		return openPostgres(tb)
	})
}

// TestReopenKeepsConversations: what one store wrote, a store opened later
// on the same database reads.
func TestReopenKeepsConversations(t *testing.T) {
	url := pgtest.NewSchema(t)
	first, err := postgres.Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	storetest.CheckFullBatch(t, first)
	if err := first.Close(); err != nil {
		t.Fatal(err)
	}
	storetest.CheckFullBatchStored(t, openAt(t, url))
}
