package actors

import (
	"log/slog"
	"net/netip"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"

	"kefu/attach"
	"kefu/limit"
	"kefu/metrics"
	"kefu/store"
)

// connection is the actor behind one WebSocket, on either protocol. It
// proves who the client is, admits itself through the dispatcher, then
// carries the client's commands to conversations and the dispatcher, and
// their events back. It is the only thing that talks to its Socket.
//
// Its handlers sit in one file per concern: connection_hello.go (identity
// and admission), connection_frames.go (inbound frames),
// connection_commands.go (the client's commands), connection_replay.go
// (what a returning client missed), connection_convs.go (the conversations
// it is in), connection_gaps.go (holding what comes past a gap, and the
// answers that fill it), connection_moved.go (a conversation that moved to
// another node), connection_rejoin.go (its dispatcher that moved),
// connection_history.go (older pages), connection_rating.go,
// connection_inflight.go (answers owed to the client) and
// connection_send.go (outbound frames and the close). Its messages are in
// connection_messages.go.
type connection struct {
	ConnConfig
	me    Party  // zero until identified
	token string // a customer's resume token, to hand back in welcome
	// capacityHint is the account's stored capacity, for the dispatcher's
	// record when this is the agent's first connection.
	capacityHint int
	session      Session // an agent's login token, once verified
	admitted     bool
	convs        map[ConvID]*convView // conversations this client takes part in
	// resume is, per conversation, the last sequence number the client had
	// when it said hello.
	resume   map[ConvID]uint64
	timers   *scheduler.TimerScheduler
	stopBeat scheduler.CancelFunc
	// lastIn and lastOut are when a frame last came from the client and
	// last went to it: a heartbeat goes only when one side was quiet
	// (connection_send.go).
	lastIn, lastOut time.Time
	early           []any // commands sent between hello and admission (connection_frames.go)
	reading         bool  // a history request is being read (connection_history.go)
	// rejoin is its admission again after its dispatcher moved
	// (connection_rejoin.go).
	rejoin rejoin
	probe  tailProbe  // tail-loss probes on a cluster (connection_probe.go)
	ended  endedConvs // conversations seen to end (connection_ended.go)
	// mailboxLen is how many messages wait in the actor's mailbox: at 0 a
	// Receive flushes the socket.
	mailboxLen func() int
}

// ConnConfig is everything a connection actor starts with.
type ConnConfig struct {
	ID ConnID
	// Seq orders connections by when they were accepted: of two
	// connections of the same customer, the later one wins, whichever's
	// hello reaches the dispatcher first.
	Seq  uint64
	Pool Pool
	// Addr is the client's address as the per-address limits count it;
	// the zero Addr when it is not known.
	Addr netip.Addr
	// Role and Name are known at start on the compat protocol (from the
	// query); a native connection learns them from its hello.
	Role Role
	Name string

	Socket Socket
	Codec  Codec
	Dir    Directory
	Auth   Authenticator // native only
	// History reads back conversations that ended while a native client
	// was away, so it can be given what it missed.
	History store.Conversations
	// HistoryPage bounds a page of history: that replay, and each answer
	// to a history request (zero: the defaults).
	HistoryPage  HistoryLimits
	MaxTextBytes int
	// Files checks the references of file messages (attach.Refs); nil:
	// the connection takes none (the compat protocol).
	Files        *attach.Refs
	MaxFileBytes int64         // told to the client in welcome
	Heartbeat    time.Duration // native: how often the client is pinged; 0 for none
	HelloTimeout time.Duration // native: how long to wait for hello
	// ProbeMax is the slowest pace of the tail-loss probes on a cluster
	// (connection_probe.go); 0: probeMax. Tests shorten it.
	ProbeMax time.Duration
	// NeverStoredAfter is how long after a tab first heard of a
	// conversation it drops one the store has never stored and its agent
	// does not serve (connection_reconcile.go); 0: neverStoredAfter.
	NeverStoredAfter time.Duration
	Log              *slog.Logger

	// MaxCapacity is the most an agent may set (0: MaxCapacity). Offences
	// counts and logs the limits the client crosses; nil for none.
	MaxCapacity int
	Offences    *limit.Offences
	// Metrics counts this connection and its chat; nil for none.
	Metrics *metrics.Metrics
}

// NewConnectionProps returns the props of a connection actor.
func NewConnectionProps(cfg ConnConfig) *actor.Props {
	mailbox, waiting := countedMailbox()
	return actor.PropsFromProducer(func() actor.Actor {
		return &connection{ConnConfig: cfg, convs: map[ConvID]*convView{}, mailboxLen: waiting}
	}, actor.WithMailbox(mailbox))
}

// Receive handles one message; state changes only here. Each case hands
// its message to a handler in the file of its concern (see docs/actors.md).
func (c *connection) Receive(ctx actor.Context) {
	switch msg := ctx.Message().(type) {
	case *actor.Started:
		c.started(ctx)
	case *InboundFrame:
		c.onFrame(ctx, msg)
	case *AgentAdmitted:
		c.agentAdmitted(ctx, msg)
	case *CustomerAdmitted:
		c.customerAdmitted(ctx, msg)
	case *Refused:
		c.refused(ctx, msg)
	case *ConvOpened:
		c.opened(ctx, msg)
	case *historyRead:
		c.historyDone(ctx, msg)
	case *ConvMessage:
		c.message(ctx, msg)
	case *ConvClosed:
		c.convClosed(ctx, msg)
	case *TypingNotice, *AgentChanged, *Ack, *ReadNotice:
		c.convEvent(ctx, msg)
	case *NoteAdded:
		c.noteAdded(ctx, msg)
	case *Queued, *Dequeued, *AgentState:
		c.standing(ctx, msg)
	case *FormLeft:
		c.formLeft(ctx, msg)
	case *Requeued, *AgentList, *FrameError, *Pong, *InboxPage, *InboxChanged:
		c.send(ctx, msg)
	case *OverLimit:
		c.overLimit(ctx, msg)
	case *Kick:
		c.kick(ctx, msg)
	case *heartbeatTick:
		c.beat(ctx)
	case *probeTick:
		c.probed(ctx, msg)
	case *helloTimeout:
		c.helloTimedOut(ctx)
	case *SocketClosed:
		ctx.Stop(ctx.Self())
	case *actor.Terminated:
		c.terminated(ctx, msg)
	case *convGone:
		c.convGone(ctx, msg)
	case *Reconcile:
		c.probeSoon(ctx) // its agent actor was activated again: a move
		c.reconcile(ctx, msg.Convs)
	case *Resync:
		c.resync(ctx, msg)
	case *convRepair:
		c.repairAgain(ctx, msg)
	case *recheckStored:
		c.recheckStored(ctx, msg)
	case *rejoinAgain:
		c.rejoinNow(ctx)
	case *rejoinUnanswered:
		c.rejoinTimedOut(ctx, msg)
	case *admissionUnanswered:
		c.admissionTimedOut(ctx)
	case *actor.Stopped:
		c.stopped(ctx)
	}
	if c.mailboxLen() <= 0 {
		// The last message of a burst: what it and the ones before it
		// queued goes out together (Socket.Flush). A count read while a
		// sender is between its push and its count flushes early, which
		// costs a write, never a frame: the next message flushes again.
		c.Socket.Flush()
	}
}
