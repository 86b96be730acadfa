package server

import (
	"path/filepath"
	"testing"

	"github.com/gorilla/websocket"

	"kefu/internal/kefuproc"
)

// TestQueueCrash: the queue a customer is told about is the stored one.
// The real binary is killed (SIGKILL, no last write) right after Ann was
// told she is queued and Bob that he left the queue; after a restart on
// the same data Ann, back with her token, is queued in her place, and Bob
// is idle. (The answers wait for the commit, so this holds however soon
// the kill comes; actors' TestQueueCommittedBeforeAnswered shows that they
// wait.)
func TestQueueCrash(t *testing.T) {
	if testing.Short() {
		t.Skip("builds and runs the binary")
	}
	bin := filepath.Join(t.TempDir(), "kefu")
	if err := kefuproc.Build(bin); err != nil {
		t.Fatal(err)
	}
	forEachStore(t, func(t *testing.T, spec, dir string) {
		p := startKefu(t, bin, spec, dir)
		ann, bob := customerAt(t, p.addr, "Ann"), customerAt(t, p.addr, "Bob")
		bob.send(obj{"type": "request"})
		bob.expectQueued(1)
		ann.send(obj{"type": "request"})
		ann.expectQueued(2)
		bob.send(obj{"type": "cancel"})
		bob.expect("dequeued", "queued")
		p.kill(t)

		p = startKefu(t, bin, spec, dir)
		ann2 := dialAt(t, p.addr)
		ann2.send(obj{"type": "hello", "v": 1, "role": "customer", "token": ann.token})
		if w := ann2.welcomed(); w.State != "queued" {
			t.Fatalf("Ann after the kill: welcome=%s, want state queued", w.raw)
		}
		ann2.expectQueued(1)
		bob2 := dialAt(t, p.addr)
		bob2.send(obj{"type": "hello", "v": 1, "role": "customer", "token": bob.token})
		if w := bob2.welcomed(); w.State != "idle" {
			t.Fatalf("Bob, who left the queue before the kill: welcome=%s, want state idle", w.raw)
		}
	})
}

// dialAt opens /ws on the server at addr (a kefu process) without saying
// hello.
func dialAt(tb testing.TB, addr string) *nclient {
	tb.Helper()
	ws, _, err := websocket.DefaultDialer.Dial("ws://"+addr+"/ws", nil)
	if err != nil {
		tb.Fatalf("dial /ws: %v", err)
	}
	tb.Cleanup(func() { ws.Close() })
	return &nclient{tb: tb, ws: ws, sent: map[string]bool{}}
}

// customerAt connects a new customer to the server at addr and reads its
// welcome.
func customerAt(tb testing.TB, addr, name string) *nclient {
	tb.Helper()
	c := dialAt(tb, addr)
	c.send(obj{"type": "hello", "v": 1, "role": "customer", "name": name})
	c.welcomed()
	return c
}
