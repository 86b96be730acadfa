package actors

import (
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// TestStoreWriterGroupCommit: writes that wait in the mailbox while a
// commit runs join the next one, without the writer sending itself
// anything; a flood bigger than a batch is committed a batch at a time,
// never held until the mailbox empties; every write is answered.
func TestStoreWriterGroupCommit(t *testing.T) {
	for _, tc := range []struct {
		name            string
		maxBatch, n     int
		commits, widest int
	}{
		{"AllInOne", 4096, 100, 2, 99},          // the held one, then the other 99
		{"FloodInBatches", 10, 100, 1 + 10, 10}, // the held one, then 99 by tens
	} {
		t.Run(tc.name, func(t *testing.T) {
			log := slog.New(slog.NewTextHandler(io.Discard, nil))
			system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log }))
			t.Cleanup(system.Shutdown)
			gate := make(chan struct{})
			st := &fencingStore{stale: map[string]bool{}, gate: gate, entered: make(chan struct{}, 1)}
			var widths []int
			writer := system.Root.Spawn(NewStoreWriterProps(StoreWriterConfig{
				Store: st, Log: log, MaxBatch: tc.maxBatch,
				Observe: func(entries int, _ time.Duration, _ error) { widths = append(widths, entries) },
			}))
			got := make(chan any, tc.n)
			replyTo := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &replies{got: got} }))
			write := func(token int) {
				system.Root.Send(writer, &StoreWrite{ReplyTo: replyTo, Token: uint64(token), Batch: store.Batch{Reads: []store.ReadMark{{Conv: "cv_x", PartyID: "p"}}}})
			}
			write(0)
			select {
			case <-st.entered: // the first commit holds the store
			case <-time.After(testWait):
				t.Fatal("the store writer never applied")
			}
			for i := 1; i < tc.n; i++ {
				write(i) // a local Send posts before it returns
			}
			close(gate)
			for range tc.n {
				select {
				case m := <-got:
					if _, ok := m.(*Stored); !ok {
						t.Fatalf("answer %#v, want Stored", m)
					}
				case <-time.After(testWait):
					t.Fatal("a write was never answered")
				}
			}
			// Observe runs on the writer before its answers: all seen.
			widest := 0
			for _, w := range widths {
				widest = max(widest, w)
			}
			if len(widths) != tc.commits || widest != tc.widest {
				t.Fatalf("commits of %v entries, want %d commits, the widest %d", widths, tc.commits, tc.widest)
			}
		})
	}
}

// TestStoreWriterLinger: with a linger, writes that trickle in wait for
// it and go in one commit, none answered before it is over; a batch that
// fills (lingerBatch entries) commits at once, without waiting it out.
func TestStoreWriterLinger(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	system := actor.NewActorSystem(actor.WithLoggerFactory(func(*actor.ActorSystem) *slog.Logger { return log }))
	t.Cleanup(system.Shutdown)
	const linger = 200 * time.Millisecond
	commits := make(chan int, 16)
	writer := system.Root.Spawn(NewStoreWriterProps(StoreWriterConfig{
		Store: &fencingStore{stale: map[string]bool{}}, Log: log, Linger: linger,
		Observe: func(entries int, _ time.Duration, _ error) { commits <- entries },
	}))
	got := make(chan any, 1024)
	replyTo := system.Root.Spawn(actor.PropsFromProducer(func() actor.Actor { return &replies{got: got} }))
	write := func(token int) {
		system.Root.Send(writer, &StoreWrite{ReplyTo: replyTo, Token: uint64(token), Batch: store.Batch{Reads: []store.ReadMark{{Conv: "cv_x", PartyID: "p"}}}})
	}
	awaitCommit := func(want int) {
		t.Helper()
		select {
		case n := <-commits:
			if n != want {
				t.Fatalf("committed %d entries, want %d", n, want)
			}
		case <-time.After(testWait):
			t.Fatalf("no commit of %d", want)
		}
	}

	start := time.Now()
	for i := range 5 {
		write(i)
	}
	awaitCommit(5)
	if took := time.Since(start); took < linger {
		t.Fatalf("committed after %v, want the %v linger waited out", took, linger)
	}

	start = time.Now()
	for i := range lingerBatch {
		write(i)
	}
	awaitCommit(lingerBatch)
	if took := time.Since(start); took >= linger {
		t.Fatalf("a full batch committed after %v, want before the %v linger", took, linger)
	}
	for range 5 + lingerBatch {
		select {
		case <-got:
		case <-time.After(testWait):
			t.Fatal("a write was never answered")
		}
	}
}
