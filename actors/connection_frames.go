package actors

import (
	"time"
	"unicode/utf8"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/limit"
)

// Inbound frames: checked (text, UTF-8), decoded by the connection's Codec,
// and sent on: the hello to connection_hello.go, a command to
// connection_commands.go once admitted, or held until admission.

// maxEarly bounds the commands a client may send before it is admitted.
const maxEarly = 16

// refuseFrame answers a frame the protocol cannot take, and counts and
// logs the offence (the log is rate-limited: a client sending garbage in a
// loop costs one line in many).
func (c *connection) refuseFrame(ctx actor.Context, fe *FrameError) {
	c.Offences.Record(limit.BadFrame, "conn", c.ID, "code", fe.Code)
	c.send(ctx, fe)
}

// onFrame takes one frame from the read pump.
func (c *connection) onFrame(ctx actor.Context, f *InboundFrame) {
	c.lastIn = time.Now()
	if f.Binary {
		c.refuseFrame(ctx, &FrameError{Code: ErrCodeBinary, Message: "binary frames are not supported; send JSON text"})
		return
	}
	if !utf8.Valid(f.Data) {
		// RFC 6455 requires UTF-8 text; decoders would silently turn the
		// bad bytes into U+FFFD and relay a garbled line.
		c.refuseFrame(ctx, &FrameError{Code: ErrCodeBadText, Message: "frame is not valid UTF-8"})
		return
	}
	cmd, err := c.Codec.Decode(f.Data)
	if err != nil {
		fe, ok := err.(*FrameError)
		if !ok {
			fe = &FrameError{Code: ErrCodeBadFrame, Message: "malformed frame"}
		}
		c.refuseFrame(ctx, fe)
		return
	}
	if hello, ok := cmd.(*CmdHello); ok {
		c.hello(ctx, hello)
		return
	}
	switch {
	case c.admitted:
		c.command(ctx, cmd)
	case c.me.ID == "" && !c.Pool.rules().identifiedByURL:
		c.send(ctx, &FrameError{Code: ErrCodeNotHello, Message: "send hello first"})
		c.leave(ctx, DisconnectNoHello)
	case len(c.early) < maxEarly:
		// Sent right behind hello: admission is a moment away.
		c.early = append(c.early, cmd)
	default:
		c.send(ctx, &FrameError{Code: ErrCodeState, Message: "wait for welcome before sending more", Ref: clientID(cmd)})
	}
}
