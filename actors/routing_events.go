package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// RoutingEvent is published on the actor system's event stream each time
// the dispatcher changes who waits or who serves whom, in the order it
// happened. Tests check the routing guarantees from it, and it is stored
// for reports. The monitor (the supervisor's view) is sent the kinds it
// counts (monitorNeeds) by address: on a cluster it may live on another
// node, where this node's event stream does not reach.
type RoutingEvent struct {
	Kind         RoutingKind
	Customer     string
	CustomerName string // stored, so a customer waiting at a restart comes back with its name
	Agent        string // "" when no agent is involved
	Conv         ConvID // "" for a customer who never got one
	Ticket       uint64 // the customer's arrival number
	At           time.Time
	Pool         Pool   // the customer's protocol
	Team         string // the team whose queue it is about
	// Waited is, for an assignment out of the queue, how long the customer
	// waited in it: since joining it, or since being sent back to it. Zero
	// otherwise (compat customers never queue).
	Waited time.Duration
}

// RoutingKind names a routing change. Its values are the stored event
// kinds (store.Event*): a routing event is stored under its kind, and a
// conversation stores its own events under the same words.
type RoutingKind string

const (
	RoutingQueued      RoutingKind = store.EventQueued
	RoutingLeftQueue   RoutingKind = store.EventLeftQueue
	RoutingAssigned    RoutingKind = store.EventAssigned
	RoutingTransferred RoutingKind = store.EventTransferred
	RoutingRequeued    RoutingKind = store.EventRequeued
	RoutingEnded       RoutingKind = store.EventEnded
)

// publish tells the event stream and stores the event: for reports, and
// as the queue a restart reads back.
func (d *dispatcher) publish(ctx actor.Context, kind RoutingKind, c *convRec, a *agentRec) {
	d.emit(ctx, d.event(kind, c, a))
}

// publishAssigned publishes an assignment of a customer who waited that
// long in the queue.
func (d *dispatcher) publishAssigned(ctx actor.Context, c *convRec, a *agentRec, waited time.Duration) {
	ev := d.event(RoutingAssigned, c, a)
	ev.Waited = waited
	if ev.Pool.rules().queues { // a wait only where customers queue
		d.Metrics.Assigned(waited)
	}
	d.emit(ctx, ev)
}

func (d *dispatcher) event(kind RoutingKind, c *convRec, a *agentRec) *RoutingEvent {
	ev := &RoutingEvent{Kind: kind, Customer: c.customer.ID, CustomerName: c.customer.Name, Conv: c.id, Ticket: c.ticket, At: d.Now(), Pool: c.customer.pool}
	if c.team != nil {
		ev.Team = c.team.id
	}
	if a != nil {
		ev.Agent = a.ID
	}
	return ev
}

// monitorNeeds reports whether the monitor counts events of kind: the
// queue's arrivals and its assignments (monitor.routed). Only those are
// sent to it, so a cluster does not carry the rest across.
func monitorNeeds(kind RoutingKind) bool { return kind == RoutingQueued || kind == RoutingAssigned }

// emit publishes ev, sends the monitor what it counts, and writes it to
// the store, in order with the others (routing_writes.go). The monitor's
// address never blocks (on a cluster, a grain's stable address); an event
// lost on its way to the monitor costs a figure, never routing.
func (d *dispatcher) emit(ctx actor.Context, ev *RoutingEvent) {
	d.Metrics.RoutingEvent(string(ev.Kind))
	ctx.ActorSystem().EventStream.Publish(ev)
	if monitorNeeds(ev.Kind) {
		ctx.Send(d.Dir.PID(KindMonitor, MonitorID), ev)
	}
	d.writeRouting(ctx, store.RoutingEvent{
		Kind: string(ev.Kind), Customer: ev.Customer, CustomerName: ev.CustomerName, Agent: ev.Agent, Conv: string(ev.Conv), Ticket: ev.Ticket, At: ev.At,
		Team: ev.Team,
	})
}
