package actors

import (
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/scheduler"

	"kefu/store"
)

// Messages a conversation receives.
type (
	// Post is one chat message. From and Conn are stamped by the sender's
	// connection actor from its own records, never taken from the client.
	Post struct {
		From     Party
		Conn     ConnID
		Text     string
		ClientID string
		File     store.FileRef // an attachment: Text is its name (zero: none)
	}
	// Typing says From is typing; forwarded to the other side, throttled.
	Typing struct{ From Party }
	// Read says From has read up to Seq.
	Read struct {
		From Party
		Seq  uint64
	}
	// End is a member ending the conversation.
	End struct {
		By   Party
		Conn ConnID
	}
	// Attach adds a customer's new connection before its old one is sent
	// away (from the dispatcher), so the conversation never sees the
	// customer without one and ends for nothing.
	Attach struct{ Conn ConnID }
	// Sync asks for the conversation on one connection, from sequence
	// number After on: a customer resuming, an agent's new tab. A
	// customer's connection is attached.
	Sync struct {
		Conn  ConnID
		Party Party
		After uint64
		// Unshown says the asker has shown its client nothing of the
		// conversation (a stale list named it): one that is over answers
		// with a bare end, not its history (connection_reconcile.go).
		Unshown bool
	}
	// Reassign gives the conversation to Agent (from the dispatcher).
	Reassign struct {
		Agent      Party
		AgentActor string
		Why        string
		Handoff    *Handoff // the transfer that made it; nil for an assignment
	}
	// Unassign sends the conversation back to the queue (from the
	// dispatcher, which tells the customer); its customer stays.
	Unassign struct {
		Reason  string
		Handoff *Handoff // the agent who sent it back; nil when no agent asked
		Team    string   // the team whose queue it waits in now
		// ToInbox: a taken form whose customer is away goes back to its
		// team's inbox rather than its queue, where an away customer is
		// passed over and nobody would ever see it.
		ToInbox bool
	}
	// Finish ends the conversation (from the dispatcher).
	Finish struct {
		By     Party
		Reason string
	}

	// memberGone is the conversation's note that a watched connection
	// ended, queued behind that member's last messages.
	memberGone struct{ Who *actor.PID }
	// convGraceExpired is the conversation's timer for the customer's
	// grace period (the dispatcher's own is customerGraceExpired).
	convGraceExpired struct{ Gen uint64 }
	// retryStore is the conversation's timer after a failed write.
	retryStore struct{}
)

// StartConv is a conversation's first message (Directory.Activate, from
// the dispatcher): everything it starts with that is its own. What every
// conversation on the node shares (store, directory, log, clock) is in
// Kinds.
type StartConv struct {
	ID            ConvID
	Pool          Pool // whose dispatcher hears of its end (ConvFinished)
	Ticket        uint64
	Team          string // the team whose queue it came through, stored with it
	Customer      Party
	CustomerConn  ConnID // "" if the customer is away at the start
	Agent         Party
	AgentActor    string
	CustomerGrace time.Duration // 0: the conversation ends when the customer leaves
	// HistoryPage bounds the history a conv frame carries: the newest
	// page; older ones are read on request (zero: the defaults).
	HistoryPage HistoryLimits
	// Restore says the conversation was open before a restart: its
	// messages are loaded from the store instead of starting empty.
	Restore bool
	// Rehomed says it is activated again because its actor stopped
	// without ending (on a cluster: it moved; Restore is set too). What
	// was on its way to or from the old activation may be lost, so once
	// loaded it tells its parties to ask for what they lack (Resync).
	Rehomed bool
	// ToInbox says the dispatcher sent it back to its team's inbox (a
	// taken form whose agent was lost; Unassign.ToInbox), and it moved
	// before that was stored: the new activation does it again.
	ToInbox bool
	// StartedBy is the fence of the dispatcher that started it, on a
	// cluster (zero: none): the write that first stores its record carries
	// it, so a dispatcher that has lost its queue cannot open a
	// conversation that its successor never hears of, neither new nor
	// restored from nothing stored (conversation_fenced.go).
	StartedBy store.Fence
	// Inbox starts an offline form (conversation_inbox.go): it is written
	// with the customer's message and parks in its team's inbox.
	Inbox *InboxStart
	// Taken: an agent took it from its team's inbox (Restore is set too):
	// it leaves the inbox and greets both sides.
	Taken bool
	// Email is the customer's address, from the pre-chat form or the
	// offline form; "" for none. Stored with the record.
	Email string
	// AwaitCustomer: the customer is not expected soon (a form's customer
	// comes back when it will), so no grace runs until it first attaches.
	AwaitCustomer bool
}

// conversation owns one conversation: its members, its messages in order,
// and its end. It numbers messages without gaps and delivers each only once
// it is stored, so what anyone has seen survives a crash. Chat goes
// connection → conversation → connections (the agent's through the agent
// actor), never through the dispatcher.
//
// One write is in flight at a time: messages that arrive meanwhile wait in
// pending and go together in the next, so a failed write can never leave a
// gap behind a later one that succeeded.
//
// Its files, one concern each: this one (messages, state, Receive);
// conversation_state.go (where it is in its life); conversation_start.go
// (fresh or loaded from the store); conversation_history.go (the window of
// messages, conv frames, Sync); conversation_writes.go (numbering, the
// store writer's round trip, resends); conversation_members.go (who is in
// it, the customer's grace period); conversation_notices.go (typing, read
// marks); conversation_handoffs.go (assignment, transfer, the queue);
// conversation_end.go (the end); conversation_notes.go (private notes);
// conversation_fenced.go (a cluster's
// fence on its writes, and its stop when one is refused);
// conversation_unstarted.go (activated by a late message, never started);
// conversation_restored.go (a start again, from a dispatcher that moved).
type conversation struct {
	*Kinds
	StartConv // zero until the start message
	early     beforeStart
	rejoins   int // times it asked its dispatcher for its start (conversation_unstarted.go)
	// activatedAt is when the actor started, for the wait for its start.
	activatedAt time.Time
	// waitStart cancels the timer for the start (startOverdue); nil once
	// started.
	waitStart scheduler.CancelFunc
	epoch     int64         // owner epoch claimed at start on a cluster (Kinds.Claim); 0: no fence
	startedBy []store.Fence // StartedBy, until the first write is stored; nil after
	proven    time.Time     // when the epoch was last known current: a claim, a stored write, a check
	state     convState     // changed only by setState
	timers    *scheduler.TimerScheduler
	agent     *actor.PID            // the agent actor to tell; see hasAgent
	custConns map[string]*actor.PID // the customer's live connections
	typedAt   map[string]time.Time  // last typing forwarded, by party id

	// messages are the newest stored messages, seq base+1..last(): a
	// window, so a long conversation costs bounded memory; older ones are
	// read back from the store on the rare sync that reaches that far.
	messages []ConvMessage
	base     uint64
	pending  []accepted          // numbered, not yet sent to the store
	writing  []accepted          // in the write now in flight
	token    uint64              // of the write in flight; 0 when none
	cids     clientIDs           // where each sender's client ids went, for resends
	waiters  map[uint64][]ConnID // resends waiting for their original's ack
	reads    map[string]uint64   // last read seq by party id

	record      store.Conversation
	recordDirty bool
	events      []store.ConvEvent
	handoffs    []Handoff // the newest keepHandoffs, oldest first
	// notes are the newest keepNotes private notes, oldest first; noteN
	// is the last stored note's number (conversation_notes.go).
	notes                      []ConvNote
	noteN                      uint64
	notesPending, notesWriting []noteWaiting
	readMarks                  []store.ReadMark
	mail                       []store.MailItem // an answer to mail, with the end (conversation_inbox.go)
	inFlight                   store.Batch      // the non-message part of the write in flight

	graceGen uint64      // of the customer's grace timer that counts; older ones are stale
	ending   *ConvClosed // what both sides are told at the end, once it is decided
	// finished is what the dispatcher is told at the end; where actors
	// move it is asked until answered, finishTries counting the asks
	// (conversation_end.go).
	finished    *ConvFinished
	finishTries int

	// Addresses used for every message, looked up once (see connPIDs).
	storePID *actor.PID
	ackPIDs  connPIDs
}

// newConversation is the producer of KindConv (Kinds.Props): a
// conversation waiting for its StartConv.
func newConversation(k *Kinds) *conversation {
	return &conversation{
		Kinds:     k,
		custConns: map[string]*actor.PID{},
		typedAt:   map[string]time.Time{},
		waiters:   map[uint64][]ConnID{},
		reads:     map[string]uint64{},
	}
}

// Receive handles one message; state changes only here. Until its
// StartConv a conversation holds what it is sent (beforeStart) and handles
// it right after.
func (c *conversation) Receive(ctx actor.Context) {
	msg := ctx.Message()
	if c.state != convStarting {
		c.handle(ctx, msg)
		return
	}
	switch msg := msg.(type) {
	case *actor.Started:
		// The root context is safe to use from timer goroutines; an
		// actor's own context is not.
		c.timers = scheduler.NewTimerScheduler(ctx.ActorSystem().Root)
		c.activatedAt = c.Now()
		c.waitStart = c.timers.SendOnce(firstStartWait(c.Kinds), ctx.Self(), &startOverdue{})
	case *StartConv:
		if c.waitStart != nil {
			c.waitStart()
			c.waitStart = nil
		}
		if c.start(ctx, msg) {
			c.early.replay(func(m any) { c.handle(ctx, m) })
		}
	case *startOverdue:
		c.unstarted(ctx)
	default:
		if !lifecycle(msg) && !c.early.hold(msg) {
			c.Log.Warn("message before the conversation's start dropped", "conv", ctx.Self().Id, "type", fmt.Sprintf("%T", msg))
		}
	}
}

// handle handles one message of a started conversation.
func (c *conversation) handle(ctx actor.Context, msg any) {
	switch msg := msg.(type) {
	case *StartConv:
		c.startAgain(ctx, msg) // conversation_restored.go
	case *startOverdue:
		// Started just as the timer fired: nothing to give up.
	case *Stored:
		c.stored(ctx, msg.Token)
	case *StoreFailed:
		c.storeFailed(ctx, msg)
	case *retryStore:
		c.flush(ctx)
	case *Post:
		c.post(ctx, msg)
	case *PostNote:
		c.postNote(ctx, msg)
	case *Typing:
		c.typing(ctx, msg)
	case *Read:
		c.read(ctx, msg)
	case *End:
		c.end(ctx, msg)
	case *Sync:
		c.sync(ctx, msg)
	case *Attach:
		c.attach(ctx, msg.Conn)
	case *Reassign:
		c.reassign(ctx, msg)
	case *Unassign:
		c.unassign(ctx, msg)
	case *Finish:
		c.finish(ctx, msg.By, msg.Reason)
	case *ConvFinishedAck:
		ctx.Stop(ctx.Self()) // the dispatcher knows: nothing more to do
	case *finishUnanswered:
		c.finishTimedOut(ctx, msg)
	case *actor.Terminated:
		// Terminated overtakes the member's last messages, still queued;
		// handle the departure behind them.
		ctx.Send(ctx.Self(), &memberGone{Who: msg.Who})
	case *memberGone:
		c.customerConnGone(ctx, msg.Who)
	case *convGraceExpired:
		c.customerGraceExpired(ctx, msg)
	}
}
