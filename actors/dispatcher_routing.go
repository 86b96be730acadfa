package actors

import (
	"time"

	"kefu/internal/ids"
	"kefu/store"

	"github.com/asynkron/protoactor-go/actor"
)

// convRec is the dispatcher's record of one open conversation.
type convRec struct {
	id       ConvID
	pid      *actor.PID
	customer *customerRec
	agent    *agentRec // nil while it waits in the queue
	wait     *waiting  // set while it waits in the queue
	team     *teamRec  // the team whose queue it waits in, or last waited in
	email    string    // a form's: the customer's address, if it left one
	// awaitCustomer: a form's customer comes back when it will, so no
	// grace runs for it until it first attaches (StartConv.AwaitCustomer).
	awaitCustomer bool
	form          bool // an offline form on its way to its inbox (dispatcher_inbox.go)
	// takenFrom is the inbox item of a form taken, until the conversation
	// has started: if it fails first, the form goes back to its inbox.
	takenFrom *InboxItem
	// toInbox: sent back to its inbox (backToInbox) and not parked yet; an
	// activation after a move is told to do it again (StartConv.ToInbox).
	toInbox bool
	ticket  uint64 // the customer's arrival number: its place if re-queued
	started time.Time
	asked   time.Time // when its customer asked for an agent: a re-queue's wait counts from there
	moves   moves     // its actor's re-activations (dispatcher_moves.go)
}

// Dequeued tells a customer it is no longer waiting.
type Dequeued struct{}

// assignWaiting gives waiting customers to free agents in queue order: no
// later customer is served while an earlier one of the same team waits
// connected. A customer whose connection is gone keeps its place through
// its grace period but is passed over while away, so a customer who asked
// and left holds no agent; back, it is served before everyone behind it.
// Across teams, the oldest head goes first (waiting.before): an agent in
// two teams is given the oldest customer either of them has. Every routing
// change ends here, so it is also where waiting customers get their new
// position and estimate.
func (d *dispatcher) assignWaiting(ctx actor.Context) {
	defer d.positionsChanged(ctx)
	if d.settling() {
		return
	}
	heads := make([]cursor, 0, len(d.teams))
	for _, t := range d.teams {
		if c := (cursor{team: t, w: t.queue.head()}); c.skipAway() {
			heads = append(heads, c)
		}
	}
	for {
		var pick *cursor
		for i := range heads {
			c := &heads[i]
			if c.w != nil && c.team.free.Len() > 0 && (pick == nil || c.w.before(pick.w)) {
				pick = c
			}
		}
		if pick == nil {
			return
		}
		w, free := pick.w, &pick.team.free
		pick.w = pick.team.queue.next(w)
		pick.skipAway()
		a := free.best()
		if w.notTo == a.ID {
			// Handed back by this agent: someone else, if anyone can.
			if other := free.second(); other != nil {
				a = other
			}
		}
		d.assign(ctx, w, a)
	}
}

// cursor walks one team's queue in a pass of assignWaiting.
type cursor struct {
	team *teamRec
	w    *waiting // the next customer to serve, or nil
}

// skipAway moves the cursor past customers who are away, and reports
// whether it still points at one.
func (c *cursor) skipAway() bool {
	for c.w != nil && c.w.customer.conn == "" {
		c.w = c.team.queue.next(c.w)
	}
	return c.w != nil
}

// assign gives waiting customer w to agent a.
func (d *dispatcher) assign(ctx actor.Context, w *waiting, a *agentRec) {
	w.team.queue.remove(w)
	waited := d.Now().Sub(w.since)
	if w.conv != nil {
		w.customer.wait = nil
		c := w.conv
		c.wait = nil
		d.seat(c, a)
		ctx.Send(c.pid, &Reassign{Agent: a.Party, AgentActor: a.actorID, Why: WhyAssigned})
		d.publishAssigned(ctx, c, a, waited)
	} else {
		conv := d.newConv(w.customer) // keeps the arrival ticket
		w.customer.wait = nil
		d.start(ctx, conv, a, waited)
	}
}

func (d *dispatcher) newConv(c *customerRec) *convRec {
	conv := &convRec{id: ConvID(ids.Conv + ids.New()), customer: c, started: d.Now(), asked: d.Now(), team: d.general()}
	if c.wait != nil {
		conv.ticket, conv.asked, conv.team, conv.email = c.wait.ticket, c.wait.asked, c.wait.team, c.wait.email
	} else {
		d.ticket++
		conv.ticket = d.ticket
	}
	c.conv = conv
	d.convs[conv.id] = conv
	return conv
}

// seat gives conversation c to agent a.
func (d *dispatcher) seat(c *convRec, a *agentRec) {
	d.tick++
	a.lastAssigned = d.tick
	a.convs[c.id] = c
	c.agent = a
	c.customer.conv = c
	d.refresh(a)
}

// start opens a new conversation between its customer and agent a, after
// the customer waited that long in the queue.
func (d *dispatcher) start(ctx actor.Context, c *convRec, a *agentRec, waited time.Duration) {
	d.seat(c, a)
	d.spawnConv(ctx, c, a, false)
	if c.pid != nil {
		d.publishAssigned(ctx, c, a, waited)
	}
}

// spawnConv activates the actor of conversation c, with agent a or none;
// restored conversations read their messages back from the store.
func (d *dispatcher) spawnConv(ctx actor.Context, c *convRec, a *agentRec, restore bool) {
	if err := d.activateConv(ctx, c, d.convStart(c, a, restore)); err != nil {
		d.Log.Error("cannot start conversation", "conv", c.id, "err", err)
		d.drop(c)
	}
}

// convStart is what conversation c starts with, with agent a or none.
func (d *dispatcher) convStart(c *convRec, a *agentRec, restore bool) *StartConv {
	start := &StartConv{
		ID:            c.id,
		Pool:          d.Pool,
		Ticket:        c.ticket,
		Team:          c.team.id,
		Restore:       restore,
		Customer:      c.customer.Party,
		CustomerConn:  c.customer.conn,
		CustomerGrace: d.CustomerGrace,
		HistoryPage:   d.HistoryPage,
		AwaitCustomer: c.awaitCustomer,
		Email:         c.email,
		ToInbox:       c.toInbox,
	}
	if d.routing.epoch != 0 {
		start.StartedBy = store.Fence{Key: DispatcherFenceKey(d.Pool), Epoch: d.routing.epoch, Node: d.Node}
	}
	if a != nil {
		start.Agent, start.AgentActor = a.Party, a.actorID
		if !a.pool.rules().reconnectGrace {
			start.CustomerGrace = 0 // the tutorial's customer who leaves is gone
		}
	}
	return start
}

// activateConv activates conversation c's actor with start and watches
// it: its Terminated without ConvFinished is a failure, or a move.
func (d *dispatcher) activateConv(ctx actor.Context, c *convRec, start *StartConv) error {
	pid, err := d.Dir.Activate(KindConv, string(c.id), start)
	if err != nil {
		return err
	}
	c.pid = pid
	d.convPIDs[pidKey(pid)] = c
	ctx.Watch(pid)
	return nil
}

// requeue puts conversation c at the head of the queue, keeping it. An
// agent who hands a conversation back is not offered it again while another
// can take it. h is that hand-off, kept with the conversation's events; nil
// when no agent asked (its agent was lost).
func (d *dispatcher) requeue(ctx actor.Context, c *convRec, reason string, h *Handoff) {
	if c.awaitCustomer && c.customer.conn == "" {
		d.backToInbox(ctx, c, reason, h)
		return
	}
	var notTo string
	if c.agent != nil && reason == ReasonRequeued {
		notTo = c.agent.ID
	}
	c.agent = nil
	c.wait = &waiting{customer: c.customer, conv: c, team: c.team, ticket: c.ticket, notTo: notTo, since: d.Now(), asked: c.asked}
	c.customer.wait = c.wait
	c.team.queue.pushFront(c.wait)
	ctx.Send(c.pid, &Unassign{Reason: reason, Handoff: h, Team: c.team.id})
	if c.customer.conn != "" {
		// Told here rather than by the conversation, so it always reaches
		// the customer before the queue position that follows.
		ctx.Send(d.Dir.PID(KindConn, string(c.customer.conn)), &Requeued{Conv: c.id, Reason: reason})
	}
	d.publish(ctx, RoutingRequeued, c, nil)
	d.positionsChanged(ctx)
}

// convFinished forgets a conversation that ended (or whose actor died) and
// frees its agent's slot.
func (d *dispatcher) convFinished(ctx actor.Context, id ConvID, reason string) {
	c := d.convs[id]
	if c == nil {
		return
	}
	if reason == ReasonFailed {
		d.Log.Error("conversation actor stopped unexpectedly", "conv", id)
		if c.takenFrom != nil {
			defer d.addToInbox(ctx, *c.takenFrom) // after drop: the customer is free again
		}
	}
	a := c.agent
	d.drop(c)
	if c.pid != nil {
		delete(d.convPIDs, pidKey(c.pid))
	}
	if a != nil {
		// Seed the wait estimate with how long conversations really last.
		c.team.avgDuration = (4*c.team.avgDuration + d.Now().Sub(c.started)) / 5
	}
	d.publish(ctx, RoutingEnded, c, a)
	d.assignWaiting(ctx)
}

func (d *dispatcher) drop(c *convRec) {
	delete(d.convs, c.id)
	if c.agent != nil {
		delete(c.agent.convs, c.id)
		d.refresh(c.agent)
	}
	if c.wait != nil {
		c.wait.team.queue.remove(c.wait)
		c.customer.wait = nil
	}
	if c.customer.conv == c {
		c.customer.conv = nil
	}
	d.uncount(c.customer)
	if c.customer.conn == "" && c.customer.wait == nil {
		d.forgetCustomer(c.customer)
	}
}

// positionsChanged schedules one update of every waiting customer. Bursts
// of changes (a thousand arrivals) coalesce into one pass, sent after the
// messages already in the mailbox.
func (d *dispatcher) positionsChanged(ctx actor.Context) {
	if !d.flushPending {
		d.flushPending = true
		ctx.Send(ctx.Self(), &flushPositions{})
	}
}

// tellPositions tells each waiting customer whose position or estimate
// changed, and, when the position moved back, why. Updates are coalesced
// (positionsChanged), so a burst that moves a customer back (a mass
// re-queue) is one frame and one reason.
func (d *dispatcher) tellPositions(ctx actor.Context) {
	slots := d.slots()
	d.eachPresent(func(w *waiting, p place) {
		if d.routing.unstored[w.customer.ID] != nil {
			return // told once its queued event is stored (routing_writes.go)
		}
		eta := w.team.eta(p.position, slots[w.team])
		secs := int64(eta.Seconds())
		if w.toldPosition == p.position && w.toldETA == secs {
			return
		}
		moved := w.movedReason(p)
		w.told(p, secs)
		ctx.Send(d.Dir.PID(KindConn, string(w.customer.conn)), &Queued{Position: p.position, ETA: eta, Moved: moved, Team: w.team.id})
	})
}

// eachPresent calls f with every waiting customer who is connected and its
// place in its team's queue: its position is one more than the customers
// connected ahead of it. A customer away keeps its place but is passed over
// (assignWaiting), so it delays nobody and counts in nobody's position
// until it is back.
func (d *dispatcher) eachPresent(f func(w *waiting, p place)) {
	for _, t := range d.teams {
		var p place
		t.queue.each(func(w *waiting) {
			if w.customer.conn == "" {
				return
			}
			p.position++
			f(w, p)
			if w.conv != nil {
				p.requeuedAhead++
			}
		})
	}
}

// eta estimates the wait of the customer at pos in t's queue: the
// conversations ahead of it, each lasting the team's recent average,
// shared among the slots of its members who are available. An estimate,
// said to be one. With no member available there is no honest estimate:
// it is -1, unknown.
func (t *teamRec) eta(pos, slots int) time.Duration {
	if slots == 0 {
		return -1
	}
	return (time.Duration(pos) * t.avgDuration / time.Duration(slots)).Round(time.Second)
}

// slots counts, by team, the conversations its available members of the
// pools that queue (native) can hold. An agent in two teams counts in
// both: an estimate, said to be one.
func (d *dispatcher) slots() map[*teamRec]int {
	n := make(map[*teamRec]int, len(d.teams))
	for _, a := range d.agents {
		if a.pool.rules().queues && len(a.conns) > 0 && a.status == StatusAvailable {
			for _, m := range a.teams {
				n[m.team] += a.capacity
			}
		}
	}
	return n
}
