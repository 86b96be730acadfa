package nodes

import (
	"fmt"
	"strings"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"

	"kefu/actors"
	"kefu/transport"
)

// ConnSeparator joins a connection id to the cluster address of the node
// that holds its socket: "<id>~<host:port>". A connection never moves, so
// its address is in its name and nothing is looked up to reach it.
const ConnSeparator = transport.NodeSeparator

// Directory is actors.Directory on a Proto.Actor cluster. Grains
// (conversations, agents, dispatchers, the monitor) are reached through
// stable local addresses (grainProcess) and activated wherever the cluster
// places them; connections through the node named in their id; the rest
// (the store writer, the sessions, the monitor's node reporter) are this
// node's own, as on one node.
type Directory struct {
	local  *actors.LocalDirectory
	root   *actor.RootContext
	grains *grains
}

var _ actors.Directory = (*Directory)(nil)

// grainKinds are the kinds that live on the cluster.
var grainKinds = map[actors.Kind]bool{actors.KindConv: true, actors.KindAgent: true, actors.KindDispatcher: true, actors.KindMonitor: true}

// NewDirectory returns a cluster directory over local, usable at once:
// what is sent to a grain before the node has joined waits for it. onDrop
// counts messages for grains that were dropped, by why.
//
// It gives system its cluster address at once: every PID made from now on
// (the stable grain addresses, this node's actors) names the node the way
// its peers reach it. Made before the remote listener starts, a PID would
// carry the library's placeholder address, and a peer answering it would
// deliver the answer to its own actor of that name. So NewDirectory comes
// before the node spawns anything.
func NewDirectory(local *actors.LocalDirectory, system *actor.ActorSystem, cfg Config, onDrop func(why string)) *Directory {
	system.ProcessRegistry.Address = cfg.Addr
	return &Directory{local: local, root: system.Root, grains: newGrains(system, cfg.Grains, onDrop)}
}

// PID implements actors.Directory.
func (d *Directory) PID(kind actors.Kind, id string) *actor.PID {
	switch {
	case grainKinds[kind]:
		return d.grains.process(string(kind), id).self
	case kind == actors.KindConn:
		if _, addr, ok := strings.Cut(id, ConnSeparator); ok {
			return actor.NewPID(addr, string(kind)+"/"+id)
		}
	}
	return d.local.PID(kind, id)
}

// Spawn implements actors.Directory: only for what stays on this node.
func (d *Directory) Spawn(kind actors.Kind, id string, props *actor.Props) (*actor.PID, error) {
	if grainKinds[kind] {
		return nil, fmt.Errorf("nodes: %s is a cluster kind: it is activated, not spawned", kind)
	}
	return d.local.Spawn(kind, id, props)
}

// Activate implements actors.Directory: the start goes to the grain's
// stable address, which activates it on its owner.
func (d *Directory) Activate(kind actors.Kind, id string, start any) (*actor.PID, error) {
	if !grainKinds[kind] {
		return nil, fmt.Errorf("nodes: %s is not a cluster kind", kind)
	}
	pid := d.PID(kind, id)
	d.root.Send(pid, start)
	return pid, nil
}

// Addresses lists the live members, as this node sees them.
func (d *Directory) Addresses() []string { return d.grains.members.Addresses() }

// Moves implements actors.Directory: a grain's Terminated without goodbye
// means its node died or a rebalance moved it.
func (d *Directory) Moves() bool { return true }

// GrainIdentity is actors.Kinds.Identity on a cluster: the id a grain was
// activated under (its own PID names the placement actor's child).
func GrainIdentity(ctx actor.Context) string { return cluster.GetClusterIdentity(ctx).Identity }
