package storetest

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"

	"kefu/store"
)

// racers is how many goroutines contend in each concurrency test.
const racers = 20

// Concurrent Apply: appliers goroutines, each writing its own conversation
// in applyBatches batches of applyBatchLen messages.
const (
	appliers       = 8
	applyBatches   = 25
	applyBatchLen  = 8
	applyPerWriter = applyBatches * applyBatchLen
)

func testConcurrent(t *testing.T, open Opener) {
	t.Run("CreateAgentSameName", func(t *testing.T) { testConcurrentCreateAgent(t, open(t)) })
	t.Run("SecretFirstCall", func(t *testing.T) { testConcurrentSecret(t, open(t)) })
	t.Run("Apply", func(t *testing.T) { testConcurrentApply(t, open(t)) })
}

// testConcurrentCreateAgent: of racers creating one name (in two cases),
// exactly one succeeds and the others get ErrNameTaken.
func testConcurrentCreateAgent(t *testing.T, st store.Store) {
	ctx := context.Background()
	errs := make([]error, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			name := "Racer"
			if i%2 == 1 {
				name = strings.ToLower(name) // same name, other case
			}
			_, errs[i] = st.CreateAgent(ctx, name, []byte("h"), store.RoleAgent, 3)
		})
	}
	wg.Wait()
	ok := 0
	for i, err := range errs {
		switch {
		case err == nil:
			ok++
		case !errors.Is(err, store.ErrNameTaken):
			t.Fatalf("racer %d: err=%v, want nil or ErrNameTaken", i, err)
		}
	}
	if got, want := ok, 1; got != want {
		t.Fatalf("successes=%d, want %d", got, want)
	}
	if got, err := st.CountAgents(ctx); err != nil || got != 1 {
		t.Fatalf("CountAgents=%d, %v, want 1", got, err)
	}
}

// testConcurrentSecret: racers asking for the secret of a new store all
// get the same one.
func testConcurrentSecret(t *testing.T, st store.Store) {
	ctx := context.Background()
	keys := make([][]byte, racers)
	var wg sync.WaitGroup
	for i := range racers {
		wg.Go(func() {
			var err error
			if keys[i], err = st.Secret(ctx); err != nil {
				t.Errorf("racer %d: %v", i, err)
			}
		})
	}
	wg.Wait()
	for i, k := range keys {
		if !bytes.Equal(k, keys[0]) {
			t.Fatalf("racer %d got another secret than racer 0", i)
		}
	}
}

// testConcurrentApply: every batch lands, whichever goroutine sends it; all
// writers also touch one shared conversation's read marks.
func testConcurrentApply(t *testing.T, st store.Store) {
	mustApply(t, st, &store.Batch{Conversations: []store.Conversation{newConv("shared", 1, at(0))}})
	var wg sync.WaitGroup
	for i := range appliers {
		wg.Go(func() { applyAsWriter(t, st, i) })
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	checkConcurrentApply(t, st)
}

// applyAsWriter is writer i of testConcurrentApply: its own conversation
// in applyBatches batches, each also moving its read mark on "shared".
// It runs in its own goroutine, so it reports with t.Errorf.
func applyAsWriter(t *testing.T, st store.Store, i int) {
	ctx := context.Background()
	conv := fmt.Sprint("w", i)
	party := fmt.Sprint("p", i)
	b := &store.Batch{Conversations: []store.Conversation{newConv(conv, uint64(i+2), at(i))}}
	seq := uint64(0)
	for range applyBatches {
		for range applyBatchLen {
			seq++
			b.Messages = append(b.Messages, newMsg(conv, seq))
		}
		b.Reads = append(b.Reads, store.ReadMark{Conv: "shared", PartyID: party, Seq: seq})
		b.Routing = append(b.Routing, store.RoutingEvent{Kind: "assigned", Conv: conv, Ticket: uint64(i + 2), At: at(int(seq))})
		if err := st.Apply(ctx, b); err != nil {
			t.Errorf("writer %d: %v", i, err)
			return
		}
		b.Reset()
	}
}

// checkConcurrentApply checks what the writers of testConcurrentApply left:
// every message in order, every read mark at its last, every ticket.
func checkConcurrentApply(t *testing.T, st store.Store) {
	for i := range appliers {
		conv := fmt.Sprint("w", i)
		msgs := mustMessages(t, st, conv, 0, 0)
		if got, want := len(msgs), applyPerWriter; got != want {
			t.Fatalf("%s: len(messages)=%d, want %d", conv, got, want)
		}
		for j, m := range msgs {
			if got, want := m.Seq, uint64(j+1); got != want {
				t.Fatalf("%s: message %d has seq %d, want %d", conv, j, got, want)
			}
		}
	}
	marks := mustReads(t, st, "shared")
	if got, want := len(marks), appliers; got != want {
		t.Fatalf("len(read marks)=%d, want %d", got, want)
	}
	for _, r := range marks {
		if got, want := r.Seq, uint64(applyPerWriter); got != want {
			t.Fatalf("read mark of %s=%d, want %d", r.PartyID, got, want)
		}
	}
	if got, err := st.MaxTicket(context.Background()); err != nil || got != appliers+1 {
		t.Fatalf("MaxTicket=%d, %v, want %d", got, err, appliers+1)
	}
}
