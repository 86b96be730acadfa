package actors

// Commands a client can send, as its connection's Codec decodes them. They
// carry only what the client says; who says it is the connection's to add.
type (
	// CmdHello opens a native connection: a protocol version and proof of
	// identity (an agent's login token, a customer's resume token, or a new
	// customer's display name).
	CmdHello struct {
		Version int
		Role    Role
		Token   string
		Name    string
		// Resume is, per conversation, the last sequence number the
		// client has; the server sends only what comes after.
		Resume map[ConvID]uint64
	}
	// CmdSay is the tutorial's only frame: text for the other side of the
	// one conversation a compat connection is in.
	CmdSay struct{ Text string }
	// CmdPost is a chat message to one conversation.
	CmdPost struct {
		Conv     ConvID
		Text     string
		ClientID string // the client's id for this message, for its own matching
	}
	CmdTyping struct{ Conv ConvID }
	// CmdRead marks Conv read up to Seq.
	CmdRead struct {
		Conv ConvID
		Seq  uint64
	}
	CmdEnd struct{ Conv ConvID }
	// CmdRequest: a customer wants an agent, of Team ("": the general
	// team); Email is the pre-chat form's, if asked.
	CmdRequest  struct{ Team, Email string }
	CmdCancel   struct{} // customer: I no longer want one
	CmdStatus   struct{ Status Status }
	CmdCapacity struct{ Capacity int }
	// CmdTransfer moves a conversation to another agent, or back to the
	// head of the queue when To is empty.
	CmdTransfer struct {
		Conv ConvID
		To   string
		Note string // for the next agent, at most MaxHandoffNote bytes
	}
	CmdAgents struct{} // agent: who else is online
	// CmdLeave is a customer's offline form: its message waits in the
	// team's inbox (dispatcher_inbox.go).
	CmdLeave struct {
		Team, Email, Lang, Text, CID string
	}
	// CmdInbox asks for a page of a team's inbox; CmdTake takes a form.
	CmdInbox struct {
		Team  string
		After uint64
	}
	CmdTake struct{ Conv ConvID }
	// CmdFile is a message that shows an upload: Ref is what the upload
	// answered (attach.Refs), which names the file.
	CmdFile struct {
		Conv     ConvID
		Ref      string
		ClientID string
	}
	// CmdNote is an agent's private note in one of its conversations.
	CmdNote struct {
		Conv     ConvID
		Text     string
		ClientID string
	}
	// CmdRate is a customer's rating (1 to 5) of a conversation it was in,
	// open or ended.
	CmdRate struct {
		Conv   ConvID
		Rating int
	}
	// CmdHistory asks for a page of a conversation's older messages: the
	// newest Limit (0: a whole page) before seq Before (0: the newest).
	CmdHistory struct {
		Conv   ConvID
		Before uint64
		Limit  int
	}
	CmdPing struct{} // the client checks the server is there
	CmdPong struct{} // the client answers a Heartbeat
)

// ProtocolVersion is the native protocol's current version.
const ProtocolVersion = 1

// clientID is the client's own id for the message cmd carries, for a
// refusal to name it; "" for any other command.
func clientID(cmd any) string {
	if p, ok := cmd.(*CmdPost); ok {
		return p.ClientID
	}
	return ""
}
