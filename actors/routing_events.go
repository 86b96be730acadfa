package actors

import (
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// RoutingEvent is published on the actor system's event stream each time
// the dispatcher changes who waits or who serves whom, in the order it
// happened. Tests check the routing guarantees from it; the store's reports
// and the supervisor's view will read it too.
type RoutingEvent struct {
	Kind     RoutingKind
	Customer string
	Agent    string // "" when no agent is involved
	Conv     ConvID // "" for a customer who never got one
	Ticket   uint64 // the customer's arrival number
	At       time.Time
}

// RoutingKind names a routing change.
type RoutingKind string

const (
	RoutingQueued      RoutingKind = "queued"
	RoutingLeftQueue   RoutingKind = "left_queue"
	RoutingAssigned    RoutingKind = "assigned"
	RoutingTransferred RoutingKind = "transferred"
	RoutingRequeued    RoutingKind = "requeued"
	RoutingEnded       RoutingKind = "ended"
)

// publish tells the event stream and stores the event for reports.
func (d *dispatcher) publish(ctx actor.Context, kind RoutingKind, c *convRec, a *agentRec) {
	ev := &RoutingEvent{Kind: kind, Customer: c.customer.ID, Conv: c.id, Ticket: c.ticket, At: d.Now()}
	if a != nil {
		ev.Agent = a.ID
	}
	ctx.ActorSystem().EventStream.Publish(ev)
	ctx.Send(d.Dir.PID(KindStore, StoreWriterID), &StoreWrite{Batch: store.Batch{Routing: []store.RoutingEvent{{
		Kind: string(ev.Kind), Customer: ev.Customer, Agent: ev.Agent, Conv: string(ev.Conv), Ticket: ev.Ticket, At: ev.At,
	}}}})
}
