package actors

import "github.com/asynkron/protoactor-go/actor"

// Messages an agent actor receives, besides the events it fans out
// (*ConvOpened, *ConvMessage, *TypingNotice, *ReadNotice, *ConvClosed,
// *AgentState).
type (
	// AttachConn adds one of the agent's connections. Sent by the
	// dispatcher when it admits the connection.
	AttachConn struct{ Conn ConnID }
)

// AgentConfig is everything an agent actor starts with.
type AgentConfig struct {
	Agent Party
	Dir   Directory
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
	AgentConfig
	conns map[string]*actor.PID // by pidKey
	convs map[ConvID]*actor.PID // open, as last told
}

// NewAgentProps returns the props of an agent actor.
func NewAgentProps(cfg AgentConfig) *actor.Props {
	return actor.PropsFromProducer(func() actor.Actor {
		return &agentActor{AgentConfig: cfg, conns: map[string]*actor.PID{}, convs: map[ConvID]*actor.PID{}}
	})
}

// Receive handles one message; state changes only here.
func (a *agentActor) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *AttachConn:
		pid := a.Dir.PID(KindConn, string(msg.Conn))
		a.conns[pidKey(pid)] = pid
		ctx.Watch(pid)
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

func (a *agentActor) fanOut(ctx actor.Context, msg any) {
	for _, pid := range a.conns {
		ctx.Send(pid, msg)
	}
}
