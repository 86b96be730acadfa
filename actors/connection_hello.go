package actors

import (
	"cmp"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"

	"kefu/internal/ids"
)

// Who the client is and its admission. A compat connection knows its
// client from the query string when it starts; a native one reads only its
// hello, proved through the Authenticator (authenticator.go). Either then
// asks the dispatcher to admit it, and once admitted welcomes the client,
// syncs its conversations (connection_replay.go) and handles the commands
// that came early (connection_frames.go). Where actors move it asks
// again when its dispatcher moves (connection_rejoin.go).

// started identifies a compat client from its query at once; a native one
// must say hello first, within HelloTimeout.
func (c *connection) started(ctx actor.Context) {
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
}

// helloTimedOut ends a native connection that has not said who it is.
func (c *connection) helloTimedOut(ctx actor.Context) {
	if c.me.ID == "" {
		c.leave(ctx, DisconnectNoHello)
	}
}

// hello checks a native client's hello: the protocol version, then who it
// is, through the Authenticator. A refusal gets a frame and the close.
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

// identified asks the dispatcher to admit this now-known client.
func (c *connection) identified(ctx actor.Context, p Party) {
	c.me = p
	if m := c.admission(false); m != nil {
		ctx.Request(c.dispatcherPID(), m)
		c.awaitAdmission(ctx)
	}
}

// admissionUnanswered is the connection's timer for its dispatcher's
// answer to its hello.
type admissionUnanswered struct{}

// awaitAdmission sets the timer for the admission's answer, on a cluster's
// native pool. Delivery between nodes is at most once: a hello's admission
// sent to a dispatcher that was moving is lost, and the client would wait
// for a welcome that never comes, a waiting customer passed over in the
// meantime. The tutorial's pool has no second admission that is safe to
// repeat (a compat customer's connect seats it).
func (c *connection) awaitAdmission(ctx actor.Context) {
	if c.Dir.Moves() && c.Pool == PoolNative {
		c.timers.SendOnce(rejoinAnswerWait, ctx.Self(), &admissionUnanswered{})
	}
}

// admissionTimedOut asks again, the same, when the admission is still
// unanswered: a native dispatcher that did admit the client answers a
// repeat as the first (not as a rejoin, which would carry no capacity
// yet: a restored dispatcher then kept its guess, and a rolling restart
// gave agents of capacity 2 a third conversation).
func (c *connection) admissionTimedOut(ctx actor.Context) {
	if c.admitted {
		return
	}
	c.Log.Info("admission unanswered; asking again", "role", c.me.Role)
	if m := c.admission(false); m != nil {
		ctx.Request(c.dispatcherPID(), m)
		c.awaitAdmission(ctx)
	}
}

// admission is what asks the dispatcher to admit this client: at hello,
// or again, with what it has now, after the dispatcher moved (rejoin,
// connection_rejoin.go).
func (c *connection) admission(rejoin bool) any {
	switch c.me.Role {
	case RoleAgent:
		m := &AgentConnect{Agent: c.me, Capacity: c.capacityHint, Conn: c.ID, Pool: c.Pool}
		if rejoin {
			m.Rejoin, m.Capacity, m.Status, m.Convs = true, c.rejoin.capacity, c.rejoin.status, c.convIDs()
		}
		return m
	case RoleCustomer:
		return &CustomerConnect{Customer: c.me, Conn: c.ID, Seq: c.Seq, Pool: c.Pool, Rejoin: rejoin}
	}
	return nil
}

// refused closes a connection the dispatcher would not admit.
func (c *connection) refused(ctx actor.Context, msg *Refused) {
	c.Log.Info("connection refused", "role", c.me.Role, "name", c.me.Name, "reason", msg.Reason.Reason)
	c.leave(ctx, msg.Reason)
}

func (c *connection) agentAdmitted(ctx actor.Context, a *AgentAdmitted) {
	if c.admitted {
		c.agentRejoined(ctx, a)
		return
	}
	c.admitted = true
	c.rejoin.status, c.rejoin.capacity = a.Status, a.Capacity
	c.send(ctx, &Welcome{You: c.me, Status: a.Status, Capacity: a.Capacity, MaxCapacity: cmp.Or(c.MaxCapacity, MaxCapacity), Heartbeat: c.Heartbeat, MaxTextBytes: c.MaxTextBytes, MaxFileBytes: c.MaxFileBytes})
	c.syncAll(ctx, a.Convs)
	c.admittedNow(ctx)
}

func (c *connection) customerAdmitted(ctx actor.Context, a *CustomerAdmitted) {
	if c.admitted {
		c.customerRejoined(ctx, a)
		return
	}
	c.admitted = true
	state := "idle"
	switch {
	case a.Queued:
		state = "queued"
	case a.Conv != "":
		state = "chatting"
	case a.Inbox != "":
		state = "inbox"
	}
	c.send(ctx, &Welcome{You: c.me, Token: c.token, State: state, Heartbeat: c.Heartbeat, MaxTextBytes: c.MaxTextBytes, MaxFileBytes: c.MaxFileBytes})
	if c.Pool.rules().greetsCustomer && a.Conv != "" {
		// Known now, though not watched yet: the dispatcher starts the
		// conversation just after this answer, and a watch before that
		// would report it dead.
		c.convs[a.Conv] = &convView{pid: c.Dir.PID(KindConv, string(a.Conv))}
	}
	if !c.Pool.rules().greetsCustomer {
		// A compat conversation greets its customer itself; a native one
		// is asked for what the client has not seen.
		var convs []ConvID
		if a.Conv != "" {
			convs = append(convs, a.Conv)
		}
		c.syncAll(ctx, convs)
	}
	if a.Queued {
		c.standing(ctx, &Queued{Position: a.Position, ETA: a.ETA, Team: a.Team})
	}
	if a.Inbox != "" && a.Stored {
		c.formLeft(ctx, &FormLeft{Conv: a.Inbox, Team: a.Team})
	}
	c.admittedNow(ctx)
}

// admittedNow starts what waits for admission: heartbeats, reading (on
// the compat protocol) and the commands that arrived early.
func (c *connection) admittedNow(ctx actor.Context) {
	c.Metrics.ConnectionOpened(c.me.Role.Metric(), c.Pool.Metric())
	c.startBeating(ctx)
	c.startProbing(ctx)
	if c.Pool.rules().readsFrom(c.me.Role) == readOnAdmission {
		// A compat customer reads from its greeting on (see opened).
		c.Socket.StartReading()
	}
	for _, cmd := range c.early {
		c.command(ctx, cmd)
	}
	c.early = nil
	c.watchDispatcher(ctx)
}

// formLeft tells the client its offline form is stored, with a resume
// token that lasts as long as a form may wait for its answer.
func (c *connection) formLeft(ctx actor.Context, m *FormLeft) {
	out := *m
	if ft, ok := c.Auth.(FormTokens); ok {
		if token, err := ft.FormToken(c.me); err == nil {
			out.Token = token
		} else {
			c.Log.Error("cannot issue a form's token; the customer keeps its own", "err", err)
		}
	}
	c.send(ctx, &out)
}
