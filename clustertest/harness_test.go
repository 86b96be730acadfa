package clustertest

import (
	"context"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/auth"
	"kefu/internal/kefuproc"
	"kefu/internal/pgtest"
	"kefu/internal/racelog"
	"kefu/store"
	"kefu/store/choose"
)

// agentPassword is every test agent's; hashed at the cheapest cost, since
// no scenario is about hashing.
const agentPassword = "cluster test password"

// unlimited lifts the per-address abuse limits: every client of a scenario
// comes from 127.0.0.1, and the scenarios are not about the limits
// (docs/benchmarks.md starts its servers the same way).
var unlimited = []string{
	"-frame-rate", "inf", "-conn-rate", "inf", "-conns-per-ip", "0", "-http-conns-per-ip", "0",
	"-api-rate", "inf", "-login-rate", "inf", "-login-name-rate", "inf",
	"-customers-per-ip", "0", "-conv-start-rate", "inf",
}

// scenario is one end-to-end run: a fresh schema on KEFU_TEST_POSTGRES,
// its agents, and kefu processes on it. Each node is a slot that lives
// through kills and restarts with the same arguments and data directory.
type scenario struct {
	t      *testing.T
	bin    string
	db     string // the schema's URL: every node's -store
	agents []string

	mu    sync.Mutex // guards each node's proc and up, and outages: clients read servers() from their goroutines
	nodes []*node
	downs []Outage // nodes killed or paused, for the FIFO check
}

// node is one kefu process slot.
type node struct {
	name    string
	spec    kefuproc.Spec
	raceDir string           // GORACE's log_path for every lifetime
	lives   []*kefuproc.Proc // every lifetime, the current one last
	up      bool             // clients may be sent to it

	clusterAddr string // its -cluster-addr; "" on a single node
}

// current is the node's latest lifetime.
func (n *node) current() *kefuproc.Proc { return n.lives[len(n.lives)-1] }

// nodeArgs is what a scenario adds to one node's arguments: i is its index.
type nodeArgs func(i int) []string

// placement is where a scenario's nodes run: the store they share, the
// address each listens on, and the command each runs under.
type placement struct {
	db     string
	host   func(i int) string   // node i's listening address
	prefix func(i int) []string // node i's command prefix; nil: none
}

// onLoopback is every scenario's but the partition test's: a fresh schema
// on KEFU_TEST_POSTGRES, every node on 127.0.0.1. The schema is dropped
// when t ends, after the processes (registered later, so cleaned up
// first) have stopped.
func onLoopback(t *testing.T) placement {
	t.Helper()
	return placement{db: pgtest.NewSchema(t), host: func(int) string { return "127.0.0.1" }}
}

// skipShort skips a scenario under -short.
func skipShort(t *testing.T) {
	t.Helper()
	if testing.Short() {
		t.Skip("runs the binary for a minute")
	}
}

// newScenario creates the schema and the agents (named Agent00…, each with
// capacity), and starts count nodes on it, on loopback.
func newScenario(t *testing.T, count, agents, capacity int, extra nodeArgs) *scenario {
	t.Helper()
	skipShort(t)
	return newScenarioAt(t, onLoopback(t), count, agents, capacity, extra)
}

// newScenarioAt is newScenario with the nodes where at says.
func newScenarioAt(t *testing.T, at placement, count, agents, capacity int, extra nodeArgs) *scenario {
	t.Helper()
	s := &scenario{t: t, db: at.db}
	s.bin = kefuBin(t)
	s.provision(agents, capacity)
	for i := range count {
		dir := t.TempDir()
		listen := net.JoinHostPort(at.host(i), "0")
		args := []string{"-store", s.db, "-addr", listen, "-compat-addr", "", "-metrics-addr", listen,
			"-data", dir, "-password-cost", "4"}
		args = append(args, unlimited...)
		if extra != nil {
			args = append(args, extra(i)...)
		}
		n := &node{name: fmt.Sprintf("node%d", i), raceDir: filepath.Join(dir, "race")}
		if err := os.MkdirAll(n.raceDir, 0o700); err != nil {
			t.Fatal(err)
		}
		n.spec = kefuproc.Spec{Bin: s.bin, Args: args, Env: []string{racelog.Env(n.raceDir)}}
		if at.prefix != nil {
			n.spec.Prefix = at.prefix(i)
		}
		s.nodes = append(s.nodes, n)
	}
	for i := range s.nodes {
		s.start(i)
	}
	return s
}

// provision migrates the schema and adds the agents, before any node
// starts.
func (s *scenario) provision(agents, capacity int) {
	t := s.t
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := choose.Open(ctx, s.db, t.TempDir())
	if err != nil {
		t.Fatalf("open the scenario's store: %v", err)
	}
	defer st.Close()
	hash, err := auth.Hasher{Cost: bcrypt.MinCost}.Hash(agentPassword)
	if err != nil {
		t.Fatal(err)
	}
	for i := range agents {
		name := fmt.Sprintf("Agent%02d", i)
		if _, err := st.CreateAgent(ctx, name, hash, store.RoleAgent, capacity); err != nil {
			t.Fatalf("create %s: %v", name, err)
		}
		s.agents = append(s.agents, name)
	}
}

// start starts node i (again) and sends clients to it.
func (s *scenario) start(i int) {
	s.t.Helper()
	n := s.nodes[i]
	p := kefuproc.Start(s.t, n.spec)
	s.mu.Lock()
	defer s.mu.Unlock()
	n.lives = append(n.lives, p)
	n.up = true
}

// servers is where clients may connect now: the addresses of the nodes up,
// in a random order.
func (s *scenario) servers() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, n := range s.nodes {
		if n.up {
			out = append(out, n.current().Addr)
		}
	}
	rand.Shuffle(len(out), func(i, j int) { out[i], out[j] = out[j], out[i] })
	return out
}

// down takes node i out of servers(); its clients find out from their
// sockets.
func (s *scenario) down(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.nodes[i].up = false
}

// kill takes node i out of servers() and kills it with SIGKILL.
func (s *scenario) kill(i int) {
	s.t.Helper()
	s.down(i)
	s.outage(i)
	s.nodes[i].current().Kill(s.t)
}

// restart starts node i again with the same arguments, on the same store
// and data directory.
func (s *scenario) restart(i int) { s.t.Helper(); s.start(i) }

// pause freezes node i (SIGSTOP), out of servers(); resume wakes it but
// does not send clients to it: a paused node is expected to leave.
func (s *scenario) pause(i int) {
	s.t.Helper()
	s.down(i)
	s.outage(i)
	s.nodes[i].current().Pause(s.t)
}

func (s *scenario) resume(i int) { s.t.Helper(); s.nodes[i].current().Continue(s.t) }

// outage records that node i's current lifetime stops serving now.
func (s *scenario) outage(i int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.downs = append(s.downs, Outage{Server: s.nodes[i].current().Addr, From: time.Now()})
}

// outages lists the outages so far.
func (s *scenario) outages() []Outage {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Outage(nil), s.downs...)
}

// stopAll stops every node still running with SIGTERM, so that what the
// database holds is final, and checks each one's exit, log and races.
func (s *scenario) stopAll() {
	t := s.t
	t.Helper()
	var stopping []*kefuproc.Proc
	for i, n := range s.nodes {
		s.down(i)
		if p := n.current(); !exited(p) {
			p.Term(t)
			stopping = append(stopping, p)
		}
	}
	for _, p := range stopping {
		p.AwaitClean(t)
	}
	for _, n := range s.nodes {
		for life, p := range n.lives {
			if errs := serverErrorLines(p.Log.String()); len(errs) > 0 {
				t.Errorf("%s, lifetime %d, logged errors:\n%s", n.name, life+1, strings.Join(errs, "\n"))
			}
		}
		racelog.Check(t, n.raceDir)
	}
}

// logs is every lifetime's log, for a failure's report.
func (s *scenario) logs() string {
	var b strings.Builder
	for _, n := range s.nodes {
		for life, p := range n.lives {
			fmt.Fprintf(&b, "=== %s, lifetime %d (%s):\n%s\n", n.name, life+1, p.Addr, p.Log)
		}
	}
	return b.String()
}

func exited(p *kefuproc.Proc) bool {
	select {
	case <-p.Exited():
		return true
	default:
		return false
	}
}

// serverErrors matches the lines of a server's log at level ERROR.
var serverErrors = regexp.MustCompile(`(?m)^.*level=ERROR.*$`)

// serverErrorLines are the log's ERROR lines that are kefu's: the cluster
// library logs a peer it cannot reach (a node starting, killed or paused)
// at ERROR, which in these scenarios is the fault under test. An actor of
// kefu's that failed is logged through the library too, and counts.
func serverErrorLines(log string) []string {
	var out []string
	for _, line := range serverErrors.FindAllString(log, -1) {
		if strings.Contains(line, "lib=protoactor") && !strings.Contains(line, "actor failed") {
			continue
		}
		out = append(out, line)
	}
	return out
}
