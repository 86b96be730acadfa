package actors

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// fencingStore refuses, as a store's Apply does, any batch that carries a
// fence on one of the stale keys, naming those keys; it keeps every other
// batch's fences and node. gate, if set, holds the next Apply until
// closed, after saying on entered that it is held.
type fencingStore struct {
	store.Discard
	mu      sync.Mutex
	stale   map[string]bool
	applied []store.Batch // what was stored: fences and node
	refused int

	gate    chan struct{}
	entered chan struct{}
}

func (s *fencingStore) Apply(_ context.Context, b *store.Batch) error {
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
	var stale []store.Fence
	for _, f := range b.Fences {
		if s.stale[f.Key] || s.stale["*"] { // "*": the node's lease lapsed
			stale = append(stale, f)
		}
	}
	if len(stale) > 0 {
		s.refused++
		return store.NewFencedError(stale)
	}
	s.applied = append(s.applied, store.Batch{Fences: slices.Clone(b.Fences), FenceNode: b.FenceNode})
	return nil
}

func (s *fencingStore) setStale(key string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.stale[key] = true
}

// replies collects what the store writer answers.
type replies struct{ got chan any }

func (r *replies) Receive(ctx actor.Context) {
	switch ctx.Message().(type) {
	case *Stored, *StoreFailed:
		r.got <- ctx.Message()
	}
}

// TestStoreWriterFenced: of writes grouped in one commit, the one whose
// fence is stale is refused with ErrFenced (and counted); the others,
// fenced or not, are committed again without it, with the writer's node.
func TestStoreWriterFenced(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log }))
	t.Cleanup(system.Shutdown)
	gate := make(chan struct{})
	st := &fencingStore{stale: map[string]bool{"cv_stale": true}, gate: gate, entered: make(chan struct{}, 1)}
	var fenced atomic.Int64
	writer := system.Root.Spawn(NewStoreWriterProps(StoreWriterConfig{
		Store: st, Log: log, Node: "node-a", Fenced: func() { fenced.Add(1) },
	}))
	got := make(chan any, 16)
	replyTo := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &replies{got: got} }))

	// The first write holds the store, so that the next three gather
	// behind it in one commit.
	system.Root.Send(writer, &StoreWrite{ReplyTo: replyTo, Token: 1, Batch: store.Batch{Reads: []store.ReadMark{{Conv: "cv_x", PartyID: "p"}}}})
	select {
	case <-st.entered:
	case <-time.After(testWait):
		t.Fatal("the store writer never applied")
	}
	fence := func(key string) []store.Fence { return []store.Fence{{Key: key, Epoch: 3}} }
	entry := store.Batch{Reads: []store.ReadMark{{Conv: "cv_x", PartyID: "p"}}}
	for token, fences := range map[uint64][]store.Fence{2: fence("cv_stale"), 3: fence("cv_ok"), 4: nil} {
		b := entry
		b.Fences = fences
		system.Root.Send(writer, &StoreWrite{ReplyTo: replyTo, Token: token, Batch: b})
	}
	// A local Send posts to the mailbox before it returns: all three wait
	// there, behind the held commit, when the store lets go.
	close(gate)

	answers := map[uint64]error{}
	for len(answers) < 4 {
		select {
		case m := <-got:
			switch m := m.(type) {
			case *Stored:
				answers[m.Token] = nil
			case *StoreFailed:
				answers[m.Token] = m.Err
			}
		case <-time.After(testWait):
			t.Fatalf("answers=%v, want 4", answers)
		}
	}
	for token, want := range map[uint64]bool{1: false, 2: true, 3: false, 4: false} {
		if err := answers[token]; errors.Is(err, store.ErrFenced) != want || (!want && err != nil) {
			t.Fatalf("write %d: err=%v, want fenced=%v", token, err, want)
		}
	}
	if got, want := fenced.Load(), int64(1); got != want {
		t.Fatalf("fenced writes counted=%d, want %d", got, want)
	}
	st.mu.Lock()
	defer st.mu.Unlock()
	last := st.applied[len(st.applied)-1]
	if got, want := last.Fences, fence("cv_ok"); !slices.Equal(got, want) || last.FenceNode != "node-a" {
		t.Fatalf("committed again: fences %v of node %q, want %v of node-a", got, last.FenceNode, want)
	}
	if st.refused != 1 {
		t.Fatalf("refused commits=%d, want 1 (the three writes in one)", st.refused)
	}
}
