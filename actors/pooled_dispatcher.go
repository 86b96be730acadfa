package actors

import (
	"sync"
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// PooledDispatcher runs actors' mailboxes on reused goroutines.
// Proto.Actor's default starts a goroutine each time an idle actor gets a
// message; a chat actor is idle between nearly all its messages, so under
// load the server started tens of thousands of goroutines a second, and
// each grew its stack again from 2 KiB to what encoding a frame needs
// (goroutine creation and stack growth were about a tenth of the CPU). A
// pooled goroutine keeps its grown stack.
//
// Written by hand: github.com/panjf2000/ants was tried first, and its
// pool-wide spin lock (which yields with Gosched) serialised every
// schedule; under S1 the server idled at a third of a core while messages
// waited 25 s. Here an idle goroutine waits on an unbuffered channel, so
// handing it a mailbox is one channel send, and a schedule that finds none
// idle starts a goroutine, as Proto.Actor would.
type PooledDispatcher struct {
	work       chan func()
	quit       chan struct{}
	quitOnce   sync.Once
	idle       time.Duration
	throughput int
}

var _ actor.Dispatcher = (*PooledDispatcher)(nil)

// NewPooledDispatcher returns a dispatcher whose goroutines exit after idle
// without work. It never makes a mailbox wait for a free goroutine: an
// actor may block (a store read), and a bounded pool could deadlock.
func NewPooledDispatcher(throughput int, idle time.Duration) *PooledDispatcher {
	return &PooledDispatcher{
		work:       make(chan func()),
		quit:       make(chan struct{}),
		idle:       idle,
		throughput: throughput,
	}
}

// Schedule implements actor.Dispatcher.
func (d *PooledDispatcher) Schedule(fn func()) {
	select {
	case d.work <- fn:
	default:
		go d.worker(fn)
	}
}

func (d *PooledDispatcher) worker(fn func()) {
	fn()
	t := time.NewTimer(d.idle)
	defer t.Stop()
	for {
		select {
		case fn = <-d.work:
			fn()
			t.Reset(d.idle)
		case <-t.C:
			return
		case <-d.quit:
			return
		}
	}
}

// Throughput implements actor.Dispatcher: how many messages a mailbox
// handles before giving its goroutine up.
func (d *PooledDispatcher) Throughput() int { return d.throughput }

// Release makes idle goroutines exit at once, and busy ones when their
// mailbox is done. Schedules after it still run.
func (d *PooledDispatcher) Release() {
	d.quitOnce.Do(func() { close(d.quit) })
}
