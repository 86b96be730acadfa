package actors

import "kefu/internal/ids"

// Pool separates the tutorial's protocol from the native one. Compat agents
// serve only compat customers, with the tutorial's rules (one customer each,
// no queue, no grace period on a drop: see poolRules); native agents serve
// native customers.
type Pool int

const (
	PoolNative Pool = iota + 1
	PoolCompat
	// poolEnd is one past the last pool, to size per-pool arrays.
	poolEnd
)

func (p Pool) String() string { return p.rules().name }

// Pools returns every pool, in order: each has its own dispatcher.
func Pools() []Pool { return []Pool{PoolNative, PoolCompat} }

// poolRules is how one pool behaves: every place where the tutorial's
// protocol (PoolCompat) and the native one differ reads a field here, so
// the tutorial's rules are written down once (docs/compat.md). The
// tutorial had rooms: an agent going online opened one, a customer sat in
// an empty one, and whoever left ended it. In kefu that room is an agent
// actor plus a conversation actor, and these rules keep its behaviour.
type poolRules struct {
	// name is the pool's label in logs, the supervisor view and metrics.
	name string

	// fixedCapacity, when not 0, is every agent's capacity, which nothing
	// changes: the tutorial's room held one customer. 0: an agent's
	// capacity is its account's, changeable live.
	fixedCapacity int
	// accounts says agents sign in with an account: the account's removal
	// takes them off the desk, and colleagues see them in the agent list
	// (the transfer targets). The tutorial's agents are a name in a URL.
	accounts bool
	// uniqueNames says a display name is an identity: at most one agent
	// and one customer online per name, a second is refused (4009). The
	// tutorial's pages tell parties apart by name only.
	uniqueNames bool

	// queues says a customer asks for an agent and waits its turn in the
	// queue. Without it (the tutorial) a customer is seated as it connects,
	// with the agent /getroom reserved for its name or any free one, and is
	// refused rather than queued when none is free (4004).
	queues bool
	// reconnectGrace says a party whose connection drops keeps its place
	// or conversation for the grace period (-grace). Without it the
	// tutorial's party who leaves is gone at once, and the conversation
	// ends.
	reconnectGrace bool
	// endsWithAgent says a retired agent's conversations end (the customer
	// is told the agent left) rather than going back to the head of the
	// queue: the tutorial had no queue to go back to.
	endsWithAgent bool

	// identifiedByURL says the client names itself in its URL
	// (?type=&name=) and never says hello: its connection is identified as
	// it starts, with ids the server issues (agentIDPrefix for agents). A
	// native client proves who it is in a hello.
	identifiedByURL bool
	// agentIDPrefix starts the ids issued to agents identifiedByURL, so
	// that they are never taken for an account's (ids.Agent).
	agentIDPrefix string
	// agentReadsFrom and customerReadsFrom are when a connection starts
	// reading its socket (readsFrom).
	agentReadsFrom, customerReadsFrom readStart
	// greetsCustomer says the conversation sends its customer's first sync
	// (the tutorial's greeting) itself as it starts, so the customer's
	// connection does not ask for one. A native connection asks for what
	// its client has not seen.
	greetsCustomer bool
	// customerClosedWhenEnded says the customer's socket is closed when its
	// conversation ends: the tutorial's customer lives for one
	// conversation, and is sent its "close" order first.
	customerClosedWhenEnded bool
}

// readStart is when a connection starts reading its socket.
type readStart int

const (
	// readOnConnect: at once, for the hello.
	readOnConnect readStart = iota + 1
	// readOnAdmission: once the dispatcher has admitted it; a line read
	// earlier would have nowhere to go.
	readOnAdmission
	// readFromGreeting: once its conversation's greeting is sent. The
	// dispatcher answers before it starts the conversation, so a line
	// read at admission would go to a conversation not there yet.
	readFromGreeting
)

// rules returns p's rules; an unknown pool has none.
func (p Pool) rules() poolRules {
	switch p {
	case PoolNative:
		return poolRules{
			name:              "native",
			accounts:          true,
			queues:            true,
			reconnectGrace:    true,
			agentReadsFrom:    readOnConnect,
			customerReadsFrom: readOnConnect,
		}
	case PoolCompat:
		return poolRules{
			name:                    "compat",
			fixedCapacity:           1,
			uniqueNames:             true,
			endsWithAgent:           true,
			identifiedByURL:         true,
			agentIDPrefix:           ids.Compat,
			agentReadsFrom:          readOnAdmission,
			customerReadsFrom:       readFromGreeting,
			greetsCustomer:          true,
			customerClosedWhenEnded: true,
		}
	}
	return poolRules{name: "unknown"}
}

// readsFrom is when a connection of role starts reading its socket.
func (r poolRules) readsFrom(role Role) readStart {
	if role == RoleAgent {
		return r.agentReadsFrom
	}
	return r.customerReadsFrom
}
