package actors

import (
	"sort"
	"strings"

	"kefu/internal/ids"

	"github.com/asynkron/protoactor-go/actor"
)

// agentRec is the dispatcher's record of one agent: online, or within the
// grace period after its last connection dropped.
type agentRec struct {
	Party
	pool     Pool
	status   Status
	capacity int
	convs    map[ConvID]*convRec
	reserved string // compat: the customer name holding a /getroom offer

	actorID string            // the agent actor's id in the Directory
	pid     *actor.PID        // the agent actor, which fans events out to its connections
	conns   map[string]ConnID // live connections by pidKey; none means gone, within the grace period
	moves   moves             // the agent actor's re-activations (dispatcher_moves.go)

	lastAssigned uint64        // the dispatcher's tick at the last assignment
	teams        []*teamMember // its places in its teams' heaps (dispatcher_teams.go)
	graceGen     uint64
}

// newAgentActorID names a new incarnation of agent's actor: a fresh id
// each time, since the previous one may still be stopping under the old
// name. The agent's id comes first, so that a stale incarnation that wakes
// can be traced to its agent (agentOfActor).
func newAgentActorID(agent string) string {
	return agent + agentActorSep + ids.New()
}

// agentActorSep separates an agent actor's id into its agent's id and its
// incarnation; neither an agent id nor ids.New contains it.
const agentActorSep = "."

// agentOfActor is the agent whose incarnation the agent actor id names.
func agentOfActor(actorID string) string {
	agent, _, _ := strings.Cut(actorID, agentActorSep)
	return agent
}

func (a *agentRec) load() int {
	n := len(a.convs)
	if a.reserved != "" {
		n++
	}
	return n
}

// canTake says whether the agent may be given a customer now.
func (a *agentRec) canTake() bool {
	return len(a.conns) > 0 && a.status == StatusAvailable && a.load() < a.capacity
}

// convsInOrder returns the agent's conversations oldest arrival first.
func (a *agentRec) convsInOrder() []*convRec {
	out := make([]*convRec, 0, len(a.convs))
	for _, c := range a.convs {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ticket < out[j].ticket })
	return out
}

func (d *dispatcher) agentConnect(ctx actor.Context, msg *AgentConnect) {
	a := d.agents[msg.Agent.ID]
	conn := d.Dir.PID(KindConn, string(msg.Conn))
	if msg.Rejoin && a != nil && d.agentConns[pidKey(conn)] == a {
		// Admitted here already: a rejoin repeated while this dispatcher
		// was coming back, or one from a move that was no move.
		ctx.Respond(d.agentAdmitted(a))
		return
	}
	if msg.Pool.rules().uniqueNames {
		if _, taken := d.agentNames[msg.Agent.Name]; taken {
			ctx.Respond(&Refused{Reason: DisconnectNameTaken})
			return
		}
	}
	if a == nil {
		var err error
		if a, err = d.newAgent(ctx, msg); err != nil {
			d.Log.Error("cannot start agent actor", "agent", msg.Agent.ID, "err", err)
			ctx.Respond(&Refused{Reason: DisconnectInternal})
			return
		}
	}
	if msg.Capacity > 0 && a.pool.rules().fixedCapacity == 0 {
		a.capacity = msg.Capacity // the account's, as stored: it wins over a restored guess
	}
	if msg.Rejoin && msg.Status != "" && len(a.conns) == 0 {
		// The first tab back after a move knows the status the agent
		// chose; a restored record only guessed it.
		a.status = msg.Status
	}
	d.agentConns[pidKey(conn)] = a
	a.conns[pidKey(conn)] = msg.Conn
	ctx.Watch(conn)
	ctx.Send(a.pid, &AttachConn{Conn: msg.Conn})
	a.graceGen = d.nextGen() // a pending grace timer is now stale
	d.refresh(a)

	ctx.Respond(d.agentAdmitted(a))
	if msg.Rejoin {
		d.Log.Info("agent rejoined", "agent", a.ID, "name", a.Name, "conns", len(a.conns), "conversations", len(a.convs), "its", len(msg.Convs))
	} else {
		d.Log.Info("agent connected", "agent", a.ID, "name", a.Name, "conns", len(a.conns))
	}
	d.assignWaiting(ctx)
}

// agentAdmitted is the answer to an agent's admission: where it stands,
// and its open conversations, oldest first.
func (d *dispatcher) agentAdmitted(a *agentRec) *AgentAdmitted {
	convs := make([]ConvID, 0, len(a.convs))
	for _, c := range a.convsInOrder() {
		convs = append(convs, c.id)
	}
	return &AgentAdmitted{Status: a.status, Capacity: a.capacity, Convs: convs}
}

func (d *dispatcher) newAgent(ctx actor.Context, msg *AgentConnect) (*agentRec, error) {
	capacity := msg.Capacity
	if capacity <= 0 {
		capacity = DefaultCapacity
	}
	if fixed := msg.Pool.rules().fixedCapacity; fixed > 0 {
		capacity = fixed
	}
	a := &agentRec{
		Party:        msg.Agent,
		pool:         msg.Pool,
		status:       StatusAvailable,
		capacity:     capacity,
		convs:        map[ConvID]*convRec{},
		conns:        map[string]ConnID{},
		lastAssigned: d.tick,
		actorID:      newAgentActorID(msg.Agent.ID),
	}
	pid, err := d.Dir.Activate(KindAgent, a.actorID, &StartAgent{Agent: a.Party})
	if err != nil {
		return nil, err
	}
	a.pid = pid
	ctx.Watch(pid)
	d.join(a)
	d.agents[a.ID] = a
	d.agentActors[pidKey(pid)] = a
	if a.pool.rules().uniqueNames {
		d.agentNames[a.Name] = a
	}
	return a, nil
}

// agentConnGone handles one of an agent's connections ending. When it was
// the last, an agent of a pool without a reconnect grace period (compat) is
// gone at once; a native one keeps its conversations for the grace period.
func (d *dispatcher) agentConnGone(ctx actor.Context, a *agentRec, key string) {
	delete(a.conns, key)
	if len(a.conns) > 0 || d.agents[a.ID] != a {
		return
	}
	d.refresh(a)
	d.positionsChanged(ctx) // fewer slots: longer estimates
	if !a.pool.rules().reconnectGrace || d.AgentGrace <= 0 {
		d.retire(ctx, a, ReasonAgentLeft)
		return
	}
	d.startAgentGrace(ctx, a)
	d.Log.Info("agent disconnected; grace started", "agent", a.ID, "conversations", len(a.convs))
}

// retire removes an agent for good. A compat agent's customer is told and
// sent away, as in the tutorial (endsWithAgent); a native agent's customers
// go back to the head of the queue in their original order, keeping their
// conversations.
func (d *dispatcher) retire(ctx actor.Context, a *agentRec, reason string) {
	delete(d.agents, a.ID)
	if d.agentNames[a.Name] == a {
		delete(d.agentNames, a.Name)
	}
	a.status = StatusAway // out of the eligible heap for good
	d.refresh(a)
	if a.reserved != "" {
		d.unreserve(a.reserved)
	}
	// The tabs are told first: a Kick in a tab's mailbox is ahead of
	// anything the conversations below would send it through the agent
	// actor, so a removed agent's tab closes with its reason rather than
	// first hearing of each conversation's end.
	ctx.Stop(a.pid)
	kick := DisconnectInternal // its actor failed: the tabs should reconnect
	if reason == ReasonRemoved {
		kick = DisconnectAccountRemoved
	}
	for key, conn := range a.conns {
		// Tabs are still open only when the actor failed or the account
		// was removed: either way they must go.
		delete(d.agentConns, key)
		ctx.Send(d.Dir.PID(KindConn, string(conn)), &Kick{Reason: kick})
	}
	convs := a.convsInOrder()
	a.convs = map[ConvID]*convRec{}
	if a.pool.rules().endsWithAgent {
		for _, c := range convs {
			ctx.Send(c.pid, &Finish{By: a.Party, Reason: ReasonAgentLeft})
		}
	} else {
		for i := len(convs) - 1; i >= 0; i-- {
			d.requeue(ctx, convs[i], ReasonAgentLost, nil)
		}
	}
	d.Log.Info("agent gone", "agent", a.ID, "name", a.Name, "reason", reason, "conversations", len(convs))
	d.assignWaiting(ctx)
}

// removeAgent takes an agent whose account was removed off the desk at
// once: its tabs are closed and its customers go back to the head of the
// queue, as when an agent vanishes past its grace period.
func (d *dispatcher) removeAgent(ctx actor.Context, msg *RemoveAgent) {
	if a := d.agents[msg.Agent]; a != nil && a.pool.rules().accounts {
		d.retire(ctx, a, ReasonRemoved)
	}
}

func (d *dispatcher) setStatus(ctx actor.Context, msg *SetAgentStatus) {
	a := d.agents[msg.Agent]
	if a == nil {
		return
	}
	a.status = msg.Status
	d.agentChanged(ctx, a)
}

func (d *dispatcher) setCapacity(ctx actor.Context, msg *SetAgentCapacity) {
	a := d.agents[msg.Agent]
	if a == nil || a.pool.rules().fixedCapacity > 0 {
		return
	}
	// Lowering it below the current load ends nothing: the agent just gets
	// no one new until enough conversations end.
	a.capacity = msg.Capacity
	d.agentChanged(ctx, a)
}

func (d *dispatcher) agentChanged(ctx actor.Context, a *agentRec) {
	d.refresh(a)
	ctx.Send(a.pid, &AgentState{Status: a.status, Capacity: a.capacity})
	d.assignWaiting(ctx)
}

func (d *dispatcher) transfer(ctx actor.Context, msg *TransferConv) {
	c := d.convs[msg.Conv]
	if c == nil || c.agent == nil || c.agent.ID != msg.By {
		ctx.Respond(&FrameError{Code: ErrCodeForbidden, Message: "not your conversation"})
		return
	}
	from := c.agent
	// Who handed it on is the dispatcher's record of the agent, never a
	// name the client sent.
	h := &Handoff{By: from.Party, Note: msg.Note, At: d.Now()}
	if msg.To == "" || strings.HasPrefix(msg.To, ids.Team) {
		d.transferToQueue(ctx, c, msg.To, h)
		return
	}
	to := d.agents[msg.To]
	switch {
	case msg.To == msg.By:
		ctx.Respond(&FrameError{Code: ErrCodeBadValue, Message: "already your conversation"})
		return
	case to == nil || to.pool != from.pool || !to.canTake():
		ctx.Respond(&FrameError{Code: ErrCodeUnavailable, Message: "that agent is offline, away or at capacity"})
		return
	}
	delete(from.convs, c.id)
	d.seat(c, to)
	d.refresh(from)
	h.To = to.Party
	ctx.Send(c.pid, &Reassign{Agent: to.Party, AgentActor: to.actorID, Why: WhyTransferred, Handoff: h})
	d.publish(ctx, RoutingTransferred, c, to)
	d.assignWaiting(ctx)
}

// transferToQueue sends conversation c back to the head of a queue: its
// own team's (team ""), or another team's, whose members then serve it
// first. The agent who sent it is offered it again only if nobody else of
// that team can take it.
func (d *dispatcher) transferToQueue(ctx actor.Context, c *convRec, team string, h *Handoff) {
	to := c.team
	if team != "" {
		if to = d.teams[team]; to == nil {
			ctx.Respond(&FrameError{Code: ErrCodeUnknownTeam, Message: "no such team"})
			return
		}
		// A form whose customer is away goes to the team's inbox, which
		// takes forms while the team is closed (backToInbox).
		toInbox := c.awaitCustomer && c.customer.conn == ""
		if ok, code := to.takes(d.Now()); !ok && (code != ErrCodeTeamClosed || !toInbox) {
			ctx.Respond(&FrameError{Code: code, Message: "that team takes no new customers now"})
			return
		}
	}
	from := c.agent
	delete(from.convs, c.id)
	d.refresh(from)
	c.team = to
	d.requeue(ctx, c, ReasonRequeued, h)
	d.assignWaiting(ctx)
}

func (d *dispatcher) listAgents() *AgentList {
	out := &AgentList{}
	for _, a := range d.agents {
		if !a.pool.rules().accounts || len(a.conns) == 0 {
			continue
		}
		out.Agents = append(out.Agents, AgentInfo{ID: a.ID, Name: a.Name, Status: a.status, Load: len(a.convs), Capacity: a.capacity})
	}
	sort.Slice(out.Agents, func(i, j int) bool { return out.Agents[i].Name < out.Agents[j].Name })
	return out
}

// startAgentGrace gives an absent agent the grace period to come back; an
// earlier grace timer is stale from now on.
func (d *dispatcher) startAgentGrace(ctx actor.Context, a *agentRec) {
	a.graceGen = d.nextGen()
	d.after(ctx, d.AgentGrace, &agentGraceExpired{Agent: a.ID, Gen: a.graceGen})
}
