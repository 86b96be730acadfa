package server

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/kefuproc"
	"kefu/store/choose"
)

// TestChurnCrash runs the real binary, has six conversations exchange
// numbered messages, kills the server with SIGKILL while messages are on
// their way, restarts it on the same data and lets the clients resume: they
// reconnect with their tokens and the last seq they have, send again what
// was not acknowledged, and carry on to the end. Every message acknowledged
// before the kill must be there exactly once at the seq it was acknowledged
// with; every client must have received its conversation exactly once and in
// order across both lifetimes; the store must hold the same.
func TestChurnCrash(t *testing.T) {
	churnRestart(t, "SIGKILL", (*kefuProc).kill)
}

// TestChurnDrain is TestChurnCrash with a graceful stop (SIGTERM) for the
// first server: it must exit 0 having stored, acknowledged or refused
// what was in flight, and told its clients to reconnect (1001); the same
// checks then hold after the restart.
func TestChurnDrain(t *testing.T) {
	churnRestart(t, "SIGTERM", (*kefuProc).stop)
}

func churnRestart(t *testing.T, signal string, stopFirst func(*kefuProc, *testing.T)) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "kefu")
	if err := kefuproc.Build(bin); err != nil {
		t.Fatal(err)
	}
	forEachStore(t, func(t *testing.T, spec, dir string) { churnOn(t, bin, spec, dir, signal, stopFirst) })
}

// churnOn is churnRestart's run against the store spec names (with dir as
// -data), with the binary bin.
func churnOn(t *testing.T, bin, spec, dir, signal string, stopFirst func(*kefuProc, *testing.T)) {
	const (
		conversations = 6
		perSide       = 50
		killAfter     = 200 // acknowledged messages, all conversations together
		password      = "crash test password"
	)
	// The binary runs with the default frame rate, 20 a second: a client
	// sending faster lives on its 40-frame burst, and a busy machine that
	// delays acks (and so adds resends and reads) tipped it into
	// rate_limited. At 16 a second each stays within the rate.
	plan := durPlan{Count: perSide, Total: 2 * perSide, Pace: 60 * time.Millisecond}

	srv := &durServer{}
	var acked atomic.Int64
	agents := make([]*chatter, conversations)
	customers := make([]*chatter, conversations)
	for i := range conversations {
		name := fmt.Sprintf("Crash%02d", i)
		add := exec.Command(bin, "agent", "add", name, "-capacity", "1", "-password-stdin", "-data", dir, "-store", spec)
		add.Stdin = strings.NewReader(password + "\n")
		if out, err := add.CombinedOutput(); err != nil {
			t.Fatalf("kefu agent add %s: %v\n%s", name, err, out)
		}
		// The random sources are unused: this test drops no sockets itself.
		agents[i] = newChatter(fmt.Sprintf("a%d", i), "agent", name, password, srv, rand.New(rand.NewPCG(0, 0)))
		customers[i] = newChatter(fmt.Sprintf("c%d", i), "customer", fmt.Sprintf("Customer%02d", i), "", srv, rand.New(rand.NewPCG(0, 0)))
	}
	all := slices.Concat(customers, agents)
	// Far above the few seconds the traffic takes under -race: only a hang
	// reaches it.
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for _, c := range all {
		c.lossOK, c.acked = true, &acked
	}
	t.Cleanup(func() {
		for _, c := range all {
			c.close()
		}
	})

	first := startKefu(t, bin, spec, dir)
	srv.set(first.addr)
	partners, err := durPairUp(ctx, agents, customers)
	if err != nil {
		t.Fatalf("%v\nserver log:\n%s", err, first.log)
	}
	start := time.Now()
	results := make(chan []error, 1)
	go func() { results <- durRun(ctx, all, plan) }()

	// Mid-traffic: the clients keep sending at their pace all along.
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for acked.Load() < killAfter {
		select {
		case <-tick.C:
		case errs := <-results:
			t.Fatalf("the clients stopped before the kill: %v\nserver log:\n%s", errs, first.log)
		}
	}
	ackedAtKill := acked.Load()
	stopFirst(first, t)
	second := startKefu(t, bin, spec, dir)
	srv.set(second.addr)

	for _, err := range <-results {
		t.Error(err)
	}
	took := time.Since(start)
	second.stop(t)
	for i, p := range []*kefuProc{first, second} {
		if races := strings.Count(p.log.String(), "WARNING: DATA RACE"); races > 0 {
			t.Errorf("server lifetime %d: %d data races", i+1, races)
		}
		if errs := durServerErrors.FindAllString(p.log.String(), -1); len(errs) > 0 {
			t.Errorf("server lifetime %d logged errors:\n%s", i+1, strings.Join(errs, "\n"))
		}
	}
	if t.Failed() {
		t.Logf("first server's log:\n%s\nsecond server's log:\n%s", first.log, second.log)
		return
	}

	// The server has exited: what it left on disk is final.
	st, err := choose.Open(ctx, spec, dir)
	if err != nil {
		t.Fatalf("open the store: %v", err)
	}
	defer st.Close()
	var before, resent int
	for i, c := range customers {
		msgs, err := st.Messages(ctx, c.conv, 0, 0)
		if err != nil {
			t.Fatalf("messages of %s: %v", c.conv, err)
		}
		stored := durStored(msgs)
		if err := durCheckPair(c, partners[i], stored, plan); err != nil {
			t.Error(err)
			continue
		}
		for _, p := range []*chatter{c, partners[i]} {
			resent += p.resent[2]
			for cid, a := range p.acks {
				if a.Gen != 1 {
					continue
				}
				before++
				if got := stored[a.Seq-1].CID; got != cid {
					t.Errorf("%s: %q was acknowledged before the kill as seq %d, which now holds %q", c.conv, cid, a.Seq, got)
				}
			}
		}
	}
	t.Logf("acked before the stop: %d (%d when %s was sent), resent after restart: %d, total: %d messages in %d conversations, in %v",
		before, ackedAtKill, signal, resent, conversations*plan.Total, conversations, took.Round(time.Millisecond))
}

// kefuProc is one lifetime of the binary (internal/kefuproc), with the
// short names the server tests use.
type kefuProc struct {
	*kefuproc.Proc
	cmd  *exec.Cmd
	addr string
	log  *kefuproc.Log
}

// startKefu starts kefu serve on the store spec names (dir its -data) with a
// port of the kernel's choosing and waits for its "kefu serving" line.
func startKefu(t *testing.T, bin, spec, dir string) *kefuProc {
	t.Helper()
	return startKefuArgs(t, bin, "-addr", "127.0.0.1:0", "-compat-addr", "", "-metrics-addr", "127.0.0.1:0", "-data", dir, "-store", spec, "-grace", "20s",
		// The race-built binary hashes the first account; at the default cost
		// that took seconds on a loaded machine, and the test is not about it.
		"-password-cost", "4")
}

// startKefuArgs starts kefu serve with args, which must give every listener
// a free port, and waits for its "kefu serving" line.
func startKefuArgs(t *testing.T, bin string, args ...string) *kefuProc {
	t.Helper()
	p := kefuproc.Start(t, kefuproc.Spec{Bin: bin, Args: args})
	return &kefuProc{Proc: p, cmd: p.Cmd, addr: p.Addr, log: p.Log}
}

// kill ends the process with SIGKILL: no shutdown, no last write.
func (p *kefuProc) kill(t *testing.T) { t.Helper(); p.Kill(t) }

// stop ends the process with SIGTERM and checks it exits cleanly.
func (p *kefuProc) stop(t *testing.T) { t.Helper(); p.Stop(t) }
