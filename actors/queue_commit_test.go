package actors

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/internal/ids"
	"kefu/internal/poll"
	"kefu/store"
)

// routingStore keeps the routing events it stores, in order, with the
// fences of each write. It can hold the next write that carries routing
// events (gate, saying so on entered), fail writes with an I/O error
// (failing, or always with down), or refuse any write fenced with a key in
// stale as a store's Apply does.
type routingStore struct {
	store.Discard
	mu      sync.Mutex
	routing []store.RoutingEvent
	fences  [][]store.Fence // of each write stored
	applies int             // writes with routing events tried

	gate    chan struct{}
	entered chan struct{}
	failing int  // the next writes that fail
	down    bool // every write fails
	stale   map[string]bool
}

var errDiskGone = errors.New("disk I/O error")

func (s *routingStore) Apply(_ context.Context, b *store.Batch) error {
	if len(b.Routing) == 0 {
		return nil
	}
	s.mu.Lock()
	gate := s.gate
	s.gate = nil
	s.mu.Unlock()
	if gate != nil {
		s.entered <- struct{}{}
		<-gate
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.applies++
	for _, f := range b.Fences {
		if s.stale[f.Key] {
			return store.NewFencedError([]store.Fence{f})
		}
	}
	if s.down || s.failing > 0 {
		s.failing--
		return errDiskGone
	}
	s.routing = append(s.routing, b.Routing...)
	s.fences = append(s.fences, slices.Clone(b.Fences))
	return nil
}

// hold makes the next routing write wait until the returned func is called.
func (s *routingStore) hold() (release func()) {
	gate := make(chan struct{})
	s.mu.Lock()
	s.gate, s.entered = gate, make(chan struct{}, 1)
	s.mu.Unlock()
	return func() { close(gate) }
}

// held waits until the held write has reached the store.
func (s *routingStore) held(t *testing.T) {
	t.Helper()
	select {
	case <-s.entered:
	case <-time.After(testWait):
		t.Fatal("no routing write reached the store")
	}
}

// kinds is what the store holds of customer's routing events, in order.
func (s *routingStore) kinds(customer string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for _, e := range s.routing {
		if e.Customer == customer {
			out = append(out, e.Kind)
		}
	}
	return out
}

// marker is what settled sends a probe last.
type marker struct{}

// settled waits until the dispatcher has handled everything sent to it so
// far, its position updates included, and returns what p got meanwhile.
// The first stats round trip comes behind the messages sent before it,
// whose handling queued any position update; the second behind that
// update. The marker then reaches p behind whatever the dispatcher sent
// it.
func (f *fixture) settled(p *probe) []any {
	f.t.Helper()
	f.stats()
	f.stats()
	f.send(p.pid, &marker{})
	var got []any
	for {
		m := waitFor[any](f.t, p, nil)
		if _, ok := m.(*marker); ok {
			return got
		}
		got = append(got, m)
	}
}

// told fails if any of msgs is one of the answers that say where a
// customer stands in the queue.
func told(t *testing.T, what string, msgs []any) {
	t.Helper()
	for _, m := range msgs {
		switch m.(type) {
		case *Queued, *Dequeued, *CustomerAdmitted:
			t.Fatalf("%s: customer told %T %+v before the store had it", what, m, m)
		}
	}
}

// TestQueueCommittedBeforeAnswered: a customer is told it is in the queue
// (queued, an admission's place) or out of it (dequeued) only once the
// routing event that says so is stored; while the store holds that
// commit, it is told nothing.
func TestQueueCommittedBeforeAnswered(t *testing.T) {
	cfg := DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute}
	t.Run("Queued", func(t *testing.T) {
		st := &routingStore{}
		f := newStoreFixture(t, st, cfg)
		c, p := f.customer("ann")
		release := st.hold()
		asked := time.Now()
		f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
		st.held(t)
		told(t, "commit held", f.settled(p))
		release()
		if got := waitFor[*Queued](t, p, nil).Position; got != 1 {
			t.Fatalf("position=%d, want 1", got)
		}
		t.Logf("request to queued, one commit held then let go: %v", time.Since(asked))
		if got, want := st.kinds(c.ID), []string{store.EventQueued}; !slices.Equal(got, want) {
			t.Fatalf("stored %v, want %v", got, want)
		}
	})
	t.Run("Dequeued", func(t *testing.T) {
		st := &routingStore{}
		f := newStoreFixture(t, st, cfg)
		c, p := f.customer("ann")
		f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
		waitFor[*Queued](t, p, nil)
		release := st.hold()
		f.send(f.dispatcher, &CancelRequest{Customer: c.ID})
		st.held(t)
		told(t, "commit held", f.settled(p))
		release()
		waitFor[*Dequeued](t, p, nil)
		if got, want := st.kinds(c.ID), []string{store.EventQueued, store.EventLeftQueue}; !slices.Equal(got, want) {
			t.Fatalf("stored %v, want %v", got, want)
		}
	})
	t.Run("CancelBeforeStored", func(t *testing.T) {
		// Queued is still answered before dequeued, each once stored.
		st := &routingStore{}
		f := newStoreFixture(t, st, cfg)
		c, p := f.customer("ann")
		release := st.hold()
		f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
		st.held(t)
		f.send(f.dispatcher, &CancelRequest{Customer: c.ID})
		told(t, "commit held", f.settled(p))
		release()
		waitFor[*Queued](t, p, nil)
		waitFor[*Dequeued](t, p, nil)
		if got, want := st.kinds(c.ID), []string{store.EventQueued, store.EventLeftQueue}; !slices.Equal(got, want) {
			t.Fatalf("stored %v, want %v", got, want)
		}
	})
	t.Run("Admission", func(t *testing.T) {
		// A customer back (a reload) before its request is stored is
		// admitted, queued, once it is.
		st := &routingStore{}
		f := newStoreFixture(t, st, cfg)
		c, p := f.customer("ann")
		release := st.hold()
		f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
		st.held(t)
		back := f.probe()
		f.system.Root.RequestWithCustomSender(f.dispatcher, &CustomerConnect{Customer: c, Conn: back.id, Seq: 1, Pool: PoolNative}, back.pid)
		told(t, "commit held", f.settled(back))
		told(t, "commit held", f.settled(p))
		release()
		if adm := waitFor[*CustomerAdmitted](t, back, nil); !adm.Queued || adm.Position != 1 {
			t.Fatalf("admitted %+v, want queued at 1", adm)
		}
	})
}

// TestQueueWriteRetried: a routing write the store fails (I/O) is tried
// again; what waits for it is answered once it is stored, and the events
// land in the order they happened.
func TestQueueWriteRetried(t *testing.T) {
	st := &routingStore{failing: 2}
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	c, p := f.customer("ann")
	f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
	f.send(f.dispatcher, &CancelRequest{Customer: c.ID})
	waitFor[*Queued](t, p, nil)
	waitFor[*Dequeued](t, p, nil)
	if got, want := st.kinds(c.ID), []string{store.EventQueued, store.EventLeftQueue}; !slices.Equal(got, want) {
		t.Fatalf("stored %v, want %v", got, want)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	if st.applies < 3 {
		t.Fatalf("tried %d writes, want the failed one tried again", st.applies)
	}
}

// clock is a settable test clock.
type clock struct{ ns atomic.Int64 }

func newClock() *clock {
	c := &clock{}
	c.ns.Store(time.Now().UnixNano())
	return c
}

func (c *clock) now() time.Time           { return time.Unix(0, c.ns.Load()) }
func (c *clock) advance(by time.Duration) { c.ns.Add(int64(by)) }
func (s *routingStore) tried() int        { s.mu.Lock(); defer s.mu.Unlock(); return s.applies }
func (s *routingStore) setDown(down bool) { s.mu.Lock(); s.down = down; s.mu.Unlock() }
func (s *routingStore) setStale(key string) {
	s.mu.Lock()
	s.stale = map[string]bool{key: true}
	s.mu.Unlock()
}
func (s *routingStore) storedFences() [][]store.Fence {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.fences)
}

// TestQueueStoreDown: a store that keeps failing past routingHold costs a
// customer that long, no more: the dispatcher gives the write up and
// answers from memory, as before answers waited; later answers do not wait
// until a write is stored again, and then they do.
func TestQueueStoreDown(t *testing.T) {
	clk := newClock()
	st := &routingStore{down: true}
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute, Now: clk.now})
	ann, ap := f.customer("ann")
	f.send(f.dispatcher, &RequestAgent{Customer: ann.ID})
	poll.Until(t, testWait, "the routing write reaching the store", func() bool { return st.tried() > 0 })
	told(t, "first try failed", f.settled(ap))
	clk.advance(routingHold)
	if got := waitFor[*Queued](t, ap, nil).Position; got != 1 {
		t.Fatalf("ann position=%d, want 1", got)
	}
	// The store is down: Bob is answered without waiting.
	bob, bp := f.customer("bob")
	f.send(f.dispatcher, &RequestAgent{Customer: bob.ID})
	if got := waitFor[*Queued](t, bp, nil).Position; got != 2 {
		t.Fatalf("bob position=%d, want 2", got)
	}
	// Back: a stored write makes answers wait again.
	st.setDown(false)
	cat, cp := f.customer("cat")
	f.send(f.dispatcher, &RequestAgent{Customer: cat.ID})
	waitFor[*Queued](t, cp, nil)
	poll.Until(t, testWait, "cat's queued event stored", func() bool { return len(st.kinds(cat.ID)) > 0 })
	release := st.hold()
	f.send(f.dispatcher, &CancelRequest{Customer: cat.ID})
	st.held(t)
	told(t, "store back, commit held", f.settled(cp))
	release()
	waitFor[*Dequeued](t, cp, nil)
}

// TestDispatcherFenced: on a cluster the dispatcher claims its pool's key
// as it starts and fences every routing write with the epoch; a write
// refused for a stale epoch makes it a zombie: it stops, and the customer
// whose request was refused is told nothing.
func TestDispatcherFenced(t *testing.T) {
	st := &routingStore{}
	var claimed []string
	var mu sync.Mutex
	cfg := DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute, Claim: func(key string) (int64, error) {
		mu.Lock()
		defer mu.Unlock()
		claimed = append(claimed, key)
		return 7, nil
	}}
	f := newStoreFixture(t, st, cfg)
	gone := make(chan *actor.Terminated, 1)
	f.system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &watcher{target: f.dispatcher, gone: gone} }))
	ann, ap := f.customer("ann")
	f.send(f.dispatcher, &RequestAgent{Customer: ann.ID})
	waitFor[*Queued](t, ap, nil)
	mu.Lock()
	if !slices.Contains(claimed, "dispatcher/native") {
		t.Fatalf("claimed %v, want dispatcher/native", claimed)
	}
	mu.Unlock()
	want := []store.Fence{{Key: "dispatcher/native", Epoch: 7}}
	if got := st.storedFences(); len(got) == 0 || !slices.Equal(got[0], want) {
		t.Fatalf("routing writes fenced %v, want %v", got, want)
	}

	st.setStale("dispatcher/native") // another node claimed the queue
	bob, bp := f.customer("bob")
	f.send(f.dispatcher, &RequestAgent{Customer: bob.ID})
	select {
	case <-gone:
	case <-time.After(testWait):
		t.Fatal("the fenced dispatcher did not stop")
	}
	f.send(bp.pid, &marker{})
	for {
		m := waitFor[any](t, bp, nil)
		if _, ok := m.(*marker); ok {
			break
		}
		told(t, "fenced", []any{m})
	}
	if got := st.kinds(bob.ID); len(got) != 0 {
		t.Fatalf("stored %v for bob, want nothing", got)
	}
}

// TestDispatcherClaimFails: a dispatcher that cannot claim its pool's key
// (another node holds it, or this node's lease is gone) stops at once.
func TestDispatcherClaimFails(t *testing.T) {
	f := newStoreFixture(t, &routingStore{}, DispatcherConfig{Claim: func(string) (int64, error) { return 0, store.ErrNoLease }})
	gone := make(chan *actor.Terminated, 1)
	f.system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &watcher{target: f.dispatcher, gone: gone} }))
	select {
	case <-gone:
	case <-time.After(testWait):
		t.Fatal("a dispatcher without its claim did not stop")
	}
}

// TestQueueAdmissionLatency logs what waiting for the store adds to a
// request on SQLite: about one group commit (no assertion on time).
func TestQueueAdmissionLatency(t *testing.T) {
	st, err := store.OpenSQLite(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	var total time.Duration
	const n = 20
	for i := range n {
		c, p := f.customer(fmt.Sprintf("c%d", i))
		asked := time.Now()
		f.send(f.dispatcher, &RequestAgent{Customer: c.ID})
		waitFor[*Queued](t, p, nil)
		total += time.Since(asked)
	}
	// One bare commit of one routing event, for comparison.
	var commit time.Duration
	for i := range n {
		start := time.Now()
		if err := st.Apply(context.Background(), &store.Batch{Routing: []store.RoutingEvent{{Kind: store.EventQueued, Customer: fmt.Sprintf("cu_bare%d", i), Ticket: uint64(1000 + i), At: time.Now()}}}); err != nil {
			t.Fatal(err)
		}
		commit += time.Since(start)
	}
	t.Logf("request to queued on SQLite, after the commit: %v on average over %d; one bare commit: %v", total/n, n, commit/n)
}

// TestQueueWritesFlushedOnStop: routing events not yet sent when the
// dispatcher stops (gathering behind a write in flight) go to the store
// writer as it stops, so a graceful stop, which stops the writer after the
// dispatcher, still stores them.
func TestQueueWritesFlushedOnStop(t *testing.T) {
	st := &routingStore{}
	f := newStoreFixture(t, st, DispatcherConfig{AgentGrace: time.Minute, CustomerGrace: time.Minute})
	ann, _ := f.customer("ann")
	bob, _ := f.customer("bob")
	release := st.hold()
	f.send(f.dispatcher, &RequestAgent{Customer: ann.ID})
	st.held(t)
	f.send(f.dispatcher, &RequestAgent{Customer: bob.ID})
	f.stats() // bob's request handled: his event waits behind ann's write
	if err := f.system.Root.StopFuture(f.dispatcher).Wait(); err != nil {
		t.Fatal(err)
	}
	release()
	poll.Until(t, testWait, "bob's queued event stored", func() bool { return slices.Contains(st.kinds(bob.ID), store.EventQueued) })
}

// TestConvStartCarriesDispatcherFence: on a cluster a conversation is
// started with the fence of the dispatcher that starts it, naming its node,
// for the write that first stores it (conversation_fenced.go), new or
// restored (one restored from nothing stored is written then); on a single
// node, without.
func TestConvStartCarriesDispatcherFence(t *testing.T) {
	d := NewDispatcher(DispatcherConfig{Node: "node-b"})().(*dispatcher)
	c := &convRec{id: ConvID(ids.Conv + "x"), customer: &customerRec{}, team: d.general()}
	if s := d.convStart(c, nil, false); s.StartedBy != (store.Fence{}) {
		t.Fatalf("single node: started by %+v, want no fence", s.StartedBy)
	}
	d.routing.epoch = 7
	want := store.Fence{Key: DispatcherFenceKey(PoolNative), Epoch: 7, Node: "node-b"}
	if s := d.convStart(c, nil, false); s.StartedBy != want {
		t.Fatalf("new: started by %+v, want %+v", s.StartedBy, want)
	}
	if s := d.convStart(c, nil, true); s.StartedBy != want {
		t.Fatalf("restored: started by %+v, want %+v", s.StartedBy, want)
	}
}
