package transport

import (
	"cmp"
	"time"
)

// Limits bound what one socket may cost the server.
type Limits struct {
	// MaxFrameBytes is the largest inbound frame; a bigger one closes the
	// socket with 1009 (message too big).
	MaxFrameBytes int64
	// SendQueueBytes bounds the outbound bytes waiting for one client:
	// queued, or taken by the writer and not yet written, each frame
	// counted with frameOverhead. A Send when it is reached closes the
	// socket with DisconnectSlowBytes. It bounds memory, not speed: a
	// client that reads is not slow because a burst arrived at once.
	SendQueueBytes int
	// SlowAfter is how long frames may wait while the writer makes no
	// progress (writes no frame) before the client counts as slow: a Send
	// after that closes the socket with DisconnectSlowStalled. Shorter than
	// WriteWait, so the connection actor hears of it (and its party's
	// grace starts) before the stuck write is given up on.
	SlowAfter time.Duration
	// WriteWait bounds the write of one frame; a client that accepts
	// nothing for this long is gone.
	WriteWait time.Duration
	// PongWait is how long the server waits for any frame, pongs included,
	// before it calls the peer dead.
	PongWait time.Duration
	// CloseWait is how long, after sending a close frame, the server waits
	// for the peer's close reply before dropping the TCP connection (the
	// close wait; not a grace: nothing is kept for the peer meanwhile).
	CloseWait time.Duration
}

// DefaultLimits are the limits used unless configured otherwise. A
// function, not a variable: each caller gets its own copy, and none can
// change the defaults for everyone.
func DefaultLimits() Limits {
	return Limits{
		MaxFrameBytes:  64 << 10,        // a chat text is at most a few KiB; leave room for JSON escaping
		SendQueueBytes: 4 << 20,         // an agent at the top capacity (50) whose customers all send their 40-frame burst at once: 2,000 frames of 2 KiB; memory only while frames wait
		SlowAfter:      5 * time.Second, // a reading client takes a frame in microseconds; five seconds of none is a stuck one
		WriteWait:      10 * time.Second,
		PongWait:       60 * time.Second,
		CloseWait:      time.Second, // a live peer answers a close frame in a round trip
	}
}

// frameOverhead is what a queued frame costs beyond its bytes (its slice
// header and allocation), counted against SendQueueBytes so that many tiny
// frames are bounded too.
const frameOverhead = 64

func frameCost(frame []byte) int { return len(frame) + frameOverhead }

// or fills the zero fields of l from d.
func (l Limits) or(d Limits) Limits {
	l.MaxFrameBytes = cmp.Or(l.MaxFrameBytes, d.MaxFrameBytes)
	l.SendQueueBytes = cmp.Or(l.SendQueueBytes, d.SendQueueBytes)
	l.SlowAfter = cmp.Or(l.SlowAfter, d.SlowAfter)
	l.WriteWait = cmp.Or(l.WriteWait, d.WriteWait)
	l.PongWait = cmp.Or(l.PongWait, d.PongWait)
	l.CloseWait = cmp.Or(l.CloseWait, d.CloseWait)
	return l
}

// pingPeriod must be shorter than PongWait so a live peer's pong always
// lands before the read deadline.
func (l Limits) pingPeriod() time.Duration { return l.PongWait * 9 / 10 }
