// Package pgtest gives tests a PostgreSQL database of their own. The server
// is named by KEFU_TEST_POSTGRES (make test and .ci/run start a private one
// with .ci/postgres.sh); each test gets a fresh database with a random name,
// dropped when the test ends, so tests never see one another's rows.
//
// Without KEFU_TEST_POSTGRES a test that needs PostgreSQL is skipped with a
// message saying how to run it, except under CI=true, where it fails: CI
// never passes by skipping the PostgreSQL half of the suite.
package pgtest

import (
	"context"
	"crypto/rand"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// EnvURL names the variable holding the server's URL, one whose user may
// create databases.
const EnvURL = "KEFU_TEST_POSTGRES"

// adminTimeout bounds creating or dropping a database: a server that takes
// longer is not one to run tests against.
const adminTimeout = 30 * time.Second

// ServerURL returns KEFU_TEST_POSTGRES, or skips tb (fails it under
// CI=true) when it is not set.
func ServerURL(tb testing.TB) string {
	tb.Helper()
	u := os.Getenv(EnvURL)
	if u != "" {
		return u
	}
	const how = EnvURL + " is not set: start a private PostgreSQL with " +
		"`export " + EnvURL + "=$(bash .ci/postgres.sh start)` (make test does it for you)"
	if os.Getenv("CI") == "true" {
		tb.Fatal("PostgreSQL tests cannot run in CI: " + how)
	}
	tb.Skip("skipping PostgreSQL test: " + how)
	return ""
}

// NewSchema creates an empty schema in the server's database and returns a
// URL whose connections use it (search_path), so that a store opened on it
// creates its tables there; the schema is dropped, with everything in it,
// when tb ends. Register the cleanup of whatever connects to it after
// calling NewSchema, so it runs first.
func NewSchema(tb testing.TB) string {
	tb.Helper()
	server := ServerURL(tb)
	name := randomName()
	admin(tb, server, "CREATE SCHEMA "+name)
	tb.Cleanup(func() { admin(tb, server, "DROP SCHEMA IF EXISTS "+name+" CASCADE") })
	u, err := url.Parse(server)
	if err != nil {
		tb.Fatalf("%s: %v", EnvURL, err)
	}
	q := u.Query()
	q.Set("search_path", name) // pgx sends unknown URL parameters as run-time settings
	u.RawQuery = q.Encode()
	return u.String()
}

// randomName is a fresh schema name.
func randomName() string { return "kefu_test_" + strings.ToLower(rand.Text()[:16]) }

// admin runs one statement on the server's own database.
func admin(tb testing.TB, server, sql string) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, server)
	if err != nil {
		tb.Fatalf("connect to %s (%s): %v", EnvURL, server, err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

// Exec runs sql on the database at dbURL, for tests that arrange a state
// the store itself would not write.
func Exec(tb testing.TB, dbURL, sql string, args ...any) {
	tb.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), adminTimeout)
	defer cancel()
	conn, err := pgx.Connect(ctx, dbURL)
	if err != nil {
		tb.Fatalf("connect: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		tb.Fatalf("%s: %v", sql, err)
	}
}

// EnvStore, set to "postgres", makes every test server that would start on
// a fresh SQLite file start on a fresh PostgreSQL schema instead:
// `KEFU_TEST_STORE=postgres go test ./server ./browsertest` checks that the
// pages, both protocols and every API behave the same on it (make
// test-postgres).
const EnvStore = "KEFU_TEST_STORE"

// FreshStore returns the -store value for a test server that wants a fresh,
// empty store: "" (SQLite under the test's data directory), or a fresh
// schema under KEFU_TEST_STORE=postgres.
func FreshStore(tb testing.TB) string {
	tb.Helper()
	if os.Getenv(EnvStore) != "postgres" {
		return ""
	}
	return NewSchema(tb)
}
