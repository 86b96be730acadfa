package nodes

import (
	"log/slog"
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Resolver finds the live activation of a grain, activating it on its owner
// if it has none. Cluster.Get is one; it may block for seconds, so it is
// called only from a grainProcess's own goroutine, never from a Receive.
type Resolver interface {
	Get(identity, kind string) *actor.PID
}

// grainProcess is the stable, node-local address of one grain (kind, id).
// Actors hold its PID, watch it and compare it; it forwards to wherever the
// grain lives now. Because the PID stays the same across moves, the actors'
// maps keyed by PID and their watches keep working when a grain moves.
//
// It is plumbing like transport's socket, not actor state: a mutex guards a
// resolved PID, a bounded queue of messages waiting for it, and the watchers.
type grainProcess struct {
	self  *actor.PID
	kind  string
	id    string
	nodes *grains

	mu        sync.Mutex
	real      *actor.PID // the live activation; nil until resolved
	realNode  string     // the member id at real's address when it was resolved
	resolving bool
	queue     []pending
	watchers  map[string]*actor.PID // by PID key
	retired   bool                  // removed from the process registry
	watched   time.Time             // when real was last watched
	draining  bool                  // the queue is being sent to real: new messages join it
	gen       uint64                // counts resolutions; a drainer of an older one stops
	// lost counts activations that ended before their queue was sent, in a
	// row, since failingSince: an actor that stops as it starts (it cannot
	// claim its key yet) is asked for again after a growing pause, and its
	// messages are given up after ResolveFor.
	lost         int
	failingSince time.Time
}

// pending is a message waiting for the grain to be resolved.
type pending struct {
	system  bool // a system message (Watch, Stop), else a user message
	stop    bool // Process.Stop, which has no message of its own
	message any
}

// SendUserMessage implements actor.Process: forward to the live activation,
// or queue until it is known. The envelope is forwarded as is, so the
// sender survives and the grain can Respond.
func (g *grainProcess) SendUserMessage(_ *actor.PID, message any) {
	g.deliver(pending{message: message})
}

// SendSystemMessage implements actor.Process. Watches of the stable PID are
// kept here and answered by relaying the grain's own Terminated; a
// Terminated from the grain means it stopped or its node went away.
func (g *grainProcess) SendSystemMessage(_ *actor.PID, message any) {
	switch m := message.(type) {
	case *actor.Watch:
		g.watch(m.Watcher)
	case *actor.Unwatch:
		g.unwatch(m.Watcher)
	case *actor.Terminated:
		g.terminated(m)
	default:
		g.deliver(pending{system: true, message: message})
	}
}

// Stop implements actor.Process: stop the grain wherever it lives.
func (g *grainProcess) Stop(_ *actor.PID) {
	g.deliver(pending{stop: true})
}

func (g *grainProcess) deliver(p pending) {
	g.mu.Lock()
	if g.retired {
		g.mu.Unlock()
		g.nodes.successor(g).deliver(p)
		return
	}
	if g.real == nil || g.draining {
		g.enqueueLocked(p)
		g.mu.Unlock()
		return
	}
	real := g.real
	// A watch can be lost on its way (a remote endpoint that was
	// reconnecting drops system messages), and then the stale activation
	// would be used for good. Watching again now and then, while the grain
	// is in use, bounds that: a watch of a stopped actor is answered at
	// once with Terminated, which sends this process to resolve again.
	recheck := time.Since(g.watched) > g.nodes.cfg.Recheck
	if recheck {
		g.watched = time.Now()
	}
	g.mu.Unlock()
	if recheck {
		g.nodes.watchReal(g, real)
	}
	g.nodes.forward(real, p)
}

// enqueueLocked queues p and starts the resolution if none runs. A full
// queue drops p to dead letters: the senders' own repair (a resend, a Sync)
// covers a grain that is unreachable for long.
func (g *grainProcess) enqueueLocked(p pending) {
	if len(g.queue) >= g.nodes.cfg.QueueLimit {
		g.nodes.dropped(g, p, whyQueueFull)
	} else {
		g.queue = append(g.queue, p)
	}
	if g.real == nil && !g.resolving {
		g.resolving = true
		go g.resolve()
	}
}

// resolve asks the cluster for the grain's activation, retrying with
// backoff while no member answers, and then drains the queue in order. It
// runs on its own goroutine because the cluster's lookup blocks.
func (g *grainProcess) resolve() {
	deadline := time.Now().Add(g.nodes.cfg.ResolveFor)
	backoff := g.nodes.cfg.RetryFirst
	g.mu.Lock()
	lost, since := g.lost, g.failingSince
	g.mu.Unlock()
	if lost > 0 {
		if time.Since(since) > g.nodes.cfg.ResolveFor {
			g.unresolved()
			return
		}
		deadline = since.Add(g.nodes.cfg.ResolveFor)
		time.Sleep(min(g.nodes.cfg.RetryFirst<<min(lost, 10), g.nodes.cfg.RetryMax)) // on this goroutine only
	}
	for g.nodes.ownerGone(g.kind, g.id) && time.Now().Before(deadline) {
		time.Sleep(g.nodes.cfg.RetryFirst) // polling the topology, on this goroutine only
	}
	for {
		pid := g.nodes.resolver.Get(g.id, g.kind)
		if pid != nil {
			g.resolved(pid)
			return
		}
		if time.Now().After(deadline) {
			g.unresolved()
			return
		}
		time.Sleep(backoff) // a retry's pause, on this goroutine only
		backoff = min(2*backoff, g.nodes.cfg.RetryMax)
	}
}

// resolved records pid, watches it so that its end reads as "moved", and
// sends what was queued, in order: until the queue is empty, new messages
// join it rather than overtake it. Nothing is sent with the lock held: a
// send to a stopped local actor is answered synchronously (a dead letter's
// Terminated comes straight back to this process).
func (g *grainProcess) resolved(pid *actor.PID) {
	g.mu.Lock()
	g.real = pid
	g.realNode = g.nodes.members.memberAt(pid.Address)
	g.resolving = false
	g.watched = time.Now()
	g.draining = true
	g.gen++
	gen := g.gen
	g.mu.Unlock()
	g.nodes.watchReal(g, pid)
	for {
		g.mu.Lock()
		if g.gen != gen || g.real == nil {
			// Ended meanwhile: the queue waits for the next resolution.
			g.mu.Unlock()
			return
		}
		batch := g.queue
		g.queue = nil
		if len(batch) == 0 {
			g.draining = false
			g.lost = 0
			g.mu.Unlock()
			return
		}
		g.mu.Unlock()
		for _, p := range batch {
			g.nodes.forward(pid, p)
		}
	}
}

// unresolved gives up: the queue goes to dead letters, counted. The next
// message starts a new resolution.
func (g *grainProcess) unresolved() {
	g.mu.Lock()
	queue := g.queue
	g.queue = nil
	g.resolving = false
	g.lost = 0
	g.mu.Unlock()
	for _, p := range queue {
		g.nodes.dropped(g, p, whyUnresolved)
	}
	g.nodes.log.Warn("grain unresolved", slog.String("kind", g.kind), slog.String("id", g.id))
}

func (g *grainProcess) watch(watcher *actor.PID) {
	g.mu.Lock()
	if g.retired {
		g.mu.Unlock()
		g.nodes.successor(g).watch(watcher)
		return
	}
	if g.watchers == nil {
		g.watchers = map[string]*actor.PID{}
	}
	g.watchers[pidKey(watcher)] = watcher
	if g.real == nil && !g.resolving {
		// Watching a grain activates it: a watcher that re-watches after
		// a move is how a grain comes back on its new owner.
		g.resolving = true
		go g.resolve()
	}
	g.mu.Unlock()
}

func (g *grainProcess) unwatch(watcher *actor.PID) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.watchers, pidKey(watcher))
}

// terminated handles the end of the activation this process watched: it
// stopped, was moved by a rebalance, or its node is gone. The next message
// resolves again; the watchers hear Terminated for the stable PID and decide
// (a watcher on a cluster reads it as "moved" and re-watches).
func (g *grainProcess) terminated(m *actor.Terminated) {
	g.mu.Lock()
	if g.real == nil || !g.real.Equal(m.Who) {
		g.mu.Unlock()
		return // an older activation's end, already handled
	}
	g.real = nil
	watchers := g.watchers
	g.watchers = nil
	if m.Why == actor.TerminatedReason_AddressTerminated {
		g.nodes.nodeGone(m.Who.Address, g.realNode)
	}
	g.draining = false
	switch {
	case len(g.queue) > 0:
		// Ended while its queue was being sent: what is left goes to the
		// next activation.
		if g.lost == 0 {
			g.failingSince = time.Now()
		}
		g.lost++
		g.resolving = true
		go g.resolve()
	default:
		// Nothing waits: this process has no more work, and a later send
		// finds a new one.
		g.retired = true
		g.nodes.retire(g)
	}
	g.mu.Unlock()
	for _, w := range watchers {
		g.nodes.notifyTerminated(w, g.self, m.Why)
	}
}

func pidKey(pid *actor.PID) string { return pid.Address + "/" + pid.Id }
