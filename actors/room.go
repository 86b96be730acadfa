package actors

import (
	"log/slog"

	"github.com/asynkron/protoactor-go/actor"
)

// Messages a room receives.
type (
	// Join puts a customer into the room. Sent only by the dispatcher, which
	// has already marked the room taken.
	Join struct {
		Customer ConnID
		Name     string
	}
	// Say is one chat text. From is stamped by the sender's connection actor
	// from its own server-issued id, never taken from the client.
	Say struct {
		From ConnID
		Text string
	}

	// memberGone is the room's note to itself that a watched connection
	// ended.
	memberGone struct{ Who *actor.PID }
)

// RoomConfig is everything a room starts with.
type RoomConfig struct {
	ID        RoomID
	Agent     ConnID
	AgentName string
	Dir       Directory
	Log       *slog.Logger
}

// room is one online agent and, at most, the one customer they are serving.
// It relays chat between the two connections directly, mailbox to mailbox;
// the dispatcher never sees chat. It watches both connections, and its own
// end is what frees the agent's entry in the dispatcher.
type room struct {
	RoomConfig
	agent        *actor.PID
	customer     *actor.PID // nil while free
	customerID   ConnID
	customerName string
}

// NewRoomProps returns the props of a room actor.
func NewRoomProps(cfg RoomConfig) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor { return &room{RoomConfig: cfg} })
}

// Receive handles one message; state changes only here.
func (r *room) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		r.agent = r.Dir.PID(KindConn, string(r.Agent))
		ctx.Watch(r.agent)
	case *Join:
		r.join(ctx, msg)
	case *Say:
		r.relay(ctx, msg)
	case *actor.Terminated:
		// Terminated is a system message: it overtakes the user messages
		// the member sent before it went, such as its last Say. Handle the
		// departure behind them, so that last line is still relayed.
		ctx.Send(ctx.Self(), &memberGone{Who: msg.Who})
	case *memberGone:
		switch {
		case msg.Who.Equal(r.agent):
			r.agentGone(ctx)
		case r.customer != nil && msg.Who.Equal(r.customer):
			r.customerGone(ctx)
		}
	}
}

func (r *room) join(ctx actor.Context, j *Join) {
	if r.customer != nil {
		// The dispatcher owns occupancy and never sends a second Join; if
		// it ever did, refusing the newcomer keeps the chat in progress.
		r.Log.Error("room already taken; refusing join", "room", r.ID, "customer", j.Customer)
		ctx.Send(r.Dir.PID(KindConn, string(j.Customer)), &Kick{Reason: DisconnectRoomGone})
		return
	}
	r.customerID, r.customerName = j.Customer, j.Name
	r.customer = r.Dir.PID(KindConn, string(j.Customer))
	ctx.Watch(r.customer) // answers Terminated at once if it is already gone
	ctx.Send(r.customer, &Notice{Kind: NoticeAgentAssigned, Name: r.AgentName})
	ctx.Send(r.agent, &Notice{Kind: NoticeCustomerJoined, Name: j.Name})
}

// relay delivers a text to its sender (the tutorial's pages show their own
// lines only when the server echoes them) and then to the other party.
func (r *room) relay(ctx actor.Context, s *Say) {
	switch {
	case s.From == r.Agent:
		line := &ChatLine{From: s.From, FromName: r.AgentName, Text: s.Text}
		ctx.Send(r.agent, line)
		if r.customer != nil {
			ctx.Send(r.customer, line)
		}
	case r.customer != nil && s.From == r.customerID:
		line := &ChatLine{From: s.From, FromName: r.customerName, Text: s.Text}
		ctx.Send(r.customer, line)
		ctx.Send(r.agent, line)
	default:
		// A customer who left a moment ago may still have a line in
		// flight; it has nobody left to reach.
		r.Log.Debug("say from a non-member dropped", "room", r.ID, "from", s.From)
	}
}

// agentGone ends the room. A customer still inside is told, in the
// tutorial's words, then sent away; stopping the room is what frees the
// agent's entry in the dispatcher, which watches it.
func (r *room) agentGone(ctx actor.Context) {
	if r.customer != nil {
		ctx.Send(r.customer, &Notice{Kind: NoticeAgentLeft, Name: r.AgentName})
		ctx.Send(r.customer, &Kick{Reason: DisconnectAgentLeft})
	}
	ctx.Stop(ctx.Self())
}

func (r *room) customerGone(ctx actor.Context) {
	ctx.Send(r.agent, &Notice{Kind: NoticeCustomerLeft, Name: r.customerName})
	ctx.Send(r.Dir.PID(KindDispatcher, DispatcherID), &RoomFreed{Room: r.ID, Customer: r.customerID})
	r.customer, r.customerID, r.customerName = nil, "", ""
}
