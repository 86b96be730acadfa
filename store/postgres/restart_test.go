package postgres_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"kefu/internal/pgtest"
	"kefu/store"
	"kefu/store/postgres"
)

// The load of TestRestartUnderLoad: writers, each with a conversation of
// its own, commit batches of batchLen messages until each has batches.
const (
	restartWriters  = 8
	restartBatches  = 400
	restartBatchLen = 4
	restartWait     = 2 * time.Minute // far above what a healthy run takes
)

// TestRestartUnderLoad kills PostgreSQL (an immediate shutdown, as a crash)
// while writers commit as fast as they can, and starts it again. A writer
// whose Apply fails sends the same batch again, as kefu's clients resend
// after not_stored, until it is stored. Every batch acknowledged (Apply
// returned nil), before the kill or after, must be stored at its seqs
// exactly once, and the resends of batches whose commit's outcome was
// unknown (if the kill fell inside one) must not be stored twice.
func TestRestartUnderLoad(t *testing.T) {
	cluster := pgtest.NewCluster(t)
	st := openAt(t, cluster.URL)
	ctx, cancel := context.WithTimeout(context.Background(), restartWait)
	defer cancel()

	var acked, failed atomic.Int64
	var wg sync.WaitGroup
	for w := range restartWriters {
		wg.Go(func() {
			if err := restartWriter(ctx, st, w, &acked, &failed); err != nil {
				t.Error(err)
			}
		})
	}
	// Mid-load: a tenth of the batches acknowledged.
	waitFor(t, ctx, "a tenth of the batches", func() bool { return acked.Load() >= restartWriters*restartBatches/10 })
	cluster.Kill(t)
	waitFor(t, ctx, "a failed commit", func() bool { return failed.Load() > 0 })
	ackedAtKill := acked.Load()
	cluster.Start(t)
	wg.Wait()
	if t.Failed() {
		return
	}
	t.Logf("acked at the kill: %d batches; failed commits: %d", ackedAtKill, failed.Load())

	for w := range restartWriters {
		conv := fmt.Sprint("r", w)
		msgs, err := st.Messages(context.Background(), conv, 0, 0)
		if err != nil {
			t.Fatal(err)
		}
		if got, want := len(msgs), restartBatches*restartBatchLen; got != want {
			t.Fatalf("%s: %d messages stored, want %d", conv, got, want)
		}
		for i, m := range msgs {
			if want := restartMsg(conv, uint64(i+1)); m.Seq != want.Seq || m.Text != want.Text || m.ClientID != want.ClientID {
				t.Fatalf("%s: message %d is %+v, want %+v", conv, i, m, want)
			}
		}
	}
}

// restartWriter commits writer w's batches in order, each until it is
// stored.
func restartWriter(ctx context.Context, st *postgres.Store, w int, acked, failed *atomic.Int64) error {
	conv := fmt.Sprint("r", w)
	seq := uint64(0)
	for i := range restartBatches {
		b := &store.Batch{}
		if i == 0 {
			b.Conversations = []store.Conversation{{ID: conv, CustomerID: "cu_" + conv, Ticket: uint64(w + 1), StartedAt: time.UnixMilli(0)}}
		}
		for range restartBatchLen {
			seq++
			b.Messages = append(b.Messages, restartMsg(conv, seq))
		}
		for {
			err := st.Apply(ctx, b)
			if err == nil {
				acked.Add(1)
				break
			}
			failed.Add(1)
			if ctx.Err() != nil {
				return fmt.Errorf("%s: batch %d never stored: %v", conv, i, err)
			}
			// kefu's conversations wait too before writing again.
			select {
			case <-time.After(10 * time.Millisecond):
			case <-ctx.Done():
			}
		}
	}
	return nil
}

// restartMsg is message seq of conv.
func restartMsg(conv string, seq uint64) store.Message {
	return store.Message{Conv: conv, Seq: seq, SenderID: "cu_" + conv, SenderRole: "customer",
		Text: fmt.Sprintf("%s-%d", conv, seq), ClientID: fmt.Sprint("c", seq), At: time.UnixMilli(int64(seq))}
}

// waitFor polls cond until it holds, or fails t when ctx ends.
func waitFor(t *testing.T, ctx context.Context, what string, cond func() bool) {
	t.Helper()
	tick := time.NewTicker(time.Millisecond)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			t.Fatalf("waiting for %s: %v", what, ctx.Err())
		case <-tick.C:
		}
	}
}
