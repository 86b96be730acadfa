package actors

import (
	"cmp"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/attach"
	"kefu/limit"
	"kefu/store"
)

// An admitted client's commands (commands.go): checked against what this
// client may do (its role, its conversations, the text limits), stamped
// with who sent them, and carried to the conversation or the dispatcher.

// command carries one admitted client's command to where it belongs.
func (c *connection) command(ctx actor.Context, cmd any) {
	dispatcher := c.Dir.PID(KindDispatcher, DispatcherID(c.Pool))
	switch cmd := cmd.(type) {
	case *CmdSay:
		c.say(ctx, cmd)
	case *CmdPost:
		if conv := c.conv(ctx, cmd.Conv, cmd.ClientID); conv != nil && c.textOK(ctx, cmd.Text, cmd.ClientID) {
			c.post(ctx, cmd.Conv, conv, &Post{From: c.me, Conn: c.ID, Text: cmd.Text, ClientID: cmd.ClientID})
		}
	case *CmdFile:
		if conv := c.conv(ctx, cmd.Conv, cmd.ClientID); conv != nil {
			if p := c.filePost(ctx, cmd); p != nil {
				c.post(ctx, cmd.Conv, conv, p)
			}
		}
	case *CmdTyping:
		if conv := c.conv(ctx, cmd.Conv, ""); conv != nil {
			ctx.Send(conv, &Typing{From: c.me})
		}
	case *CmdRead:
		if conv := c.conv(ctx, cmd.Conv, ""); conv != nil {
			ctx.Send(conv, &Read{From: c.me, Seq: cmd.Seq})
		}
	case *CmdEnd:
		if conv := c.conv(ctx, cmd.Conv, ""); conv != nil {
			c.convs[cmd.Conv].ending = true
			ctx.Send(conv, &End{By: c.me, Conn: c.ID})
		}
	case *CmdRequest:
		if c.must(ctx, RoleCustomer) {
			c.rejoin.requesting, c.rejoin.cancelled, c.rejoin.team = true, false, cmd.Team
			ctx.Request(dispatcher, &RequestAgent{Customer: c.me.ID, Addr: c.Addr, Team: cmd.Team, Email: cmd.Email})
		}
	case *CmdCancel:
		if c.must(ctx, RoleCustomer) {
			// Not waiting from now on, whatever the answer: a rejoin
			// answered idle must not ask for an agent again.
			c.rejoin.requesting, c.rejoin.position, c.rejoin.cancelled = false, 0, true
			ctx.Request(dispatcher, &CancelRequest{Customer: c.me.ID})
		}
	case *CmdStatus:
		if c.must(ctx, RoleAgent) {
			ctx.Send(dispatcher, &SetAgentStatus{Agent: c.me.ID, Status: cmd.Status})
		}
	case *CmdCapacity:
		c.setCapacity(ctx, cmd.Capacity)
	case *CmdTransfer:
		if c.must(ctx, RoleAgent) && c.conv(ctx, cmd.Conv, "") != nil {
			ctx.Request(dispatcher, &TransferConv{Conv: cmd.Conv, By: c.me.ID, To: cmd.To, Note: cmd.Note})
		}
	case *CmdLeave:
		if c.must(ctx, RoleCustomer) && c.textOK(ctx, cmd.Text, cmd.CID) {
			ctx.Request(dispatcher, &LeaveForm{Customer: c.me.ID, Addr: c.Addr, Team: cmd.Team, Email: cmd.Email, Lang: cmd.Lang, Text: cmd.Text, CID: cmd.CID})
		}
	case *CmdInbox:
		if c.must(ctx, RoleAgent) {
			ctx.Request(dispatcher, &ListInbox{Agent: c.me.ID, Team: cmd.Team, After: cmd.After})
		}
	case *CmdTake:
		if c.must(ctx, RoleAgent) {
			ctx.Request(dispatcher, &TakeInbox{Agent: c.me.ID, Conv: cmd.Conv})
		}
	case *CmdNote:
		if c.must(ctx, RoleAgent) {
			if conv := c.conv(ctx, cmd.Conv, cmd.ClientID); conv != nil && c.textOK(ctx, cmd.Text, cmd.ClientID) {
				ctx.Send(conv, &PostNote{From: c.me, Conn: c.ID, Text: cmd.Text, ClientID: cmd.ClientID})
			}
		}
	case *CmdAgents:
		if c.must(ctx, RoleAgent) {
			ctx.Request(dispatcher, &ListAgents{})
		}
	case *CmdRate:
		c.rate(ctx, cmd)
	case *CmdHistory:
		c.history(ctx, cmd)
	case *CmdPing:
		c.send(ctx, &Pong{})
	case *CmdPong:
		// The read pump already counted it as a sign of life.
	}
}

// post sends the client's message p to its conversation, and notes it
// until it is answered (connection_inflight.go).
func (c *connection) post(ctx actor.Context, id ConvID, conv *actor.PID, p *Post) {
	ctx.Send(conv, p)
	c.convs[id].posted(p, time.Now())
	c.Metrics.Received(c.Pool.Metric())
}

// filePost is the message that shows an upload, once its reference is
// checked: signed by this server, for this conversation, by this sender.
// Else the client is told, and nil.
func (c *connection) filePost(ctx actor.Context, cmd *CmdFile) *Post {
	var (
		f   attach.File
		err = errNoFiles
	)
	if c.Files != nil {
		f, err = c.Files.Verify(cmd.Ref)
	}
	if errors.Is(err, attach.ErrExpiredRef) {
		c.send(ctx, &FrameError{Code: ErrCodeFileExpired, Message: "this upload is too old to send; upload the file again", Ref: cmd.ClientID})
		return nil
	}
	if err != nil || f.Conv != string(cmd.Conv) || f.By != c.me.ID {
		c.Offences.Record(limit.BadFrame, "conn", c.ID, "code", ErrCodeBadFile)
		c.send(ctx, &FrameError{Code: ErrCodeBadFile, Message: "file is not one you uploaded to this conversation", Ref: cmd.ClientID})
		return nil
	}
	return &Post{From: c.me, Conn: c.ID, Text: f.Name, ClientID: cmd.ClientID, File: store.FileRef{ID: f.Blob, Type: f.Type, Size: f.Size}}
}

// errNoFiles: a connection with no Files takes no file messages.
var errNoFiles = errors.New("attachments are off on this connection")

// say is the tutorial's one command: text for the one conversation this
// compat connection is in. An agent with no customer yet sees its own
// line, as it did alone in the tutorial's room.
func (c *connection) say(ctx actor.Context, s *CmdSay) {
	if !c.textOK(ctx, s.Text, "") {
		return
	}
	for _, v := range c.convs {
		ctx.Send(v.pid, &Post{From: c.me, Conn: c.ID, Text: s.Text})
		c.Metrics.Received(c.Pool.Metric())
		return // a compat connection has at most one
	}
	c.send(ctx, &ConvMessage{From: c.me, Text: s.Text})
}

func (c *connection) setCapacity(ctx actor.Context, n int) {
	if !c.must(ctx, RoleAgent) {
		return
	}
	top := cmp.Or(c.MaxCapacity, MaxCapacity)
	if n > top {
		c.Offences.Record(limit.Capacity, "conn", c.ID, "agent", c.me.ID, "capacity", n)
	}
	if n < 1 || n > top {
		c.send(ctx, &FrameError{Code: ErrCodeBadValue, Message: "capacity must be between 1 and " + strconv.Itoa(top)})
		return
	}
	if err := c.Auth.SaveCapacity(c.me.ID, n); err != nil {
		c.Log.Error("cannot save capacity", "agent", c.me.ID, "err", err)
		c.send(ctx, &FrameError{Code: ErrCodeUnavailable, Message: "could not save the capacity; try again"})
		return
	}
	ctx.Send(c.Dir.PID(KindDispatcher, DispatcherID(c.Pool)), &SetAgentCapacity{Agent: c.me.ID, Capacity: n})
}

// conv returns the conversation if this client is in it, or tells the
// client it is not.
// ref is the client id of the message the error is about, or "".
func (c *connection) conv(ctx actor.Context, id ConvID, ref string) *actor.PID {
	if v, ok := c.convs[id]; ok {
		return v.pid
	}
	c.send(ctx, &FrameError{Code: ErrCodeUnknownConv, Message: "no such conversation here", Ref: ref})
	return nil
}

// must says whether the client has role, or tells it the command is not
// for it.
func (c *connection) must(ctx actor.Context, role Role) bool {
	if c.me.Role == role {
		return true
	}
	c.send(ctx, &FrameError{Code: ErrCodeForbidden, Message: "only for " + role.String() + "s"})
	return false
}

// textOK says whether text may be sent, or tells the client why not.
func (c *connection) textOK(ctx actor.Context, text string, ref string) bool {
	switch {
	case strings.TrimSpace(text) == "":
		c.send(ctx, &FrameError{Code: ErrCodeEmptyText, Message: "message is empty", Ref: ref})
		return false
	case len(text) > c.MaxTextBytes:
		c.Offences.Record(limit.TextLength, "conn", c.ID, "bytes", len(text))
		c.send(ctx, &FrameError{Code: ErrCodeTooLong, Message: "message is too long", Ref: ref})
		return false
	}
	return true
}

// overLimit refuses a command for a limit the dispatcher keeps.
func (c *connection) overLimit(ctx actor.Context, msg *OverLimit) {
	c.rejoin.requesting = false // a refused request (or something else refused: asked again by the client)
	c.Offences.Record(msg.Kind, "conn", c.ID, "customer", c.me.ID, "remote", c.Addr)
	c.send(ctx, msg.Err)
}
