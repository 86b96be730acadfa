package actors

import (
	"cmp"
	"context"
	"log/slog"
	"net/netip"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"

	"kefu/internal/ids"
	"kefu/limit"
	"kefu/metrics"
	"kefu/store"
)

// Authenticator proves who is on a native connection. The transport
// implements it over the store and the token signer; actors only see its
// answers.
type Authenticator interface {
	// Agent checks an agent's login token and returns the account as it is
	// now (a removed account's token is refused, as is a signed-out or
	// revoked one) with its capacity and the token's session.
	Agent(token string) (p Party, capacity int, s Session, err error)
	// Customer checks a customer's resume token or, when token is empty,
	// issues a new customer identity named name. It returns the token the
	// customer should keep to resume.
	Customer(token, name string) (p Party, resume string, err error)
	// SaveCapacity stores an agent's new capacity.
	SaveCapacity(agentID string, capacity int) error
}

// AuthError is an Authenticator's refusal; its Disconnect says how.
type AuthError struct{ Reason Disconnect }

func (e *AuthError) Error() string { return e.Reason.Reason }

// ConnConfig is everything a connection actor starts with.
type ConnConfig struct {
	ID ConnID
	// Seq orders connections by when they were accepted: of two
	// connections of the same customer, the later one wins, whichever's
	// hello reaches the dispatcher first.
	Seq  uint64
	Pool Pool
	// Addr is the client's address as the per-address limits count it;
	// the zero Addr when it is not known.
	Addr netip.Addr
	// Role and Name are known at start on the compat protocol (from the
	// query); a native connection learns them from its hello.
	Role Role
	Name string

	Socket Socket
	Codec  Codec
	Dir    Directory
	Auth   Authenticator // native only
	// History reads back conversations that ended while a native client
	// was away, so it can be given what it missed.
	History store.Conversations
	// HistoryPage bounds a page of history: that replay, and each answer
	// to a history request (zero: the defaults).
	HistoryPage  HistoryLimits
	MaxTextBytes int
	Heartbeat    time.Duration // native: how often the client is pinged; 0 for none
	HelloTimeout time.Duration // native: how long to wait for hello
	Log          *slog.Logger

	// MaxCapacity is the most an agent may set (0: MaxCapacity). Offences
	// counts and logs the limits the client crosses; nil for none.
	MaxCapacity int
	Offences    *limit.Offences
	// Metrics counts this connection and its chat; nil for none.
	Metrics *metrics.Metrics
}

// connection is the actor behind one WebSocket, on either protocol. It
// proves who the client is, admits itself through the dispatcher, then
// carries the client's commands to conversations and the dispatcher, and
// their events back. It is the only thing that talks to its Socket.
type connection struct {
	ConnConfig
	me    Party  // zero until identified
	token string // a customer's resume token, to hand back in welcome
	// capacityHint is the account's stored capacity, for the dispatcher's
	// record when this is the agent's first connection.
	capacityHint int
	session      Session // an agent's login token, once verified
	admitted     bool
	convs        map[ConvID]*convView // conversations this client takes part in
	// resume is, per conversation, the last sequence number the client had
	// when it said hello.
	resume   map[ConvID]uint64
	timers   *scheduler.TimerScheduler
	stopBeat scheduler.CancelFunc
	early    []any // commands sent between hello and admission
	reading  bool  // a history request is being read (connection_history.go)
}

// maxEarly bounds the commands a client may send before it is admitted.
const maxEarly = 16

// NewConnectionProps returns the props of a connection actor.
func NewConnectionProps(cfg ConnConfig) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &connection{ConnConfig: cfg, convs: map[ConvID]*convView{}}
	})
}

// Receive handles one message; state changes only here.
func (c *connection) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		c.timers = scheduler.NewTimerScheduler(ctx.ActorSystem().Root)
		if r := c.Pool.rules(); r.identifiedByURL {
			prefix := ids.Customer
			if c.Role == RoleAgent {
				prefix = r.agentIDPrefix
			}
			c.identified(ctx, Party{Role: c.Role, ID: prefix + ids.New(), Name: c.Name})
			return
		}
		c.Socket.StartReading()
		c.timers.SendOnce(c.HelloTimeout, ctx.Self(), &helloTimeout{})
	case *InboundFrame:
		c.onFrame(ctx, msg)
	case *AgentAdmitted:
		c.agentAdmitted(ctx, msg)
	case *CustomerAdmitted:
		c.customerAdmitted(ctx, msg)
	case *Refused:
		c.Log.Info("connection refused", "role", c.me.Role, "name", c.me.Name, "reason", msg.Reason.Reason)
		c.leave(ctx, msg.Reason)
	case *ConvOpened:
		c.opened(ctx, msg)
	case *historyRead:
		c.historyDone(ctx, msg)
	case *ConvMessage:
		c.message(ctx, msg)
	case *ConvClosed:
		c.convClosed(ctx, msg)
	case *TypingNotice, *AgentChanged, *Ack, *ReadNotice:
		// About a conversation: only once the client has been welcomed
		// (a second tab can hear from its conversation a moment before).
		if c.admitted {
			c.send(ctx, msg)
		}
	case *Requeued, *Queued, *Dequeued, *AgentState, *AgentList, *FrameError, *Pong:
		c.send(ctx, msg)
	case *OverLimit:
		c.Offences.Record(msg.Kind, "conn", c.ID, "customer", c.me.ID, "remote", c.Addr)
		c.send(ctx, msg.Err)
	case *Kick:
		c.send(ctx, msg)
		c.leave(ctx, msg.Reason)
	case *heartbeatTick:
		c.send(ctx, &Heartbeat{})
	case *helloTimeout:
		if c.me.ID == "" {
			c.leave(ctx, DisconnectNoHello)
		}
	case *SocketClosed:
		ctx.Stop(ctx.Self())
	case *actor.Terminated:
		// Behind the conversation's last messages, still queued.
		for id, v := range c.convs {
			if v.pid.Equal(msg.Who) {
				ctx.Send(ctx.Self(), &convGone{Conv: id})
			}
		}
	case *convGone:
		v, open := c.convs[msg.Conv]
		switch {
		case !open:
		case !v.synced && c.History != nil:
			// It ended just as this client came back, before answering
			// its sync: what it missed and its end are in the store.
			delete(c.convs, msg.Conv)
			c.unanswered(ctx, v, ReasonGone)
			c.replayEnded(ctx, msg.Conv, v.last)
		default:
			c.convClosed(ctx, &ConvClosed{Conv: msg.Conv, Reason: ReasonFailed})
		}
	case *actor.Stopped:
		if c.stopBeat != nil {
			c.stopBeat()
		}
		if c.Pool == PoolNative && c.me.Role == RoleAgent {
			ctx.Send(c.Dir.PID(KindSessions, SessionsID), &SessionClosed{Agent: c.me.ID, Conn: c.ID})
		}
		if c.admitted {
			c.Metrics.ConnectionClosed(c.me.Role.Metric(), c.Pool.Metric())
		}
		// Whatever stopped us, the socket goes too. A no-op if it is
		// already closing with a more specific reason.
		c.Socket.Close(DisconnectNormal)
	}
}

// identified asks the dispatcher to admit this now-known client.
func (c *connection) identified(ctx actor.Context, p Party) {
	c.me = p
	dispatcher := c.Dir.PID(KindDispatcher, DispatcherID)
	switch p.Role {
	case RoleAgent:
		ctx.Request(dispatcher, &AgentConnect{Agent: p, Capacity: c.capacityHint, Conn: c.ID, Pool: c.Pool})
	case RoleCustomer:
		ctx.Request(dispatcher, &CustomerConnect{Customer: p, Conn: c.ID, Seq: c.Seq, Pool: c.Pool})
	}
}

func (c *connection) agentAdmitted(ctx actor.Context, a *AgentAdmitted) {
	c.admitted = true
	c.send(ctx, &Welcome{You: c.me, Status: a.Status, Capacity: a.Capacity, MaxCapacity: cmp.Or(c.MaxCapacity, MaxCapacity), Heartbeat: c.Heartbeat, MaxTextBytes: c.MaxTextBytes})
	c.syncAll(ctx, a.Convs)
	c.admittedNow(ctx)
}

// admittedNow starts what waits for admission: heartbeats, reading (on
// the compat protocol) and the commands that arrived early.
func (c *connection) admittedNow(ctx actor.Context) {
	c.Metrics.ConnectionOpened(c.me.Role.Metric(), c.Pool.Metric())
	c.startBeating(ctx)
	if c.Pool.rules().readsFrom(c.me.Role) == readOnAdmission {
		// A compat customer reads from its greeting on (see opened).
		c.Socket.StartReading()
	}
	for _, cmd := range c.early {
		c.command(ctx, cmd)
	}
	c.early = nil
}

func (c *connection) customerAdmitted(ctx actor.Context, a *CustomerAdmitted) {
	c.admitted = true
	state := "idle"
	switch {
	case a.Queued:
		state = "queued"
	case a.Conv != "":
		state = "chatting"
	}
	c.send(ctx, &Welcome{You: c.me, Token: c.token, State: state, Heartbeat: c.Heartbeat, MaxTextBytes: c.MaxTextBytes})
	if c.Pool.rules().greetsCustomer && a.Conv != "" {
		// Known now, though not watched yet: the dispatcher starts the
		// conversation just after this answer, and a watch before that
		// would report it dead.
		c.convs[a.Conv] = &convView{pid: c.Dir.PID(KindConv, string(a.Conv))}
	}
	if c.Pool == PoolNative {
		// A compat conversation greets its customer itself; a native one
		// is asked for what the client has not seen.
		var convs []ConvID
		if a.Conv != "" {
			convs = append(convs, a.Conv)
		}
		c.syncAll(ctx, convs)
	}
	if a.Queued {
		c.send(ctx, &Queued{Position: a.Position, ETA: a.ETA})
	}
	c.admittedNow(ctx)
}

// syncAll asks each open conversation for what the client has not seen,
// and tells the client which of those it remembered are over.
func (c *connection) syncAll(ctx actor.Context, open []ConvID) {
	for _, id := range open {
		c.view(ctx, id).last = c.resume[id]
		ctx.Send(c.Dir.PID(KindConv, string(id)), &Sync{Conn: c.ID, Party: c.me, After: c.resume[id]})
		delete(c.resume, id)
	}
	for id, after := range c.resume {
		c.replayEnded(ctx, id, after)
	}
	c.resume = nil
}

// replayEnded gives a returning client what it missed of a conversation
// that ended while it was away, then its end: resume works however long
// the client was gone. Like a sync, it carries the newest page of what was
// missed; older pages come on request. Someone who was never in the
// conversation learns only that it is gone.
func (c *connection) replayEnded(ctx actor.Context, id ConvID, after uint64) {
	gone := &ConvClosed{Conv: id, Reason: ReasonGone}
	if c.History == nil {
		c.send(ctx, gone)
		return
	}
	sctx, cancel := context.WithTimeout(context.Background(), storeWriteTimeout)
	defer cancel()
	rec, err := c.History.Conversation(sctx, string(id))
	if err != nil || !tookPart(sctx, c.History, c.me, rec) {
		c.send(ctx, gone)
		return
	}
	page := c.HistoryPage.OrDefault()
	stored, err := c.History.MessagesBefore(sctx, string(id), 0, page.Messages)
	if err != nil {
		c.Log.Error("cannot replay ended conversation", "conv", id, "err", err)
		c.send(ctx, gone)
		return
	}
	opened := &ConvOpened{
		Conv:     id,
		Customer: Party{Role: RoleCustomer, ID: rec.CustomerID, Name: rec.CustomerName},
		Agent:    Party{Role: RoleAgent, ID: rec.AgentID, Name: rec.AgentName},
		Why:      WhyEnded,
		After:    after,
	}
	for _, m := range stored {
		if m.Seq > after {
			opened.History = append(opened.History, fromStored(id, m))
		}
	}
	opened.History = page.newest(opened.History, page.Messages)
	if len(opened.History) > 0 {
		opened.After = opened.History[0].Seq - 1
	} else if n := len(stored); n > 0 {
		opened.After = min(after, stored[n-1].Seq) // not past the end
	}
	opened.More = opened.After > after
	c.send(ctx, opened)
	c.send(ctx, gone)
}

// view returns what this connection knows of a conversation, creating it.
func (c *connection) view(ctx actor.Context, id ConvID) *convView {
	v := c.convs[id]
	if v == nil {
		v = &convView{pid: c.Dir.PID(KindConv, string(id))}
		c.convs[id] = v
	}
	if c.me.Role == RoleCustomer && !v.watched {
		// A customer hears from its conversation directly, so it can tell
		// the end from a failure itself. An agent hears through its agent
		// actor, which watches for it.
		v.watched = true
		ctx.Watch(v.pid)
	}
	return v
}

// opened delivers a conversation's opening, or a resync of it, with only
// the history the client lacks.
func (c *connection) opened(ctx actor.Context, o *ConvOpened) {
	v := c.view(ctx, o.Conv)
	if !v.synced && o.After < v.last {
		// The client claimed more than the conversation has (a stale
		// resume number): the conversation's count is the truth. Not
		// once synced: then v.last is what this connection delivered,
		// and a ConvOpened made before some of it (an agent's sync
		// answer, straight from the conversation, overtaken by live
		// messages through the agent actor) must not send it again.
		v.last = o.After
	}
	had := v.last
	out := *o
	for len(out.History) > 0 && out.History[0].Seq <= v.last {
		out.History = out.History[1:]
	}
	if n := len(out.History); n > 0 {
		v.last = out.History[n-1].Seq
	}
	out.After = v.last - uint64(len(out.History))
	out.More = out.After > had // a page that starts past what the client has
	v.synced = true
	c.send(ctx, &out)
	if c.Pool.rules().readsFrom(c.me.Role) == readFromGreeting {
		// Not on admission: the dispatcher answers before it starts the
		// conversation, and a line read in between went to a conversation
		// not there yet. The greeting comes from the running conversation.
		c.Socket.StartReading()
	}
}

// message delivers one live message exactly once and in order. Until the
// conversation has answered this connection's sync, live messages are left
// out: the sync's history will carry them.
func (c *connection) message(ctx actor.Context, m *ConvMessage) {
	if m.Conv == "" {
		c.send(ctx, m) // the tutorial's agent talking to an empty room
		return
	}
	v := c.convs[m.Conv]
	if v == nil || !v.synced || m.Seq <= v.last {
		return
	}
	if m.Seq != v.last+1 {
		c.Log.Error("sequence gap", "conv", m.Conv, "have", v.last, "got", m.Seq)
	}
	v.last = m.Seq
	if c.send(ctx, m) {
		c.Metrics.Delivered(c.Pool.Metric(), m.Stored)
	}
}

func (c *connection) startBeating(ctx actor.Context) {
	if c.Heartbeat > 0 && c.stopBeat == nil {
		c.stopBeat = c.timers.SendRepeatedly(c.Heartbeat, c.Heartbeat, ctx.Self(), &heartbeatTick{})
	}
}

func (c *connection) convClosed(ctx actor.Context, msg *ConvClosed) {
	if v, ok := c.convs[msg.Conv]; ok {
		delete(c.convs, msg.Conv)
		c.unanswered(ctx, v, msg.Reason)
		if c.me.Role == RoleCustomer {
			ctx.Unwatch(v.pid)
		}
	}
	c.send(ctx, msg)
	if c.Pool.rules().customerClosedWhenEnded && c.me.Role == RoleCustomer {
		// A tutorial customer lives for one conversation; when its agent
		// leaves it gets the tutorial's "close" order, then the server
		// hangs up.
		reason := DisconnectRoomGone
		if msg.Reason == ReasonAgentLeft {
			reason = DisconnectAgentLeft
		}
		c.send(ctx, &Kick{Reason: reason})
		c.leave(ctx, reason)
	}
}

// refuseFrame answers a frame the protocol cannot take, and counts and
// logs the offence (the log is rate-limited: a client sending garbage in a
// loop costs one line in many).
func (c *connection) refuseFrame(ctx actor.Context, fe *FrameError) {
	c.Offences.Record(limit.BadFrame, "conn", c.ID, "code", fe.Code)
	c.send(ctx, fe)
}

func (c *connection) onFrame(ctx actor.Context, f *InboundFrame) {
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
	case c.me.ID == "" && c.Pool == PoolNative:
		c.send(ctx, &FrameError{Code: ErrCodeNotHello, Message: "send hello first"})
		c.leave(ctx, DisconnectNoHello)
	case len(c.early) < maxEarly:
		// Sent right behind hello: admission is a moment away.
		c.early = append(c.early, cmd)
	default:
		c.send(ctx, &FrameError{Code: ErrCodeState, Message: "wait for welcome before sending more", Ref: clientID(cmd)})
	}
}

func (c *connection) hello(ctx actor.Context, h *CmdHello) {
	switch {
	case c.me.ID != "":
		c.send(ctx, &FrameError{Code: ErrCodeState, Message: "already said hello"})
		return
	case h.Version != ProtocolVersion:
		c.send(ctx, &FrameError{Code: ErrCodeBadValue, Message: "unsupported protocol version"})
		c.leave(ctx, DisconnectBadRequest.WithReason("unsupported protocol version"))
		return
	}
	var (
		p   Party
		err error
	)
	switch h.Role {
	case RoleAgent:
		p, c.capacityHint, c.session, err = c.Auth.Agent(h.Token)
	case RoleCustomer:
		p, c.token, err = c.Auth.Customer(h.Token, h.Name)
	default:
		err = &AuthError{Reason: DisconnectBadRequest.WithReason("role must be agent or customer")}
	}
	c.resume = h.Resume
	if err != nil {
		reason := DisconnectUnauthorized
		if ae, ok := err.(*AuthError); ok {
			reason = ae.Reason
		}
		c.Log.Info("hello refused", "reason", reason.Reason)
		// A frame first, for clients that show errors but not close
		// reasons; the close code says the same.
		code := ErrCodeUnauthorized
		switch reason.Code {
		case DisconnectBadRequest.Code:
			code = ErrCodeBadValue
		case DisconnectInternal.Code:
			// The store did not answer: the token may be fine, and a
			// client told "unauthorized" would send its user to log in.
			code = ErrCodeStoreDown
		}
		c.send(ctx, &FrameError{Code: code, Message: reason.Reason})
		c.leave(ctx, reason)
		return
	}
	if p.Role == RoleAgent {
		// Announced before admission, so a sign-out from now on finds this
		// socket; one that reached the sessions actor first is remembered
		// there and closes it as it arrives.
		ctx.Send(c.Dir.PID(KindSessions, SessionsID), &SessionOpened{Agent: p.ID, Conn: c.ID, Session: c.session})
	}
	c.identified(ctx, p)
}

// command carries one admitted client's command to where it belongs.
func (c *connection) command(ctx actor.Context, cmd any) {
	dispatcher := c.Dir.PID(KindDispatcher, DispatcherID)
	switch cmd := cmd.(type) {
	case *CmdSay:
		c.say(ctx, cmd)
	case *CmdPost:
		if conv := c.conv(ctx, cmd.Conv, cmd.ClientID); conv != nil && c.textOK(ctx, cmd.Text, cmd.ClientID) {
			ctx.Send(conv, &Post{From: c.me, Conn: c.ID, Text: cmd.Text, ClientID: cmd.ClientID})
			c.convs[cmd.Conv].posted(cmd.ClientID)
			c.Metrics.Received(c.Pool.Metric())
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
			ctx.Send(conv, &End{By: c.me, Conn: c.ID})
		}
	case *CmdRequest:
		if c.must(ctx, RoleCustomer) {
			ctx.Request(dispatcher, &RequestAgent{Customer: c.me.ID, Addr: c.Addr})
		}
	case *CmdCancel:
		if c.must(ctx, RoleCustomer) {
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

// say is the tutorial's one command: text for whoever is in the room. An
// agent alone in its room sees its own line, as in the tutorial.
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
	ctx.Send(c.Dir.PID(KindDispatcher, DispatcherID), &SetAgentCapacity{Agent: c.me.ID, Capacity: n})
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

func (c *connection) must(ctx actor.Context, role Role) bool {
	if c.me.Role == role {
		return true
	}
	c.send(ctx, &FrameError{Code: ErrCodeForbidden, Message: "only for " + role.String() + "s"})
	return false
}

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

// send encodes msg for this connection's protocol and queues it, and says
// whether the socket took it. A refusal means the socket is closing, as a
// rule because the client cannot keep up (4008): the actor goes too rather
// than buffer without bound.
func (c *connection) send(ctx actor.Context, msg any) bool {
	c.answered(msg)
	frame := c.Codec.Encode(msg)
	if frame == nil {
		return false
	}
	if !c.Socket.Send(frame) {
		ctx.Stop(ctx.Self())
		return false
	}
	return true
}

func (c *connection) leave(ctx actor.Context, d Disconnect) {
	c.Socket.Close(d)
	ctx.Stop(ctx.Self())
}

// convView is what a connection knows of one conversation: whether the
// conversation has answered its sync, the last sequence number sent to the
// client, and the client's messages on their way to it.
type convView struct {
	pid      *actor.PID
	synced   bool
	watched  bool
	last     uint64
	inflight []string // client ids posted, not yet answered (connection_inflight.go)
}
