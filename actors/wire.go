package actors

import (
	"encoding/json"
	"fmt"
	"reflect"

	"github.com/asynkron/protoactor-go/remote"

	"kefu/actors/wirepb"
)

// Messages that cross nodes. On a cluster, a message to an actor on
// another node goes through Proto.Actor's remote, which carries only
// protobuf and drops anything else with a log line: the worst kind of bug,
// a message that silently does not arrive. So every message type that may
// cross is declared here, and travels as one protobuf envelope
// (wirepb.Envelope) holding its type's name and its JSON. The remote calls
// a message's Serialize before writing it (remote.RootSerializable), and
// the envelope's Deserialize after reading it, which comes back here
// through wirepb.SetDecoder: wirepb cannot import this package, and the
// remote makes the envelope from its registered protobuf name, so a
// wrapper type here could never be what arrives.
//
// Adding a crossing type: one line in crossing below and one Serialize
// method in wire_methods.go. TestWireRoundTrip proves that every field of
// every crossing type survives the trip; TestWireClassified fails on a
// message type that is neither here nor in nodeLocal (wire_local.go).
// A crossing type holds no *actor.PID, error, func or channel: none of
// them survives JSON.

// crossing is every message type that may be sent to an actor on another
// node, by the name it travels under. Read-only after init.
var crossing = crossingTable(
	// connection → dispatcher, and the answers.
	new(AgentConnect), new(AgentAdmitted), new(CustomerConnect), new(CustomerAdmitted), new(Refused),
	new(RequestAgent), new(OverLimit), new(FrameError), new(CancelRequest), new(TransferConv),
	new(ListAgents), new(AgentList), new(SetAgentStatus), new(SetAgentCapacity),
	// transport → dispatcher: a team as just stored.
	new(TeamChanged),
	// the offline form and the inboxes (dispatcher_inbox.go).
	new(LeaveForm), new(FormLeft), new(ConvParked), new(ListInbox), new(InboxPage), new(TakeInbox), new(InboxChanged),
	// transport → dispatcher and monitor, and the answers.
	new(GetRoom), new(AgentOffer), new(RemoveAgent), new(GetStats), new(Stats),
	new(GetSupervision), new(Supervision),
	// monitor → dispatcher, and back; dispatcher and node reporter → monitor.
	new(GetSnapshot), new(Snapshot), new(RoutingEvent), new(NodeSample),
	// dispatcher → conversation.
	new(StartConv), new(Attach), new(Reassign), new(Unassign), new(Finish),
	// dispatcher → agent.
	new(StartAgent), new(AttachConn), new(AgentState),
	// dispatcher → connection.
	new(Kick), new(Queued), new(Dequeued), new(Requeued),
	// conversation → dispatcher.
	new(ConvFinished), new(ConvFinishedAck), new(ConvRejoin), new(AgentRejoin),
	// connection → conversation.
	new(Post), new(Typing), new(Read), new(End), new(Sync), new(PostNote),
	// conversation → connection and agent; agent → connection.
	new(ConvOpened), new(ConvMessage), new(Ack), new(TypingNotice), new(ReadNotice), new(NoteAdded),
	new(ConvClosed), new(AgentChanged), new(Resync), new(Reconcile),
)

// Undecodable is what arrives in place of a message this node cannot
// decode: a type it does not know (a newer node's), or JSON that does not
// fit its type. It is delivered to the target like any message, so the
// receiver can log and count it; returning an error instead would make the
// remote drop every other message of the batch it came in.
type Undecodable struct {
	Type string // the name it was sent under
	Why  string // "unknown type", or why its JSON did not decode
	JSON []byte // as it arrived
}

// Serialize sends it on as it came, so a node that forwards a message it
// does not know does not change it.
func (u *Undecodable) Serialize() (remote.RootSerialized, error) {
	return &wirepb.Envelope{Type: u.Type, Json: u.JSON}, nil
}

// whyUnknownType is Undecodable.Why for a type not in crossing.
const whyUnknownType = "unknown type"

func init() { wirepb.SetDecoder(unwire) }

// wire is every crossing type's Serialize: m's JSON in an envelope named
// for m's type. A type that is not in crossing is refused here, where the
// sender's log shows it, rather than undecodable on the other node.
func wire(m remote.RootSerializable) (remote.RootSerialized, error) {
	name := wireName(m)
	if _, ok := crossing[name]; !ok {
		return nil, fmt.Errorf("wire: %s is not a crossing type (actors/wire.go)", name)
	}
	data, err := json.Marshal(m)
	if err != nil {
		return nil, fmt.Errorf("wire: encoding %s: %w", name, err)
	}
	return &wirepb.Envelope{Type: name, Json: data}, nil
}

// unwire is the envelope's decoder: the message it carries, or an
// *Undecodable. Unknown JSON fields are ignored, so a newer node may add a
// field without an older one refusing the message.
func unwire(e *wirepb.Envelope) remote.RootSerializable {
	newMsg, ok := crossing[e.GetType()]
	if !ok {
		return &Undecodable{Type: e.GetType(), Why: whyUnknownType, JSON: e.GetJson()}
	}
	m := newMsg()
	if err := json.Unmarshal(e.GetJson(), m); err != nil {
		return &Undecodable{Type: e.GetType(), Why: err.Error(), JSON: e.GetJson()}
	}
	return m
}

// wireName is the name m's type travels under: its Go name in this
// package. Crossing types are sent as pointers, like every message here.
func wireName(m any) string { return reflect.TypeOf(m).Elem().Name() }

// crossingTable maps each type's name to a constructor of a new zero
// value of it.
func crossingTable(types ...remote.RootSerializable) map[string]func() remote.RootSerializable {
	table := make(map[string]func() remote.RootSerializable, len(types))
	for _, m := range types {
		name := wireName(m)
		if _, dup := table[name]; dup {
			panic("actors: " + name + " is listed twice in crossing")
		}
		t := reflect.TypeOf(m).Elem()
		table[name] = func() remote.RootSerializable {
			return reflect.New(t).Interface().(remote.RootSerializable)
		}
	}
	return table
}
