// Package clustertest runs kefu end to end as real processes on one
// PostgreSQL database, drives them with native clients that hop between
// live servers, breaks them (kill -9, SIGSTOP, restarts) and then checks
// what the clients saw against what the database holds (checks.go).
//
// Only the records and the checks are package code, so that a test of the
// checker can feed it planted faults; the processes, the clients and the
// scenarios are in _test.go files. docs/cluster-plan.md §6 is the design.
package clustertest

import "time"

// Record is what one client logged: every message it sent, every ack it
// got, every message it received (live or in a conv frame's history), the
// ends of its conversations, its connections, and how long each of its
// conversations took to come back after a drop.
type Record struct {
	Client   string // the test's label: "c3", "a7"
	Role     string // "agent" or "customer"
	Party    string // the server's id for it: cu_…, ag_…
	Sent     []Sent
	Acks     []Ack
	Received []Received // in the order they arrived, across connections
	Ends     []End
	Conns    []Conn
	Resumes  []Resume
	// Unwelcomed are the sockets given up before their welcome (Welcomed
	// zero), for the diagnosis of a failed run only.
	Unwelcomed []Conn
}

// Sent is one of the client's own messages, logged once when first sent
// (resends use the same cid and text).
type Sent struct {
	Conv, CID, Text string
}

// Ack is the server's acknowledgement of a message: stored at Seq.
type Ack struct {
	Conv, CID string
	Seq       uint64
}

// Received is a message as the client got it.
type Received struct {
	Conv string
	Seq  uint64
	From string // the sender's party id
	Text string
}

// End is a conversation over for this client, with the reason the server
// gave.
type End struct {
	Conv, Reason string
}

// Conn is one admitted connection: from its welcome to its loss (zero while
// still open at the end).
type Conn struct {
	Dialed, Welcomed, Lost time.Time
	Server                 string // the node's address it was made to
}

// Outage is a node that stopped serving at From, until To (zero: for the
// rest of the run): killed, or paused. A client's socket to it may look
// open for a while (a paused node's sockets are silent, not closed), but
// the cluster treats the customer as away from From on.
type Outage struct {
	Server   string
	From, To time.Time
}

// Resume is one conversation coming back after a drop: from the moment the
// client saw its socket die to the first frame of that conversation on the
// next connection.
type Resume struct {
	Conv             string
	Dropped, Resumed time.Time
}

// Took is how long the conversation was away.
func (r Resume) Took() time.Duration { return r.Resumed.Sub(r.Dropped) }

// Stored is what the database holds at the end, read by loadStored.
type Stored struct {
	Messages   []StoredMsg // by conversation, then seq
	Convs      []StoredConv
	ConvEvents []ConvEvent    // in the order applied
	Routing    []RoutingEvent // in the order applied
	HasEpoch   bool           // messages.epoch exists (the fencing slice)
	Capacity   map[string]int // agent id → capacity
}

// StoredMsg is one row of messages.
type StoredMsg struct {
	Conv   string
	Seq    uint64
	Sender string
	CID    string
	Text   string
	Epoch  int64
}

// StoredConv is one row of conversations.
type StoredConv struct {
	ID, Customer, Agent string
	Ticket              uint64
	Ended               bool
	EndReason           string
}

// ConvEvent is one row of conv_events.
type ConvEvent struct {
	Conv, Kind, Agent string
	At                time.Time
}

// RoutingEvent is one row of routing_events.
type RoutingEvent struct {
	Kind, Customer, Agent, Conv string
	Ticket                      uint64
	At                          time.Time
}
