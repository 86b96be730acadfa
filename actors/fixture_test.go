package actors

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/internal/ids"
	"kefu/store"
)

const testWait = 5 * time.Second

// fixture is an actor system with a dispatcher per pool, and probe actors
// standing in for connections. dispatcher is the native pool's.
type fixture struct {
	t          *testing.T
	system     *actor.ActorSystem
	dir        *LocalDirectory
	dispatcher *actor.PID
	events     chan *RoutingEvent
}

func newFixture(t *testing.T, cfg DispatcherConfig) *fixture {
	t.Helper()
	return newStoreFixture(t, store.Discard{}, cfg)
}

// newStoreFixture is newFixture whose conversations store to st.
func newStoreFixture(t *testing.T, st store.Conversations, cfg DispatcherConfig) *fixture {
	t.Helper()
	return newWrappedFixture(t, st, cfg, func(d Directory) Directory { return d })
}

// newMovingFixture is newStoreFixture whose actors see a directory where
// actors move (movingDir), as on a cluster.
func newMovingFixture(t *testing.T, st store.Conversations, cfg DispatcherConfig) *fixture {
	t.Helper()
	return newWrappedFixture(t, st, cfg, func(d Directory) Directory { return movingDir{d} })
}

// newWrappedFixture starts the fixture's actors with the directory they see
// wrapped by wrap.
func newWrappedFixture(t *testing.T, st store.Conversations, cfg DispatcherConfig, wrap func(Directory) Directory) *fixture {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log }))
	t.Cleanup(system.Shutdown)
	f := &fixture{t: t, system: system, dir: NewLocalDirectory(system), events: make(chan *RoutingEvent, 100_000)}
	system.EventStream.Subscribe(func(ev any) {
		if re, ok := ev.(*RoutingEvent); ok {
			f.events <- re
		}
	})
	seen := wrap(f.dir)
	cfg.Dir, cfg.Log = seen, log
	f.dir.UseKinds(&Kinds{Dir: seen, Store: st, Log: log, Now: cfg.Now})
	if _, err := f.dir.Spawn(KindStore, StoreWriterID, NewStoreWriterProps(StoreWriterConfig{Store: st, Log: log})); err != nil {
		t.Fatal(err)
	}
	for _, pool := range Pools() {
		cfg.Pool = pool
		pid, err := f.dir.Spawn(KindDispatcher, DispatcherID(pool), NewDispatcherProps(cfg))
		if err != nil {
			t.Fatal(err)
		}
		if pool == PoolNative {
			f.dispatcher = pid
		}
	}
	return f
}

// probe stands in for a connection actor: it records what it is sent.
type probe struct {
	id  ConnID
	pid *actor.PID
	got chan any
}

type probeActor struct{ got chan any }

// Receive records the message, unless the probe already holds as many as
// it can: then it is dropped. A stand-in that a connection's periodic
// probes keep asking (probe_test.go), in a test slowed down by a loaded
// machine, filled its channel and blocked its goroutine past the test's
// end, which goleak then reported (a clean-clone CI run); a test that
// reads its probe never comes near the bound.
func (p *probeActor) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *actor.Started, *actor.Stopping, *actor.Stopped, *actor.Restarting:
	default:
		select {
		case p.got <- ctx.Message():
		default:
		}
	}
}

func (f *fixture) probe() *probe {
	f.t.Helper()
	p := &probe{id: ConnID(ids.New()), got: make(chan any, 1024)}
	pid, err := f.dir.Spawn(KindConn, string(p.id), actor.PropsFromProducer(func() actor.Actor { return &probeActor{got: p.got} }))
	if err != nil {
		f.t.Fatal(err)
	}
	p.pid = pid
	return p
}

func (f *fixture) ask(msg any) any {
	f.t.Helper()
	res, err := f.system.Root.RequestFuture(f.dispatcher, msg, testWait).Result()
	if err != nil {
		f.t.Fatalf("ask %T: %v", msg, err)
	}
	return res
}

func (f *fixture) send(to *actor.PID, msg any) { f.system.Root.Send(to, msg) }

// agent connects a native agent and returns its party and connection.
func (f *fixture) agent(name string, capacity int) (Party, *probe) {
	f.t.Helper()
	p := f.probe()
	a := Party{Role: RoleAgent, ID: ids.Agent + name, Name: name}
	if res, ok := f.ask(&AgentConnect{Agent: a, Capacity: capacity, Conn: p.id, Pool: PoolNative}).(*AgentAdmitted); !ok {
		f.t.Fatalf("agent %s not admitted: %#v", name, res)
	}
	return a, p
}

// customer connects a native customer (admitted, idle).
func (f *fixture) customer(name string) (Party, *probe) {
	f.t.Helper()
	p := f.probe()
	c := Party{Role: RoleCustomer, ID: ids.Customer + name, Name: name}
	if res, ok := f.ask(&CustomerConnect{Customer: c, Conn: p.id, Pool: PoolNative}).(*CustomerAdmitted); !ok {
		f.t.Fatalf("customer %s not admitted: %#v", name, res)
	}
	return c, p
}

// waitFor reads p's messages until one of type T satisfies ok.
func waitFor[T any](t *testing.T, p *probe, ok func(T) bool) T {
	t.Helper()
	deadline := time.After(testWait)
	for {
		select {
		case m := <-p.got:
			if v, is := m.(T); is && (ok == nil || ok(v)) {
				return v
			}
		case <-deadline:
			var zero T
			t.Fatalf("no %T arrived", zero)
			return zero
		}
	}
}

// event reads the next routing event of one of the given kinds.
func (f *fixture) event(kinds ...RoutingKind) *RoutingEvent {
	f.t.Helper()
	deadline := time.After(testWait)
	for {
		select {
		case ev := <-f.events:
			for _, k := range kinds {
				if ev.Kind == k {
					return ev
				}
			}
		case <-deadline:
			f.t.Fatalf("no %v event", kinds)
			return nil
		}
	}
}

func (f *fixture) stats() Stats { return *f.ask(&GetStats{}).(*Stats) }

func (f *fixture) waitStats(what string, ok func(Stats) bool) {
	f.t.Helper()
	deadline := time.After(testWait)
	tick := time.NewTicker(2 * time.Millisecond)
	defer tick.Stop()
	for {
		s := f.stats()
		if ok(s) {
			return
		}
		select {
		case <-deadline:
			f.t.Fatalf("waiting for %s: %+v", what, s)
		case <-tick.C:
		}
	}
}

// end has agent a end conversation conv, as its connection would.
func (f *fixture) end(conv ConvID, by Party, conn *probe) {
	f.send(f.dir.PID(KindConv, string(conv)), &End{By: by, Conn: conn.id})
}

// awaitSent returns the first message the connection sent to out for which
// want holds, dropping those before it; none within testWait fails t.
func awaitSent(t *testing.T, out <-chan any, want func(any) bool) any {
	t.Helper()
	deadline := time.After(testWait)
	for {
		select {
		case m := <-out:
			if want(m) {
				return m
			}
		case <-deadline:
			t.Fatal("the client was not sent what it waits for")
		}
	}
}
