package store

import (
	"context"
	"database/sql"
	"path/filepath"
	"strings"
	"testing"
)

// openRaw opens a bare database in a temp dir, with no migrations applied.
// openTemp opens a store in a fresh directory, closed when the test ends.
func openTemp(tb testing.TB) *SQLite {
	tb.Helper()
	s, err := OpenSQLite(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	return s
}

func openRaw(tb testing.TB) *sql.DB {
	tb.Helper()
	db, err := sql.Open("sqlite", filepath.Join(tb.TempDir(), FileName)+"?"+dsnParams(sqliteOptions{}))
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { db.Close() })
	return db
}

// openAfter brings a database in a new directory to schema version,
// runs insert (SQL statements) on it, then opens it as kefu does, so that
// the steps after version run over those rows. The store is closed when
// tb ends.
func openAfter(tb testing.TB, version int, insert string) *SQLite {
	tb.Helper()
	dir := tb.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, FileName)+"?"+dsnParams(sqliteOptions{}))
	if err != nil {
		tb.Fatal(err)
	}
	err = migrate(context.Background(), db, migrations[:version])
	if err == nil {
		_, err = db.Exec(insert)
	}
	db.Close()
	if err != nil {
		tb.Fatal(err)
	}
	st, err := OpenSQLite(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// version reads the schema version or fails tb.
func version(tb testing.TB, db *sql.DB) int {
	tb.Helper()
	v, err := schemaVersion(context.Background(), db)
	if err != nil {
		tb.Fatal(err)
	}
	return v
}

func TestMigrate(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		db := openRaw(t)
		if err := migrate(ctx, db, migrations[:1]); err != nil {
			t.Fatal(err)
		}
		if got, want := version(t, db), 1; got != want {
			t.Fatalf("version=%d, want %d", got, want)
		}
		for range 2 { // the second run finds nothing to do
			if err := migrate(ctx, db, migrations); err != nil {
				t.Fatal(err)
			}
			if got, want := version(t, db), len(migrations); got != want {
				t.Fatalf("version=%d, want %d", got, want)
			}
		}
	})
	t.Run("OKOpenTwice", func(t *testing.T) {
		dir := t.TempDir()
		for range 2 {
			st, err := OpenSQLite(dir)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := version(t, st.db), len(migrations); got != want {
				t.Fatalf("version=%d, want %d", got, want)
			}
			if err := st.Close(); err != nil {
				t.Fatal(err)
			}
		}
	})
	t.Run("OKTokenGenerationKeepsAccounts", func(t *testing.T) {
		// An account made under schema 3 logs in as before after step 5,
		// at generation 0 (what tokens issued before it read as), and its
		// sessions can be revoked.
		st := openAfter(t, 3, `INSERT INTO agents (id, name, name_key, password_hash, role, capacity, created_at)
			VALUES ('ag_aaaaaaaaaaaaaaaa', 'Old', 'old', x'01', 'agent', 3, 0)`)
		a, hash, err := st.AgentByName(ctx, "old")
		if err != nil {
			t.Fatal(err)
		}
		if a.ID != "ag_aaaaaaaaaaaaaaaa" || string(hash) != "\x01" || a.TokenGeneration != 0 {
			t.Fatalf("migrated account %+v hash %x, want its id, hash 01 and generation 0", a, hash)
		}
		if gen, err := st.RevokeSessions(ctx, a.ID); err != nil || gen != 1 {
			t.Fatalf("RevokeSessions=%d, %v, want 1", gen, err)
		}
		if r, err := st.TokenRevoked(ctx, "any"); err != nil || r {
			t.Fatalf("TokenRevoked=%v, %v on the new table, want false", r, err)
		}
	})
	t.Run("OKHandoffsKeepOldEvents", func(t *testing.T) {
		// An event stored under schema 5 reads back after step 6 with no
		// hand-off (by and note ''), and is still skipped when applied again.
		st := openAfter(t, 5, `INSERT INTO conversations (id, customer_id, customer_name, agent_id, agent_name, ticket, started_at, ended_by, end_reason, rating)
			VALUES ('c1', 'cu_1', 'Ann', 'ag_2', 'Bob', 1, 0, '', '', 0);
			INSERT INTO conv_events (conv_id, kind, agent_id, agent_name, reason, at) VALUES ('c1', 'transferred', 'ag_2', 'Bob', '', 5)`)
		old := ConvEvent{Conv: "c1", Kind: "transferred", AgentID: "ag_2", AgentName: "Bob", At: fromMillis(5)}
		if err := st.Apply(ctx, &Batch{ConvEvents: []ConvEvent{old}}); err != nil {
			t.Fatal(err)
		}
		events, err := st.ConvEvents(ctx, "c1")
		if err != nil {
			t.Fatal(err)
		}
		if len(events) != 1 || events[0] != old {
			t.Fatalf("events=%+v, want only %+v", events, old)
		}
	})
	t.Run("ErrStepRollsBack", func(t *testing.T) {
		db := openRaw(t)
		steps := []string{
			`CREATE TABLE one (x INTEGER)`,
			`CREATE TABLE two (x INTEGER); SELECT nonsense FROM nowhere`,
		}
		err := migrate(ctx, db, steps)
		if err == nil || !strings.Contains(err.Error(), "migrate to version 2") {
			t.Fatalf("err=%v, want it to name version 2", err)
		}
		if got, want := version(t, db), 1; got != want {
			t.Fatalf("version=%d, want %d", got, want)
		}
		var n int
		db.QueryRow(`SELECT COUNT(*) FROM sqlite_schema WHERE name = 'two'`).Scan(&n)
		if n != 0 {
			t.Fatal("table two exists: the failed step was not rolled back")
		}
	})
	t.Run("ErrNewerSchema", func(t *testing.T) {
		db := openRaw(t)
		if err := migrate(ctx, db, migrations); err != nil {
			t.Fatal(err)
		}
		err := migrate(ctx, db, migrations[:1]) // an older binary
		if err == nil || !strings.Contains(err.Error(), "newer") {
			t.Fatalf("err=%v, want a refusal of the newer schema", err)
		}
	})
}

// TestPragmas checks that every pooled connection gets the settings.
func TestPragmas(t *testing.T) {
	st := openTemp(t)
	for _, tc := range []struct{ pragma, want string }{
		{"journal_mode", "wal"},
		{"foreign_keys", "1"},
		{"synchronous", "1"}, // NORMAL
		{"busy_timeout", "5000"},
	} {
		var got string
		if err := st.db.QueryRow("PRAGMA " + tc.pragma).Scan(&got); err != nil {
			t.Fatal(err)
		}
		if got != tc.want {
			t.Fatalf("%s=%s, want %s", tc.pragma, got, tc.want)
		}
	}
}
