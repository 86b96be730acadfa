package kicks

import (
	"context"
	"crypto/rand"
	"io"
	"log/slog"
	"testing"
	"time"

	"kefu/actors"
	"kefu/internal/pgtest"
	"kefu/store/postgres"
)

// testWait bounds every wait for a kick or a connection: far more than a
// NOTIFY takes on loopback, so only a lost one reaches it.
const testWait = 10 * time.Second

// node is one node's end of the bus in these tests: its own store (its own
// pool) on the shared database, and its listener's deliveries.
type node struct {
	bus       *Bus
	kicks     chan actors.KickSessions
	listening chan uint32 // each LISTENing connection's pid
}

// startNode opens a store on url and runs a listener on it until the test
// ends; the listener has LISTENed when it returns.
func startNode(t *testing.T, url string) *node {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	db, err := postgres.Open(ctx, url)
	if err != nil {
		t.Fatalf("open store: %v", err)
	}
	n := &node{bus: Over(db), kicks: make(chan actors.KickSessions, 16), listening: make(chan uint32, 4)}
	l := &Listener{
		Bus:       n.bus,
		Deliver:   func(k actors.KickSessions) { n.kicks <- k },
		Log:       slog.New(slog.NewTextHandler(io.Discard, nil)),
		Listening: func(pid uint32, _ bool) { n.listening <- pid },
	}
	if err := l.Start(ctx); err != nil {
		t.Fatalf("start listener: %v", err)
	}
	runCtx, stop := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { l.Run(runCtx); close(done) }()
	t.Cleanup(func() {
		stop()
		select {
		case <-done:
		case <-time.After(testWait):
			t.Error("listener did not stop")
		}
		db.Close()
	})
	return n
}

// expectKick waits for want among n's deliveries; others (tests on the same
// database publish too: the channel is per database) are passed over.
func (n *node) expectKick(t *testing.T, want actors.KickSessions) {
	t.Helper()
	deadline := time.After(testWait)
	for {
		select {
		case got := <-n.kicks:
			if got.Agent != want.Agent {
				continue
			}
			if got != want {
				t.Fatalf("kick=%+v, want %+v", got, want)
			}
			return
		case <-deadline:
			t.Fatalf("kick %+v never delivered", want)
		}
	}
}

// nextPID waits for n's listener to LISTEN on a connection.
func (n *node) nextPID(t *testing.T) uint32 {
	t.Helper()
	select {
	case pid := <-n.listening:
		return pid
	case <-time.After(testWait):
		t.Fatal("listener never listened")
		return 0
	}
}

func randomAgent() string { return "ag_" + rand.Text()[:12] }

func publish(t *testing.T, b *Bus, k actors.KickSessions) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	if err := b.Publish(ctx, k); err != nil {
		t.Fatalf("publish: %v", err)
	}
}

// TestListenerEveryNode: a kick published by one node reaches both nodes'
// listeners, the publisher's own included, decoded.
func TestListenerEveryNode(t *testing.T) {
	url := pgtest.NewSchema(t)
	a, b := startNode(t, url), startNode(t, url)

	signOut := actors.KickSessions{Agent: randomAgent(), TokenID: "tok_1"}
	publish(t, a.bus, signOut)
	a.expectKick(t, signOut)
	b.expectKick(t, signOut)

	revoke := actors.KickSessions{Agent: randomAgent(), Below: 3}
	publish(t, b.bus, revoke)
	a.expectKick(t, revoke)
	b.expectKick(t, revoke)
}

// TestListenerReconnects: a listener whose connection the server ends (as
// at a PostgreSQL restart) connects again and hears the next kick.
func TestListenerReconnects(t *testing.T) {
	url := pgtest.NewSchema(t)
	n := startNode(t, url)
	first := n.nextPID(t)

	pgtest.Exec(t, url, "SELECT pg_terminate_backend($1)", int64(first))
	if again := n.nextPID(t); again == first {
		t.Fatalf("listening again on pid %d, the terminated one", again)
	}
	k := actors.KickSessions{Agent: randomAgent(), TokenID: "tok_2"}
	publish(t, n.bus, k)
	n.expectKick(t, k)
}

func TestOverSQLite(t *testing.T) {
	if got := Over(nil); got != nil {
		t.Fatalf("Over(nil)=%v, want nil", got)
	}
}
