package actors

import (
	"context"
	"errors"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// A customer rates a conversation it was in, while it is open or after it
// has ended (the widget asks at the end, and again after a reload). The
// conversation actor may be gone by then, so the connection checks the
// stored record and writes the rating itself: a rare frame, one small
// write, like SaveCapacity. The conversation's own later writes keep a
// stored rating (store.Batch: a Rating of 0 keeps it).

// Rated answers a customer's rating once it is stored.
type Rated struct {
	Conv   ConvID
	Rating int
}

// MinRating and MaxRating bound a rating, as the store does.
const (
	MinRating = 1
	MaxRating = 5
)

func (c *connection) rate(ctx actor.Context, r *CmdRate) {
	if !c.must(ctx, RoleCustomer) {
		return
	}
	if c.History == nil {
		c.send(ctx, &FrameError{Code: ErrCodeNotStored, Message: "the rating was not stored; send it again"})
		return
	}
	sctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	rec, err := c.History.Conversation(sctx, string(r.Conv))
	_, open := c.convs[r.Conv]
	switch {
	case errors.Is(err, store.ErrNotFound) && open:
		// Just assigned: its record is in the next group commit.
		c.send(ctx, &FrameError{Code: ErrCodeNotStored, Message: "the rating was not stored; send it again"})
		return
	case errors.Is(err, store.ErrNotFound), err == nil && rec.CustomerID != c.me.ID:
		// Someone else's is answered as one that does not exist.
		c.send(ctx, &FrameError{Code: ErrCodeUnknownConv, Message: "no such conversation here"})
		return
	case err != nil:
		c.Log.Error("cannot read conversation to rate", "conv", r.Conv, "err", err)
		c.send(ctx, &FrameError{Code: ErrCodeNotStored, Message: "the rating was not stored; send it again"})
		return
	}
	if err := c.History.SetRating(sctx, string(r.Conv), r.Rating); err != nil {
		c.Log.Error("cannot store rating", "conv", r.Conv, "err", err)
		c.send(ctx, &FrameError{Code: ErrCodeNotStored, Message: "the rating was not stored; send it again"})
		return
	}
	c.send(ctx, &Rated{Conv: r.Conv, Rating: r.Rating})
}
