package actors

import (
	"cmp"
	"context"
	"errors"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// This file holds a conversation that learns it is a zombie: its write
// was refused for a stale owner epoch (store.ErrFenced), so another node
// has claimed it and owns its log now. Nothing it numbered was stored and
// nothing more of it may be: its senders are told not_stored, so that
// they send again, to the new owner, and it stops. Its watchers see it
// Terminated, without ConvFinished: the conversation goes on elsewhere.
//
// And one that is withdrawn: a new conversation's first write carries the
// fence of the dispatcher that started it (StartConv.StartedBy). A
// dispatcher paused past its lease and woken can still start one in the
// instant before its own refused write stops it, and the conversation's
// actor, on a healthy node, would store it under its own fence: the
// dispatcher that now owns the queue never hears of it, and serves its
// customer again, while the agent and the customer hold the first one
// open for good (a clean-clone CI run of TestPausedNodeFenced). Refused
// for the dispatcher's fence, it never existed: both parties are told it
// is withdrawn, and the customer's connection asks its dispatcher where it
// stands (connection_convs.go).

// fence is what every write of the conversation carries: its claimed
// epoch, none on a single node (epoch 0), and, until its first write is
// stored, the fence of the dispatcher that started it.
func (c *conversation) fence() []store.Fence {
	if c.epoch == 0 {
		return nil
	}
	own := store.Fence{Key: string(c.ID), Epoch: c.epoch}
	if len(c.startedBy) == 0 {
		return []store.Fence{own}
	}
	return append([]store.Fence{own}, c.startedBy...)
}

// fenceOnStarter makes the write that first stores the conversation's
// record carry its starting dispatcher's fence, on a cluster.
func (c *conversation) fenceOnStarter() {
	if c.epoch != 0 && c.StartedBy.Key != "" {
		c.startedBy = []store.Fence{c.StartedBy}
	}
}

// claim takes ownership of the conversation's log before its first read or
// write, on a cluster (Kinds.Claim); a single node claims nothing.
func (c *conversation) claim() error {
	if c.Claim == nil {
		return nil
	}
	epoch, err := c.Claim(string(c.ID))
	if err != nil {
		return err
	}
	c.epoch, c.proven = epoch, time.Now()
	return nil
}

// DefaultProveEvery is Kinds.ProveEvery's default: a conversation idle
// this long checks its epoch before answering a Sync.
const DefaultProveEvery = 5 * time.Second

// stillOwner reports whether the conversation may answer a Sync from
// memory. On a cluster an activation that only reads never learns that
// another node has claimed it: in a clean-clone run of
// TestPartitionedNode, an agent's tab kept asking such a stale activation,
// which had seqs up to 6 while the owner had stored 8, and was told
// nothing was new, for good. One that wrote within ProveEvery holds the
// epoch; one idle longer reads it first, and stops as moved if it is
// stale. A store it cannot read answers from memory, as before.
func (c *conversation) stillOwner(ctx actor.Context) bool {
	if c.epoch == 0 || c.Epoch == nil || time.Since(c.proven) < cmp.Or(c.ProveEvery, DefaultProveEvery) {
		return true
	}
	current, err := c.Epoch(string(c.ID))
	if err != nil {
		c.Log.Warn("cannot read the conversation's epoch; answering from memory", "conv", c.ID, "err", err)
		return true
	}
	if current == c.epoch {
		c.proven = time.Now()
		return true
	}
	own := store.Fence{Key: string(c.ID), Epoch: c.epoch}
	c.fenced(ctx, store.NewFencedError([]store.Fence{own}))
	return false
}

// fenced refuses everything numbered and not stored, the write that was
// refused and what waits behind it, resends included, then stops: moved,
// or withdrawn (isWithdrawn).
func (c *conversation) fenced(ctx actor.Context, err error) {
	withdrawn := c.isWithdrawn(err)
	if withdrawn {
		c.Log.Warn("conversation withdrawn: the dispatcher that started it had lost its queue", "conv", c.ID, "dispatcher", c.startedBy[0], "err", err)
	} else {
		c.Log.Warn("conversation fenced: another node owns it; stopping", "conv", c.ID, "epoch", c.epoch, "err", err)
	}
	for _, waiting := range [][]accepted{c.writing, c.pending} {
		for _, a := range waiting {
			c.refuse(ctx, a.conn, ErrCodeNotStored, refusedNotStored, a.msg.ClientID)
			for _, conn := range c.waiters[a.msg.Seq] {
				c.refuse(ctx, conn, ErrCodeNotStored, refusedNotStored, a.msg.ClientID)
			}
			delete(c.waiters, a.msg.Seq)
		}
	}
	c.notesFailed(ctx, true)
	c.writing, c.pending = nil, nil
	if withdrawn {
		c.withdraw(ctx)
	}
	ctx.Stop(ctx.Self())
}

// isWithdrawn reports whether the write refused with err means the
// conversation never existed: its starting dispatcher's fence was stale,
// its own was not (a node whose lease lapsed has every fence refused, and
// its conversations moved, not withdrawn), and the store holds no record
// of it (a retried first write whose earlier try landed before the
// dispatcher moved: the new dispatcher restored it from the store). A
// store it cannot read leaves it moved: the dispatcher that holds it, if
// any, brings it back.
func (c *conversation) isWithdrawn(err error) bool {
	var f *store.FencedError
	own := []store.Fence{{Key: string(c.ID), Epoch: c.epoch}}
	if len(c.startedBy) == 0 || !errors.As(err, &f) || !f.Stale(c.startedBy) || f.Stale(own) {
		return false
	}
	rctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	_, rerr := c.Store.Conversation(rctx, string(c.ID))
	return errors.Is(rerr, store.ErrNotFound)
}

// withdraw tells both parties that the conversation is no more: nothing
// of it was stored. No dispatcher is told: the one that started it has
// stopped, and the one that owns the queue never knew it.
func (c *conversation) withdraw(ctx actor.Context) {
	c.setState(convEnded)
	toAgent := &ConvClosed{Conv: c.ID, Other: c.Customer, Reason: ReasonWithdrawn}
	c.toAgent(ctx, toAgent)
	toCustomer := &ConvClosed{Conv: c.ID, Other: c.Agent, Reason: ReasonWithdrawn}
	c.toCustomer(ctx, toCustomer)
}
