package actors

import (
	"time"

	"kefu/limit"
	"kefu/metrics"
	"kefu/store"
)

// Messages a connection actor receives. Those the client sees are encoded by
// the connection's Codec; each protocol shows what it can of them.
type (
	// InboundFrame is one frame read from the socket by its read pump.
	InboundFrame struct {
		Data   []byte
		Binary bool
	}
	// SocketClosed says the read pump has stopped: the peer closed, the
	// network failed, or the socket was closed by the server.
	SocketClosed struct{ Err error }

	// Refused answers AgentConnect or CustomerConnect: the connection must
	// close with Reason.
	Refused struct{ Reason Disconnect }
	// OverLimit refuses a command for a limit the dispatcher keeps: the
	// connection counts the offence and gives the client Err.
	OverLimit struct {
		Kind limit.Kind
		Err  *FrameError
	}
	// AgentAdmitted answers AgentConnect.
	AgentAdmitted struct {
		Status   Status
		Capacity int
		Convs    []ConvID // open conversations to sync, oldest first
	}
	// CustomerAdmitted answers CustomerConnect.
	CustomerAdmitted struct {
		Conv     ConvID // the conversation to sync, if any
		Queued   bool
		Position int
		ETA      time.Duration
		Team     string // the team whose queue it waits in, when Queued
		Inbox    ConvID // its form, when it waits in its team's inbox or is on its way there
		Stored   bool   // the form is stored: the client hears "left" now (else once it is)
	}
	// Welcome is what a connection tells its client once admitted.
	Welcome struct {
		You      Party
		Token    string // a customer's resume token; empty for agents
		Status   Status // agents
		Capacity int    // agents
		// MaxCapacity is the most the agent may set (agents): the page
		// checks against it and says so, instead of sending what the
		// server would refuse.
		MaxCapacity int
		State       string // customers: "idle", "queued" or "chatting"
		Heartbeat   time.Duration
		// MaxTextBytes is the longest msg text the server takes, in bytes
		// of UTF-8: a flag, so pages learn it here rather than guess it.
		MaxTextBytes int
		// MaxFileBytes is the largest upload the server takes (0: none
		// at all), so pages refuse a larger file before sending it.
		MaxFileBytes int64
	}

	// Queued is a customer's place in the queue, sent on joining it and
	// whenever the position or the estimate changes. Moved says why the
	// position is further back than the last one the customer was told
	// (MovedRequeuedAhead, MovedReturnedAhead); "" when it is not.
	Queued struct {
		Position int
		ETA      time.Duration
		Moved    string
		Team     string // the team whose queue it is
	}
	// ConvOpened hands a conversation to a party: on assignment, transfer,
	// or a (re)connection's sync. History is the stored messages after
	// sequence number After up to the newest: at most a page
	// (HistoryLimits), so After may be past what the party asked from.
	ConvOpened struct {
		Conv     ConvID
		Customer Party
		Agent    Party // zero while the conversation waits in the queue
		Why      string
		After    uint64
		History  []ConvMessage
		Reads    map[string]uint64 // each party's read mark, by party id
		// More says the client lacks messages before History: the page
		// starts past what it has. Set by the connection, which knows.
		More bool
		// Handoffs are the conversation's hand-offs, oldest first: only in
		// what goes to an agent, never to the customer.
		Handoffs []Handoff
		// Notes are its newest private notes, oldest first: as Handoffs,
		// only to an agent.
		Notes []ConvNote
	}
	// Ack tells a sender its message is stored, and where it stands.
	Ack struct {
		Conv     ConvID
		ClientID string
		Seq      uint64
		At       time.Time
	}
	// ReadNotice says By has read Conv up to Seq.
	ReadNotice struct {
		Conv ConvID
		By   Party
		Seq  uint64
	}
	// ConvMessage is one chat message with its place in the conversation.
	ConvMessage struct {
		Conv     ConvID
		Seq      uint64
		From     Party
		Text     string
		ClientID string // the sender's own id for the message, echoed back
		At       time.Time
		// File is the upload the message shows (its Text is the file's
		// name); zero for a text message.
		File store.FileRef
		// Stored is when its commit came back, on live deliveries only:
		// the delivery latency metric starts there. A Stamp means nothing
		// on another node's clock, so it does not cross (wire.go): the
		// metric counts same-node deliveries.
		Stored metrics.Stamp `json:"-"`
		// Frame is the message already encoded for its conversation's
		// pool, once for every party that gets it (Kinds.EncodeMsg); nil
		// when not. Read-only once sent, and node-local: a node it
		// crosses to encodes its own.
		Frame *EncodedFrame `json:"-"`
	}
	// TypingNotice says From is typing in Conv.
	TypingNotice struct {
		Conv ConvID
		From Party
	}
	// AgentChanged tells a customer their conversation has a new agent.
	AgentChanged struct {
		Conv  ConvID
		Agent Party
	}
	// Resync tells a connection that Conv moved to another node (on a
	// cluster) and may have lost what was in flight: the connection asks
	// for what it lacks (Sync after the last seq it has) and sends again
	// what was not acknowledged. Sent by the agent actor to its tabs.
	Resync struct {
		Conv ConvID
	}
	// Reconcile tells an agent's tab which conversations the agent
	// serves, after its agent actor or its dispatcher moved (a cluster):
	// one the tab shows that is not among them may have ended while its
	// end was lost with the move (connection_reconcile.go). Sent by an
	// agent actor activated again, and read from a moved dispatcher's
	// AgentAdmitted.
	Reconcile struct {
		Convs []ConvID
	}
	// Requeued tells a customer their conversation is back in the queue.
	Requeued struct {
		Conv   ConvID
		Reason string
	}
	// ConvClosed tells a party a conversation is over for them: ended by
	// someone, or moved away from this agent.
	ConvClosed struct {
		Conv   ConvID
		By     Party // zero when the system ended it
		Other  Party // the other side, for protocols that name it
		Reason string
		// Last is the conversation's last seq at its end (0: not said).
		// A connection that has less reads the rest from the store before
		// passing the end on: on a cluster a message can be lost with a
		// node on its way, and the end is the last word there is.
		Last uint64
	}
	// AgentState is an agent's own status and capacity, sent to every one
	// of its connections when either changes.
	AgentState struct {
		Status   Status
		Capacity int
	}
	// AgentList answers ListAgents.
	AgentList struct{ Agents []AgentInfo }
	// Kick tells a connection to leave: its protocol may say goodbye (the
	// tutorial's "close" frame), then the socket closes with Reason.
	Kick struct{ Reason Disconnect }
	// Heartbeat is the application-level ping a browser can see; Pong the
	// answer to the client's.
	Heartbeat struct{}
	Pong      struct{}

	// heartbeatTick is the connection's own timer.
	heartbeatTick struct{}
	// helloTimeout ends a native connection that never said hello.
	helloTimeout struct{}
	// convGone is the connection's note that a conversation actor stopped.
	convGone struct{ Conv ConvID }
)

// AgentInfo is one agent as a colleague sees it.
type AgentInfo struct {
	ID       string
	Name     string
	Status   Status
	Load     int
	Capacity int
}

// Why a conversation opened for a party, and why it closed.
const (
	WhyAssigned    = "assigned"
	WhyTransferred = "transferred"
	WhySync        = "sync"
	WhyEnded       = "ended" // a replay of what a returning client missed before the end

	ReasonAgentEnded    = "agent_ended"
	ReasonCustomerEnded = "customer_ended"
	ReasonCustomerLeft  = "customer_left" // the customer's grace ran out
	ReasonAgentLeft     = "agent_left"    // a compat agent went away
	ReasonTransferred   = "transferred"   // moved to another agent
	ReasonRequeued      = "requeued"      // moved back to the queue
	ReasonAgentLost     = "agent_lost"    // the agent's grace ran out
	ReasonRemoved       = "agent_removed" // the agent's account was removed
	ReasonFailed        = "failed"        // the conversation's actor stopped
	ReasonGone          = "gone"          // it ended while this client was away
	ReasonWithdrawn     = "withdrawn"     // never stored: a dispatcher that had lost its queue started it

	// Why a waiting customer's position moved back (Queued.Moved).
	MovedRequeuedAhead = "requeued_ahead" // conversations sent back to the queue went ahead of it
	MovedReturnedAhead = "returned_ahead" // customers ahead of it who were away came back to their places
)
