package actors

import (
	"fmt"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"
)

// Messages an agent actor receives, besides the events it fans out
// (*ConvOpened, *ConvMessage, *TypingNotice, *ReadNotice, *ConvClosed,
// *AgentState, *NoteAdded).
type (
	// AttachConn adds one of the agent's connections. Sent by the
	// dispatcher when it admits the connection.
	AttachConn struct{ Conn ConnID }
)

// StartAgent is an agent actor's first message (Directory.Activate, from
// the dispatcher): the agent it stands for, and the connections it starts
// with (more come as AttachConn). Convs is empty for a new agent; an agent
// actor activated again after a move (on a cluster) gets the
// conversations the agent serves, to watch, and whose events on their way
// to the old activation may be lost: its tabs resync each.
type StartAgent struct {
	Agent Party
	Conns []ConnID
	Convs []ConvID
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
	rejoins int                   // times it asked its dispatcher for its start
	conns   map[string]*actor.PID // by pidKey
	convs   map[ConvID]*actor.PID // open, as last told
	// moving holds the conversations that stopped without ending, where
	// actors move (Directory.Moves), and have not said they are back
	// (Resync) since: their tabs were told once, and a repeated
	// Terminated (a watch of an actor not yet back) is not news.
	moving map[ConvID]bool
}

// newAgentActor is the producer of KindAgent (Kinds.Props): an agent actor
// waiting for its StartAgent.
func newAgentActor(k *Kinds) *agentActor {
	return &agentActor{Kinds: k, conns: map[string]*actor.PID{}, convs: map[ConvID]*actor.PID{}, moving: map[ConvID]bool{}}
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
	case *actor.Started:
		// An agent actor no start reaches was woken by a late event to an
		// incarnation that is gone (on a cluster, any message activates
		// its id): it has nobody to fan out to and must not hold
		// messages forever.
		scheduler.NewTimerScheduler(ctx.ActorSystem().Root).SendOnce(firstStartWait(a.Kinds), ctx.Self(), &startOverdue{})
	case *startOverdue:
		if a.rejoins < maxRejoins {
			// Its start may have been lost with a node (at-most-once
			// delivery): the dispatcher starts it again if this
			// incarnation is still the agent's.
			a.rejoins++
			ctx.Send(a.Dir.PID(KindDispatcher, DispatcherID(PoolNative)), &AgentRejoin{Actor: a.Identity(ctx)})
			scheduler.NewTimerScheduler(ctx.ActorSystem().Root).SendOnce(startAskWait(a.Kinds, a.rejoins), ctx.Self(), &startOverdue{})
			return
		}
		a.Log.Warn("agent actor activated without a start; stopping", "agent", a.Identity(ctx), "held", len(a.early.held))
		ctx.Stop(ctx.Self())
	case *StartAgent:
		a.started, a.agent = true, msg.Agent
		for _, conn := range msg.Conns {
			a.attach(ctx, conn)
		}
		for _, conv := range msg.Convs {
			a.resync(ctx, conv)
		}
		if len(msg.Conns) > 0 {
			// Activated again after a move: what the tabs show may
			// include a conversation that ended meanwhile, its end
			// lost with the old activation.
			a.fanOut(ctx, &Reconcile{Convs: msg.Convs})
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
	case *startOverdue:
		// Started in time: nothing to give up.
	case *AttachConn:
		a.attach(ctx, msg.Conn)
	case *ConvOpened:
		a.watchConv(ctx, msg.Conv)
		a.fanOut(ctx, msg)
	case *ConvClosed:
		if pid, open := a.convs[msg.Conv]; open {
			delete(a.convs, msg.Conv)
			delete(a.moving, msg.Conv)
			ctx.Unwatch(pid)
		}
		a.fanOut(ctx, msg)
	case *Resync:
		// From a conversation activated again after a move: it is back.
		a.resync(ctx, msg.Conv)
	case *ConvMessage, *TypingNotice, *ReadNotice, *AgentState, *InboxChanged, *NoteAdded:
		a.fanOut(ctx, msg)
	case *actor.Terminated:
		// Terminated overtakes user messages still queued (a
		// conversation's last lines and its ConvClosed); look behind them.
		ctx.Send(ctx.Self(), &watchedGone{Who: msg.Who})
	case *watchedGone:
		delete(a.conns, pidKey(msg.Who))
		for id, pid := range a.convs {
			if pid.Equal(msg.Who) {
				a.convStopped(ctx, id, pid)
			}
		}
	}
}

// watchConv starts watching a conversation the agent serves, once.
func (a *agentActor) watchConv(ctx actor.Context, id ConvID) *actor.PID {
	pid, open := a.convs[id]
	if !open {
		pid = a.Dir.PID(KindConv, string(id))
		a.convs[id] = pid
		ctx.Watch(pid)
	}
	return pid
}

// convStopped handles a conversation that stopped without saying goodbye
// (no ConvClosed before its Terminated). On one node it failed: the tabs
// are told so. Where actors move it moved: the dispatcher activates it
// again (its slot kept), so the agent keeps it, watches it again (on a
// cluster the watch resolves its new activation), and its tabs ask for
// what they lack (Resync), since what was on its way may be lost.
func (a *agentActor) convStopped(ctx actor.Context, id ConvID, pid *actor.PID) {
	if !a.Dir.Moves() {
		delete(a.convs, id)
		a.fanOut(ctx, &ConvClosed{Conv: id, Reason: ReasonFailed})
		return
	}
	if a.moving[id] {
		// A watch of it before it was back: it will say when it is.
		return
	}
	a.moving[id] = true
	ctx.Watch(pid)
	a.fanOut(ctx, &Resync{Conv: id})
}

// resync notes that a conversation the agent serves is (again) where its
// id leads, after a move, and has the tabs ask it for what they lack: the
// conversation said so (Resync), or the agent actor itself was activated
// again with it (StartAgent.Convs). A tab may hear it twice for one move
// (also from convStopped); its Sync delivers nothing twice.
func (a *agentActor) resync(ctx actor.Context, id ConvID) {
	pid := a.watchConv(ctx, id)
	if a.moving[id] {
		delete(a.moving, id)
		ctx.Watch(pid) // the watch made while it was away answered Terminated
	}
	a.fanOut(ctx, &Resync{Conv: id})
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
