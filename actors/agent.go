package actors

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
)

// Messages an agent actor receives, besides the events it fans out
// (*ConvOpened, *ConvMessage, *TypingNotice, *ReadNotice, *ConvClosed,
// *AgentState).
type (
	// AttachConn adds one of the agent's connections. Sent by the
	// dispatcher when it admits the connection.
	AttachConn struct{ Conn ConnID }
)

// StartAgent is an agent actor's first message (Directory.Activate, from
// the dispatcher): the agent it stands for, and the connections it starts
// with (more come as AttachConn).
type StartAgent struct {
	Agent Party
	Conns []ConnID
}

// agentActor stands for one agent across all their open tabs: every event
// addressed to the agent reaches each of its connections, so a second tab
// sees the same chats. It holds no routing state; the dispatcher decides
// what the agent serves and when it is gone.
//
// It watches its connections (to stop sending to closed ones) and the
// agent's conversations: events reach connections through here, so only here
// can a conversation's end be told apart from its last messages still on
// their way.
type agentActor struct {
	*Kinds
	agent   Party // zero until the start message
	started bool
	early   beforeStart
	conns   map[string]*actor.PID // by pidKey
	convs   map[ConvID]*actor.PID // open, as last told
}

// newAgentActor is the producer of KindAgent (Kinds.Props): an agent actor
// waiting for its StartAgent.
func newAgentActor(k *Kinds) *agentActor {
	return &agentActor{Kinds: k, conns: map[string]*actor.PID{}, convs: map[ConvID]*actor.PID{}}
}

// Receive handles one message; state changes only here. Until its
// StartAgent the actor holds what it is sent (beforeStart) and handles it
// right after.
func (a *agentActor) Receive(ctx actor.Context) {
	msg := ctx.Message()
	if a.started {
		a.handle(ctx, msg)
		return
	}
	switch msg := msg.(type) {
	case *StartAgent:
		a.started, a.agent = true, msg.Agent
		for _, conn := range msg.Conns {
			a.attach(ctx, conn)
		}
		a.early.replay(func(m any) { a.handle(ctx, m) })
	default:
		if !lifecycle(msg) && !a.early.hold(msg) {
			a.Log.Warn("message before the agent actor's start dropped", "agent", ctx.Self().Id, "type", fmt.Sprintf("%T", msg))
		}
	}
}

// handle handles one message of a started agent actor.
func (a *agentActor) handle(ctx actor.Context, msg any) {
	switch msg := msg.(type) {
	case *StartAgent:
		a.Log.Warn("second start ignored", "agent", a.agent.ID)
	case *AttachConn:
		a.attach(ctx, msg.Conn)
	case *ConvOpened:
		if _, open := a.convs[msg.Conv]; !open {
			pid := a.Dir.PID(KindConv, string(msg.Conv))
			a.convs[msg.Conv] = pid
			ctx.Watch(pid)
		}
		a.fanOut(ctx, msg)
	case *ConvClosed:
		if pid, open := a.convs[msg.Conv]; open {
			delete(a.convs, msg.Conv)
			ctx.Unwatch(pid)
		}
		a.fanOut(ctx, msg)
	case *ConvMessage, *TypingNotice, *ReadNotice, *AgentState:
		a.fanOut(ctx, msg)
	case *actor.Terminated:
		// Terminated overtakes user messages still queued (a
		// conversation's last lines and its ConvClosed); look behind them.
		ctx.Send(ctx.Self(), &watchedGone{Who: msg.Who})
	case *watchedGone:
		delete(a.conns, pidKey(msg.Who))
		for id, pid := range a.convs {
			if pid.Equal(msg.Who) {
				// It stopped without saying goodbye: it failed.
				delete(a.convs, id)
				a.fanOut(ctx, &ConvClosed{Conv: id, Reason: ReasonFailed})
			}
		}
	}
}

func (a *agentActor) attach(ctx actor.Context, conn ConnID) {
	pid := a.Dir.PID(KindConn, string(conn))
	a.conns[pidKey(pid)] = pid
	ctx.Watch(pid)
}

func (a *agentActor) fanOut(ctx actor.Context, msg any) {
	for _, pid := range a.conns {
		ctx.Send(pid, msg)
	}
}
