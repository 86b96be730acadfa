package store

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// TestCheckpointerEmptiesTheLog: with SQLite's automatic checkpoints off,
// the checkpointer copies the write-ahead log into the database while the
// writer goes on, so the log does not grow without bound.
func TestCheckpointerEmptiesTheLog(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	start := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	b := &Batch{Conversations: []Conversation{{ID: "c1", CustomerID: "cu_1", CustomerName: "A", Ticket: 1, StartedAt: start}}}
	for seq := uint64(1); seq <= 500; seq++ {
		b.Messages = append(b.Messages, Message{Conv: "c1", Seq: seq, SenderID: "cu_1", SenderRole: "customer",
			SenderName: "A", Text: fmt.Sprint("line ", seq), ClientID: fmt.Sprint("m", seq), At: start})
	}
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	// wal_checkpoint(PASSIVE) reports the log's frames and how many of
	// them are in the database; a checkpoint that has run leaves none
	// behind. Polled: the checkpointer runs every checkpointEvery.
	deadline := time.After(10 * checkpointEvery)
	tick := time.NewTicker(checkpointEvery / 10)
	defer tick.Stop()
	for {
		var busy, logFrames, done int
		if err := s.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(NOOP)").Scan(&busy, &logFrames, &done); err != nil {
			t.Fatal(err)
		}
		if logFrames > 0 && done == logFrames {
			return
		}
		select {
		case <-deadline:
			t.Fatalf("log frames %d, checkpointed %d: the checkpointer did not run", logFrames, done)
		case <-tick.C:
		}
	}
}

// TestCloseTwice: closing the store again is harmless (the server closes
// it at shutdown even when a test, or a failure, closed it first).
func TestCloseTwice(t *testing.T) {
	s, err := OpenSQLite(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	s.Close()
}

// TestLogStartsOverUnderSteadyWrites: a writer that never pauses still sees
// the log start over from its beginning, rather than grow by every page it
// writes (the soak's log reached 40 GB in ten minutes). Without the
// writer's catch-up, each checkpoint pass ends behind the writer and the
// log's frame count only rises.
func TestLogStartsOverUnderSteadyWrites(t *testing.T) {
	ctx := context.Background()
	s := openTemp(t)
	start := time.Date(2026, 11, 26, 0, 0, 0, 0, time.UTC)
	const convs = 50
	b := &Batch{}
	for c := range convs {
		b.Conversations = append(b.Conversations, Conversation{ID: fmt.Sprint("c", c), CustomerID: fmt.Sprint("cu_", c),
			CustomerName: "A", Ticket: uint64(c + 1), StartedAt: start})
	}
	if err := s.Apply(ctx, b); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * checkpointEvery)
	peak := 0
	for seq := uint64(1); ; seq++ {
		// One message in each conversation per commit: every commit
		// rewrites many pages, as under load.
		b := &Batch{}
		for c := range convs {
			b.Messages = append(b.Messages, Message{Conv: fmt.Sprint("c", c), Seq: seq, SenderID: fmt.Sprint("cu_", c),
				SenderRole: "customer", SenderName: "A", Text: fmt.Sprint("line ", seq), ClientID: fmt.Sprint("m", seq), At: start})
		}
		if err := s.Apply(ctx, b); err != nil {
			t.Fatal(err)
		}
		var busy, logFrames, done int
		if err := s.db.QueryRowContext(ctx, "PRAGMA wal_checkpoint(NOOP)").Scan(&busy, &logFrames, &done); err != nil {
			t.Fatal(err)
		}
		if logFrames < peak {
			return // started over
		}
		peak = logFrames
		if time.Now().After(deadline) {
			t.Fatalf("after %d commits with no pause the log has %d frames and never started over", seq, logFrames)
		}
	}
}
