// Package kefuproc runs the kefu binary as a child process for tests that
// need a real server lifetime: kill -9, SIGSTOP, a restart on the same
// store. It builds the binary, starts `kefu serve`, reads the addresses the
// kernel chose back from the start-up log line, and signals the process.
// Only tests import it (server's crash tests, clustertest).
package kefuproc

import (
	"bytes"
	"os"
	"os/exec"
	"regexp"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Wait bounds the binary's start and its exit after a signal.
const Wait = 30 * time.Second

// Build compiles package kefu with the race detector into bin. The tests run
// it under -race so that a data race in a child process is found too.
func Build(bin string) error {
	out, err := exec.Command("go", "build", "-race", "-o", bin, "kefu").CombinedOutput()
	if err != nil {
		return &BuildError{Err: err, Output: out}
	}
	return nil
}

// BuildError is a failed build, with the compiler's output.
type BuildError struct {
	Err    error
	Output []byte
}

func (e *BuildError) Error() string { return "build kefu: " + e.Err.Error() + "\n" + string(e.Output) }

// Spec is how to start one process: the same Spec starts it again after a
// kill, on the same store and data directory.
type Spec struct {
	Bin  string
	Args []string // after "serve"; every listener must get a free port
	Env  []string // added to the test's own environment
	// Prefix is a command the binary runs under, such as `ip netns exec
	// NAME` (which execs it, so signals still reach kefu itself); nil: none.
	Prefix []string
}

// Proc is one lifetime of the binary.
type Proc struct {
	Spec        Spec
	Cmd         *exec.Cmd
	Addr        string // -addr as it listens
	MetricsAddr string // -metrics-addr as it listens; "" when off
	Log         *Log
	exited      chan struct{} // closed once err is set
	err         error
}

// Start starts `kefu serve` and waits for its "kefu serving" line. The
// process is killed when tb ends, if it still runs.
func Start(tb testing.TB, spec Spec) *Proc {
	tb.Helper()
	p := &Proc{Spec: spec, Log: &Log{ready: make(chan serving, 1)}, exited: make(chan struct{})}
	argv := append(append(append([]string(nil), spec.Prefix...), spec.Bin, "serve"), spec.Args...)
	p.Cmd = exec.Command(argv[0], argv[1:]...)
	p.Cmd.Env = append(os.Environ(), spec.Env...)
	p.Cmd.Stdout, p.Cmd.Stderr = p.Log, p.Log
	if err := p.Cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	go func() {
		p.err = p.Cmd.Wait()
		close(p.exited)
	}()
	tb.Cleanup(func() {
		_ = p.Cmd.Process.Kill()
		<-p.exited
	})
	select {
	case s := <-p.Log.ready:
		p.Addr, p.MetricsAddr = s.addr, s.metrics
	case <-p.exited:
		tb.Fatalf("kefu exited before serving: %v\n%s", p.err, p.Log)
	case <-time.After(Wait):
		tb.Fatalf("no 'kefu serving' line in the log:\n%s", p.Log)
	}
	return p
}

// Restart starts the same Spec again: a new lifetime on the same store.
func (p *Proc) Restart(tb testing.TB) *Proc {
	tb.Helper()
	return Start(tb, p.Spec)
}

// Exited is closed once the process has exited; Err then says how.
func (p *Proc) Exited() <-chan struct{} { return p.exited }

// Err is the process's exit status, once Exited is closed.
func (p *Proc) Err() error {
	<-p.exited
	return p.err
}

// Kill ends the process with SIGKILL: no shutdown, no last write.
func (p *Proc) Kill(tb testing.TB) {
	tb.Helper()
	p.signal(tb, syscall.SIGKILL)
	p.awaitExit(tb, "SIGKILL")
}

// Stop ends the process with SIGTERM and checks it exits cleanly.
func (p *Proc) Stop(tb testing.TB) {
	tb.Helper()
	p.Term(tb)
	p.AwaitClean(tb)
}

// Term sends SIGTERM and returns: several nodes of a cluster are stopped
// together, since the last one standing would see no majority and leave.
func (p *Proc) Term(tb testing.TB) {
	tb.Helper()
	p.signal(tb, syscall.SIGTERM)
}

// AwaitClean waits for the exit after Term and checks its status is 0.
func (p *Proc) AwaitClean(tb testing.TB) {
	tb.Helper()
	p.awaitExit(tb, "SIGTERM")
	if p.err != nil {
		tb.Errorf("kefu exited with %v after SIGTERM, want status 0", p.err)
	}
}

// Pause freezes the process (SIGSTOP): its sockets stay open and silent,
// as on a machine that stalls. Continue wakes it.
func (p *Proc) Pause(tb testing.TB) {
	tb.Helper()
	p.signal(tb, syscall.SIGSTOP)
}

// Continue wakes a paused process (SIGCONT).
func (p *Proc) Continue(tb testing.TB) {
	tb.Helper()
	p.signal(tb, syscall.SIGCONT)
}

func (p *Proc) signal(tb testing.TB, sig syscall.Signal) {
	tb.Helper()
	if err := p.Cmd.Process.Signal(sig); err != nil {
		tb.Fatalf("%v: %v", sig, err)
	}
}

func (p *Proc) awaitExit(tb testing.TB, after string) {
	tb.Helper()
	select {
	case <-p.exited:
	case <-time.After(Wait):
		tb.Fatalf("kefu still running after %s", after)
	}
}

// servingLine is the start-up line that names the ports the kernel chose;
// metrics_addr is its last field, so the newline says the line is whole.
var servingLine = regexp.MustCompile(`msg="kefu serving" addr=(\S+).* metrics_addr=(\S*)\n`)

// serving is what the start-up line says.
type serving struct{ addr, metrics string }

// Log keeps a process's output, and passes on the addresses it serves on.
type Log struct {
	mu    sync.Mutex
	buf   bytes.Buffer
	ready chan serving // gets the addresses, once
	found bool
}

func (l *Log) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	n, err := l.buf.Write(p)
	if !l.found {
		if m := servingLine.FindSubmatch(l.buf.Bytes()); m != nil {
			metrics := string(m[2])
			if metrics == `""` {
				metrics = ""
			}
			l.ready <- serving{addr: string(m[1]), metrics: metrics}
			l.found = true
		}
	}
	return n, err
}

func (l *Log) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}
