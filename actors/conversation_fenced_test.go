package actors

import (
	"context"
	"io"
	"log/slog"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/internal/ids"
	"kefu/internal/poll"
	"kefu/store"
)

// watcher reports the Terminated of the actor it watches.
type watcher struct {
	target *actor.PID
	gone   chan *actor.Terminated
}

func (w *watcher) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		ctx.Watch(w.target)
	case *actor.Terminated:
		w.gone <- msg
	}
}

// startFencedConv starts, in a system of its own, a store writer over st
// (node "node-a") and a conversation with epoch (0: none), whose customer's
// connection is a probe; tweak, if set, changes its start (a dispatcher's
// fence, a restore). It returns the conversation, the customer, its probe
// and a channel that gets the conversation's Terminated.
func startFencedConv(t *testing.T, st store.Conversations, epoch int64, tweak func(*StartConv)) (*fixture, *actor.PID, Party, *probe, chan *actor.Terminated) {
	t.Helper()
	return startFencedConvKinds(t, st, epoch, tweak, nil)
}

// startFencedConvKinds is startFencedConv with the conversations' Kinds
// changed by kindsTweak, if set.
func startFencedConvKinds(t *testing.T, st store.Conversations, epoch int64, tweak func(*StartConv), kindsTweak func(*Kinds)) (*fixture, *actor.PID, Party, *probe, chan *actor.Terminated) {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log }))
	t.Cleanup(system.Shutdown)
	f := &fixture{t: t, system: system, dir: NewLocalDirectory(system)}
	if _, err := f.dir.Spawn(KindStore, StoreWriterID, NewStoreWriterProps(StoreWriterConfig{Store: st, Log: log, Node: "node-a"})); err != nil {
		t.Fatal(err)
	}
	p := f.probe()
	customer := Party{Role: RoleCustomer, ID: ids.Customer + "ann", Name: "Ann"}
	id := ConvID(ids.Conv + ids.New())
	kinds := &Kinds{Dir: f.dir, Store: st, Log: log, Now: time.Now}
	if epoch != 0 {
		kinds.Claim = func(key string) (int64, error) { return epoch, nil }
	}
	if kindsTweak != nil {
		kindsTweak(kinds)
	}
	f.dir.UseKinds(kinds)
	start := &StartConv{ID: id, Ticket: 1, Customer: customer, CustomerConn: p.id}
	if tweak != nil {
		tweak(start)
	}
	pid, err := f.dir.Activate(KindConv, string(id), start)
	if err != nil {
		t.Fatal(err)
	}
	gone := make(chan *actor.Terminated, 1)
	system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &watcher{target: pid, gone: gone} }))
	return f, pid, customer, p, gone
}

// TestConversationFenced: a conversation whose write is refused for a
// stale epoch is a zombie. It answers the sender not_stored, resends
// included, stores nothing more and stops (its watchers see Terminated).
// Its writes carry its epoch as a fence; with no epoch, none.
func TestConversationFenced(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		st := &fencingStore{stale: map[string]bool{}}
		f, conv, cust, p, _ := startFencedConv(t, st, 0, nil)
		waitFor[*ConvOpened](t, p, nil)
		f.send(conv, &Post{From: cust, Conn: p.id, Text: "hello", ClientID: "c1"})
		waitFor[*Ack](t, p, func(a *Ack) bool { return a.ClientID == "c1" })
		st.mu.Lock()
		defer st.mu.Unlock()
		for _, b := range st.applied {
			if len(b.Fences) != 0 {
				t.Fatalf("a conversation without an epoch sent fences %v", b.Fences)
			}
		}
	})
	t.Run("ErrFenced", func(t *testing.T) {
		st := &fencingStore{stale: map[string]bool{}}
		f, conv, cust, p, gone := startFencedConv(t, st, 7, nil)
		opened := waitFor[*ConvOpened](t, p, nil)
		st.mu.Lock()
		if len(st.applied) == 0 {
			// The record's write may still be on its way: the opened
			// frame does not wait for it.
			st.mu.Unlock()
			waitUntilApplied(t, st)
			st.mu.Lock()
		}
		first := st.applied[0]
		st.mu.Unlock()
		if want := []store.Fence{{Key: string(opened.Conv), Epoch: 7}}; !slices.Equal(first.Fences, want) || first.FenceNode != "node-a" {
			t.Fatalf("first write fenced %v by %q, want %v by node-a", first.Fences, first.FenceNode, want)
		}

		st.setStale(string(opened.Conv)) // another node claimed it
		// The store holds the post's write until its resend is queued
		// behind it, so that the resend waits on the write.
		gate := make(chan struct{})
		st.mu.Lock()
		st.gate, st.entered = gate, make(chan struct{}, 1)
		st.mu.Unlock()
		f.send(conv, &Post{From: cust, Conn: p.id, Text: "anyone?", ClientID: "c1"})
		select {
		case <-st.entered:
		case <-time.After(testWait):
			t.Fatal("the post was never written")
		}
		f.send(conv, &Post{From: cust, Conn: p.id, Text: "anyone?", ClientID: "c1"}) // the resend
		close(gate)
		for range 2 {
			e := waitFor[*FrameError](t, p, nil)
			if e.Code != ErrCodeNotStored || e.Ref != "c1" {
				t.Fatalf("refused with %+v, want not_stored for c1", e)
			}
		}
		select {
		case <-gone:
		case <-time.After(testWait):
			t.Fatal("the fenced conversation did not stop")
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		if got, want := len(st.applied), 1; got != want {
			t.Fatalf("writes stored=%d, want only the record's", got)
		}
	})
}

// TestConversationWithdrawn: a new conversation's first write carries the
// fence of the dispatcher that started it, and only its first. Refused
// for that fence (the dispatcher had lost its queue to another node), the
// conversation never existed: its customer hears it withdrawn, nothing of
// it is stored, and it stops.
func TestConversationWithdrawn(t *testing.T) {
	started := store.Fence{Key: DispatcherFenceKey(PoolNative), Epoch: 3, Node: "node-b"}
	by := func(s *StartConv) { s.StartedBy = started }
	t.Run("OK", func(t *testing.T) {
		st := &fencingStore{stale: map[string]bool{}}
		f, conv, cust, p, _ := startFencedConv(t, st, 7, by)
		opened := waitFor[*ConvOpened](t, p, nil)
		f.send(conv, &Post{From: cust, Conn: p.id, Text: "hello", ClientID: "c1"})
		waitFor[*Ack](t, p, func(a *Ack) bool { return a.ClientID == "c1" })
		st.mu.Lock()
		defer st.mu.Unlock()
		own := store.Fence{Key: string(opened.Conv), Epoch: 7}
		if got, want := st.applied[0].Fences, []store.Fence{own, started}; !slices.Equal(got, want) {
			t.Fatalf("first write fenced %v, want %v", got, want)
		}
		for _, b := range st.applied[1:] {
			if !slices.Equal(b.Fences, []store.Fence{own}) {
				t.Fatalf("a later write fenced %v, want its own fence only", b.Fences)
			}
		}
	})
	t.Run("ErrDispatcherFenced", func(t *testing.T) {
		st := &fencingStore{stale: map[string]bool{started.Key: true}}
		_, _, _, p, gone := startFencedConv(t, st, 7, by)
		opened := waitFor[*ConvOpened](t, p, nil)
		closed := waitFor[*ConvClosed](t, p, nil)
		if closed.Conv != opened.Conv || closed.Reason != ReasonWithdrawn {
			t.Fatalf("closed %+v, want %s withdrawn", closed, opened.Conv)
		}
		select {
		case <-gone:
		case <-time.After(testWait):
			t.Fatal("the withdrawn conversation did not stop")
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		if len(st.applied) != 0 || st.refused != 1 {
			t.Fatalf("stored %d writes, refused %d: want none stored, one refused", len(st.applied), st.refused)
		}
	})
	// Not withdrawn, but moved: when its own fence is refused too (its
	// node's lease lapsed), and when the store holds it after all (a
	// retried first write whose earlier try landed).
	for name, st := range map[string]store.Conversations{
		"LeaseLost":     &fencingStore{stale: map[string]bool{started.Key: true, "*": true}},
		"StoredAlready": storedConv{&fencingStore{stale: map[string]bool{started.Key: true}}},
	} {
		t.Run("Moved"+name, func(t *testing.T) {
			f, _, _, p, gone := startFencedConv(t, st, 7, by)
			waitFor[*ConvOpened](t, p, nil)
			select {
			case <-gone:
			case <-time.After(testWait):
				t.Fatal("the fenced conversation did not stop")
			}
			// What it sent before it stopped is ahead of the marker.
			f.send(p.pid, &marker{})
			if m := waitFor[any](t, p, nil); !isMarker(m) {
				t.Fatalf("its customer was told %T %+v: a conversation that moved says nothing", m, m)
			}
		})
	}
	// Restored from nothing stored (its first activation withdrawn, and a
	// stale dispatcher that saw it stop activating it again): the write
	// that would store it carries the dispatcher's fence too.
	t.Run("ErrRestoredFromNothing", func(t *testing.T) {
		st := &fencingStore{stale: map[string]bool{started.Key: true}}
		_, _, _, p, gone := startFencedConv(t, st, 7, func(s *StartConv) {
			s.StartedBy, s.Restore, s.Rehomed = started, true, true
		})
		closed := waitFor[*ConvClosed](t, p, nil)
		if closed.Reason != ReasonWithdrawn {
			t.Fatalf("closed %+v, want withdrawn", closed)
		}
		select {
		case <-gone:
		case <-time.After(testWait):
			t.Fatal("the withdrawn conversation did not stop")
		}
		st.mu.Lock()
		defer st.mu.Unlock()
		if len(st.applied) != 0 {
			t.Fatalf("stored %d writes, want none", len(st.applied))
		}
	})
}

// waitUntilApplied polls, with a deadline, until st stored a write.
func waitUntilApplied(t *testing.T, st *fencingStore) {
	t.Helper()
	poll.Until(t, testWait, "a write stored", func() bool {
		st.mu.Lock()
		defer st.mu.Unlock()
		return len(st.applied) > 0
	})
}

// storedConv is a fencingStore that holds every conversation's record.
type storedConv struct{ *fencingStore }

func (s storedConv) Conversation(_ context.Context, id string) (store.Conversation, error) {
	return store.Conversation{ID: id}, nil
}

func isMarker(m any) bool { _, ok := m.(*marker); return ok }

// TestStaleReaderStops: a conversation that has written nothing for a
// while checks its epoch before it answers a Sync from memory. Another
// node claimed it: it answers nothing and stops as moved (its watchers go
// to the owner); still its own: it answers. A reader that wrote a moment
// ago does not ask.
func TestStaleReaderStops(t *testing.T) {
	for _, tc := range []struct {
		name          string
		current       int64
		every         time.Duration
		answers, asks bool
	}{
		{"Owner", 7, time.Nanosecond, true, true},
		{"Stale", 8, time.Nanosecond, false, true},
		{"WroteJustNow", 8, time.Hour, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var asked atomic.Int32
			st := &fencingStore{stale: map[string]bool{}}
			f, conv, cust, p, gone := startFencedConvKinds(t, st, 7, nil, func(k *Kinds) {
				k.ProveEvery = tc.every
				k.Epoch = func(string) (int64, error) { asked.Add(1); return tc.current, nil }
			})
			waitFor[*ConvOpened](t, p, nil)
			f.send(conv, &Sync{Conn: p.id, Party: cust})
			if tc.answers {
				waitFor[*ConvOpened](t, p, func(o *ConvOpened) bool { return o.Why == WhySync })
			} else {
				select {
				case <-gone:
				case <-time.After(testWait):
					t.Fatal("the stale reader did not stop")
				}
				f.send(p.pid, &marker{})
				if m := waitFor[any](t, p, nil); !isMarker(m) {
					t.Fatalf("the stale reader answered %T %+v", m, m)
				}
			}
			if got := asked.Load() > 0; got != tc.asks {
				t.Fatalf("asked the epoch=%v, want %v", got, tc.asks)
			}
		})
	}
}
