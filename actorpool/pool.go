// Package actorpool runs Proto.Actor mailboxes on reused goroutines. It is
// the machinery actors run on, not an actor, and holds no chat state: its
// one mutex guards the stack of idle goroutines, so it lives outside
// actors/, where all state belongs to some actor's Receive.
package actorpool

import (
	"sync"
	"sync/atomic"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// Dispatcher runs actors' mailboxes on reused goroutines.
// Proto.Actor's default starts a goroutine each time an idle actor gets a
// message; a chat actor is idle between nearly all its messages, so under
// load the server started tens of thousands of goroutines a second, and
// each grew its stack again from 2 KiB to what encoding a frame needs
// (goroutine creation and stack growth were about a tenth of the CPU). A
// pooled goroutine keeps its grown stack.
//
// Idle goroutines wait on a stack, and a mailbox goes to the one that
// became idle last. The pool thus shrinks back after a burst even under
// steady load: the goroutines at the bottom of the stack get no work and
// exit once idle for d.idle. The first version handed mailboxes over one
// unbuffered channel, whose waiting receivers are served oldest first, so
// every goroutine a burst had started kept getting work within the idle
// time and none ever exited while load went on (the soak kept 2,400 extra
// goroutines for its last eight minutes after one slow spell).
//
// Written by hand: github.com/panjf2000/ants keeps the same kind of stack,
// but its pool-wide spin lock (which yields with Gosched) serialised every
// schedule; under S1 the server idled at a third of a core while messages
// waited 25 s. Here the stack is behind a sync.Mutex held for a push or a
// pop, and a schedule that finds no idle goroutine starts one, as
// Proto.Actor would.
type Dispatcher struct {
	mu    sync.Mutex
	stack []*poolWorker // idle ones, most recently idle last; may hold expired ones
	dead  int           // expired workers still in stack

	quit       chan struct{}
	quitOnce   sync.Once
	idle       time.Duration
	throughput int
	live       atomic.Int64 // goroutines of the pool, for tests and metrics
}

// poolWorker is one pooled goroutine as the stack sees it.
type poolWorker struct {
	work chan func() // capacity 1: whoever pops the worker sends it one mailbox
	// waiting: on the stack and not expired. Guarded by the dispatcher's
	// mu: a worker that times out leaves only if it is still waiting,
	// since a Schedule may have popped it, and then its work is coming.
	waiting bool
}

var _ actor.Dispatcher = (*Dispatcher)(nil)

// New returns a dispatcher whose goroutines exit after idle
// without work. It never makes a mailbox wait for a free goroutine: an
// actor may block (a store read), and a bounded pool could deadlock.
func New(throughput int, idle time.Duration) *Dispatcher {
	return &Dispatcher{
		quit:       make(chan struct{}),
		idle:       idle,
		throughput: throughput,
	}
}

// Schedule implements actor.Dispatcher.
func (d *Dispatcher) Schedule(fn func()) {
	d.mu.Lock()
	for n := len(d.stack); n > 0; n = len(d.stack) {
		w := d.stack[n-1]
		d.stack[n-1] = nil
		d.stack = d.stack[:n-1]
		if !w.waiting { // expired: its goroutine is gone
			d.dead--
			continue
		}
		w.waiting = false
		d.mu.Unlock()
		w.work <- fn // never blocks: nobody else can send to w until it waits again
		return
	}
	d.mu.Unlock()
	d.live.Add(1)
	go d.run(fn)
}

// run is one pooled goroutine: fn, then whatever mailbox it is handed
// next, until it has waited d.idle for one or the pool is released.
func (d *Dispatcher) run(fn func()) {
	defer d.live.Add(-1)
	w := &poolWorker{work: make(chan func(), 1)}
	t := time.NewTimer(d.idle)
	defer t.Stop()
	for {
		fn()
		if !d.park(w) {
			return
		}
		t.Reset(d.idle)
		select {
		case fn = <-w.work:
			continue
		case <-t.C:
		case <-d.quit:
		}
		if d.leave(w) {
			return
		}
		fn = <-w.work // popped just as it gave up: the mailbox is on its way
	}
}

// park puts w on top of the idle stack, unless the pool is released.
func (d *Dispatcher) park(w *poolWorker) bool {
	select {
	case <-d.quit:
		return false
	default:
	}
	d.mu.Lock()
	w.waiting = true
	d.stack = append(d.stack, w)
	d.mu.Unlock()
	return true
}

// leave marks w expired if nobody has popped it yet. Expired workers stay
// in the stack (removing one from the middle would cost a copy of the
// stack per exit, and they leave by thousands after a burst) until
// Schedule pops them or they are half the stack and are swept.
func (d *Dispatcher) leave(w *poolWorker) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	if !w.waiting {
		return false
	}
	w.waiting = false
	d.dead++
	if d.dead > len(d.stack)/2 {
		kept := d.stack[:0]
		for _, o := range d.stack {
			if o.waiting {
				kept = append(kept, o)
			}
		}
		clear(d.stack[len(kept):])
		d.stack, d.dead = kept, 0
	}
	return true
}

// Throughput implements actor.Dispatcher: how many messages a mailbox
// handles before giving its goroutine up.
func (d *Dispatcher) Throughput() int { return d.throughput }

// Goroutines is how many goroutines the pool has, busy or idle.
func (d *Dispatcher) Goroutines() int { return int(d.live.Load()) }

// Release makes idle goroutines exit at once, and busy ones when their
// mailbox is done. Schedules after it still run.
func (d *Dispatcher) Release() {
	d.quitOnce.Do(func() { close(d.quit) })
}
