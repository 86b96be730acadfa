package actors

import (
	"cmp"
	"log/slog"
	"net/netip"
	"slices"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"

	"kefu/limit"
	"kefu/metrics"
	"kefu/store"
)

// dispatcher is the single owner of one pool's routing state: which of
// its agents are online and free, the queue, reservations, which
// conversation each agent holds, and which customers are connected.
// Nothing else reads or writes that state, so the guarantees (capacity
// never exceeded, strict arrival order, nobody lost when an agent
// vanishes) hold however many requests race. Pools share nothing (their
// agents serve only their own customers), so each has its own dispatcher
// (DispatcherID) and none waits for the other.
//
// It only routes: chat flows between connections and conversation actors,
// never through here.
type dispatcher struct {
	DispatcherConfig
	timers *scheduler.TimerScheduler
	// settleUntil, after a takeover on a cluster, holds assignment until
	// the restored waiters are back (dispatcher_settle.go); zero otherwise.
	settleUntil time.Time

	agents      map[string]*agentRec    // by agent id
	agentConns  map[string]*agentRec    // by pidKey of each agent connection
	agentActors map[string]*agentRec    // by pidKey of the agent's actor
	agentNames  map[string]*agentRec    // agents by display name, in pools whose names are identities
	teams       map[string]*teamRec     // by team id: each team's queue and free members (dispatcher_teams.go)
	inbox       map[ConvID]*inboxEntry  // forms waiting in the teams' inboxes (dispatcher_inbox.go)
	inboxOf     map[string]*inboxEntry  // the same, by customer id
	customers   map[string]*customerRec // by customer id
	custConns   map[string]*customerRec // by pidKey of the customer's connection
	custNames   map[string]*customerRec // customers by display name, in pools whose names are identities
	reserved    map[string]*reservation // compat reservations by customer name
	reservedBy  map[string]int          // how many of them each client address holds
	convs       map[ConvID]*convRec
	convPIDs    map[string]*convRec      // by pidKey
	perAddr     map[netip.Addr]int       // customers waiting or chatting, by the address they count against
	starts      *limit.Keyed[string]     // each customer's budget of conversation starts; nil: no limit
	forms       *limit.Keyed[netip.Addr] // each address's budget of offline forms; nil: no limit

	ticket       uint64 // arrival counter: queue order
	tick         uint64 // assignment counter: "longest idle"
	gen          uint64 // timer generations
	flushPending bool
	routing      routingWrites // routing events on their way to the store (routing_writes.go)
}

type reservation struct {
	agent *agentRec
	from  string // the client address that asked
	gen   uint64
}

// DispatcherConfig is everything the dispatcher starts with.
type DispatcherConfig struct {
	Pool           Pool // the pool it routes; 0: PoolNative
	Dir            Directory
	Policy         Policy        // nil: LeastLoaded
	ReservationTTL time.Duration // compat: how long an unused /getroom offer holds an agent
	// ReservationCap caps the unused /getroom offers one client address
	// holds at once; 0: DefaultReservationCap, negative: no cap (load
	// tests from one address).
	ReservationCap int
	AgentGrace     time.Duration // grace period: how long a vanished agent's conversations wait for them
	CustomerGrace  time.Duration // grace period: how long a vanished customer keeps its place or conversation
	HistoryPage    HistoryLimits // what a conversation's conv frame carries of its history (zero: the defaults)
	Log            *slog.Logger
	Now            func() time.Time // nil: time.Now
	// Metrics counts routing events and times assignments; nil for none.
	Metrics *metrics.Metrics

	// CustomersPerAddr bounds the customers of one address waiting or in
	// a conversation at once; 0: no bound. ConvStarts is how fast one
	// customer may start conversations (each request); the zero Rate: no
	// limit. TrackedCustomers bounds the customers whose starts are
	// remembered (limit.Keyed); 0: DefaultTrackedCustomers.
	CustomersPerAddr int
	ConvStarts       limit.Rate
	TrackedCustomers int
	// Forms is how fast one address may leave offline forms (the zero
	// Rate: no limit); as many addresses as TrackedCustomers are kept.
	Forms limit.Rate

	// Claim makes this node the owner of key (DispatcherFenceKey) and
	// returns the epoch its routing writes are fenced with, as Kinds.Claim
	// does for conversations. nil on a single node: no claim, no fences.
	Claim func(key string) (int64, error)
	// InboxMax bounds each team's inbox of offline forms; 0:
	// DefaultInboxMax.
	InboxMax int
	// Node is this node's id, which its claims are made under: a new
	// conversation's first write is fenced on the dispatcher's claim
	// (StartConv.StartedBy).
	Node string
}

// Defaults for DispatcherConfig.
const (
	DefaultGrace          = 30 * time.Second
	DefaultReservationTTL = 30 * time.Second
	// DefaultReservationCap: a person asks /getroom for one agent and
	// connects within a second, so one is enough; a second person behind the
	// same address asking in that second is told to try again.
	DefaultReservationCap = 1
	// defaultConvDuration seeds the wait estimate until real conversations
	// have ended.
	defaultConvDuration = 2 * time.Minute
	// DefaultTrackedCustomers is as many as transport.DefaultAbuseLimits()
	// tracks of addresses: about 12 MB of start budgets at most.
	DefaultTrackedCustomers = 50_000
)

// NewDispatcherProps returns the props of the dispatcher.
func NewDispatcherProps(cfg DispatcherConfig) *actor.Props {
	return actor.PropsFromProducer(NewDispatcher(cfg))
}

// NewDispatcher returns the producer of cfg's dispatcher: for a cluster's
// dispatcher grain, which learns its pool from its identity.
func NewDispatcher(cfg DispatcherConfig) actor.Producer {
	if cfg.Pool == 0 {
		cfg.Pool = PoolNative
	}
	if cfg.Policy == nil {
		cfg.Policy = LeastLoaded
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.ReservationTTL <= 0 {
		cfg.ReservationTTL = DefaultReservationTTL
	}
	if cfg.ReservationCap == 0 {
		cfg.ReservationCap = DefaultReservationCap
	}
	if cfg.TrackedCustomers <= 0 {
		cfg.TrackedCustomers = DefaultTrackedCustomers
	}
	return func() actor.Actor {
		var starts *limit.Keyed[string]
		if cfg.ConvStarts != (limit.Rate{}) && !cfg.ConvStarts.Off() {
			starts = limit.NewKeyed[string](cfg.ConvStarts, cfg.TrackedCustomers)
		}
		var forms *limit.Keyed[netip.Addr]
		if cfg.Forms != (limit.Rate{}) && !cfg.Forms.Off() {
			forms = limit.NewKeyed[netip.Addr](cfg.Forms, cfg.TrackedCustomers)
		}
		d := &dispatcher{
			DispatcherConfig: cfg,
			agents:           map[string]*agentRec{},
			agentConns:       map[string]*agentRec{},
			agentActors:      map[string]*agentRec{},
			agentNames:       map[string]*agentRec{},
			customers:        map[string]*customerRec{},
			custConns:        map[string]*customerRec{},
			custNames:        map[string]*customerRec{},
			reserved:         map[string]*reservation{},
			reservedBy:       map[string]int{},
			convs:            map[ConvID]*convRec{},
			convPIDs:         map[string]*convRec{},
			perAddr:          map[netip.Addr]int{},
			starts:           starts,
			forms:            forms,
			routing:          routingWrites{unstored: map[string]*routingBatch{}},
			teams:            map[string]*teamRec{},
			inbox:            map[ConvID]*inboxEntry{},
			inboxOf:          map[string]*inboxEntry{},
		}
		d.newTeam(store.GeneralTeamID)
		return d
	}
}

// Receive handles one message; state changes only here and in the methods
// it calls.
func (d *dispatcher) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		// The root context is safe to use from timer goroutines; an
		// actor's own context is not.
		d.timers = scheduler.NewTimerScheduler(ctx.ActorSystem().Root)
		d.claim(ctx)
	case *actor.Stopping:
		d.flushRoutingOnStop(ctx)
	case *Stored:
		d.routingStored(ctx, msg.Token)
	case *StoreFailed:
		d.routingFailed(ctx, msg)
	case *routingRetry:
		d.retryRouting(ctx, msg)
	case *AgentConnect:
		if d.ownPool(ctx, msg.Pool) {
			d.agentConnect(ctx, msg)
		}
	case *CustomerConnect:
		if d.ownPool(ctx, msg.Pool) {
			d.customerConnect(ctx, msg)
		}
	case *GetRoom:
		ctx.Respond(d.getRoom(ctx, msg))
	case *RequestAgent:
		d.requestAgent(ctx, msg)
	case *CancelRequest:
		d.cancelRequest(ctx, msg)
	case *SetAgentStatus:
		d.setStatus(ctx, msg)
	case *SetAgentCapacity:
		d.setCapacity(ctx, msg)
	case *TransferConv:
		d.transfer(ctx, msg)
	case *ListAgents:
		ctx.Respond(d.listAgents())
	case *RemoveAgent:
		d.removeAgent(ctx, msg)
	case *ConvFinished:
		d.convFinished(ctx, msg.Conv, msg.Reason)
		if ctx.Sender() != nil {
			ctx.Respond(&ConvFinishedAck{Conv: msg.Conv})
		}
	case *reservationExpired:
		d.reservationExpired(ctx, msg)
	case *convMoveDue:
		d.convMoveDue(ctx, msg)
	case *agentMoveDue:
		d.agentMoveDue(ctx, msg)
	case *agentGraceExpired:
		if a := d.agents[msg.Agent]; a != nil && a.graceGen == msg.Gen && len(a.conns) == 0 {
			d.retire(ctx, a, ReasonAgentLost)
		}
	case *customerGraceExpired:
		d.customerGraceExpired(ctx, msg)
	case *flushPositions:
		d.flushPending = false
		d.tellPositions(ctx)
	case *actor.Terminated:
		// Terminated overtakes user messages still queued, such as a
		// conversation's own ConvFinished; handle it behind them.
		ctx.Send(ctx.Self(), &watchedGone{Who: msg.Who})
	case *watchedGone:
		d.terminated(ctx, msg.Who)
	case *ConvRejoin:
		d.convRejoin(ctx, msg)
	case *AgentRejoin:
		d.agentRejoin(ctx, msg)
	case *GetStats:
		ctx.Respond(d.stats())
	case *GetSnapshot:
		ctx.Respond(&Snapshot{Pool: d.Pool, Stats: *d.stats(), Agents: d.agentStats(), Teams: d.teamStats()})
	case *TeamChanged:
		d.teamChanged(ctx, msg)
	case *LeaveForm:
		d.leaveForm(ctx, msg)
	case *ConvParked:
		d.convParked(ctx, msg)
	case *ListInbox:
		d.listInbox(ctx, msg)
	case *TakeInbox:
		d.takeInbox(ctx, msg)
	case *Restore:
		d.ticket = max(d.ticket, msg.Ticket)
		d.setTeams(msg.Teams)
		for _, item := range msg.Inbox {
			d.addToInbox(nil, item)
		}
		d.restore(ctx, msg.Convs, msg.Waiting)
		d.startSettling(ctx)
	case *settled:
		d.assignWaiting(ctx)
	}
}

// ownPool says whether a connection of pool is this dispatcher's to admit;
// one sent to the wrong dispatcher is refused, never mixed in.
func (d *dispatcher) ownPool(ctx actor.Context, pool Pool) bool {
	if pool == d.Pool {
		return true
	}
	d.Log.Error("connection sent to another pool's dispatcher", "pool", pool, "dispatcher", d.Pool)
	ctx.Respond(&Refused{Reason: DisconnectInternal})
	return false
}

func (d *dispatcher) stats() *Stats {
	s := &Stats{
		Agents:        len(d.agents),
		Reservations:  len(d.reserved),
		Queued:        d.queued(),
		Conversations: len(d.convs),
		FreeAgents:    d.freeAgents(),
	}
	for _, c := range d.customers {
		if c.conn != "" {
			s.Customers++
		}
	}
	for _, a := range d.agents {
		if len(a.conns) > 0 {
			s.AgentsOnline++
		}
		s.Serving += len(a.convs)
	}
	s.OldestQueued = d.oldestAsked()
	return s
}

func (d *dispatcher) agentStats() []AgentStat {
	out := make([]AgentStat, 0, len(d.agents))
	for _, a := range d.agents {
		out = append(out, AgentStat{
			ID: a.ID, Name: a.Name, Pool: a.pool, Status: a.status, Online: len(a.conns) > 0,
			Load: a.load(), Capacity: a.capacity, Teams: a.teamIDs(),
		})
	}
	sortAgentStats(out)
	return out
}

// sortAgentStats orders agents as the supervisor sees them: by name, then
// id.
func sortAgentStats(agents []AgentStat) {
	slices.SortFunc(agents, func(x, y AgentStat) int { return cmp.Or(cmp.Compare(x.Name, y.Name), cmp.Compare(x.ID, y.ID)) })
}

// terminated forgets whatever the dead actor held. Watching is how entries
// leave, so no crash can leave one behind.
func (d *dispatcher) terminated(ctx actor.Context, who *actor.PID) {
	key := pidKey(who)
	if a := d.agentConns[key]; a != nil {
		delete(d.agentConns, key)
		d.agentConnGone(ctx, a, key)
		return
	}
	if c := d.custConns[key]; c != nil {
		delete(d.custConns, key)
		d.customerConnGone(ctx, c, who)
		return
	}
	if conv := d.convPIDs[key]; conv != nil {
		// No ConvFinished came before: it failed, or, where actors move,
		// it moved (dispatcher_moves.go).
		if d.Dir.Moves() {
			d.convMoved(ctx, conv)
			return
		}
		d.convFinished(ctx, conv.id, ReasonFailed)
		return
	}
	if a := d.agentActors[key]; a != nil {
		delete(d.agentActors, key)
		// An incarnation retired here is no longer in agents: it stays gone.
		if d.agents[a.ID] == a {
			if d.Dir.Moves() && d.agentMoved(ctx, a) {
				return
			}
			d.Log.Error("agent actor stopped unexpectedly", "agent", a.ID)
			d.retire(ctx, a, ReasonFailed)
		}
	}
}

func (d *dispatcher) after(ctx actor.Context, delay time.Duration, msg any) {
	d.timers.SendOnce(delay, ctx.Self(), msg)
}

func (d *dispatcher) nextGen() uint64 {
	d.gen++
	return d.gen
}

func pidKey(pid *actor.PID) string { return pid.Address + "/" + pid.Id }
