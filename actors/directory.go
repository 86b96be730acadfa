package actors

import (
	"errors"
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// Kind is the type of an addressable actor. Together with an id it forms the
// actor's stable address; on a Proto.Actor cluster it becomes the grain kind.
type Kind string

const (
	KindDispatcher Kind = "dispatcher"
	KindAgent      Kind = "agent"
	KindConv       Kind = "conv"
	KindConn       Kind = "conn"
	KindStore      Kind = "store"
	KindMonitor    Kind = "monitor"
	KindSessions   Kind = "sessions"
)

// DispatcherID is the id of pool's dispatcher: one per pool ("native",
// "compat"), each the only owner of its pool's routing state.
func DispatcherID(pool Pool) string { return pool.String() }

// Directory is the single seam between the actors and where they run.
// Actors never hold each other's state or pointers; they exchange ids and
// resolve them here. Locally an id is a name in this process's actor
// registry; moving to a Proto.Actor cluster replaces this one type with one
// that maps (kind, id) to a cluster identity, and leaves the actors as they
// are.
//
// Implementations must be safe for concurrent use and hold no mutable state
// of their own: the dispatcher owns which ids are alive.
type Directory interface {
	// PID returns the address of the actor (kind, id), whether or not it is
	// alive; a message to a dead address goes to dead letters, and a Watch of
	// one answers at once with Terminated.
	PID(kind Kind, id string) *actor.PID
	// Spawn starts the actor (kind, id) from props. It fails if that address
	// is already taken. Only for what stays on this node (connections, the
	// store writer, ...): conversations and agents are activated.
	Spawn(kind Kind, id string, props *actor.Props) (*actor.PID, error)
	// Activate starts the actor (kind, id) of an activated kind (Kinds)
	// and sends it start, its first message (*StartConv, *StartAgent).
	// Locally it spawns from the kind's props; on a cluster the grain is
	// activated wherever the cluster places it. It fails if the address is
	// already taken here.
	Activate(kind Kind, id string, start any) (*actor.PID, error)
	// Moves reports whether an actor of an activated kind can stop without
	// saying goodbye and come back elsewhere: true on a cluster, where a
	// Terminated with no ConvFinished or ConvClosed before it means
	// "moved" (its node died, or a rebalance moved it), and the watcher
	// repairs instead of giving up. False on one node, where it means the
	// actor failed.
	Moves() bool
}

// errNoKinds is Activate on a LocalDirectory that was given no Kinds.
var errNoKinds = errors.New("actors: the directory has no kinds to activate (UseKinds)")

// LocalDirectory addresses actors inside one actor system.
type LocalDirectory struct {
	system     *actor.ActorSystem
	root       *actor.RootContext
	dispatcher actor.Dispatcher // nil: Proto.Actor's default
	kinds      *Kinds           // what Activate spawns from; nil: none yet
}

var _ Directory = (*LocalDirectory)(nil)

// NewLocalDirectory returns a directory over system. Actors it spawns are
// supervised by a strategy that stops, rather than restarts, a failing actor:
// a restarted room or connection would come back empty while its peers still
// believe in its old state, so a failure is turned into Terminated, which
// every watcher already handles as "gone".
func NewLocalDirectory(system *actor.ActorSystem) *LocalDirectory {
	stopOnFailure := actor.NewOneForOneStrategy(0, 0, func(reason any) actor.Directive {
		system.Logger().Error("actor failed; stopping it", slog.Any("reason", reason))
		return actor.StopDirective
	})
	return &LocalDirectory{
		system: system,
		// A fresh root context: WithGuardian changes its receiver, and the
		// system's shared Root must keep its defaults.
		root: actor.NewRootContext(system, nil).WithGuardian(stopOnFailure),
	}
}

// UseDispatcher makes every actor spawned from now on run on d. Call it
// before the first Spawn.
func (d *LocalDirectory) UseDispatcher(disp actor.Dispatcher) { d.dispatcher = disp }

// UseKinds gives the directory the kinds it activates. Call it before the
// first Activate; kinds.Dir is usually this directory, or one wrapping it.
func (d *LocalDirectory) UseKinds(kinds *Kinds) { d.kinds = kinds }

// PID implements Directory.
func (d *LocalDirectory) PID(kind Kind, id string) *actor.PID {
	return d.system.NewLocalPID(localName(kind, id))
}

// Spawn implements Directory.
func (d *LocalDirectory) Spawn(kind Kind, id string, props *actor.Props) (*actor.PID, error) {
	if d.dispatcher != nil {
		props = props.Configure(actor.WithDispatcher(d.dispatcher))
	}
	return d.root.SpawnNamed(props, localName(kind, id))
}

// Activate implements Directory. It spawns through kinds.Dir, the
// directory the actors see, so that one wrapping this one (a test's
// faults) sees the spawn as it would any other. The start message is the
// first in the new mailbox unless another sender raced it there; the
// actor holds such a message until its start (beforeStart).
func (d *LocalDirectory) Activate(kind Kind, id string, start any) (*actor.PID, error) {
	if d.kinds == nil {
		return nil, errNoKinds
	}
	props, err := d.kinds.Props(kind)
	if err != nil {
		return nil, err
	}
	spawner := d.kinds.Dir
	if spawner == nil {
		spawner = d
	}
	pid, err := spawner.Spawn(kind, id, props)
	if errors.Is(err, actor.ErrNameExists) {
		// Already running, waiting for its start (one that was lost): it
		// gets this one, as a cluster's grain would.
		pid, err = d.PID(kind, id), nil
	}
	if err != nil {
		return nil, err
	}
	d.root.Send(pid, start)
	return pid, nil
}

// Moves implements Directory: on one node an actor that stops is gone.
func (d *LocalDirectory) Moves() bool { return false }

func localName(kind Kind, id string) string { return string(kind) + "/" + id }
