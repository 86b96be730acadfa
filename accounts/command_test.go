package accounts

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"kefu/auth"
	"kefu/store"
)

// result is what one Command run printed and returned.
type result struct {
	stdout, stderr string
	err            error
}

// testPasswords makes bcrypt cheap so that -race runs stay fast.
var testPasswords = auth.Hasher{Cost: bcrypt.MinCost}

// run runs Command with args and stdin.
func run(tb testing.TB, stdin string, args ...string) result {
	tb.Helper()
	var out, errOut bytes.Buffer
	err := Command(context.Background(), Config{Stdin: strings.NewReader(stdin), Stdout: &out, Stderr: &errOut, Passwords: testPasswords}, args)
	return result{out.String(), errOut.String(), err}
}

// mustRun runs Command and fails tb if it returns an error.
func mustRun(tb testing.TB, stdin string, args ...string) result {
	tb.Helper()
	r := run(tb, stdin, args...)
	if r.err != nil {
		tb.Fatalf("%q: %v\nstderr: %s", args, r.err, r.stderr)
	}
	return r
}

// wantErr fails tb unless r failed with an error containing want.
func wantErr(tb testing.TB, r result, want string) {
	tb.Helper()
	if r.err == nil || !strings.Contains(r.err.Error(), want) {
		tb.Fatalf("err=%v, want one containing %q", r.err, want)
	}
}

// openStore opens the store in dir for checking, closing it when tb ends.
func openStore(tb testing.TB, dir string) store.Store {
	tb.Helper()
	st, err := store.OpenSQLite(dir)
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	return st
}

// agent reads name's account and hash from the store in dir.
func agent(tb testing.TB, dir, name string) (store.Agent, []byte) {
	tb.Helper()
	a, hash, err := openStore(tb, dir).AgentByName(context.Background(), name)
	if err != nil {
		tb.Fatal(err)
	}
	return a, hash
}

// shownPassword matches the line that shows a generated password.
var shownPassword = regexp.MustCompile(`password: (\S+) \(shown once\)\n$`)

// password returns the generated password printed in out, or fails tb.
func password(tb testing.TB, out string) string {
	tb.Helper()
	m := shownPassword.FindStringSubmatch(out)
	if m == nil {
		tb.Fatalf("output %q shows no password", out)
	}
	return m[1]
}

func TestAdd(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		r := mustRun(t, "", "add", "-data", dir, "alice")
		if got, want := r.stdout, "agent alice created; password: "; !strings.HasPrefix(got, want) {
			t.Fatalf("stdout=%q, want prefix %q", got, want)
		}
		pw := password(t, r.stdout)
		a, hash := agent(t, dir, "alice")
		if !auth.CheckPassword(hash, pw) {
			t.Fatal("the printed password does not match the stored hash")
		}
		if strings.Contains(r.stdout+r.stderr, string(hash)) {
			t.Fatal("the hash was printed")
		}
		if got, want := a.Role, store.RoleAgent; got != want {
			t.Fatalf("Role=%q, want %q", got, want)
		}
		if got, want := a.Capacity, store.DefaultCapacity; got != want {
			t.Fatalf("Capacity=%d, want %d", got, want)
		}
	})
	t.Run("OKFlagsAfterNameAndStdin", func(t *testing.T) {
		dir := t.TempDir()
		r := mustRun(t, "correct horse\n", "add", "-data", dir, "Bob Smith", "-role", "supervisor", "-capacity", "7", "-password-stdin")
		if got, want := r.stdout, "agent Bob Smith created\n"; got != want {
			t.Fatalf("stdout=%q, want %q", got, want)
		}
		a, hash := agent(t, dir, "bob smith")
		if !auth.CheckPassword(hash, "correct horse") {
			t.Fatal("stdin password does not match the stored hash")
		}
		if got, want := a.Role, store.RoleSupervisor; got != want {
			t.Fatalf("Role=%q, want %q", got, want)
		}
		if got, want := a.Capacity, 7; got != want {
			t.Fatalf("Capacity=%d, want %d", got, want)
		}
	})
	t.Run("OKDataFromEnv", func(t *testing.T) {
		dir := t.TempDir()
		t.Setenv(DataEnv, dir)
		mustRun(t, "", "add", "carol")
		agent(t, dir, "carol")
	})
	t.Run("ErrMissingName", func(t *testing.T) {
		wantErr(t, run(t, "", "add", "-data", t.TempDir()), "agent add: missing NAME")
	})
	t.Run("ErrExtraArgument", func(t *testing.T) {
		wantErr(t, run(t, "", "add", "-data", t.TempDir(), "a", "b"), `unexpected argument "b"`)
	})
	t.Run("ErrInvalidName", func(t *testing.T) {
		r := run(t, "", "add", "-data", t.TempDir(), strings.Repeat("x", store.MaxNameLen+1))
		if !errors.Is(r.err, store.ErrInvalid) {
			t.Fatalf("err=%v, want ErrInvalid", r.err)
		}
	})
	t.Run("ErrNameTaken", func(t *testing.T) {
		dir := t.TempDir()
		mustRun(t, "", "add", "-data", dir, "dave")
		r := run(t, "", "add", "-data", dir, "DAVE")
		if !errors.Is(r.err, store.ErrNameTaken) {
			t.Fatalf("err=%v, want ErrNameTaken", r.err)
		}
		if r.stdout != "" {
			t.Fatalf("stdout=%q, want nothing: no password for an account not made", r.stdout)
		}
	})
	t.Run("ErrBadPassword", func(t *testing.T) {
		dir := t.TempDir()
		for _, pw := range []string{"", "short\n", strings.Repeat("p", auth.MaxPasswordLen+1) + "\n"} {
			r := run(t, pw, "add", "-data", dir, "-password-stdin", "erin")
			if !errors.Is(r.err, auth.ErrBadPassword) && !strings.Contains(r.err.Error(), "read password") {
				t.Fatalf("stdin %q: err=%v, want a password error", pw, r.err)
			}
		}
		if n, _ := openStore(t, dir).CountAgents(context.Background()); n != 0 {
			t.Fatalf("CountAgents=%d, want 0", n)
		}
	})
	t.Run("ErrBadRoleOrCapacity", func(t *testing.T) {
		dir := t.TempDir()
		for _, args := range [][]string{{"-role", "admin"}, {"-capacity", "0"}, {"-capacity", "51"}} {
			r := run(t, "", append([]string{"add", "-data", dir, "frank"}, args...)...)
			if !errors.Is(r.err, store.ErrInvalid) {
				t.Fatalf("%q: err=%v, want ErrInvalid", args, r.err)
			}
		}
	})
	t.Run("ErrUnknownFlag", func(t *testing.T) {
		wantErr(t, run(t, "", "add", "-data", t.TempDir(), "-colour", "red", "gina"), "-colour")
	})
}

func TestList(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		mustRun(t, "", "add", "-data", dir, "zoe")
		mustRun(t, "", "add", "-data", dir, "-role", "supervisor", "-capacity", "12", "Amy")
		out := mustRun(t, "", "list", "-data", dir).stdout
		lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
		if got, want := len(lines), 3; got != want {
			t.Fatalf("lines=%d, want %d:\n%s", got, want, out)
		}
		if got := strings.Fields(lines[0]); strings.Join(got, " ") != "NAME ID ROLE CAPACITY CREATED" {
			t.Fatalf("header=%q", lines[0])
		}
		amy, _ := agent(t, dir, "amy")
		if got, want := strings.Fields(lines[1])[:4], []string{"Amy", amy.ID, "supervisor", "12"}; strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("row=%q, want %q", got, want)
		}
		if got, want := strings.Fields(lines[2])[0], "zoe"; got != want {
			t.Fatalf("second row name=%q, want %q", got, want)
		}
		if strings.Contains(out, "$2") {
			t.Fatal("list printed a bcrypt hash")
		}
	})
	t.Run("OKEmpty", func(t *testing.T) {
		out := mustRun(t, "", "list", "-data", t.TempDir()).stdout
		if got, want := strings.Fields(out)[0], "NAME"; got != want || strings.Count(out, "\n") != 1 {
			t.Fatalf("stdout=%q, want the header alone", out)
		}
	})
	t.Run("ErrExtraArgument", func(t *testing.T) {
		wantErr(t, run(t, "", "list", "-data", t.TempDir(), "everyone"), `unexpected argument "everyone"`)
	})
}

func TestRemove(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		mustRun(t, "", "add", "-data", dir, "hank")
		mustRun(t, "", "add", "-data", dir, "ivy")
		if got, want := mustRun(t, "", "remove", "hank", "-data", dir).stdout, "agent hank removed\n"; got != want {
			t.Fatalf("stdout=%q, want %q", got, want)
		}
		st := openStore(t, dir)
		if _, _, err := st.AgentByName(context.Background(), "hank"); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("after remove err=%v, want ErrNotFound", err)
		}
		if n, _ := st.CountAgents(context.Background()); n != 1 {
			t.Fatalf("CountAgents=%d, want 1", n)
		}
	})
	t.Run("ErrUnknownName", func(t *testing.T) {
		r := run(t, "", "remove", "-data", t.TempDir(), "nobody")
		if !errors.Is(r.err, store.ErrNotFound) {
			t.Fatalf("err=%v, want ErrNotFound", r.err)
		}
		wantErr(t, r, `agent remove: remove agent "nobody": not found`)
	})
	t.Run("ErrMissingName", func(t *testing.T) {
		wantErr(t, run(t, "", "remove", "-data", t.TempDir()), "missing NAME")
	})
}

func TestPasswd(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		dir := t.TempDir()
		old := password(t, mustRun(t, "", "add", "-data", dir, "Jack").stdout)
		r := mustRun(t, "", "passwd", "-data", dir, "jack")
		if got, want := r.stdout, "password of agent Jack changed; password: "; !strings.HasPrefix(got, want) {
			t.Fatalf("stdout=%q, want prefix %q", got, want)
		}
		pw := password(t, r.stdout)
		a, hash := agent(t, dir, "jack")
		if !auth.CheckPassword(hash, pw) || auth.CheckPassword(hash, old) {
			t.Fatal("the new password is not the one stored, or the old one still works")
		}
		// Whoever logged in with the old password is signed out.
		if a.TokenGeneration != 1 {
			t.Fatalf("TokenGeneration=%d after passwd, want 1: earlier tokens would still work", a.TokenGeneration)
		}
	})
	t.Run("OKStdin", func(t *testing.T) {
		dir := t.TempDir()
		mustRun(t, "", "add", "-data", dir, "kim")
		r := mustRun(t, "new secret pw\r\n", "passwd", "-password-stdin", "-data", dir, "kim")
		if got, want := r.stdout, "password of agent kim changed\n"; got != want {
			t.Fatalf("stdout=%q, want %q", got, want)
		}
		_, hash := agent(t, dir, "kim")
		if !auth.CheckPassword(hash, "new secret pw") {
			t.Fatal("stdin password (without CR LF) does not match the stored hash")
		}
	})
	t.Run("ErrUnknownName", func(t *testing.T) {
		r := run(t, "", "passwd", "-data", t.TempDir(), "nobody")
		if !errors.Is(r.err, store.ErrNotFound) {
			t.Fatalf("err=%v, want ErrNotFound", r.err)
		}
		if r.stdout != "" {
			t.Fatalf("stdout=%q, want nothing", r.stdout)
		}
	})
	t.Run("ErrBadPassword", func(t *testing.T) {
		dir := t.TempDir()
		mustRun(t, "", "add", "-data", dir, "lee")
		r := run(t, "tiny\n", "passwd", "-data", dir, "-password-stdin", "lee")
		if !errors.Is(r.err, auth.ErrBadPassword) {
			t.Fatalf("err=%v, want ErrBadPassword", r.err)
		}
	})
}

func TestCommand(t *testing.T) {
	t.Run("OKHelp", func(t *testing.T) {
		r := run(t, "", "-h")
		if r.err != nil || !strings.Contains(r.stderr, "usage: kefu agent") {
			t.Fatalf("err=%v stderr=%q, want usage and no error", r.err, r.stderr)
		}
	})
	t.Run("ErrMissingCommand", func(t *testing.T) {
		r := run(t, "")
		wantErr(t, r, "missing command")
		if !strings.Contains(r.stderr, "usage: kefu agent") {
			t.Fatalf("stderr=%q, want usage", r.stderr)
		}
	})
	t.Run("ErrUnknownCommand", func(t *testing.T) {
		wantErr(t, run(t, "", "delete", "bob"), `unknown command "delete"`)
	})
}

func TestParse(t *testing.T) {
	fs, data := newFlags("x", "", Config{Stderr: &bytes.Buffer{}})
	got, err := parse(fs, []string{"a", "-data", "d", "b", "--", "-c", "d"})
	if err != nil {
		t.Fatal(err)
	}
	if got, want := strings.Join(got, " "), "a b -c d"; got != want {
		t.Fatalf("positional=%q, want %q", got, want)
	}
	if got, want := data.data, "d"; got != want {
		t.Fatalf("data=%q, want %q", got, want)
	}
}
