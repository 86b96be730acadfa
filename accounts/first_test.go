package accounts

import (
	"bytes"
	"context"
	"log/slog"
	"regexp"
	"strings"
	"testing"

	"kefu/auth"
	"kefu/store"
)

// firstLog matches the warning that shows the first password.
var firstLog = regexp.MustCompile(`level=WARN msg="no accounts: created supervisor \\"admin\\" with one-time password (\S+); change it with 'kefu agent passwd admin'"`)

func TestEnsureFirstAgent(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := openStore(t, t.TempDir())
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		for range 2 { // the second call finds an account and does nothing
			if err := EnsureFirstAgent(ctx, st, log); err != nil {
				t.Fatal(err)
			}
		}
		if got, want := strings.Count(logs.String(), "\n"), 1; got != want {
			t.Fatalf("log lines=%d, want %d:\n%s", got, want, logs.String())
		}
		m := firstLog.FindStringSubmatch(logs.String())
		if m == nil {
			t.Fatalf("log=%q, want the first-password warning", logs.String())
		}
		agents, err := st.ListAgents(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(agents), 1; got != want {
			t.Fatalf("agents=%d, want %d", got, want)
		}
		if got, want := agents[0].Role, store.RoleSupervisor; got != want {
			t.Fatalf("Role=%q, want %q", got, want)
		}
		_, hash, err := st.AgentByName(ctx, FirstAgentName)
		if err != nil {
			t.Fatal(err)
		}
		if !auth.CheckPassword(hash, m[1]) {
			t.Fatal("the logged password does not match the stored hash")
		}
	})
	t.Run("OKAccountsExist", func(t *testing.T) {
		dir := t.TempDir()
		mustRun(t, "", "add", "-data", dir, "mia")
		st := openStore(t, dir)
		var logs bytes.Buffer
		if err := EnsureFirstAgent(ctx, st, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
			t.Fatal(err)
		}
		if logs.Len() != 0 {
			t.Fatalf("log=%q, want nothing", logs.String())
		}
		if _, _, err := st.AgentByName(ctx, FirstAgentName); err == nil {
			t.Fatal("admin created although an account existed")
		}
	})
}
