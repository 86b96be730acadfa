package loadtest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/actors"
	"kefu/auth"
	"kefu/internal/leaktest"
	"kefu/internal/testports"
	"kefu/server"
	"kefu/store"
	"kefu/transport"
)

// testPasswords is the test server's Config.Passwords: the harness logs
// in every agent, and the cheapest bcrypt cost keeps the runs about the
// harness, not the hashing.
var testPasswords = auth.Hasher{Cost: bcrypt.MinCost}

func TestMain(m *testing.M) {
	// The harness runs real servers and thousands of client goroutines;
	// all of them must be gone when the tests are.
	testports.Hold()
	leaktest.VerifyTestMain(m)
}

const (
	testAdmin    = "lt-admin"
	testAdminPwd = "loadtest-admin-pw"
)

// testServer is a real server on loopback ports, with a supervisor account.
type testServer struct {
	*server.Server
}

// startServer starts it; tune, if given, changes its config first.
func startServer(tb testing.TB, tune ...func(*server.Config)) *testServer {
	tb.Helper()
	cfg := server.Config{
		Addr:       "127.0.0.1:0",
		CompatAddr: "127.0.0.1:0",
		DataDir:    tb.TempDir(),
		Grace:      server.DefaultGrace,       // zero would mean none: churn would end conversations
		Abuse:      transport.NoAbuseLimits(), // a load harness: every socket and login from 127.0.0.1
		Passwords:  testPasswords,
		Log:        slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
	for _, f := range tune {
		f(&cfg)
	}
	srv, err := server.New(cfg)
	if err != nil {
		tb.Fatalf("server.New: %v", err)
	}
	hash, err := testPasswords.Hash(testAdminPwd)
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := srv.Store().CreateAgent(context.Background(), testAdmin, hash, store.RoleSupervisor, 3); err != nil {
		tb.Fatalf("create supervisor: %v", err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- srv.Run(ctx) }()
	tb.Cleanup(func() {
		cancel()
		if err := <-done; err != nil {
			tb.Errorf("server stopped with %v", err)
		}
	})
	return &testServer{srv}
}

// config is a tiny custom run against ts.
func (ts *testServer) config(protocol string) *Config {
	return &Config{
		Server: "http://" + ts.Addr(), CompatServer: "ws://" + ts.CompatAddr(),
		Protocol: protocol, Scenario: "custom",
		Agents: 20, Capacity: 5, Customers: 50,
		MessageEvery: 100 * time.Millisecond, Duration: 3 * time.Second,
		Admin: testAdmin, AdminPassword: testAdminPwd, AgentPrefix: "lt-agent-",
		Quiet: true,
	}
}

// checkDelivered fails unless the run delivered messages exactly once and
// in order, and measured their latencies.
func checkDelivered(tb testing.TB, res *Result, err error) {
	tb.Helper()
	if res == nil {
		// The run could not start (provisioning, under load too).
		tb.Fatalf("Run: %v (no result)", err)
	}
	if err != nil {
		tb.Fatalf("Run: %v (errors %v, notes %q)", err, res.Errors, res.Notes)
	}
	if got, want := res.Verify, (Verify{Conversations: res.Verify.Conversations}); got != want {
		tb.Errorf("verify=%+v, want nothing lost, duplicated or reordered", got)
	}
	if res.Counts.Delivered == 0 || res.Counts.Acked == 0 {
		tb.Errorf("counts=%+v, want messages acknowledged and delivered", res.Counts)
	}
	for _, kind := range []string{"connect", "assign", "delivery", "ack"} {
		if res.Latency[kind].Count == 0 {
			tb.Errorf("latency %q recorded nothing", kind)
		}
	}
	if len(res.Series) == 0 {
		tb.Error("no samples in the series")
	}
}

func TestRun(t *testing.T) {
	ts := startServer(t)

	t.Run("NativeOK", func(t *testing.T) {
		cfg := ts.config(ProtocolNative)
		res, err := Run(context.Background(), cfg, noProgress{})
		checkDelivered(t, res, err)
		if got, want := res.Counts.Assigned, int64(cfg.Customers); got != want {
			t.Errorf("assigned=%d, want %d", got, want)
		}
		if len(res.Errors) != 0 {
			t.Errorf("errors=%v, want none", res.Errors)
		}
	})

	t.Run("NativeChurnOK", func(t *testing.T) {
		cfg := ts.config(ProtocolNative)
		cfg.Churn, cfg.ChurnEvery = 0.3, 700*time.Millisecond
		res, err := Run(context.Background(), cfg, noProgress{})
		checkDelivered(t, res, err)
		if res.Counts.Reconnects == 0 {
			t.Error("no client reconnected under churn")
		}
		if len(res.Errors) != 0 {
			t.Errorf("errors=%v, want none: every client resumes within the grace", res.Errors)
		}
		t.Logf("%d reconnects, %d delivered, errors %v", res.Counts.Reconnects, res.Counts.Delivered, res.Errors)
	})

	t.Run("NativeBudgetOK", func(t *testing.T) {
		// S3's shape: customers arrive over a second, send one message
		// each, and leave once answered; the run ends when all have.
		cfg := ts.config(ProtocolNative)
		cfg.Arrival, cfg.Messages, cfg.MessageEvery, cfg.Duration = time.Second, 1, 0, 20*time.Second
		res, err := Run(context.Background(), cfg, noProgress{})
		checkDelivered(t, res, err)
		if got, want := res.Counts.Sent, int64(2*cfg.Customers); got != want {
			t.Errorf("sent=%d, want %d (one message and one answer per customer)", got, want)
		}
		if time.Duration(res.Duration) >= cfg.Duration {
			t.Errorf("window %v, want it to close once every customer left", time.Duration(res.Duration))
		}
	})

	t.Run("CompatOK", func(t *testing.T) {
		// Through Command, as `kefu loadtest` runs it, with a JSON report.
		path := filepath.Join(t.TempDir(), "result.json")
		var stdout, stderr bytes.Buffer
		err := Command(context.Background(), []string{
			"-server", "http://" + ts.Addr(), "-compat-server", "ws://" + ts.CompatAddr(),
			"-protocol", "compat", "-agents", "20", "-customers", "20", "-duration", "3s",
			"-json", path, "-quiet",
		}, &stdout, &stderr)
		if err != nil {
			t.Fatalf("Command: %v\n%s", err, stderr.String())
		}
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var res Result
		if err := json.Unmarshal(b, &res); err != nil {
			t.Fatalf("decoding %s: %v", path, err)
		}
		checkDelivered(t, &res, nil)
		if res.Latency["roundtrip"].Count == 0 || res.Rates.RoundTripsPerSec == 0 {
			t.Errorf("round trips not recorded: %+v, %+v", res.Latency["roundtrip"], res.Rates)
		}
		if !strings.Contains(stdout.String(), "compat") {
			t.Errorf("the table on stdout does not name the protocol:\n%s", stdout.String())
		}
	})
}

// TestRunPaged: a client back from a drop that missed more than a page
// gets only the newest page, with "more"; the harness pages back for the
// rest, as every client must. Pages of two messages, and customers that
// send as fast as they are acknowledged (a dropped agent's customers go
// on), make most resumes miss more than a page.
func TestRunPaged(t *testing.T) {
	ts := startServer(t, func(cfg *server.Config) { cfg.HistoryPage = actors.HistoryLimits{Messages: 2} })
	cfg := ts.config(ProtocolNative)
	cfg.MessageEvery = 0
	cfg.Churn, cfg.ChurnEvery = 0.3, 700*time.Millisecond
	res, err := Run(context.Background(), cfg, noProgress{})
	checkDelivered(t, res, err)
	if len(res.Errors) != 0 {
		t.Errorf("errors=%v, want none", res.Errors)
	}
	t.Logf("%d reconnects, %d delivered, verify %+v", res.Counts.Reconnects, res.Counts.Delivered, res.Verify)
}

func TestParseArgs(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		cfg, err := parseArgs([]string{"-scenario", "S4", "-customers", "10", "-admin", "a", "-admin-password", "p"}, io.Discard)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := cfg.Customers, 10; got != want {
			t.Errorf("customers=%d, want %d (the flag overrides the preset)", got, want)
		}
		if got, want := cfg.Agents, 500; got != want {
			t.Errorf("agents=%d, want %d (the preset's)", got, want)
		}
		if got, want := cfg.Churn, 0.2; got != want {
			t.Errorf("churn=%v, want %v", got, want)
		}
	})
	// Every preset arrives whole when no knob is given, and the flags
	// that are not knobs come through beside it.
	t.Run("PresetsAndOtherFlags", func(t *testing.T) {
		for _, sc := range scenarios {
			cfg, err := parseArgs([]string{"-scenario", sc.Name, "-admin", "a", "-admin-password", "p",
				"-server", "http://h:1", "-server-pid", "7", "-json", "r.json", "-html", "r.html",
				"-quiet", "-cpuprofile", "cpu.out", "-agent-prefix", "x-", "-store-off-label"}, io.Discard)
			if err != nil {
				t.Fatalf("%s: %v", sc.Name, err)
			}
			want := sc.Config
			want.Scenario = sc.Name
			want.Server, want.ServerPID, want.JSONFile, want.HTMLFile = "http://h:1", 7, "r.json", "r.html"
			want.Quiet, want.CPUProfile, want.AgentPrefix, want.StoreOff = true, "cpu.out", "x-", true
			want.Admin, want.AdminPassword = "a", "p"
			if *cfg != want {
				t.Errorf("%s:\n got %+v\nwant %+v", sc.Name, *cfg, want)
			}
		}
	})
	t.Run("KnobsAreFlags", func(t *testing.T) {
		for name := range knobs {
			_, err := parseArgs([]string{"-" + name + "=not-a-value"}, io.Discard)
			if err == nil || strings.Contains(err.Error(), "not defined") {
				t.Errorf("knob %q: %v, want the flag to refuse the value", name, err)
			}
		}
	})
	t.Run("ErrChurnCompat", func(t *testing.T) {
		_, err := parseArgs([]string{"-scenario", "S5", "-churn", "0.1", "-churn-every", "1s"}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "native") {
			t.Errorf("err=%v, want churn refused on the compat protocol", err)
		}
	})
	t.Run("ErrNoAdmin", func(t *testing.T) {
		_, err := parseArgs([]string{"-scenario", "S1"}, io.Discard)
		if err == nil || !strings.Contains(err.Error(), "-admin") {
			t.Errorf("err=%v, want -admin required for native", err)
		}
	})
}

func TestVerify(t *testing.T) {
	c := newMsgID(false, 1, 1)
	a := newMsgID(true, 1, 1)
	t.Run("OK", func(t *testing.T) {
		cust, agent := newStream("cv", "cv", 'c'), newStream("cv", "cv", 'a')
		for _, s := range []*stream{cust, agent} {
			s.receive(1, c)
			s.receive(2, a)
		}
		cust.owned(1, c)
		agent.owned(2, a)
		if v := verify([]*stream{cust, agent}); !v.OK() || v.mismatched != 0 {
			t.Errorf("verdict=%+v, want clean", v)
		}
	})
	t.Run("PagedOK", func(t *testing.T) {
		// Back from a drop with 1, the client got only the newest page (4)
		// and "more": 2 and 3 come after 4, in a history page.
		ids := []msgID{c, a, newMsgID(false, 1, 2), newMsgID(true, 1, 2)}
		cust, agent := newStream("cv", "cv", 'c'), newStream("cv", "cv", 'a')
		for i, id := range ids {
			agent.receive(uint64(i+1), id)
		}
		cust.receive(1, ids[0])
		cust.receive(4, ids[3])
		cust.leave(2, 3)
		if got, want := cust.last(), uint64(4); got != want {
			t.Errorf("resume from %d, want %d: what is being paged is not asked for again", got, want)
		}
		before, limit, ok := cust.nextPage()
		if !ok || before != 4 || limit != 2 {
			t.Fatalf("next page before %d, limit %d (%v), want before 4, limit 2", before, limit, ok)
		}
		cust.receive(2, ids[1])
		cust.receive(3, ids[2])
		cust.paged(before, 2, true)
		if _, _, ok := cust.nextPage(); ok {
			t.Error("a page still asked for, want none: everything is in")
		}
		if v := verify([]*stream{cust, agent}); !v.OK() {
			t.Errorf("verdict=%+v, want clean: a page is older, not out of order", v.Verify)
		}
	})
	t.Run("PageBehindNewerRangeOK", func(t *testing.T) {
		// An agent asks for 3 (left out by one conv frame), drops, and
		// asks again on its new connection before that connection's conv
		// frame arrives, which leaves out 6. The answer (3, "more") is
		// for 3's range, not the newest: 6 is still to be paged, and 3
		// is not asked for twice (TestRunPaged under load, once: "1 lost,
		// 4 duplicated").
		ids := make([]msgID, 8)
		agent, cust := newStream("cv", "cv", 'a'), newStream("cv", "cv", 'c')
		for i := range ids {
			ids[i] = newMsgID(i%2 == 1, 1, i/2+1)
			cust.receive(uint64(i+1), ids[i])
		}
		for _, pos := range []uint64{1, 2, 4, 5} { // the first conv frame: after 3, more
			agent.receive(pos, ids[pos-1])
		}
		agent.leave(3, 3)
		before, limit, ok := agent.nextPage()
		if !ok || before != 4 || limit != 1 {
			t.Fatalf("next page before %d, limit %d (%v), want before 4, limit 1", before, limit, ok)
		}
		if got, want := agent.last(), uint64(5); got != want {
			t.Fatalf("resume from %d, want %d", got, want)
		}
		for _, pos := range []uint64{7, 8} { // the second conv frame: after 6, more
			agent.receive(pos, ids[pos-1])
		}
		agent.leave(6, 6)
		agent.receive(3, ids[2]) // the answer to before 4
		agent.paged(before, 3, true)
		before, limit, ok = agent.nextPage()
		if !ok || before != 7 || limit != 1 {
			t.Fatalf("next page before %d, limit %d (%v), want before 7, limit 1: 6 is still left out", before, limit, ok)
		}
		agent.receive(6, ids[5])
		agent.paged(before, 6, true)
		if _, _, ok := agent.nextPage(); ok {
			t.Error("a page still asked for, want none: everything is in")
		}
		if v := verify([]*stream{cust, agent}); !v.OK() {
			t.Errorf("verdict=%+v, want clean", v.Verify)
		}
	})
	t.Run("ErrLostDupReorder", func(t *testing.T) {
		cust, agent := newStream("cv", "cv", 'c'), newStream("cv", "cv", 'a')
		cust.receive(1, c)
		cust.receive(3, a) // 2 is late
		cust.receive(2, a)
		cust.receive(3, a) // twice
		agent.receive(1, c)
		agent.owned(3, a) // acknowledged, never delivered to the agent itself
		v := verify([]*stream{cust, agent})
		if got, want := v.Verify, (Verify{Conversations: 1, Lost: 2, Duplicated: 1, OutOfOrder: 1}); got != want {
			t.Errorf("verify=%+v, want %+v", got, want)
		}
	})
}
