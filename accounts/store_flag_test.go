package accounts

import (
	"context"
	"strings"
	"testing"

	"kefu/internal/pgtest"
	"kefu/store/postgres"
)

// TestStoreFlag: every subcommand reaches the store -store names, as
// `kefu serve` does, and takes it from KEFU_STORE too.
func TestStoreFlag(t *testing.T) {
	t.Run("OKPostgres", func(t *testing.T) {
		url := pgtest.NewSchema(t)
		dir := t.TempDir() // must stay unused: the accounts go to PostgreSQL
		mustRun(t, "", "add", "-data", dir, "-store", url, "-role", "supervisor", "Paula")
		t.Setenv("KEFU_STORE", url)
		mustRun(t, "pw-of-quinn\n", "add", "-data", dir, "-password-stdin", "Quinn")
		mustRun(t, "another-password\n", "passwd", "-data", dir, "-password-stdin", "quinn")
		mustRun(t, "", "remove", "-data", dir, "paula")
		out := mustRun(t, "", "list", "-data", dir).stdout
		if !strings.Contains(out, "Quinn") || strings.Contains(out, "Paula") {
			t.Fatalf("list=%q, want Quinn and not Paula", out)
		}
		st, err := postgres.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		defer st.Close()
		if n, err := st.CountAgents(context.Background()); err != nil || n != 1 {
			t.Fatalf("CountAgents in PostgreSQL=%d, %v, want 1", n, err)
		}
		if n, err := openStore(t, dir).CountAgents(context.Background()); err != nil || n != 0 {
			t.Fatalf("CountAgents in the SQLite file=%d, %v, want 0", n, err)
		}
	})
	t.Run("ErrBadStore", func(t *testing.T) {
		wantErr(t, run(t, "", "list", "-data", t.TempDir(), "-store", "mysql://db"), "-store")
	})
}
