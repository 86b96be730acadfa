package actors

import (
	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// This file holds a conversation that learns it is a zombie: its write
// was refused for a stale owner epoch (store.ErrFenced), so another node
// has claimed it and owns its log now. Nothing it numbered was stored and
// nothing more of it may be: its senders are told not_stored, so that
// they send again, to the new owner, and it stops. Its watchers see it
// Terminated, without ConvFinished: the conversation goes on elsewhere.

// fence is what every write of the conversation carries: its claimed
// epoch, none on a single node (epoch 0).
func (c *conversation) fence() []store.Fence {
	if c.epoch == 0 {
		return nil
	}
	return []store.Fence{{Key: string(c.ID), Epoch: c.epoch}}
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
	c.epoch = epoch
	return nil
}

// fenced refuses everything numbered and not stored, the write that was
// refused and what waits behind it, resends included, then stops.
func (c *conversation) fenced(ctx actor.Context, err error) {
	c.Log.Warn("conversation fenced: another node owns it; stopping", "conv", c.ID, "epoch", c.epoch, "err", err)
	for _, waiting := range [][]accepted{c.writing, c.pending} {
		for _, a := range waiting {
			c.refuse(ctx, a.conn, ErrCodeNotStored, refusedNotStored, a.msg.ClientID)
			for _, conn := range c.waiters[a.msg.Seq] {
				c.refuse(ctx, conn, ErrCodeNotStored, refusedNotStored, a.msg.ClientID)
			}
			delete(c.waiters, a.msg.Seq)
		}
	}
	c.writing, c.pending = nil, nil
	ctx.Stop(ctx.Self())
}
