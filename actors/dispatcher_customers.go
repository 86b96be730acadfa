package actors

import (
	"net/netip"

	"github.com/asynkron/protoactor-go/actor"
)

// customerRec is the dispatcher's record of a customer who is connected,
// waiting, or in a conversation.
type customerRec struct {
	Party
	pool     Pool
	conn     ConnID // "" while disconnected
	connSeq  uint64 // Seq of conn: a connection accepted earlier never replaces it
	wait     *waiting
	conv     *convRec
	graceGen uint64
	// addr is the address the customer counts against while it waits or
	// chats (dispatcher_limits.go); zero when it counts against none.
	addr netip.Addr
}

func (d *dispatcher) customerConnect(ctx actor.Context, msg *CustomerConnect) {
	if !msg.Pool.rules().queues {
		if msg.Rejoin {
			d.rejoinSeated(ctx, msg)
			return
		}
		d.seatOnConnect(ctx, msg)
		return
	}
	d.admitCustomer(ctx, msg, ctx.Sender())
}

// admitCustomer admits a customer of a pool that queues, answering from:
// with its place in the queue, its conversation, or idle. A customer whose
// last queue change is not stored yet is admitted once it is (its welcome
// says where it stands, and a restart must find it there), so this also
// runs from routing_writes.go, later than the asking.
func (d *dispatcher) admitCustomer(ctx actor.Context, msg *CustomerConnect, from *actor.PID) {
	if d.holdConnect(msg, from) {
		return
	}
	c := d.customers[msg.Customer.ID]
	if c == nil {
		c = &customerRec{Party: msg.Customer, pool: msg.Pool}
		d.customers[c.ID] = c
	}
	if c.conn != "" && msg.Seq < c.connSeq {
		// An older attempt whose hello arrived late (the client gave up on
		// it and connected again): it must not push out the newer one.
		answer(ctx, from, &Refused{Reason: DisconnectReplaced})
		return
	}
	c.connSeq = msg.Seq
	if c.Name == "" {
		// Restored from routing events stored before they carried names.
		c.Name = msg.Customer.Name
	}
	if c.conn != "" && c.conn != msg.Conn {
		// The same customer in a second tab: the newest wins, and the
		// old one is told why it lost the chat, once the conversation has
		// the new one.
		if c.conv != nil && c.conv.pid != nil {
			ctx.Send(c.conv.pid, &Attach{Conn: msg.Conn})
		}
		ctx.Send(d.Dir.PID(KindConn, string(c.conn)), &Kick{Reason: DisconnectReplaced})
	}
	d.attachCustomer(ctx, c, msg.Conn)
	res := &CustomerAdmitted{}
	switch {
	case c.wait != nil:
		res.Queued, res.Team = true, c.wait.team.id
		slots := d.slots()
		d.eachPresent(func(w *waiting, p place) {
			if w == c.wait {
				res.Position, res.ETA = p.position, w.team.eta(p.position, slots[w.team])
				w.told(p, int64(res.ETA.Seconds()))
			}
		})
		if c.wait.conv != nil {
			res.Conv = c.wait.conv.id
		}
	case c.conv != nil && (c.conv.form || c.conv.toInbox):
		// Its form is being written, or sent back to its inbox: it hears
		// "left" once that is stored (convParked), not a chat.
		res.Inbox, res.Team = c.conv.id, c.conv.team.id
	case c.conv != nil:
		res.Conv = c.conv.id
	case d.inboxOf[c.ID] != nil:
		e := d.inboxOf[c.ID]
		res.Inbox, res.Team, res.Stored = e.item.Conv, e.team.id, true
	}
	answer(ctx, from, res)
	if c.wait != nil {
		// Back in time: passed over while away, it is served first now,
		// after this answer, and those behind it move back one.
		d.assignWaiting(ctx)
	}
}

func (d *dispatcher) attachCustomer(ctx actor.Context, c *customerRec, conn ConnID) {
	c.conn = conn
	c.graceGen = d.nextGen() // a pending grace timer is now stale
	pid := d.Dir.PID(KindConn, string(conn))
	d.custConns[pidKey(pid)] = c
	ctx.Watch(pid)
}

// rejoinSeated takes back a customer of a pool without a queue (the
// tutorial's) whose dispatcher moved: it is seated already, with a
// conversation that carries on without this dispatcher, so it is only
// known again (its name taken while it stays), never seated twice.
func (d *dispatcher) rejoinSeated(ctx actor.Context, msg *CustomerConnect) {
	c := d.customers[msg.Customer.ID]
	if c == nil {
		c = &customerRec{Party: msg.Customer, pool: msg.Pool}
		d.customers[c.ID] = c
	}
	if _, taken := d.custNames[c.Name]; msg.Pool.rules().uniqueNames && !taken {
		d.custNames[c.Name] = c
	}
	c.connSeq = msg.Seq
	d.attachCustomer(ctx, c, msg.Conn)
	ctx.Respond(&CustomerAdmitted{})
}

// seatOnConnect seats a customer of a pool without a queue (the
// tutorial's): with the agent reserved for its name, or any free agent of
// its pool, or nowhere.
func (d *dispatcher) seatOnConnect(ctx actor.Context, msg *CustomerConnect) {
	if _, taken := d.custNames[msg.Customer.Name]; msg.Pool.rules().uniqueNames && taken {
		ctx.Respond(&Refused{Reason: DisconnectNameTaken})
		return
	}
	var a *agentRec
	if r := d.reserved[msg.Customer.Name]; r != nil {
		a = r.agent
		d.unreserve(msg.Customer.Name)
	} else if a = d.general().free.best(); a == nil {
		ctx.Respond(&Refused{Reason: DisconnectNoAgent})
		return
	}
	c := &customerRec{Party: msg.Customer, pool: msg.Pool}
	d.customers[c.ID] = c
	if msg.Pool.rules().uniqueNames {
		d.custNames[c.Name] = c
	}
	d.attachCustomer(ctx, c, msg.Conn)
	conv := d.newConv(c)
	// Answer first, so the connection knows its conversation before the
	// conversation's greeting reaches it.
	ctx.Respond(&CustomerAdmitted{Conv: conv.id})
	d.start(ctx, conv, a, 0)
}

// customerConnGone handles a customer's connection ending. A customer of a
// pool without a reconnect grace period (compat) is gone at once; a native
// one keeps its place in the queue for the grace period, but is given no
// agent while away, and those behind it move up meanwhile (its conversation
// keeps itself).
func (d *dispatcher) customerConnGone(ctx actor.Context, c *customerRec, conn *actor.PID) {
	if d.Dir.PID(KindConn, string(c.conn)).Id != conn.Id {
		return // an older connection, already replaced
	}
	c.conn = ""
	switch {
	case !c.pool.rules().reconnectGrace:
		if c.conv == nil {
			d.forgetCustomer(c)
		}
	case c.wait != nil:
		d.startCustomerGrace(ctx, c)
		d.positionsChanged(ctx)
	case c.conv == nil:
		d.forgetCustomer(c)
	}
}

func (d *dispatcher) customerGraceExpired(ctx actor.Context, msg *customerGraceExpired) {
	c := d.customers[msg.Customer]
	if c == nil || c.graceGen != msg.Gen || c.conn != "" || c.wait == nil {
		return
	}
	w := c.wait
	if d.flushPending && w.toldPosition == 0 {
		// Its request is answered (queued) before its cancel (dequeued),
		// even when the cancel overtakes the coalesced position update.
		d.flushPending = false
		d.tellPositions(ctx)
	}
	d.leaveQueue(ctx, c)
	if w.conv != nil {
		// A conversation waiting for a new agent ends with its customer.
		ctx.Send(w.conv.pid, &Finish{Reason: ReasonCustomerLeft})
		return
	}
	d.forgetCustomer(c)
}

func (d *dispatcher) forgetCustomer(c *customerRec) {
	d.uncount(c)
	delete(d.customers, c.ID)
	if d.custNames[c.Name] == c {
		delete(d.custNames, c.Name)
	}
}

func (d *dispatcher) requestAgent(ctx actor.Context, msg *RequestAgent) {
	c := d.customers[msg.Customer]
	switch {
	case c == nil || !c.pool.rules().queues:
		ctx.Respond(&FrameError{Code: ErrCodeForbidden, Message: "not a customer here"})
		return
	case c.wait != nil:
		ctx.Respond(&FrameError{Code: ErrCodeState, Message: "already waiting"})
		return
	case c.conv != nil:
		ctx.Respond(&FrameError{Code: ErrCodeState, Message: "already in a conversation"})
		return
	case d.inboxOf[c.ID] != nil:
		// One open conversation per customer: its form waits for an
		// agent of its team, and will be answered there.
		ctx.Respond(&FrameError{Code: ErrCodeState, Message: "a message you left waits for an agent"})
		return
	}
	team := d.teamFor(msg.Team)
	if team == nil {
		ctx.Respond(&FrameError{Code: ErrCodeUnknownTeam, Message: "no such team"})
		return
	}
	now := d.Now()
	if ok, code := team.takes(now); !ok {
		ctx.Respond(&FrameError{Code: code, Message: "the team takes no new customers now"})
		return
	}
	if over := d.overLimit(c, msg.Addr); over != nil {
		ctx.Respond(over)
		return
	}
	d.count(c, msg.Addr)
	d.ticket++
	c.wait = &waiting{customer: c, team: team, ticket: d.ticket, since: now, asked: now, email: msg.Email}
	team.queue.pushBack(c.wait)
	d.publish(ctx, RoutingQueued, &convRec{customer: c, ticket: d.ticket, team: team}, nil)
	d.assignWaiting(ctx)
}

func (d *dispatcher) cancelRequest(ctx actor.Context, msg *CancelRequest) {
	c := d.customers[msg.Customer]
	if c == nil || c.wait == nil {
		ctx.Respond(&FrameError{Code: ErrCodeState, Message: "not waiting"})
		return
	}
	w := c.wait
	if d.flushPending && w.toldPosition == 0 {
		// Its request is answered (queued) before its cancel (dequeued),
		// even when the cancel overtakes the coalesced position update.
		d.flushPending = false
		d.tellPositions(ctx)
	}
	if w.toldPosition == 0 && c.conn != "" {
		// Its queued event is not stored yet, so it was told nothing:
		// it is told its place once that is stored, then dequeued.
		if p, ok := d.placeOf(w); ok {
			d.holdUntilStored(ctx, c.ID, d.Dir.PID(KindConn, string(c.conn)), &Queued{Position: p.position, ETA: w.team.eta(p.position, d.slots()[w.team]), Team: w.team.id})
		}
	}
	d.leaveQueue(ctx, c)
	if w.conv != nil {
		ctx.Send(w.conv.pid, &Finish{By: c.Party, Reason: ReasonCustomerEnded})
		return
	}
	if c.conn != "" {
		// Once its leaving is stored: a restart must not bring it back.
		d.holdUntilStored(ctx, c.ID, d.Dir.PID(KindConn, string(c.conn)), &Dequeued{})
	}
}

// placeOf is where w, connected, stands now.
func (d *dispatcher) placeOf(w *waiting) (place, bool) {
	var at place
	found := false
	d.eachPresent(func(x *waiting, p place) {
		if x == w {
			at, found = p, true
		}
	})
	return at, found
}

// answer responds to the asker from, which may be a message handled later
// than it came (held): nil, as for a Send with no sender, answers nobody.
func answer(ctx actor.Context, from *actor.PID, msg any) {
	if from != nil {
		ctx.Send(from, msg)
	}
}

// leaveQueue takes a customer out of the queue at once.
func (d *dispatcher) leaveQueue(ctx actor.Context, c *customerRec) {
	c.wait.team.queue.remove(c.wait)
	if c.wait.conv != nil {
		c.wait.conv.wait = nil
	}
	d.publish(ctx, RoutingLeftQueue, &convRec{customer: c, ticket: c.wait.ticket, team: c.wait.team}, nil)
	c.wait = nil
	d.uncount(c)
	d.positionsChanged(ctx)
}

// getRoom is the tutorial's /getroom on the compat pool: it offers an
// agent, whom the customer's connection is then seated with. Each address may
// hold ReservationCap unused offers, and asking again does not make
// one last longer: otherwise one address asking every few seconds, for as
// many names as there are agents, keeps every agent from every customer.
func (d *dispatcher) getRoom(ctx actor.Context, msg *GetRoom) *AgentOffer {
	if _, online := d.custNames[msg.Customer]; online {
		return &AgentOffer{} // that name is chatting already
	}
	if r := d.reserved[msg.Customer]; r != nil {
		// Asked twice (a double click, a retry): the same agent, until
		// the first expiry.
		return &AgentOffer{Granted: true, AgentName: r.agent.Name}
	}
	if d.ReservationCap > 0 && d.reservedBy[msg.From] >= d.ReservationCap {
		return &AgentOffer{Capped: true}
	}
	a := d.general().free.best()
	if a == nil {
		return &AgentOffer{}
	}
	d.reserve(ctx, msg, a)
	return &AgentOffer{Granted: true, AgentName: a.Name}
}

func (d *dispatcher) reserve(ctx actor.Context, msg *GetRoom, a *agentRec) {
	r := &reservation{agent: a, from: msg.From, gen: d.nextGen()}
	d.reserved[msg.Customer] = r
	d.reservedBy[msg.From]++
	a.reserved = msg.Customer
	d.refresh(a)
	d.after(ctx, d.ReservationTTL, &reservationExpired{Customer: msg.Customer, Gen: r.gen})
}

// unreserve ends customer's reservation, used or not; the caller refreshes
// the agent's place in its pool, if it has one.
func (d *dispatcher) unreserve(customer string) {
	r := d.reserved[customer]
	if r == nil {
		return
	}
	delete(d.reserved, customer)
	r.agent.reserved = ""
	if d.reservedBy[r.from]--; d.reservedBy[r.from] <= 0 {
		delete(d.reservedBy, r.from)
	}
}

func (d *dispatcher) reservationExpired(ctx actor.Context, msg *reservationExpired) {
	r := d.reserved[msg.Customer]
	if r == nil || r.gen != msg.Gen {
		return // used, or its agent left: a stale timer
	}
	d.unreserve(msg.Customer)
	d.refresh(r.agent)
	d.Log.Info("reservation expired", "customer", msg.Customer, "agent", r.agent.Name)
}

// startCustomerGrace gives an absent customer the grace period to come
// back; an earlier grace timer is stale from now on.
func (d *dispatcher) startCustomerGrace(ctx actor.Context, cust *customerRec) {
	cust.graceGen = d.nextGen()
	d.after(ctx, d.CustomerGrace, &customerGraceExpired{Customer: cust.ID, Gen: cust.graceGen})
}
