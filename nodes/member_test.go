package nodes

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"google.golang.org/protobuf/types/known/wrapperspb"

	"kefu/internal/freeport"
	"kefu/internal/racelog"
)

// The cluster tests run each member in its own process: this test binary,
// started again with childEnv set. Proto.Actor's cluster keeps state in
// package variables (Remote.Start sets grpc's global logger; the gossip
// informer shares one math/rand source), so two members in one process race
// under -race although each member alone does not. A child is driven by
// lines on its stdin and answers on its stdout (see child_test.go).

const childEnv = "KEFU_NODES_CHILD"

// answerPrefix marks a child's answers on its stdout.
const answerPrefix = "node> "

func TestMain(m *testing.M) {
	if os.Getenv(childEnv) != "" {
		os.Exit(runChild())
	}
	os.Exit(m.Run())
}

const echoKind = "echo"

// echo answers each string with "<its node>|<messages it has seen>", so a
// test can tell which activation answered and whether it is a fresh one.
type echo struct{ seen int }

func (e *echo) Receive(ctx actor.Context) {
	if _, ok := ctx.Message().(*actor.Started); ok && strings.HasPrefix(cluster.GetClusterIdentity(ctx).Identity, stillborn) {
		ctx.Stop(ctx.Self()) // as a dispatcher that cannot claim its pool does
		return
	}
	if m, ok := ctx.Message().(*wrapperspb.StringValue); ok {
		e.seen++
		ctx.Respond(wrapperspb.String(fmt.Sprintf("%s|%d", ctx.Self().Address, e.seen)))
		if m.Value == stopWord {
			ctx.Stop(ctx.Self()) // as a fenced or unstarted kefu actor does
		}
	}
}

// stopWord makes an echo grain stop itself after answering; a grain whose
// id starts with stillborn stops as it starts.
const (
	stopWord  = "stop"
	stillborn = "stillborn"
)

// child is one member process.
type child struct {
	cmd  *exec.Cmd
	in   io.WriteCloser
	addr string

	mu    sync.Mutex
	lines chan string
}

// startCluster starts n members on loopback. Their ports are reserved by
// listening and closing, because each member must know its peers' ports
// before any starts: the one exception to "every listener gets port 0".
// A clash with another process is retried.
func startCluster(t *testing.T, n int) []*child {
	t.Helper()
	races := t.TempDir()
	// Registered first, so it runs after the members are killed.
	t.Cleanup(func() { racelog.Check(t, races) })
	for attempt := 0; ; attempt++ {
		addrs := freeport.Pairs(t, n)
		members, err := tryStart(t, addrs, races)
		if err == nil {
			return members
		}
		if attempt == 2 {
			t.Fatal(err)
		}
		t.Logf("start: %v; again", err)
	}
}

func tryStart(t *testing.T, addrs []string, races string) ([]*child, error) {
	members := make([]*child, len(addrs))
	for i, addr := range addrs {
		c := &child{addr: addr, lines: make(chan string, 16)}
		c.cmd = exec.Command(os.Args[0], "-test.run=^$")
		c.cmd.Env = append(os.Environ(), childEnv+"=1", "KEFU_NODES_ADDR="+addr, "KEFU_NODES_PEERS="+strings.Join(addrs, ","), racelog.Env(races))
		c.cmd.Stderr = os.Stderr
		c.in, _ = c.cmd.StdinPipe()
		out, _ := c.cmd.StdoutPipe()
		if err := c.cmd.Start(); err != nil {
			t.Fatal(err)
		}
		go c.read(out)
		t.Cleanup(c.kill)
		members[i] = c
	}
	for _, c := range members {
		if line := c.next(t, 30*time.Second); line != "ready" {
			for _, c := range members {
				c.kill()
			}
			return nil, fmt.Errorf("member %s: %s", c.addr, line)
		}
	}
	return members, nil
}

func (c *child) read(out io.Reader) {
	s := bufio.NewScanner(out)
	for s.Scan() {
		// The library prints banners of its own; answers carry the prefix.
		if line, ok := strings.CutPrefix(s.Text(), answerPrefix); ok {
			c.lines <- line
		}
	}
	close(c.lines)
}

func (c *child) next(t *testing.T, wait time.Duration) string {
	t.Helper()
	select {
	case line, ok := <-c.lines:
		if !ok {
			return "exited"
		}
		return line
	case <-time.After(wait):
		t.Fatalf("member %s said nothing in %v", c.addr, wait)
		return ""
	}
}

// do sends a command and returns the first line of its answer.
func (c *child) do(t *testing.T, cmd string) string {
	t.Helper()
	c.mu.Lock()
	defer c.mu.Unlock()
	fmt.Fprintln(c.in, cmd)
	return c.next(t, 20*time.Second)
}

func (c *child) kill() {
	if c.cmd.Process != nil {
		c.cmd.Process.Kill()
		c.cmd.Wait()
	}
}

// ask sends "hi" to echo/id through member c's stable PID.
func (c *child) ask(t *testing.T, id string) (node string, seen int) {
	t.Helper()
	line := c.do(t, "ask "+id)
	node, n, ok := strings.Cut(strings.TrimPrefix(line, "answer "), "|")
	if !ok {
		t.Fatalf("ask %s on %s: %s", id, c.addr, line)
	}
	fmt.Sscan(n, &seen)
	return node, seen
}

// childConfig is a member process's cluster, from its environment: an
// automanaged one, or a k8s one when given a fake API (provider_k8s_test.go).
func childConfig() Config {
	if cfg, ok := childK8sConfig(); ok {
		return cfg
	}
	return Config{Name: childCluster, Addr: os.Getenv("KEFU_NODES_ADDR"), Peers: strings.Split(os.Getenv("KEFU_NODES_PEERS"), ","),
		Provider: ProviderAutomanaged, Refresh: 200 * time.Millisecond}
}

// childCluster is the test members' cluster name.
const childCluster = "kefu-test"

// runChild is a member process's main: join, then serve commands.
func runChild() int {
	system := actor.NewActorSystemWithConfig(actor.Configure(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger {
		return slog.New(slog.NewTextHandler(io.Discard, nil))
	})))
	cfg := childConfig()
	kinds := []*cluster.Kind{cluster.NewKind(echoKind, actor.PropsFromProducer(func() actor.Actor { return &echo{} }))}
	g := newGrains(system, DefaultGrainConfig(), nil)
	_, err := Join(system, cfg, kinds)
	if err != nil {
		fmt.Println(answerPrefix+"error", err)
		return 1
	}
	out := &lockedWriter{w: os.Stdout}
	out.println("ready")
	s := bufio.NewScanner(os.Stdin)
	for s.Scan() {
		verb, arg, _ := strings.Cut(s.Text(), " ")
		switch verb {
		case "ask", stopWord:
			res, err := system.Root.RequestFuture(g.process(echoKind, arg).self, wrapperspb.String(verb), 15*time.Second).Result()
			if err != nil {
				out.println("error", err)
			} else {
				out.println("answer", res.(*wrapperspb.StringValue).Value)
			}
		case "activations":
			// Three asks that each time out: how many distinct activations
			// did they reach? The stable process resolves after each end.
			seen := map[string]bool{}
			for range 3 {
				_, _ = system.Root.RequestFuture(g.process(echoKind, arg).self, wrapperspb.String("hi"), 500*time.Millisecond).Result()
				p := g.process(echoKind, arg)
				p.mu.Lock()
				if p.real != nil {
					seen[p.real.String()] = true
				}
				p.mu.Unlock()
			}
			out.println("distinct", len(seen))
		case "watch":
			target := g.process(echoKind, arg).self
			system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
				switch msg := ctx.Message().(type) {
				case *actor.Started:
					ctx.Watch(target)
					out.println("watching")
				case *actor.Terminated:
					out.println("terminated", msg.Who.Equal(target))
				}
			}))
		case "members":
			out.println("members", len(g.members.Addresses()))
		}
	}
	return 0 // stdin closed: the test is over
}

type lockedWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (l *lockedWriter) println(a ...any) {
	l.mu.Lock()
	defer l.mu.Unlock()
	fmt.Fprintln(l.w, append([]any{answerPrefix[:len(answerPrefix)-1]}, a...)...)
}
