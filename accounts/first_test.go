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

// noSupervisorLog matches the warning when only agents exist.
var noSupervisorLog = regexp.MustCompile(`level=WARN msg="no supervisor: created supervisor \\"admin\\" with one-time password (\S+); change it with 'kefu agent passwd admin'"`)

// firstLog matches the warning that shows the first password.
var firstLog = regexp.MustCompile(`level=WARN msg="no accounts: created supervisor \\"admin\\" with one-time password (\S+); change it with 'kefu agent passwd admin'"`)

func TestEnsureFirstAgent(t *testing.T) {
	ctx := context.Background()
	t.Run("OK", func(t *testing.T) {
		st := openStore(t, t.TempDir())
		var logs bytes.Buffer
		log := slog.New(slog.NewTextHandler(&logs, nil))
		for range 2 { // the second call finds an account and does nothing
			if err := EnsureFirstAgent(ctx, st, testPasswords, log); err != nil {
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
	t.Run("OKOnlyAgents", func(t *testing.T) {
		// Agents added before the first start: still nobody can supervise,
		// so admin is created, and the log says why (issue #13, item 10).
		dir := t.TempDir()
		out := mustRun(t, "", "add", "-data", dir, "mia")
		if !strings.Contains(out.stderr, `no supervisor yet: the next 'kefu serve' creates supervisor "admin"`) {
			t.Fatalf("add said %q, want the note that admin will be created", out.stderr)
		}
		st := openStore(t, dir)
		var logs bytes.Buffer
		if err := EnsureFirstAgent(ctx, st, testPasswords, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
			t.Fatal(err)
		}
		m := noSupervisorLog.FindStringSubmatch(logs.String())
		if m == nil {
			t.Fatalf("log=%q, want the no-supervisor warning", logs.String())
		}
		a, hash, err := st.AgentByName(ctx, FirstAgentName)
		if err != nil {
			t.Fatalf("admin not created beside an agent: %v", err)
		}
		if got, want := a.Role, store.RoleSupervisor; got != want {
			t.Fatalf("Role=%q, want %q", got, want)
		}
		if !auth.CheckPassword(hash, m[1]) {
			t.Fatal("the logged password does not match the stored hash")
		}
	})
	t.Run("OKSupervisorExists", func(t *testing.T) {
		dir := t.TempDir()
		out := mustRun(t, "", "add", "-data", dir, "-role", "supervisor", "sam")
		if strings.Contains(out.stderr, "no supervisor") {
			t.Fatalf("add said %q beside a supervisor", out.stderr)
		}
		mustRun(t, "", "add", "-data", dir, "mia")
		st := openStore(t, dir)
		var logs bytes.Buffer
		if err := EnsureFirstAgent(ctx, st, testPasswords, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
			t.Fatal(err)
		}
		if logs.Len() != 0 {
			t.Fatalf("log=%q, want nothing", logs.String())
		}
		if _, _, err := st.AgentByName(ctx, FirstAgentName); err == nil {
			t.Fatal("admin created although a supervisor existed")
		}
	})
	t.Run("OKNameTakenByAgent", func(t *testing.T) {
		dir := t.TempDir()
		mustRun(t, "", "add", "-data", dir, FirstAgentName)
		st := openStore(t, dir)
		var logs bytes.Buffer
		if err := EnsureFirstAgent(ctx, st, testPasswords, slog.New(slog.NewTextHandler(&logs, nil))); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(logs.String(), "kefu agent add -role supervisor NAME") {
			t.Fatalf("log=%q, want how to create a supervisor", logs.String())
		}
	})
}
