package actors

import (
	"context"
	"errors"
	"log/slog"
	"runtime"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"

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
)

// Stored says the write with Token is durable.
type Stored struct{ Token uint64 }

// StoreFailed says the write with Token was not stored; nothing of it was.
// Err wraps store.ErrFenced when a fence the write carried was stale: its
// writer is a zombie (conversation_fenced.go).
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
	// Node is this node's id for the store's fencing (its lease), put on
	// every batch that carries fences; "" on a single node, which sends
	// none.
	Node string
	// Fenced, if set, is told of each write refused for a stale fence.
	Fenced func()
	// Linger is how long a commit waits, from its first write, for more
	// to join it (-commit-linger); 0: it commits as soon as nothing more
	// waits in the mailbox. Each message's ack and delivery wait up to
	// this long more; in exchange a commit's fixed cost (its WAL write
	// and locks) is shared by more messages when they trickle in.
	Linger time.Duration
	// MailQueued, if set, is called after a commit that queued mail: the
	// mailer's nudge, which never blocks.
	MailQueued func()
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
	// queued is how many messages wait in the writer's mailbox behind
	// the one it handles.
	queued  func() int
	pending []*StoreWrite
	entries int // in pending
	batch   store.Batch
	// With a Linger: the timer for the commit the pending writes wait
	// for, and its generation (a commit made early, when the batch
	// filled, leaves its timer stale).
	timers    *scheduler.TimerScheduler
	lingering bool
	lingerGen uint64
}

// lingerDone is the writer's linger timer: commit what waits.
type lingerDone struct{ gen uint64 }

// lingerBatch is the number of entries that commits without waiting out
// the linger: by then the commit's fixed cost is well shared.
const lingerBatch = 256

// yieldBelow is the batch size under which the writer yields once before
// committing: a bigger batch already spreads the commit's cost.
const yieldBelow = 64

// NewStoreWriterProps returns the props of the store writer: spawn one
// writer from them, as its mailbox is the one the writer looks into.
func NewStoreWriterProps(cfg StoreWriterConfig) *actor.Props {
	if cfg.MaxBatch <= 0 {
		cfg.MaxBatch = 4096
	}
	mailbox, queued := countedMailbox()
	return actor.PropsFromProducer(func() actor.Actor { return &storeWriter{StoreWriterConfig: cfg, queued: queued} },
		actor.WithMailbox(mailbox))
}

// Receive handles one message; state changes only here. Writes gather
// while more messages wait, and the last of a burst commits them all: a
// commit costs no message of its own (it cost two self-sends and a yield
// per commit before, most of a small commit's hand-offs).
func (w *storeWriter) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		if w.Linger > 0 {
			w.timers = scheduler.NewTimerScheduler(ctx)
		}
	case *StoreWrite:
		w.pending = append(w.pending, msg)
		w.entries += msg.Batch.Len()
	case *lingerDone:
		if msg.gen == w.lingerGen && w.lingering {
			w.lingering = false
			w.flush(ctx)
		}
		return
	case *actor.Stopping:
		w.flush(ctx) // what was asked before the stop is still stored
		return
	}
	switch {
	case len(w.pending) == 0:
	case w.Linger > 0:
		w.linger(ctx)
	case w.drained():
		w.flush(ctx)
	}
}

// linger commits a full batch now, and arms the timer for a batch that
// has just begun.
func (w *storeWriter) linger(ctx actor.Context) {
	if w.entries >= lingerBatch {
		w.lingering = false
		w.lingerGen++
		w.flush(ctx)
		return
	}
	if !w.lingering {
		w.lingering = true
		w.lingerGen++
		w.timers.SendOnce(w.Linger, ctx.Self(), &lingerDone{gen: w.lingerGen})
	}
}

// drained says whether nothing more waits to join the commit. A commit's
// fixed cost (the WAL write and its locks) is most of what a small one
// costs, and under load the writes of the conversations running right now
// are microseconds away: below yieldBelow, one trip through the scheduler
// lets them join first (S2 went from 1.6 to about 9 messages a commit).
// What arrived meanwhile is handled next, and the last of it commits.
func (w *storeWriter) drained() bool {
	if len(w.pending) >= w.MaxBatch {
		return true // a flood that never lets the mailbox empty still commits
	}
	// The count can read -1: a sender pushes its message before it
	// counts it, and the writer may take the message in between. Above 0
	// is what says a message waits behind this one.
	if w.queued() > 0 {
		return false
	}
	if len(w.pending) < yieldBelow {
		runtime.Gosched()
		return w.queued() <= 0
	}
	return true
}

func (w *storeWriter) flush(ctx actor.Context) {
	for len(w.pending) > 0 {
		n, entries := 1, w.pending[0].Batch.Len()
		for n < len(w.pending) && entries+w.pending[n].Batch.Len() <= w.MaxBatch {
			entries += w.pending[n].Batch.Len()
			n++
		}
		w.commit(ctx, w.pending[:n])
		clear(w.pending[:n])
		w.pending = w.pending[n:]
	}
	w.pending = w.pending[:0:0]
	w.entries = 0
}

// commit stores writes in one transaction and answers each. A write the
// store refuses must not fail the others it was grouped with: for a stale
// fence, the writes that carried it are refused and the others committed
// again without them; for ErrInvalid, they are taken one at a time.
func (w *storeWriter) commit(ctx actor.Context, writes []*StoreWrite) {
	for len(writes) > 0 {
		w.batch.Reset()
		for _, write := range writes {
			w.batch.Append(&write.Batch)
		}
		if len(w.batch.Fences) > 0 {
			w.batch.FenceNode = w.Node
		}
		err := w.apply(&w.batch)
		var fenced *store.FencedError
		switch {
		case errors.As(err, &fenced):
			rest := make([]*StoreWrite, 0, len(writes))
			for _, write := range writes {
				if fenced.Stale(write.Batch.Fences) {
					w.refuseFenced(ctx, write, err)
				} else {
					rest = append(rest, write)
				}
			}
			if len(rest) == len(writes) {
				// It names none of them: nothing to split by (never so).
				w.replyAll(ctx, writes, err)
				return
			}
			writes = rest
		case errors.Is(err, store.ErrInvalid) && len(writes) > 1:
			for _, write := range writes {
				w.commit(ctx, []*StoreWrite{write})
			}
			return
		default:
			w.replyAll(ctx, writes, err)
			return
		}
	}
}

// refuseFenced answers a write refused for its stale fence, and counts it.
func (w *storeWriter) refuseFenced(ctx actor.Context, write *StoreWrite, err error) {
	if w.Fenced != nil {
		w.Fenced()
	}
	w.reply(ctx, write, err)
}

func (w *storeWriter) replyAll(ctx actor.Context, writes []*StoreWrite, err error) {
	for _, write := range writes {
		w.reply(ctx, write, err)
	}
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
	switch {
	case err == nil && len(b.Mail) > 0 && w.MailQueued != nil:
		w.MailQueued()
	case errors.Is(err, store.ErrFenced):
		// Another node owns what it wrote: its writer stops, not an I/O fault.
		w.Log.Warn("store write fenced", "entries", b.Len(), "err", err)
	case err != nil:
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
