package actors

import (
	"net/netip"
	"time"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/store"
)

// Messages the dispatcher receives.
type (
	// AgentConnect admits one connection of an agent. A native agent may
	// have several (tabs); a compat agent's name must be free. Answered with
	// *AgentAdmitted or *Refused.
	AgentConnect struct {
		Agent    Party
		Capacity int
		Conn     ConnID
		Pool     Pool
		// Rejoin says an admitted connection asks again because its
		// dispatcher moved (on a cluster, connection_rejoin.go): the same
		// party coming back, as after a restart. Status is the agent's
		// status as the connection last knew it, and Convs the
		// conversations it is in; both only with Rejoin.
		Rejoin bool
		Status Status
		Convs  []ConvID
	}
	// CustomerConnect admits a customer's connection. A native customer
	// gets back its place in the queue or its conversation; a compat
	// customer is seated with the agent reserved for its name, or any free
	// one. Answered with *CustomerAdmitted or *Refused.
	CustomerConnect struct {
		Customer Party
		Conn     ConnID
		Seq      uint64 // when the connection was accepted (ConnConfig.Seq)
		Pool     Pool
		// Rejoin says an admitted connection asks again because its
		// dispatcher moved (on a cluster, connection_rejoin.go): it
		// replaces nobody, and keeps its place or its conversation.
		Rejoin bool
	}
	// GetRoom is the tutorial's /getroom, and keeps its name: reserve a
	// free compat agent for a customer who will connect as Customer. There
	// is no room in kefu (the tutorial's room became the agent actor plus
	// a conversation actor): what is reserved is an agent. From is the
	// asking client's address, whose unused reservations are capped.
	// Answered with *AgentOffer.
	GetRoom struct {
		Customer string
		From     string
	}
	// RequestAgent puts a native customer in the queue; Addr is where the
	// request came from, the address it counts against while it waits or
	// chats. Answered only on error, with *FrameError, or *OverLimit past
	// CustomersPerAddr or ConvStarts.
	RequestAgent struct {
		Customer string
		Addr     netip.Addr
		Team     string // the team whose queue it joins; "": the general team
		Email    string // the customer's address, from the pre-chat form; "" for none
	}
	// CancelRequest takes a customer out of the queue. Answered only on
	// error, with *FrameError.
	CancelRequest struct{ Customer string }
	// SetAgentStatus and SetAgentCapacity change an agent live.
	SetAgentStatus struct {
		Agent  string
		Status Status
	}
	SetAgentCapacity struct {
		Agent    string
		Capacity int
	}
	// TransferConv moves a conversation from agent By to agent To, or to
	// the head of the queue when To is "". Answered only on error.
	TransferConv struct {
		Conv ConvID
		By   string
		To   string
		Note string // for the next agent; the connection checked its length
	}
	// ListAgents asks who is online. Answered with *AgentList.
	ListAgents struct{}
	// RemoveAgent says an agent's account was removed.
	RemoveAgent struct{ Agent string }
	// ConvFinished is a conversation reporting its end. Where actors
	// move it is a request, answered with *ConvFinishedAck, and sent
	// again until answered (conversation_end.go).
	ConvFinished struct {
		Conv   ConvID
		Reason string
	}
	// ConvFinishedAck is the dispatcher's answer to a ConvFinished sent
	// as a request, whether or not it still held the conversation.
	ConvFinishedAck struct{ Conv ConvID }
	// GetStats asks for a snapshot of the counts. Answered with *Stats.
	GetStats struct{}
	// GetSnapshot asks for the counts and every agent's record, for the
	// supervisor's view. Answered with *Snapshot.
	GetSnapshot struct{}
	// ConvRejoin is a conversation activated without its start whose
	// record is open: on a cluster the dispatcher's StartConv can be lost
	// with a node. The dispatcher that holds it activates it again.
	ConvRejoin struct {
		Conv ConvID
	}

	// AgentRejoin is an agent actor activated without its start: on a
	// cluster the dispatcher's StartAgent can be lost with a node. If
	// Actor is still its agent's incarnation, the dispatcher starts it
	// again.
	AgentRejoin struct {
		Actor string
	}

	// Restore brings back the conversations that were open before a
	// restart, and the customers who were waiting without one, each
	// oldest arrival first. Sent once, before any connection.
	Restore struct {
		Convs   []store.Conversation
		Waiting []store.Waiter
		Ticket  uint64       // the highest arrival number ever issued
		Teams   []store.Team // every team, archived ones too (their queues drain)
		Inbox   []InboxItem  // the forms waiting in the teams' inboxes
	}

	// The dispatcher's own timers and notes.
	reservationExpired struct {
		Customer string
		Gen      uint64
	}
	agentGraceExpired struct {
		Agent string
		Gen   uint64
	}
	customerGraceExpired struct {
		Customer string
		Gen      uint64
	}
	flushPositions struct{}
	// watchedGone is the dispatcher's note that a watched actor stopped.
	watchedGone struct{ Who *actor.PID }
)

// AgentOffer answers GetRoom: a compat agent reserved for the customer's
// name, or a refusal. Capped says a refusal was for the asking address's
// cap, not for want of a free agent.
type AgentOffer struct {
	Granted   bool
	AgentName string
	Capped    bool
}

// Stats is a snapshot of the routing state.
type Stats struct {
	Agents        int // agents with a record: online, or within their grace period
	AgentsOnline  int // agents with a live connection
	FreeAgents    int // able to take a customer now
	Reservations  int // compat /getroom offers not yet used
	Customers     int // customers with a live connection
	Queued        int
	Conversations int // open: with an agent, or sent back to the queue
	Serving       int // open and with an agent now
	// OldestQueued is when the customer who has waited longest, of all
	// those in the queue, first asked for an agent (a conversation sent
	// back counts from its first request, not from the re-queue); zero
	// when nobody waits.
	OldestQueued time.Time
}

// Add adds o's counts to s: the routing state of two pools, each counted
// by its own dispatcher. OldestQueued is the earlier of the two.
func (s *Stats) Add(o *Stats) {
	s.Agents += o.Agents
	s.AgentsOnline += o.AgentsOnline
	s.FreeAgents += o.FreeAgents
	s.Reservations += o.Reservations
	s.Customers += o.Customers
	s.Queued += o.Queued
	s.Conversations += o.Conversations
	s.Serving += o.Serving
	if !o.OldestQueued.IsZero() && (s.OldestQueued.IsZero() || o.OldestQueued.Before(s.OldestQueued)) {
		s.OldestQueued = o.OldestQueued
	}
}

// Snapshot answers GetSnapshot: the counts, and each agent with a record,
// ordered by name, of one pool.
type Snapshot struct {
	Pool   Pool
	Stats  Stats
	Agents []AgentStat
	Teams  []TeamStat // the pool's live teams, and archived ones still draining
}

// TeamStat is one team's queue and agents as a supervisor sees them.
type TeamStat struct {
	ID, Name     string
	Open         bool // by its hours, now
	Archived     bool // its queue drains; it takes nobody new
	Queued       int
	OldestQueued time.Time // as Stats.OldestQueued, for this team
	AgentsOnline int       // members with a live connection
	AgentsFree   int       // members able to take a customer now
	Inbox        int       // offline forms waiting in its inbox
	OldestInbox  time.Time // when the form that has waited longest was left; zero when none
	Everyone     bool      // every agent is a member (the general team)
	Members      []string  // the members the dispatcher knows (online or within their grace), sorted; none when Everyone
}

// AgentStat is one agent as a supervisor sees it.
type AgentStat struct {
	ID       string
	Name     string
	Pool     Pool
	Status   Status
	Online   bool // has a live connection; false within the grace period
	Load     int  // conversations, plus a compat reservation
	Capacity int
	Teams    []string // its teams' ids, sorted
}
