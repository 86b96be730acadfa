package transport

import (
	"encoding/json"
	"errors"
	"net/netip"

	"golang.org/x/time/rate"

	"kefu/actors"
	"kefu/limit"
)

// frameGuard is one socket's budget of inbound frames. Only the socket's
// read loop uses it, through overRate.
type frameGuard struct {
	frames   *rate.Limiter
	refusals *rate.Limiter // nil: a refused client is never closed
	codec    actors.Codec  // to answer in the socket's protocol
	offences *limit.Offences
	remote   netip.Addr
	conn     actors.ConnID
}

// errTooManyFrames ends a socket's read loop when its client is closed for
// sending past its refusals.
var errTooManyFrames = errors.New("too many frames")

// newFrameGuard returns the frame budget of a new socket, or nil when
// frames are not limited.
func (g *Gateway) newFrameGuard(conn actors.ConnConfig, remote netip.Addr) *frameGuard {
	l := g.guards.limits
	if l.Frames.Off() {
		return nil
	}
	fg := &frameGuard{frames: l.Frames.NewLimiter(), codec: conn.Codec, offences: g.guards.offences, remote: remote, conn: conn.ID}
	if l.FrameRefusals > 0 {
		fg.refusals = rate.NewLimiter(l.Frames.Limit, l.FrameRefusals)
	}
	return fg
}

// overRate is the read loop's check of one inbound frame, before it costs
// a decode or an actor message. A frame over the rate is answered here
// with a rate_limited error in the socket's protocol and dropped
// (refused). A client refused more often than its refusals allow is
// closed with 1008 (hangUp); the read loop then drains and ends.
func (s *socket) overRate(frame []byte) (refused, hangUp bool) {
	fg := s.frames
	if fg == nil || fg.frames.Allow() {
		return false, false
	}
	if fg.refusals != nil && !fg.refusals.Allow() {
		fg.offences.Record(limit.FrameFlood, "remote", fg.remote, "conn", fg.conn)
		s.Close(actors.DisconnectRateLimited)
		return true, true
	}
	fg.offences.Record(limit.FrameRate, "remote", fg.remote, "conn", fg.conn)
	// Answered only while the client reads what it is sent: one that
	// floods without reading would otherwise fill its queue and be closed
	// as slow (4008), not for what it does.
	if s.waitingBytes() < s.limits.SendQueueBytes/2 {
		s.Send(fg.codec.Encode(&actors.FrameError{Code: actors.ErrCodeRateLimited, Message: rateLimitedMessage, Ref: clientRef(frame)}))
		s.Flush() // sent from the read loop: no actor's Receive flushes it
	}
	return true, false
}

const rateLimitedMessage = "too many frames, this one was dropped: slow down"

// clientRef is the cid of a refused native msg, so its sender knows which
// message to send again; "" for anything else. A refused frame costs this
// decode only within the refusals' allowance.
func clientRef(frame []byte) string {
	var f struct {
		CID string `json:"cid"`
	}
	if json.Unmarshal(frame, &f) != nil || len(f.CID) > maxCIDLen {
		return ""
	}
	return f.CID
}
