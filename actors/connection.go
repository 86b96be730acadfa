package actors

import (
	"log/slog"
	"strings"
	"unicode/utf8"

	"github.com/asynkron/protoactor-go/actor"
)

// Messages a connection actor receives.
type (
	// InboundFrame is one frame read from the socket by its read pump.
	InboundFrame struct {
		Data   []byte
		Binary bool
	}
	// SocketClosed says the read pump has stopped: the peer closed, the
	// network failed, or the socket was closed by the server.
	SocketClosed struct{ Err error }
	// Admitted answers AgentOnline or CustomerArrived: the connection now
	// belongs to Room.
	Admitted struct{ Room RoomID }
	// Refused answers AgentOnline or CustomerArrived: the connection must
	// close with Reason.
	Refused struct{ Reason Disconnect }
	// ChatLine is one chat message to show, the sender's own echo included.
	ChatLine struct {
		From     ConnID // who sent it, as issued by the server
		FromName string // display label only
		Text     string
	}
	// Notice is a system announcement about a room's members.
	Notice struct {
		Kind NoticeKind
		Name string // the display name the notice is about
	}
	// Kick tells a connection to leave: its protocol may say goodbye (the
	// tutorial's "close" frame), then the socket closes with Reason.
	Kick struct{ Reason Disconnect }

	// roomGone is the connection's note to itself that its room stopped.
	roomGone struct{}
)

// NoticeKind names a system announcement.
type NoticeKind int

const (
	NoticeAgentAssigned  NoticeKind = iota + 1 // to a customer: Name will serve you
	NoticeCustomerJoined                       // to an agent: Name entered the room
	NoticeCustomerLeft                         // to an agent: Name left the room
	NoticeAgentLeft                            // to a customer: Name left the room
)

// Role is who is on the other end of a connection.
type Role int

const (
	RoleAgent Role = iota + 1
	RoleCustomer
)

func (r Role) String() string {
	switch r {
	case RoleAgent:
		return "agent"
	case RoleCustomer:
		return "customer"
	}
	return "unknown"
}

// ConnConfig is everything a connection actor starts with.
type ConnConfig struct {
	ID           ConnID
	Role         Role
	Name         string // display label, unique among online connections of Role
	Socket       Socket
	Codec        Codec
	Dir          Directory
	MaxTextBytes int // longest chat text accepted, in bytes of UTF-8
	Log          *slog.Logger
}

// connection is the actor behind one WebSocket. It admits itself through the
// dispatcher, then relays the client's chat to its room and the room's events
// to the client. It is the only thing that talks to its Socket.
type connection struct {
	ConnConfig
	room *actor.PID // nil until admitted
}

// NewConnectionProps returns the props of a connection actor.
func NewConnectionProps(cfg ConnConfig) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &connection{ConnConfig: cfg} })
}

// Receive handles one message; state changes only here.
func (c *connection) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		c.askAdmission(ctx)
	case *Admitted:
		c.room = c.Dir.PID(KindRoom, string(msg.Room))
		ctx.Watch(c.room)
		c.Socket.StartReading()
	case *Refused:
		c.Log.Info("connection refused", "role", c.Role, "name", c.Name, "reason", msg.Reason.Reason)
		c.leave(ctx, msg.Reason)
	case *InboundFrame:
		c.onFrame(ctx, msg)
	case *ChatLine, *Notice:
		c.send(ctx, msg)
	case *Kick:
		c.send(ctx, msg)
		c.leave(ctx, msg.Reason)
	case *SocketClosed:
		ctx.Stop(ctx.Self())
	case *actor.Terminated:
		if c.room != nil && msg.Who.Equal(c.room) {
			// Terminated is a system message and overtakes the room's last
			// user messages (a notice, a Kick) still in our mailbox. Queue
			// the departure behind them; after a Kick it never runs.
			ctx.Send(ctx.Self(), &roomGone{})
		}
	case *roomGone:
		c.leave(ctx, DisconnectRoomGone)
	case *actor.Stopped:
		// Whatever stopped us, the socket goes too. A no-op if it is
		// already closing with a more specific reason.
		c.Socket.Close(DisconnectNormal)
	}
}

func (c *connection) askAdmission(ctx actor.Context) {
	dispatcher := c.Dir.PID(KindDispatcher, DispatcherID)
	switch c.Role {
	case RoleAgent:
		ctx.Request(dispatcher, &AgentOnline{Conn: c.ID, Name: c.Name})
	case RoleCustomer:
		ctx.Request(dispatcher, &CustomerArrived{Conn: c.ID, Name: c.Name})
	}
}

func (c *connection) onFrame(ctx actor.Context, f *InboundFrame) {
	if f.Binary {
		c.send(ctx, &FrameError{Code: ErrCodeBinary, Message: "binary frames are not supported; send JSON text"})
		return
	}
	if !utf8.Valid(f.Data) {
		// RFC 6455 requires UTF-8 text; decoders would silently turn the
		// bad bytes into U+FFFD and relay a garbled line.
		c.send(ctx, &FrameError{Code: ErrCodeBadText, Message: "frame is not valid UTF-8"})
		return
	}
	cmd, err := c.Codec.Decode(f.Data)
	if err != nil {
		fe, ok := err.(*FrameError)
		if !ok {
			fe = &FrameError{Code: ErrCodeBadFrame, Message: "malformed frame"}
		}
		c.send(ctx, fe)
		return
	}
	switch cmd := cmd.(type) {
	case *Say:
		if fe := c.checkText(cmd.Text); fe != nil {
			c.send(ctx, fe)
			return
		}
		// The sender is stamped here from the server's own record; the
		// client never names itself.
		ctx.Send(c.room, &Say{From: c.ID, Text: cmd.Text})
	}
}

func (c *connection) checkText(text string) *FrameError {
	switch {
	case strings.TrimSpace(text) == "":
		return &FrameError{Code: ErrCodeEmptyText, Message: "message is empty"}
	case len(text) > c.MaxTextBytes:
		return &FrameError{Code: ErrCodeTooLong, Message: "message is too long"}
	}
	return nil
}

// send encodes msg for this connection's protocol and queues it. A full
// queue means the client cannot keep up: the socket is already closing with
// DisconnectSlow, so the actor goes too rather than buffer without bound.
func (c *connection) send(ctx actor.Context, msg any) {
	frame := c.Codec.Encode(msg)
	if frame == nil {
		return
	}
	if !c.Socket.Send(frame) {
		ctx.Stop(ctx.Self())
	}
}

func (c *connection) leave(ctx actor.Context, d Disconnect) {
	c.Socket.Close(d)
	ctx.Stop(ctx.Self())
}
