package server

import (
	"testing"

	"kefu/internal/pgtest"
)

// forEachStore runs f once per store kefu can keep its data in, as a
// subtest named for it, each time with a fresh, empty store: spec is the
// -store value (Config.Store), dir the data directory. The tests that
// matter for durability run on both, so that PostgreSQL keeps the same
// promises as SQLite. Without KEFU_TEST_POSTGRES the PostgreSQL half is
// skipped, and fails under CI=true (internal/pgtest).
func forEachStore(t *testing.T, f func(t *testing.T, spec, dir string)) {
	t.Run("SQLite", func(t *testing.T) { f(t, "", t.TempDir()) })
	t.Run("PostgreSQL", func(t *testing.T) { f(t, pgtest.NewSchema(t), t.TempDir()) })
}

// testStore returns the store a fresh test server uses: spec if the test
// named one, else SQLite, or a fresh PostgreSQL schema under
// KEFU_TEST_STORE=postgres (pgtest.FreshStore). Tests that choose their
// store (forEachStore, a DataDir of their own) keep their choice.
func testStore(t *testing.T, spec string) string {
	t.Helper()
	if spec != "" {
		return spec
	}
	return pgtest.FreshStore(t)
}
