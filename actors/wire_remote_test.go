package actors

import (
	"bufio"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/remote"
)

// The remote hop test runs its far node in a child process (this test
// binary again), not as a second actor system here, and kills it at the
// end instead of stopping it: the pinned remote is not clean under -race
// with two in one process, or when a node stops after its peer did.
// remote.Start sets gRPC's global logger every time (remote/server.go),
// which races with an already started remote's server goroutine; and
// endpointManager.stop sets its connections to nil unsynchronized with
// the endpoint writer that is reacting to the peer's disconnect
// (remote/endpoint_manager.go). So here the parent stops its remote first,
// while the child is still there and idle, then kills the child.
const (
	// echoNodeEnv makes the child run TestWireEchoNode as the far node.
	echoNodeEnv = "KEFU_TEST_WIRE_ECHO_NODE"
	// echoAddrPrefix starts the child's line that gives its address.
	echoAddrPrefix = "wire-echo-node at "
	echoActorID    = "wire-echo"
	// remoteHopTimeout bounds one message's trip to the child and back,
	// and the child's start.
	remoteHopTimeout = 10 * time.Second
)

// startRemote starts a remote listener on a free loopback port for system.
func startRemote(system *actor.ActorSystem) *remote.Remote {
	r := remote.NewRemote(system, remote.Configure("127.0.0.1", 0))
	r.Start()
	return r
}

func quietSystem() *actor.ActorSystem {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	return actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log }))
}

// TestWireEchoNode is the far node of TestWireAcrossRemote, and is skipped
// unless run as its child: an actor that answers every message with
// itself, until the parent kills the child.
func TestWireEchoNode(t *testing.T) {
	if os.Getenv(echoNodeEnv) == "" {
		t.Skip("the child process of TestWireAcrossRemote")
	}
	system := quietSystem()
	startRemote(system) // never stopped: the parent kills this process
	if _, err := system.Root.SpawnNamed(actor.PropsFromFunc(func(ctx actor.Context) {
		if _, ok := ctx.Message().(actor.AutoReceiveMessage); ok {
			return
		}
		if _, ok := ctx.Message().(actor.SystemMessage); ok {
			return
		}
		ctx.Respond(ctx.Message())
	}), echoActorID); err != nil {
		t.Fatal(err)
	}
	os.Stdout.WriteString(echoAddrPrefix + system.Address() + "\n")
	io.Copy(io.Discard, os.Stdin) // until killed, or the parent is gone
}

// echoNode starts the child and returns the PID of its echo actor; the
// child is killed when the test ends, after the test's own cleanups
// registered later (the parent's remote) have run.
func echoNode(t *testing.T) *actor.PID {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestWireEchoNode$", "-test.count=1")
	cmd.Env = append(os.Environ(), echoNodeEnv+"=1")
	var stderr strings.Builder // shown if it never starts
	cmd.Stderr = &stderr
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	lines := make(chan string)
	go func() {
		defer close(lines)
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			lines <- sc.Text()
		}
	}()
	var out strings.Builder
	t.Cleanup(func() {
		cmd.Process.Kill()
		stdin.Close()
		for range lines {
		}
		cmd.Wait() // "killed": its exit says nothing about the test
	})
	deadline := time.After(remoteHopTimeout)
	for {
		select {
		case line, ok := <-lines:
			if !ok {
				cmd.Wait()
				t.Fatalf("echo node ended before giving its address\n%s%s", out.String(), stderr.String())
			}
			if addr, found := strings.CutPrefix(line, echoAddrPrefix); found {
				return actor.NewPID(addr, echoActorID)
			}
			out.WriteString(line + "\n")
		case <-deadline:
			t.Fatalf("echo node gave no address in %v", remoteHopTimeout)
		}
	}
}

// TestWireAcrossRemote sends every crossing type, every field set, to an
// actor in another process over Proto.Actor's remote, and gets it back the
// same way: what TestWireRoundTrip proves in memory, through the remote's
// own writer and reader. An undecodable envelope comes back as the same
// *Undecodable, and costs nothing sent with it.
func TestWireAcrossRemote(t *testing.T) {
	far := echoNode(t)
	system := quietSystem()
	r := startRemote(system)
	t.Cleanup(func() {
		r.Shutdown(true)
		system.Shutdown()
	})

	sent := []remote.RootSerializable{&Undecodable{Type: "NoSuchMessage", Why: whyUnknownType, JSON: []byte(`{"A":1}`)}}
	for _, name := range crossingNames() {
		m := crossing[name]()
		f := filler{}
		f.fill(reflect.ValueOf(m).Elem(), name)
		sent = append(sent, m)
	}
	futures := make([]*actor.Future, len(sent))
	for i, m := range sent { // all in flight at once: they share batches
		futures[i] = system.Root.RequestFuture(far, m, remoteHopTimeout)
	}
	for i, m := range sent {
		got, err := futures[i].Result()
		if err != nil {
			t.Errorf("%s: %v", wireName(m), err)
			continue
		}
		if !reflect.DeepEqual(got, m) {
			t.Errorf("%s came back\n got %+v\nwant %+v", wireName(m), got, m)
		}
	}
}
