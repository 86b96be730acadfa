package nodes

import (
	"bufio"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"

	"kefu/actors"
)

// BenchmarkHop is what one message costs to cross from a node to another,
// against staying on its node: a ping-pong of a chat line (*ConvMessage,
// which crosses as kefu's wire envelope: its type name and its JSON)
// between a pinger and an echo actor. local: the echo is on the pinger's
// actor system. remote: it is on another node, a child process (this test
// binary again) with its own Proto.Actor remote, over loopback gRPC. A
// round trip is two hops.
//
// inflight=1 is the latency of a lone message; inflight=64 keeps 64 round
// trips going at once, as a busy node does, and the remote's endpoint
// writer then batches: its CPU per hop is what a loaded cluster pays.
// Besides ns/op (one round trip) it reports cpu-µs/hop: user and system
// CPU of both processes per message crossing (serialization, gRPC, the
// loopback's system calls, the actors on both sides).
//
// The far node is a child process because two remotes in one process race
// under -race (checked: remote.Start sets gRPC's global logger while the
// first remote's server goroutine reads it, and endpointManager.stop races
// with the endpoint writer; actors/wire_remote_test.go). The near remote
// and the child are started once per test binary and never stopped, for
// the same reason: a second Start races with the first's goroutines. The
// child exits when its stdin, this process's pipe, closes.
//
//	go test -run=NONE -bench=Hop -count=5 ./nodes
func BenchmarkHop(b *testing.B) {
	h := hopNodes(b)
	for _, where := range []string{"local", "remote"} {
		target := h.local
		if where == "remote" {
			target = h.far
		}
		for _, inflight := range []int{1, 64} {
			b.Run(where+"/inflight="+strconv.Itoa(inflight), func(b *testing.B) {
				benchHop(b, h, target, inflight)
			})
		}
	}
}

const (
	// hopEchoEnv makes the child run TestHopEchoNode as the far node.
	hopEchoEnv = "KEFU_NODES_HOP_ECHO"
	// hopAddrPrefix starts the child's line that gives its address.
	hopAddrPrefix = "hop-echo at "
	hopEchoID     = "hop-echo"
	// hopStartWait bounds the child's start.
	hopStartWait = 20 * time.Second
)

// hopMessage is a chat line as it crosses: a conversation's stored
// message on its way to a connection, 61 characters of text.
func hopMessage() *actors.ConvMessage {
	return &actors.ConvMessage{
		Conv: "cv_01HZX3K9Q2M4N6P8R0T2V4W6Y8", Seq: 42,
		From:     actors.Party{Role: actors.RoleCustomer, ID: "cu_01HZX3K9Q2M4N6P8R0T2V4W6Y8", Name: "Customer 1234"},
		Text:     "Hello, my order 123456 has not arrived yet; can you check it?",
		ClientID: "c-7f3a9b2e-0001", At: time.Date(2026, 12, 2, 20, 0, 0, 0, time.UTC),
	}
}

// hopEcho answers every chat line with itself.
func hopEcho(ctx actor.Context) {
	if m, ok := ctx.Message().(*actors.ConvMessage); ok {
		ctx.Respond(m)
	}
}

// hopSetup is the benchmark's two nodes: near (this process, with its
// remote), its local echo, and the far echo in the child.
type hopSetup struct {
	near       *actor.ActorSystem
	local, far *actor.PID
	child      *os.Process
	// stdin is the child's, held open (out of reach of the garbage
	// collector's finalizer, which would close it) until this process exits.
	stdin io.WriteCloser
}

var (
	hopOnce sync.Once
	hop     *hopSetup
	hopErr  error
)

func hopNodes(b *testing.B) *hopSetup {
	hopOnce.Do(func() { hop, hopErr = startHopNodes() })
	if hopErr != nil {
		b.Fatal(hopErr)
	}
	return hop
}

func startHopNodes() (*hopSetup, error) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestHopEchoNode$", "-test.count=1")
	cmd.Env = append(os.Environ(), hopEchoEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	if err := cmd.Start(); err != nil {
		return nil, err
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), hopAddrPrefix); ok {
				addr <- a
			}
		}
		close(addr)
	}()
	var far string
	select {
	case far = <-addr:
	case <-time.After(hopStartWait):
	}
	if far == "" {
		cmd.Process.Kill()
		return nil, fmt.Errorf("hop echo node gave no address in %v", hopStartWait)
	}
	near := hopSystem()
	remote.NewRemote(near, remote.Configure("127.0.0.1", 0)).Start()
	local, err := near.Root.SpawnNamed(actor.PropsFromFunc(hopEcho), hopEchoID)
	if err != nil {
		return nil, err
	}
	return &hopSetup{near: near, local: local, far: actor.NewPID(far, hopEchoID), child: cmd.Process, stdin: stdin}, nil
}

// TestHopEchoNode is BenchmarkHop's far node, skipped unless run as its
// child: an echo actor behind a remote, until stdin closes.
func TestHopEchoNode(t *testing.T) {
	if os.Getenv(hopEchoEnv) == "" {
		t.Skip("the child process of BenchmarkHop")
	}
	system := hopSystem()
	remote.NewRemote(system, remote.Configure("127.0.0.1", 0)).Start()
	if _, err := system.Root.SpawnNamed(actor.PropsFromFunc(hopEcho), hopEchoID); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString(hopAddrPrefix + system.Address() + "\n")
	io.Copy(io.Discard, os.Stdin)
	os.Exit(0) // the remote is not stopped: see BenchmarkHop
}

func benchHop(b *testing.B, h *hopSetup, target *actor.PID, inflight int) {
	done := make(chan struct{})
	p := &pinger{target: target, msg: hopMessage(), done: done}
	pid := h.near.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return p }))
	defer h.near.Root.Stop(pid)

	// A warm-up round trip (the remote's first one dials) before the timer.
	p.total, p.inflight = 1, 1
	h.near.Root.Send(pid, start{})
	<-done
	before := cpuOf(b, os.Getpid()) + cpuOf(b, h.child.Pid)
	b.ResetTimer()
	p.total, p.inflight = b.N, min(inflight, b.N)
	h.near.Root.Send(pid, start{})
	<-done
	b.StopTimer()
	used := cpuOf(b, os.Getpid()) + cpuOf(b, h.child.Pid) - before
	b.ReportMetric(float64(used)/float64(time.Microsecond)/float64(2*b.N), "cpu-µs/hop")
}

// start begins a pinger's run of round trips.
type start struct{}

// pinger keeps up to inflight round trips going until total have come
// back, then signals done. Its fields are set before each start and read
// only in Receive after it: the mailbox orders them.
type pinger struct {
	target          *actor.PID
	msg             *actors.ConvMessage
	done            chan struct{}
	total, inflight int
	sent, back      int
}

func (p *pinger) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case start:
		p.sent, p.back = 0, 0
		for range p.inflight {
			p.send(ctx)
		}
	case *actors.ConvMessage:
		p.back++
		if p.back == p.total {
			p.done <- struct{}{}
		} else if p.sent < p.total {
			p.send(ctx)
		}
	}
}

func (p *pinger) send(ctx actor.Context) {
	p.sent++
	ctx.Request(p.target, p.msg)
}

func hopSystem() *actor.ActorSystem {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log }))
}

// cpuOf is a process's CPU time so far, user and system, from /proc
// (clock ticks: 10 ms, fine over a benchmark's second).
func cpuOf(b *testing.B, pid int) time.Duration {
	stat, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		b.Fatal(err)
	}
	// Fields after the command's closing parenthesis: state is the 3rd
	// field of the line, utime the 14th, stime the 15th.
	f := strings.Fields(string(stat[strings.LastIndexByte(string(stat), ')')+2:]))
	utime, _ := strconv.ParseInt(f[11], 10, 64)
	stime, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(utime+stime) * time.Second / clockTicks
}

// clockTicks is USER_HZ, /proc's unit of CPU time: 100 on Linux.
const clockTicks = 100
