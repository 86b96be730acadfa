package transport

import (
	"context"
	"io"
	"log/slog"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/actors"
	"kefu/auth"
	"kefu/internal/ids"
	"kefu/store"
)

// sessionWait bounds every wait in a fuzz session: far above what a
// healthy run needs on a loaded machine, so only a real hang fails.
const sessionWait = 5 * time.Second

// fuzzWorld is what every session of one fuzz process shares: an actor
// system, a store with agent accounts, and tokens for them.
type fuzzWorld struct {
	system   *actor.ActorSystem
	store    *store.SQLite
	identity *Identity
	agents   map[string]store.Agent // by name
	tokens   map[string]string      // login tokens, by agent name
	expired  string                 // a genuine agent token past its expiry
	log      *slog.Logger
	failures chan *actor.SupervisorEvent
	sessions int
}

// The world's agents: Ann is the one a fuzzed client may log in as, Bea a
// well-behaved helper, Dee serves the round trip after each session, and
// Gon's account is removed after its token was issued.
const (
	fuzzAgent     = "Ann"
	helperAgent   = "Bea"
	checkAgent    = "Dee"
	removedAgent  = "Gon"
	fuzzAgentCaps = 2
)

func newFuzzWorld(tb testing.TB) *fuzzWorld {
	tb.Helper()
	st, err := store.OpenSQLite(tb.TempDir())
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { st.Close() })
	ctx := context.Background()
	key, err := st.Secret(ctx)
	if err != nil {
		tb.Fatal(err)
	}
	signer := auth.NewSigner(key, nil)
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	w := &fuzzWorld{
		system:   actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log })),
		store:    st,
		identity: &Identity{Store: st, Signer: signer},
		agents:   map[string]store.Agent{},
		tokens:   map[string]string{},
		log:      log,
		failures: make(chan *actor.SupervisorEvent, 64),
	}
	tb.Cleanup(w.system.Shutdown)
	// An actor that panics is stopped by its supervisor, which says so
	// here; no fuzz input may get that far.
	w.system.EventStream.Subscribe(func(ev any) {
		if f, ok := ev.(*actor.SupervisorEvent); ok {
			select {
			case w.failures <- f:
			default:
			}
		}
	})
	for _, name := range []string{fuzzAgent, helperAgent, checkAgent, removedAgent} {
		a, err := st.CreateAgent(ctx, name, []byte("not a real hash"), store.RoleAgent, fuzzAgentCaps)
		if err != nil {
			tb.Fatal(err)
		}
		w.agents[name] = a
		if w.tokens[name], err = signer.Issue(auth.Claims{Subject: a.ID, Role: auth.RoleAgent, Name: name, ExpiresAt: time.Now().Add(time.Hour)}); err != nil {
			tb.Fatal(err)
		}
	}
	if err := st.RemoveAgent(ctx, removedAgent); err != nil {
		tb.Fatal(err)
	}
	past := func() time.Time { return time.Now().Add(-48 * time.Hour) }
	if w.expired, err = auth.NewSigner(key, past).Issue(auth.Claims{Subject: w.agents[fuzzAgent].ID, Role: auth.RoleAgent, ExpiresAt: past().Add(time.Hour)}); err != nil {
		tb.Fatal(err)
	}
	return w
}

// session is one fuzz input's share of the world: its own dispatcher and
// store writer, as the server starts them but with no grace, so that once
// every client has gone the dispatcher must be empty again.
type session struct {
	t        *testing.T
	w        *fuzzWorld
	dir      *sessionDir
	toucher  *toucher
	clients  []*client
	accepted uint64
}

func newSession(t *testing.T, w *fuzzWorld) *session {
	t.Helper()
	w.sessions++
	s := &session{t: t, w: w, dir: &sessionDir{
		inner:  actors.NewLocalDirectory(w.system),
		root:   w.system.Root,
		prefix: "s" + strconv.Itoa(w.sessions) + ".",
	}, toucher: newToucher(w.system.Root)}
	s.dir.inner.UseKinds(&actors.Kinds{Dir: s.dir, Store: store.Discard{}, Log: w.log})
	// A capacity the previous session's Ann may have saved.
	if err := w.store.SetCapacity(context.Background(), w.agents[fuzzAgent].ID, fuzzAgentCaps); err != nil {
		t.Fatal(err)
	}
	if _, err := s.dir.Spawn(actors.KindStore, actors.StoreWriterID, actors.NewStoreWriterProps(actors.StoreWriterConfig{Store: store.Discard{}, Log: w.log})); err != nil {
		t.Fatal(err)
	}
	for _, pool := range actors.Pools() {
		if _, err := s.dir.Spawn(actors.KindDispatcher, actors.DispatcherID(pool), actors.NewDispatcherProps(actors.DispatcherConfig{
			Pool: pool, Dir: s.dir, Log: w.log,
		})); err != nil {
			t.Fatal(err)
		}
	}
	// Whatever the outcome, the session's actors go with it.
	t.Cleanup(func() {
		for _, a := range s.dir.all() {
			w.system.Root.Stop(a.pid)
		}
		w.system.Root.Stop(s.toucher.pid)
	})
	return s
}

// client is one connection actor and the fake socket it talks through.
type client struct {
	s     *session
	name  string // for failure messages
	pool  actors.Pool
	codec actors.Codec
	sock  *fakeSocket
	pid   *actor.PID
	gone  chan struct{}     // closed when the actor has stopped
	read  int               // frames the test has looked at
	seqs  map[string]uint64 // native: the last seq the client has, by conversation
}

// connectNative starts a connection as NativeSocket does.
func (s *session) connectNative(name string) *client {
	return s.connect(name, actors.ConnConfig{
		Pool:    actors.PoolNative,
		Codec:   NativeCodec{},
		Auth:    s.w.identity,
		History: s.w.store,
		// Heartbeats and the hello timeout are timing, not frames: they
		// must not fire within a session. A hello timer is never stopped,
		// and holds the actor system until it fires, so it is not an hour
		// either: a long fuzz run would keep millions of them.
		Heartbeat:    time.Hour,
		HelloTimeout: time.Minute,
	})
}

// connectCompat starts a connection as compatSocket does for a valid query.
func (s *session) connectCompat(name string, role actors.Role) *client {
	return s.connect(name, actors.ConnConfig{Pool: actors.PoolCompat, Role: role, Name: name, Codec: CompatCodec{Role: role}})
}

// connect spawns a connection actor the way Gateway.accept does.
func (s *session) connect(name string, conn actors.ConnConfig) *client {
	s.t.Helper()
	s.accepted++
	conn.ID = actors.ConnID(ids.New())
	conn.Seq = s.accepted
	sock := newFakeSocket(s.w.system.Root)
	sock.pid = s.dir.PID(actors.KindConn, string(conn.ID))
	conn.Socket = sock
	conn.Dir = s.dir
	conn.MaxTextBytes = DefaultMaxTextBytes
	conn.Log = s.w.log
	pid, err := s.dir.Spawn(actors.KindConn, string(conn.ID), actors.NewConnectionProps(conn))
	if err != nil {
		s.t.Fatalf("spawn %s: %v", name, err)
	}
	c := &client{s: s, name: name, pool: conn.Pool, codec: conn.Codec, sock: sock, pid: pid, gone: s.dir.find(pid).gone, seqs: map[string]uint64{}}
	s.clients = append(s.clients, c)
	return c
}

// touch returns once the actor has handled everything sent to it before,
// or false if it has stopped.
func (s *session) touch(pid *actor.PID) bool {
	s.t.Helper()
	return s.touchAll([]*tracked{s.dir.find(pid)})[0]
}

// maxSettleRounds bounds settle: a chain of messages between actors is a
// few hops long (connection, dispatcher, conversation, agent, connection).
const maxSettleRounds = 32

// quietRounds is how many rounds in a row must change nothing before
// settle believes the actors idle: a message between two actors can be in
// flight while both answer a round, so one quiet round proves little.
const quietRounds = 3

// settle waits until the session's actors have most likely handled what a
// frame set off: rounds of touching every live actor, until quietRounds in
// a row change nothing a client can see and start no actor. It cannot be
// sure (timers fire when they will, and a zero grace is a timer too), so a
// script is not replayed exactly the same every time; the invariants hold
// either way.
func (s *session) settle() {
	s.t.Helper()
	for round, quiet := 0, 0; quiet < quietRounds; round++ {
		if round == maxSettleRounds {
			s.t.Fatalf("the actors were still busy after %d rounds", round)
		}
		before := s.activity()
		s.touchAll(s.dir.all())
		if s.activity() == before {
			quiet++
		} else {
			quiet = 0
		}
	}
}

// activity sums what settle watches for: frames sent to clients, closes,
// and actors spawned.
func (s *session) activity() int {
	n := len(s.dir.all())
	for _, c := range s.clients {
		frames, closed := c.sock.state()
		n += len(frames)
		if closed != nil {
			n++
		}
	}
	return n
}

// waitReading waits until the actor lets its socket read, as it does once
// it may take frames; false if the socket was closed instead.
func (c *client) waitReading() bool {
	c.s.t.Helper()
	deadline := time.After(sessionWait)
	for {
		select {
		case <-c.sock.reading:
			return true
		case <-c.sock.changed:
			if _, closed := c.sock.state(); closed != nil {
				return false
			}
		case <-deadline:
			c.s.t.Fatalf("%s: never started reading", c.name)
		}
	}
}

// await reads the client's frames until ok accepts one, and returns it.
func (c *client) await(what string, ok func(f outFrame) bool) outFrame {
	c.s.t.Helper()
	deadline := time.After(sessionWait)
	for {
		frames, closed := c.sock.state()
		for ; c.read < len(frames); c.read++ {
			if f := c.decodeOut(frames[c.read]); ok(f) {
				c.read++
				return f
			}
		}
		if closed != nil {
			c.s.t.Fatalf("%s: closed (%d %s) while waiting for %s", c.name, closed.Code, closed.Reason, what)
		}
		select {
		case <-c.sock.changed:
		case <-deadline:
			c.s.t.Fatalf("%s: no %s within %v", c.name, what, sessionWait)
		}
	}
}

// leave ends the client's stream and waits for its actor to stop.
func (c *client) leave() {
	c.s.t.Helper()
	c.sock.peerGone()
	select {
	case <-c.gone:
	case <-time.After(sessionWait):
		c.s.t.Fatalf("%s: actor still running %v after its socket ended", c.name, sessionWait)
	}
}

// stats asks the dispatcher for its counts.
func (s *session) stats() actors.Stats {
	s.t.Helper()
	st, err := actors.AskStats(s.w.system.Root, s.dir, sessionWait)
	if err != nil {
		s.t.Fatalf("dispatchers did not answer GetStats: %v", err)
	}
	return *st
}

// waitEmpty waits until every client has gone, the dispatcher holds nobody
// and no actor but the dispatcher and the store writer is left: there is
// no grace, so anything else is state that nothing will clear.
func (s *session) waitEmpty() {
	s.t.Helper()
	deadline := time.Now().Add(sessionWait)
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for {
		st := s.stats()
		var left []string
		all := s.dir.all()
		for i, alive := range s.touchAll(all) {
			if id := all[i].pid.Id; alive && !isSessionService(id) {
				left = append(left, id)
			}
		}
		if st == (actors.Stats{}) && len(left) == 0 {
			return
		}
		if time.Now().After(deadline) {
			s.t.Fatalf("with every client gone, the dispatcher holds %+v and these actors still run: %v", st, left)
		}
		<-tick.C
	}
}

// isSessionService says whether id is the session's dispatcher or store
// writer, which live as long as the session.
func isSessionService(id string) bool {
	return strings.HasPrefix(id, string(actors.KindDispatcher)+"/") || strings.HasPrefix(id, string(actors.KindStore)+"/")
}

// checkNoFailures fails the test if any actor of this session panicked.
func (s *session) checkNoFailures() {
	s.t.Helper()
	for {
		select {
		case f := <-s.w.failures:
			if strings.Contains(f.Child.Id, "/"+s.dir.prefix) {
				s.t.Fatalf("actor %v failed: %v", f.Child, f.Reason)
			}
		default:
			return
		}
	}
}
