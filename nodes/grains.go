package nodes

import (
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Why a message for a grain was dropped, as counted.
const (
	whyUnresolved = "unresolved" // no member activated the grain in ResolveFor
	whyQueueFull  = "queue_full" // more than QueueLimit messages waited for it
)

// GrainConfig bounds how long and how much a node waits for a grain.
type GrainConfig struct {
	QueueLimit int           // messages held per grain while it is resolved
	ResolveFor time.Duration // give up resolving after this long
	StaleFor   time.Duration // longest wait for a member seen to go away to leave the topology
	RetryFirst time.Duration // first pause between lookups; doubles
	RetryMax   time.Duration // longest pause between lookups
	AskFor     time.Duration // how long one lookup waits for the owner
	Recheck    time.Duration // watch a grain in use again this often
}

// DefaultGrainConfig: a grain moves in about a second and a half after its
// node dies (measured), so 10 s of retries covers a slow membership change.
// Peers drop a dead node at their next health poll (0.5 s), or after the
// poll's 2 s timeout for a machine that vanished: StaleFor waits that long
// and a little more for the topology to say so.
func DefaultGrainConfig() GrainConfig {
	return GrainConfig{QueueLimit: 1024, ResolveFor: 10 * time.Second, StaleFor: 3 * time.Second, RetryFirst: 50 * time.Millisecond, RetryMax: time.Second, AskFor: 2 * time.Second, Recheck: 2 * time.Second}
}

// grains is one node's table of stable grain addresses. The process
// registry holds the grainProcesses themselves (a Terminated addressed to a
// stable PID is looked up there by id); this type creates, finds and
// retires them, and does their sends.
type grains struct {
	system   *actor.ActorSystem
	resolver Resolver
	cfg      GrainConfig
	log      *slog.Logger
	onDrop   func(why string)
	members  *membership

	// gone holds the nodes seen to go away (a Terminated with
	// AddressTerminated), by address. While one is still in the topology,
	// the topology is stale for the grains it owns: a lookup of one would
	// ask the dead node and wait out AskFor, so resolving it waits
	// (ownerGone). Not the remote endpoint's EndpointTerminatedEvent: it also fires
	// late, for the dead process, after a node restarted at the same
	// address has joined, and held lookups for ResolveFor.
	gone sync.Map // string → goneMember
}

// goneMember is a member seen to go away: which one (a node restarted at
// the same address is a new member, and no reason to wait), and when.
type goneMember struct {
	id string
	at time.Time
}

// nodeGone notes that member id, at addr, went away, if it is still
// listed. The id is the member the activation was resolved on, not the
// member at addr now: the library ends the old process's connection late,
// after a node restarted at the same address has joined, and marking that
// live newcomer gone held every lookup for ResolveFor (the 12 s re-homing
// of clean-clone run 15). The same late end also reaches activations
// resolved on the newcomer, which is why a member seen gone is believed
// for StaleFor only: a member that is really dead leaves the topology
// within it.
func (n *grains) nodeGone(addr, id string) {
	if id != "" && n.members.memberAt(addr) == id {
		n.gone.Store(addr, goneMember{id: id, at: time.Now()})
	}
}

// ownerGone reports whether the member that owns (kind, id) in this
// node's topology was seen to go away in the last StaleFor and is still
// listed: a lookup now would ask the dead node and wait out AskFor. Only
// such a grain waits for the topology to drop it. A grain whose owner is
// live resolves at once, for rendezvous hashing moves only the dead
// member's grains when it leaves: waiting for every lookup of the node
// held grains that had not moved for up to StaleFor.
func (n *grains) ownerGone(kind, id string) bool {
	owner := n.members.owner(kind, id)
	v, ok := n.gone.Load(owner)
	if owner == "" || !ok {
		return false
	}
	g := v.(goneMember)
	if n.members.memberAt(owner) != g.id || time.Since(g.at) > n.cfg.StaleFor {
		n.gone.CompareAndDelete(owner, v) // dropped, replaced, or believed long enough
		return false
	}
	return true
}

// newGrains returns system's table of grain addresses. It may be used at
// once: messages wait in their grain's queue until the node has joined and
// sees the grain's owner.
func newGrains(system *actor.ActorSystem, cfg GrainConfig, onDrop func(why string)) *grains {
	if cfg.QueueLimit == 0 {
		cfg = DefaultGrainConfig()
	}
	members := watchMembership(system)
	return &grains{
		system: system, cfg: cfg, log: system.Logger(), onDrop: onDrop, members: members,
		resolver: &activator{system: system, members: members, timeout: cfg.AskFor},
	}
}

// grainName is the process registry id of a grain's stable address.
func grainName(kind, id string) string { return "grain$" + kind + "/" + id }

// process returns the live grainProcess of (kind, id), creating it.
func (n *grains) process(kind, id string) *grainProcess {
	name := grainName(kind, id)
	if p, ok := n.system.ProcessRegistry.GetLocal(name); ok {
		if g, ok := p.(*grainProcess); ok {
			return g
		}
	}
	// self is set before the process is shared: another goroutine may
	// find it in the registry the moment it is added.
	g := &grainProcess{kind: kind, id: id, nodes: n, self: actor.NewPID(n.system.Address(), name)}
	if _, absent := n.system.ProcessRegistry.Add(g, name); !absent {
		p, _ := n.system.ProcessRegistry.GetLocal(name) // another goroutine registered it first
		return p.(*grainProcess)
	}
	return g
}

// successor is the live process that replaced a retired one, reached
// through a PID that cached the retired one.
func (n *grains) successor(g *grainProcess) *grainProcess { return n.process(g.kind, g.id) }

// retire removes g from the registry once its activation ended and nothing
// waits on it, so that a node does not keep one process per conversation
// it ever addressed. Called with g.mu held.
func (n *grains) retire(g *grainProcess) { n.system.ProcessRegistry.Remove(g.self) }

// forward sends p to the activation pid, local or remote.
func (n *grains) forward(pid *actor.PID, p pending) {
	proc, _ := n.system.ProcessRegistry.Get(pid)
	switch {
	case p.stop:
		proc.Stop(pid)
	case p.system:
		proc.SendSystemMessage(pid, p.message)
	default:
		proc.SendUserMessage(pid, p.message)
	}
}

func (n *grains) watchReal(g *grainProcess, pid *actor.PID) {
	n.forward(pid, pending{system: true, message: &actor.Watch{Watcher: g.self}})
}

func (n *grains) notifyTerminated(watcher, who *actor.PID, why actor.TerminatedReason) {
	proc, _ := n.system.ProcessRegistry.Get(watcher)
	proc.SendSystemMessage(watcher, &actor.Terminated{Who: who, Why: why})
}

func (n *grains) dropped(g *grainProcess, p pending, why string) {
	if n.onDrop != nil {
		n.onDrop(why)
	}
	if !p.system && !p.stop {
		n.system.DeadLetter.SendUserMessage(g.self, p.message)
	}
}
