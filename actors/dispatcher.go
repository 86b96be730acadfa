package actors

import (
	"container/list"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"
)

// Messages the dispatcher receives.
type (
	// GetRoom asks for a free agent for a customer who will connect as
	// Customer (the tutorial's /getroom). Answered with *RoomOffer. A granted
	// offer is a reservation that expires if the customer never connects.
	GetRoom struct{ Customer string }
	// AgentOnline admits an agent's connection and opens its room.
	// Answered with *Admitted or *Refused.
	AgentOnline struct {
		Conn ConnID
		Name string
	}
	// CustomerArrived admits a customer's connection into the room reserved
	// for its name, or any free room. Answered with *Admitted or *Refused.
	CustomerArrived struct {
		Conn ConnID
		Name string
	}
	// RoomFreed is a room reporting that its customer has left.
	RoomFreed struct {
		Room     RoomID
		Customer ConnID
	}
	// GetStats asks for a snapshot of the routing state. Answered with
	// *Stats.
	GetStats struct{}

	// reservationExpired is the dispatcher's own timer firing.
	reservationExpired struct {
		Customer string
		Gen      uint64
	}
)

// RoomOffer answers GetRoom.
type RoomOffer struct {
	Granted   bool
	AgentName string
}

// Stats is a snapshot of the dispatcher's routing state.
type Stats struct {
	Agents       int // online agents, each with one room
	FreeAgents   int // neither reserved nor serving
	Reservations int // granted by GetRoom, not yet used
	Customers    int // admitted customer connections
}

// DispatcherConfig is everything the dispatcher starts with.
type DispatcherConfig struct {
	Dir            Directory
	ReservationTTL time.Duration // how long an unused GetRoom offer holds an agent
	Log            *slog.Logger
}

// agent is the dispatcher's record of one online agent and its room. It is
// in exactly one of three states: free (on the free list), reserved
// (reservedFor set) or serving (customer set).
type agent struct {
	name        string
	room        RoomID
	pid         *actor.PID
	reservedFor string        // customer name holding a reservation
	customer    ConnID        // customer being served
	free        *list.Element // position on the free list while free
}

type reservation struct {
	room RoomID
	gen  uint64 // tells a live timer from one that was superseded
}

// dispatcher is the single owner of routing state: which agents are online,
// which are free, which customer holds which reservation, and which names are
// taken. Nothing else reads or writes that state, so an agent can never be
// given two customers, however many requests race.
//
// It only routes: once a customer is in a room, chat flows between the two
// connections and that room, never through here.
type dispatcher struct {
	DispatcherConfig
	agents       map[string]*agent // by agent name
	rooms        map[RoomID]*agent
	roomPIDs     map[string]*agent       // by pidKey, to resolve Terminated
	free         *list.List              // of *agent; the longest idle at the front
	reservations map[string]*reservation // by customer name
	customers    map[string]ConnID       // admitted customers by name
	customerPIDs map[string]string       // pidKey → customer name
	gen          uint64
	timers       *scheduler.TimerScheduler
}

// NewDispatcherProps returns the props of the dispatcher.
func NewDispatcherProps(cfg DispatcherConfig) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &dispatcher{
			DispatcherConfig: cfg,
			agents:           map[string]*agent{},
			rooms:            map[RoomID]*agent{},
			roomPIDs:         map[string]*agent{},
			free:             list.New(),
			reservations:     map[string]*reservation{},
			customers:        map[string]ConnID{},
			customerPIDs:     map[string]string{},
		}
	})
}

// Receive handles one message; state changes only here.
func (d *dispatcher) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		d.timers = scheduler.NewTimerScheduler(ctx)
	case *GetRoom:
		ctx.Respond(d.getRoom(ctx, msg.Customer))
	case *AgentOnline:
		ctx.Respond(d.agentOnline(ctx, msg))
	case *CustomerArrived:
		d.customerArrived(ctx, msg)
	case *RoomFreed:
		if a := d.rooms[msg.Room]; a != nil && a.customer == msg.Customer {
			a.customer = ""
			d.markFree(a, false)
		}
	case *reservationExpired:
		d.expire(msg)
	case *actor.Terminated:
		d.terminated(msg.Who)
	case *GetStats:
		ctx.Respond(&Stats{
			Agents:       len(d.agents),
			FreeAgents:   d.free.Len(),
			Reservations: len(d.reservations),
			Customers:    len(d.customers),
		})
	}
}

func (d *dispatcher) getRoom(ctx actor.Context, customer string) *RoomOffer {
	if _, online := d.customers[customer]; online {
		// That name is chatting already; a second tab must pick another.
		return &RoomOffer{}
	}
	if r := d.reservations[customer]; r != nil {
		// Asked twice (a double click, a retry): same agent, fresh expiry.
		d.reserve(ctx, customer, d.rooms[r.room])
		return &RoomOffer{Granted: true, AgentName: d.rooms[r.room].name}
	}
	a := d.takeFree()
	if a == nil {
		return &RoomOffer{}
	}
	d.reserve(ctx, customer, a)
	return &RoomOffer{Granted: true, AgentName: a.name}
}

func (d *dispatcher) reserve(ctx actor.Context, customer string, a *agent) {
	d.gen++
	a.reservedFor = customer
	d.reservations[customer] = &reservation{room: a.room, gen: d.gen}
	d.timers.SendOnce(d.ReservationTTL, ctx.Self(), &reservationExpired{Customer: customer, Gen: d.gen})
}

func (d *dispatcher) expire(msg *reservationExpired) {
	r := d.reservations[msg.Customer]
	if r == nil || r.gen != msg.Gen {
		return // used, renewed or its agent left: a stale timer
	}
	delete(d.reservations, msg.Customer)
	a := d.rooms[r.room]
	a.reservedFor = ""
	// It had been the longest idle when it was reserved; it still is.
	d.markFree(a, true)
	d.Log.Info("reservation expired", "customer", msg.Customer, "agent", a.name)
}

func (d *dispatcher) agentOnline(ctx actor.Context, msg *AgentOnline) any {
	if _, taken := d.agents[msg.Name]; taken {
		return &Refused{Reason: DisconnectNameTaken}
	}
	id := RoomID(NewID())
	pid, err := d.Dir.Spawn(KindRoom, string(id), NewRoomProps(RoomConfig{
		ID: id, Agent: msg.Conn, AgentName: msg.Name, Dir: d.Dir, Log: d.Log,
	}))
	if err != nil {
		d.Log.Error("cannot start room", "agent", msg.Name, "err", err)
		return &Refused{Reason: DisconnectInternal}
	}
	ctx.Watch(pid)
	a := &agent{name: msg.Name, room: id, pid: pid}
	d.agents[msg.Name] = a
	d.rooms[id] = a
	d.roomPIDs[pidKey(pid)] = a
	d.markFree(a, false)
	d.Log.Info("agent online", "agent", msg.Name, "room", id, "conn", msg.Conn)
	return &Admitted{Room: id}
}

func (d *dispatcher) customerArrived(ctx actor.Context, msg *CustomerArrived) {
	if _, taken := d.customers[msg.Name]; taken {
		ctx.Respond(&Refused{Reason: DisconnectNameTaken})
		return
	}
	var a *agent
	if r := d.reservations[msg.Name]; r != nil {
		delete(d.reservations, msg.Name)
		a = d.rooms[r.room]
		a.reservedFor = ""
	} else if a = d.takeFree(); a == nil {
		ctx.Respond(&Refused{Reason: DisconnectNoAgent})
		return
	}
	a.customer = msg.Conn
	d.customers[msg.Name] = msg.Conn
	pid := d.Dir.PID(KindConn, string(msg.Conn))
	d.customerPIDs[pidKey(pid)] = msg.Name
	ctx.Watch(pid)
	// Answer first, so the connection knows its room before the room's
	// greeting reaches it.
	ctx.Respond(&Admitted{Room: a.room})
	ctx.Send(a.pid, &Join{Customer: msg.Conn, Name: msg.Name})
	d.Log.Info("customer assigned", "customer", msg.Name, "agent", a.name, "conn", msg.Conn)
}

// terminated forgets whatever the dead actor held. Watching is the only way
// entries leave, so no crash can leave one behind.
func (d *dispatcher) terminated(who *actor.PID) {
	key := pidKey(who)
	if a := d.roomPIDs[key]; a != nil {
		delete(d.roomPIDs, key)
		delete(d.rooms, a.room)
		delete(d.agents, a.name)
		if a.free != nil {
			d.free.Remove(a.free)
		}
		if a.reservedFor != "" {
			delete(d.reservations, a.reservedFor)
		}
		d.Log.Info("agent offline", "agent", a.name, "room", a.room)
		return
	}
	if name, ok := d.customerPIDs[key]; ok {
		delete(d.customerPIDs, key)
		delete(d.customers, name)
	}
}

// takeFree removes and returns the agent idle the longest, or nil. This is
// the routing policy: one place, O(1), no scan of the agents.
func (d *dispatcher) takeFree() *agent {
	e := d.free.Front()
	if e == nil {
		return nil
	}
	a := d.free.Remove(e).(*agent)
	a.free = nil
	return a
}

func (d *dispatcher) markFree(a *agent, front bool) {
	if a.free != nil {
		return
	}
	if front {
		a.free = d.free.PushFront(a)
	} else {
		a.free = d.free.PushBack(a)
	}
}

func pidKey(pid *actor.PID) string { return pid.Address + "/" + pid.Id }
