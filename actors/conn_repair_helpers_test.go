package actors

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/internal/ids"
	"kefu/store"
)

// Helpers for the connection's repair tests (conn_repair_test.go): a real
// connection actor whose client is the test, a store whose next write can
// be held, and conversations the test starts and moves itself, so that no
// dispatcher's repair (a separate slice) is involved.

// client is a real connection actor, driven through a scriptCodec: the
// test sends its frames and reads, in order, everything it sends.
type client struct {
	t     *testing.T
	f     *fixture
	id    ConnID
	pid   *actor.PID
	codec *scriptCodec
	me    Party
	seen  []any // everything the connection sent the client, in order
}

// connect starts a connection seeing dir, says hello, and waits for the
// welcome.
func connect(t *testing.T, f *fixture, dir Directory, auth Authenticator, hello *CmdHello) *client {
	t.Helper()
	return connectWith(t, f, dir, auth, hello, nil)
}

// connectWith is connect for a connection that reads history from st.
func connectWith(t *testing.T, f *fixture, dir Directory, auth Authenticator, hello *CmdHello, st store.Conversations) *client {
	t.Helper()
	return connectConfigured(t, f, dir, auth, hello, func(cfg *ConnConfig) { cfg.History = st })
}

// connectConfigured is connect for a connection whose config tweak
// changes.
func connectConfigured(t *testing.T, f *fixture, dir Directory, auth Authenticator, hello *CmdHello, tweak func(*ConnConfig)) *client {
	t.Helper()
	c := &client{t: t, f: f, id: ConnID(ids.New()), codec: &scriptCodec{
		cmds: map[string]any{"hello": hello, "ping": &CmdPing{}},
		out:  make(chan any, 1000), hold: make(chan struct{}),
	}}
	cfg := ConnConfig{
		ID: c.id, Pool: PoolNative, Socket: quietSocket{}, Codec: c.codec, Dir: dir, Auth: auth,
		MaxTextBytes: 8192, HelloTimeout: time.Hour, Log: f.system.Logger(),
	}
	tweak(&cfg)
	pid, err := f.dir.Spawn(KindConn, string(c.id), NewConnectionProps(cfg))
	if err != nil {
		t.Fatal(err)
	}
	c.pid = pid
	c.frame("hello")
	c.me = c.next(func(m any) bool { _, ok := m.(*Welcome); return ok }).(*Welcome).You
	return c
}

func (c *client) frame(name string) { c.f.send(c.pid, &InboundFrame{Data: []byte(name)}) }

// post has the client send a msg.
func (c *client) post(conv ConvID, text, cid string) {
	c.codec.set(cid, &CmdPost{Conv: conv, Text: text, ClientID: cid})
	c.frame(cid)
}

// next records what the connection sends until want holds for one of
// them, and returns it.
func (c *client) next(want func(any) bool) any {
	c.t.Helper()
	return awaitSent(c.t, c.codec.out, func(m any) bool {
		c.seen = append(c.seen, m)
		return want(m)
	})
}

// flush records everything the connection sent before a ping's pong.
func (c *client) flush() {
	c.t.Helper()
	c.frame("ping")
	c.next(func(m any) bool { _, ok := m.(*Pong); return ok })
}

// messages returns the seqs of the chat messages the client was sent for
// conv, as messages or in conv frames, in order.
func (c *client) messages(conv ConvID) []uint64 {
	var seqs []uint64
	for _, m := range c.seen {
		switch m := m.(type) {
		case *ConvMessage:
			if m.Conv == conv {
				seqs = append(seqs, m.Seq)
			}
		case *ConvOpened:
			if m.Conv == conv {
				for _, h := range m.History {
					seqs = append(seqs, h.Seq)
				}
			}
		}
	}
	return seqs
}

// acks returns the seqs of the acks the client was sent for cid.
func (c *client) acks(cid string) []uint64 {
	var seqs []uint64
	for _, m := range c.seen {
		if a, ok := m.(*Ack); ok && a.ClientID == cid {
			seqs = append(seqs, a.Seq)
		}
	}
	return seqs
}

// closed returns the ends of conversations the client was sent.
func (c *client) closed() []*ConvClosed {
	var ends []*ConvClosed
	for _, m := range c.seen {
		if e, ok := m.(*ConvClosed); ok {
			ends = append(ends, e)
		}
	}
	return ends
}

func isMsg(conv ConvID, seq uint64) func(any) bool {
	return func(m any) bool { cm, ok := m.(*ConvMessage); return ok && cm.Conv == conv && cm.Seq == seq }
}

func isAck(cid string) func(any) bool {
	return func(m any) bool { a, ok := m.(*Ack); return ok && a.ClientID == cid }
}

func isOpened(conv ConvID) func(any) bool {
	return func(m any) bool { o, ok := m.(*ConvOpened); return ok && o.Conv == conv }
}

// both waits for two things the client is sent, in either order.
func (c *client) both(a, b func(any) bool) {
	c.t.Helper()
	var gotA, gotB bool
	c.next(func(m any) bool {
		gotA, gotB = gotA || a(m), gotB || b(m)
		return gotA && gotB
	})
}

// agentAuth admits one agent, whatever the token.
type agentAuth struct{ agent Party }

func (a agentAuth) Agent(string) (Party, int, Session, error) { return a.agent, 1, Session{}, nil }
func (agentAuth) Customer(string, string) (Party, string, error) {
	return Party{}, "", &AuthError{Reason: DisconnectUnauthorized}
}
func (agentAuth) SaveCapacity(string, int) error { return nil }

// kindProbe is a probe standing in for an actor of kind (an agent actor).
func (f *fixture) kindProbe(kind Kind) *probe {
	f.t.Helper()
	p := &probe{id: ConnID(ids.New()), got: make(chan any, 1024)}
	pid, err := f.dir.Spawn(kind, string(p.id), actor.PropsFromProducer(func() actor.Actor { return &probeActor{got: p.got} }))
	if err != nil {
		f.t.Fatal(err)
	}
	p.pid = pid
	return p
}

// activate starts a conversation as the dispatcher would.
func (f *fixture) activate(start StartConv) {
	f.t.Helper()
	if _, err := f.dir.Activate(KindConv, string(start.ID), &start); err != nil {
		f.t.Fatal(err)
	}
}

// moveConv stops a conversation without its goodbye, as its node dying
// would, and returns once it has stopped.
func (f *fixture) moveConv(conv ConvID) {
	f.t.Helper()
	stopped := make(chan struct{})
	f.system.Root.Spawn(actor.PropsFromFunc(func(ctx actor.Context) {
		switch ctx.Message().(type) {
		case *actor.Started:
			ctx.Watch(f.dir.PID(KindConv, string(conv)))
		case *actor.Terminated:
			close(stopped)
		}
	}))
	f.move(KindConv, string(conv))
	select {
	case <-stopped:
	case <-time.After(testWait):
		f.t.Fatal("the conversation did not stop")
	}
}

// gatedStore is a store whose next write, once armed, waits for the test:
// a write in flight when its conversation moves.
type gatedStore struct {
	store.Conversations
	mu      sync.Mutex
	gate    chan struct{}
	entered chan struct{}
}

// arm holds the next write; it returns once that write has begun, and
// hands back what lets it go on.
func (s *gatedStore) arm() (begun <-chan struct{}, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate, s.entered = make(chan struct{}), make(chan struct{}, 1)
	gate := s.gate
	return s.entered, func() { close(gate) }
}

func (s *gatedStore) Apply(ctx context.Context, b *store.Batch) error {
	s.mu.Lock()
	gate, entered := s.gate, s.entered
	s.gate = nil
	s.mu.Unlock()
	if gate != nil {
		entered <- struct{}{}
		<-gate
	}
	return s.Conversations.Apply(ctx, b)
}

// sqliteStore opens a store in a temporary directory.
func sqliteStore(t *testing.T) *store.SQLite {
	t.Helper()
	st, err := store.OpenSQLite(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

// waitStored polls until conv has n messages stored, and returns them.
func waitStored(t *testing.T, st store.Conversations, conv ConvID, n int) []store.Message {
	t.Helper()
	deadline := time.After(testWait)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		got, err := st.Messages(context.Background(), string(conv), 0, 0)
		if err == nil && len(got) >= n {
			return got
		}
		select {
		case <-deadline:
			t.Fatalf("%d messages stored, want %d (err %v)", len(got), n, err)
		case <-tick.C:
		}
	}
}

// waitGate waits for an armed write to begin.
func waitGate(t *testing.T, begun <-chan struct{}) {
	t.Helper()
	select {
	case <-begun:
	case <-time.After(testWait):
		t.Fatal("the write did not begin")
	}
}
