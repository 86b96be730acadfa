package actors

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// Messages the store writer receives.
type (
	// StoreWrite asks for Batch to be stored. The writer answers ReplyTo
	// with *Stored or *StoreFailed carrying Token; with no ReplyTo the
	// write is fire-and-forget (routing events for reports).
	StoreWrite struct {
		Batch   store.Batch
		ReplyTo *actor.PID
		Token   uint64
	}
	// flushWrites is the writer's note to commit what has gathered;
	// yielded once it has let the other actors run first.
	flushWrites struct{ yielded bool }
)

// Stored says the write with Token is durable.
type Stored struct{ Token uint64 }

// StoreFailed says the write with Token was not stored; nothing of it was.
type StoreFailed struct {
	Token uint64
	Err   error
}

// StoreWriterConfig is everything the store writer starts with.
type StoreWriterConfig struct {
	Store store.Conversations
	Log   *slog.Logger
	// MaxBatch bounds one transaction, in entries.
	MaxBatch int
	// Observe, if set, is told the size and duration of each commit.
	Observe func(entries int, took time.Duration, err error)
}

// StoreWriterID is the id of the one store writer.
const StoreWriterID = "main"

// storeWriteTimeout bounds one commit; a store slower than this is failing.
const storeWriteTimeout = 10 * time.Second

// storeWriter is the group commit. Writes from every conversation gather in
// its mailbox while a commit runs; the next commit takes all of them in one
// transaction, so the cost of a commit is shared by however many messages
// arrived meanwhile, and nothing on the chat path opens a transaction of
// its own. Blocking on the store is this actor's whole job. Other actors
// block only on a few bounded, indexed, rare reads (a restored
// conversation's load, a deep sync, an old resend, an ended conversation's
// replay, a rating, an agent's hello), each stalling only its own
// conversation or connection: docs/durability.md, "Reads inside an actor's
// Receive", lists them with their measured cost.
type storeWriter struct {
	StoreWriterConfig
	pending   []*StoreWrite
	scheduled bool
	batch     store.Batch
}

// yieldBelow is the batch size under which the writer yields once before
// committing: a bigger batch already spreads the commit's cost.
const yieldBelow = 64

// NewStoreWriterProps returns the props of the store writer.
func NewStoreWriterProps(cfg StoreWriterConfig) *actor.Props {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 4096
	}
	return actor.PropsFromProducer(func() actor.Actor { return &storeWriter{StoreWriterConfig: cfg} })
}

// Receive handles one message; state changes only here.
func (w *storeWriter) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *StoreWrite:
		w.pending = append(w.pending, msg)
		if !w.scheduled {
			// Behind everything already in the mailbox: all of it joins
			// this commit.
			w.scheduled = true
			ctx.Send(ctx.Self(), &flushWrites{})
		}
	case *flushWrites:
		if !msg.yielded && len(w.pending) < yieldBelow {
			// A commit's fixed cost (the WAL write and its locks) is most
			// of what a small one costs, and under load the writes of the
			// conversations running right now are microseconds away. One
			// trip through the scheduler lets them join: S2 went from 1.6
			// to about 9 messages a commit.
			runtime.Gosched()
			ctx.Send(ctx.Self(), &flushWrites{yielded: true})
			return
		}
		w.scheduled = false
		w.flush(ctx)
	case *actor.Stopping:
		w.flush(ctx) // what was asked before the stop is still stored
	}
}

func (w *storeWriter) flush(ctx actor.Context) {
	for len(w.pending) > 0 {
		n := 0
		w.batch.Reset()
		for n < len(w.pending) && (n == 0 || w.batch.Len()+w.pending[n].Batch.Len() <= w.MaxBatch) {
			w.batch.Append(&w.pending[n].Batch)
			n++
		}
		err := w.apply(&w.batch)
		if errors.Is(err, store.ErrInvalid) && n > 1 {
			// One write the store refuses must not fail the others it was
			// grouped with: take them one at a time.
			for _, write := range w.pending[:n] {
				w.reply(ctx, write, w.apply(&write.Batch))
			}
		} else {
			for _, write := range w.pending[:n] {
				w.reply(ctx, write, err)
			}
		}
		clear(w.pending[:n])
		w.pending = w.pending[n:]
	}
	w.pending = w.pending[:0:0]
}

// apply commits one batch, bounded in time.
func (w *storeWriter) apply(b *store.Batch) error {
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	err := w.Store.Apply(ctx, b)
	if w.Observe != nil {
		w.Observe(b.Len(), time.Since(start), err)
	}
	if err != nil {
		w.Log.Error("store write failed", "entries", b.Len(), "err", err)
	}
	return err
}

func (w *storeWriter) reply(ctx actor.Context, write *StoreWrite, err error) {
	switch {
	case write.ReplyTo == nil:
	case err != nil:
		ctx.Send(write.ReplyTo, &StoreFailed{Token: write.Token, Err: err})
	default:
		ctx.Send(write.ReplyTo, &Stored{Token: write.Token})
	}
}
