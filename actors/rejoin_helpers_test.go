package actors

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/internal/ids"
	"kefu/store"
)

// Helpers for the rejoin tests (rejoin_test.go): a directory that
// activates as a cluster does, a pool's dispatcher activated again as a
// cluster's grain is, and clients of both roles.

// clusterDir is a directory where actors move (movingDir) and whose
// Activate of an actor still alive sends it its start, as a cluster's does
// (the grain is where it is; only its start goes), where a LocalDirectory
// refuses the taken name. So a dispatcher activated again restores
// conversations that never stopped as a cluster's would.
type clusterDir struct {
	movingDir
	local *LocalDirectory
}

func (d clusterDir) Activate(kind Kind, id string, start any) (*actor.PID, error) {
	pid, err := d.movingDir.Activate(kind, id, start)
	if errors.Is(err, actor.ErrNameExists) {
		pid = d.PID(kind, id)
		d.local.root.Send(pid, start)
		return pid, nil
	}
	return pid, err
}

// newClusterFixture is a fixture over st whose actors see a clusterDir,
// returned with it and the dispatchers' config.
func newClusterFixture(t *testing.T, st store.Conversations, cfg DispatcherConfig) (*fixture, Directory, DispatcherConfig) {
	t.Helper()
	return newWrappedClusterFixture(t, st, cfg, func(d Directory) Directory { return d })
}

// newWrappedClusterFixture is newClusterFixture with the actors' clusterDir
// wrapped by wrap.
func newWrappedClusterFixture(t *testing.T, st store.Conversations, cfg DispatcherConfig, wrap func(Directory) Directory) (*fixture, Directory, DispatcherConfig) {
	t.Helper()
	var seen Directory
	f := newWrappedFixture(t, st, cfg, func(d Directory) Directory {
		seen = wrap(clusterDir{movingDir: movingDir{d}, local: d.(*LocalDirectory)})
		return seen
	})
	cfg.Dir, cfg.Log, cfg.Pool = seen, f.system.Logger(), PoolNative
	return f, seen, cfg
}

// moveDispatcher stops the native dispatcher abruptly, as its node dying
// would, then activates it again as a cluster's grain is
// (nodes/dispatcher_grain.go): under the same id, restored from what the
// store holds before it handles anything else.
func moveDispatcher(t *testing.T, f *fixture, st RestoreSource, cfg DispatcherConfig) {
	t.Helper()
	moveDispatcherWrapped(t, f, st, cfg, func(a actor.Actor) actor.Actor { return a })
}

// moveDispatcherWrapped is moveDispatcher with the new activation's
// dispatcher wrapped by wrap.
func moveDispatcherWrapped(t *testing.T, f *fixture, st RestoreSource, cfg DispatcherConfig, wrap func(actor.Actor) actor.Actor) {
	t.Helper()
	f.move(KindDispatcher, DispatcherID(PoolNative))
	waitGone(t, f, f.dispatcher)
	now := time.Now()
	restore, _, err := ReadRestore(context.Background(), st, now, now.Add(-time.Hour))
	if err != nil {
		t.Fatal(err)
	}
	props := actor.PropsFromProducer(func() actor.Actor {
		return &restoredFirst{inner: wrap(NewDispatcher(cfg)()), restore: restore}
	})
	pid, err := f.dir.Spawn(KindDispatcher, DispatcherID(PoolNative), props)
	if err != nil {
		t.Fatal(err)
	}
	f.dispatcher = pid
}

// restoredFirst is a dispatcher handed its Restore right after its
// Started, ahead of its mailbox, as the cluster's grain does.
type restoredFirst struct {
	inner   actor.Actor
	restore *Restore
}

func (r *restoredFirst) Receive(ctx actor.Context) {
	r.inner.Receive(ctx)
	if _, ok := ctx.Message().(*actor.Started); ok {
		r.inner.Receive(withRestore{Context: ctx, restore: r.restore})
	}
}

// withRestore is ctx with the Restore as its current message.
type withRestore struct {
	actor.Context
	restore *Restore
}

func (w withRestore) Message() any { return w.restore }

// anyone admits one agent with a capacity, and every customer under the
// name it gives.
type anyone struct {
	agent    Party
	capacity int
}

func (a anyone) Agent(string) (Party, int, Session, error) {
	return a.agent, a.capacity, Session{}, nil
}
func (anyone) Customer(_, name string) (Party, string, error) {
	return Party{Role: RoleCustomer, ID: ids.Customer + name, Name: name}, "token", nil
}
func (anyone) SaveCapacity(string, int) error { return nil }

// hello connects a client of role through dir.
func hello(t *testing.T, f *fixture, dir Directory, auth anyone, role Role, name string) *client {
	t.Helper()
	return connect(t, f, dir, auth, &CmdHello{Version: ProtocolVersion, Role: role, Token: "t", Name: name})
}

// command has the client send cmd.
func (c *client) command(name string, cmd any) {
	c.codec.set(name, cmd)
	c.frame(name)
}

// count returns how many of what the client was sent are of type T.
func count[T any](c *client) int {
	n := 0
	for _, m := range c.seen {
		if _, ok := m.(T); ok {
			n++
		}
	}
	return n
}

func isQueued(position int) func(any) bool {
	return func(m any) bool { q, ok := m.(*Queued); return ok && q.Position == position }
}

// seatWith connects customer name, has it ask for an agent, and waits
// until both it and agent (the only one free) have the conversation.
func seatWith(t *testing.T, f *fixture, dir Directory, auth anyone, agent *client, name string) (*client, ConvID) {
	t.Helper()
	c := hello(t, f, dir, auth, RoleCustomer, name)
	c.command("request", &CmdRequest{})
	conv := c.next(func(m any) bool { _, ok := m.(*ConvOpened); return ok }).(*ConvOpened).Conv
	agent.next(isOpened(conv))
	return c, conv
}
