package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"
)

// The outbound side: every frame the client gets goes through send, which
// is the only caller of Socket.Send; heartbeats; and closing the socket,
// which the connection always does as it stops.

// send encodes msg for this connection's protocol and queues it, and says
// whether the socket took it. A refusal means the socket is closing, as a
// rule because the client cannot keep up (4008): the actor goes too rather
// than buffer without bound.
func (c *connection) send(ctx actor.Context, msg any) bool {
	if !c.answered(msg) {
		return true // the client has had its answer (connection_inflight.go)
	}
	var frame []byte
	if m, ok := msg.(*ConvMessage); ok && m.Frame != nil && m.Frame.Pool == c.Pool {
		frame = m.Frame.Bytes // encoded once by its conversation for every party
	} else {
		frame = c.Codec.Encode(msg)
	}
	if frame == nil {
		return false
	}
	if !c.Socket.Send(frame) {
		ctx.Stop(ctx.Self())
		return false
	}
	c.lastOut = time.Now()
	return true
}

// leave closes the socket with d and stops the actor.
func (c *connection) leave(ctx actor.Context, d Disconnect) {
	c.Socket.Close(d)
	ctx.Stop(ctx.Self())
}

// startBeating pings the client when a Heartbeat passes without a frame
// either way, once admitted.
func (c *connection) startBeating(ctx actor.Context) {
	if c.Heartbeat > 0 && c.stopBeat == nil {
		c.armBeat(ctx, c.Heartbeat)
	}
}

// armBeat sets the next heartbeat tick; each tick sets the one after it.
// Not SendRepeatedly: its timer reads its state without atomics
// (protoactor-go scheduler/timer.go), a data race with a stop that meets a
// tick, and -race reports it; SendOnce's stop is a plain timer Stop.
func (c *connection) armBeat(ctx actor.Context, in time.Duration) {
	c.stopBeat = c.timers.SendOnce(in, ctx.Self(), &heartbeatTick{})
}

// beat pings the client if a Heartbeat has passed since a frame last went
// either way, and sets the next tick for when one will have. A ping is
// for a quiet socket: each side knows the other is alive from any frame
// (docs/protocol.md, "Heartbeats"), and under S1's traffic, a frame every
// two seconds each way, pinging every socket anyway was about a fifth of
// its socket operations, each with a pong read back and decoded.
func (c *connection) beat(ctx actor.Context) {
	now := time.Now()
	quiet := c.lastIn
	if c.lastOut.Before(quiet) {
		quiet = c.lastOut
	}
	if wait := c.Heartbeat - now.Sub(quiet); wait > 0 {
		c.armBeat(ctx, wait)
		return
	}
	c.send(ctx, &Heartbeat{})
	c.armBeat(ctx, c.Heartbeat)
}

// kick says goodbye in the client's protocol, then closes with the reason.
func (c *connection) kick(ctx actor.Context, msg *Kick) {
	c.send(ctx, msg)
	c.leave(ctx, msg.Reason)
}

// stopped releases what the connection held, whatever stopped it.
func (c *connection) stopped(ctx actor.Context) {
	if c.stopBeat != nil {
		c.stopBeat()
	}
	if c.probe.stop != nil {
		c.probe.stop()
	}
	if c.Pool.rules().accounts && c.me.Role == RoleAgent { // sessions are per login token
		ctx.Send(c.Dir.PID(KindSessions, SessionsID), &SessionClosed{Agent: c.me.ID, Conn: c.ID})
	}
	if c.admitted {
		c.Metrics.ConnectionClosed(c.me.Role.Metric(), c.Pool.Metric())
	}
	// Whatever stopped us, the socket goes too. A no-op if it is
	// already closing with a more specific reason.
	c.Socket.Close(DisconnectNormal)
}
