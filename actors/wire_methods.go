package actors

import "github.com/asynkron/protoactor-go/remote"

// Each crossing type's Serialize (remote.RootSerializable), what the remote
// calls before sending it to another node: one line per type, grouped as in
// crossing (wire.go).

// connection → dispatcher, and the answers.
func (m *AgentConnect) Serialize() (remote.RootSerialized, error)     { return wire(m) }
func (m *AgentAdmitted) Serialize() (remote.RootSerialized, error)    { return wire(m) }
func (m *CustomerConnect) Serialize() (remote.RootSerialized, error)  { return wire(m) }
func (m *CustomerAdmitted) Serialize() (remote.RootSerialized, error) { return wire(m) }
func (m *Refused) Serialize() (remote.RootSerialized, error)          { return wire(m) }
func (m *RequestAgent) Serialize() (remote.RootSerialized, error)     { return wire(m) }
func (m *OverLimit) Serialize() (remote.RootSerialized, error)        { return wire(m) }
func (m *FrameError) Serialize() (remote.RootSerialized, error)       { return wire(m) }
func (m *CancelRequest) Serialize() (remote.RootSerialized, error)    { return wire(m) }
func (m *TransferConv) Serialize() (remote.RootSerialized, error)     { return wire(m) }
func (m *ListAgents) Serialize() (remote.RootSerialized, error)       { return wire(m) }
func (m *TeamChanged) Serialize() (remote.RootSerialized, error)      { return wire(m) }

// the offline form and the inboxes.
func (m *LeaveForm) Serialize() (remote.RootSerialized, error)        { return wire(m) }
func (m *FormLeft) Serialize() (remote.RootSerialized, error)         { return wire(m) }
func (m *ConvParked) Serialize() (remote.RootSerialized, error)       { return wire(m) }
func (m *ListInbox) Serialize() (remote.RootSerialized, error)        { return wire(m) }
func (m *InboxPage) Serialize() (remote.RootSerialized, error)        { return wire(m) }
func (m *TakeInbox) Serialize() (remote.RootSerialized, error)        { return wire(m) }
func (m *InboxChanged) Serialize() (remote.RootSerialized, error)     { return wire(m) }
func (m *AgentList) Serialize() (remote.RootSerialized, error)        { return wire(m) }
func (m *SetAgentStatus) Serialize() (remote.RootSerialized, error)   { return wire(m) }
func (m *SetAgentCapacity) Serialize() (remote.RootSerialized, error) { return wire(m) }

// transport → dispatcher and monitor, and the answers.
func (m *GetRoom) Serialize() (remote.RootSerialized, error)        { return wire(m) }
func (m *AgentOffer) Serialize() (remote.RootSerialized, error)     { return wire(m) }
func (m *RemoveAgent) Serialize() (remote.RootSerialized, error)    { return wire(m) }
func (m *GetStats) Serialize() (remote.RootSerialized, error)       { return wire(m) }
func (m *Stats) Serialize() (remote.RootSerialized, error)          { return wire(m) }
func (m *GetSupervision) Serialize() (remote.RootSerialized, error) { return wire(m) }
func (m *Supervision) Serialize() (remote.RootSerialized, error)    { return wire(m) }

// monitor → dispatcher, and back; dispatcher and node reporter → monitor.
func (m *GetSnapshot) Serialize() (remote.RootSerialized, error)  { return wire(m) }
func (m *Snapshot) Serialize() (remote.RootSerialized, error)     { return wire(m) }
func (m *RoutingEvent) Serialize() (remote.RootSerialized, error) { return wire(m) }
func (m *NodeSample) Serialize() (remote.RootSerialized, error)   { return wire(m) }

// dispatcher → conversation.
func (m *StartConv) Serialize() (remote.RootSerialized, error) { return wire(m) }
func (m *Attach) Serialize() (remote.RootSerialized, error)    { return wire(m) }
func (m *Reassign) Serialize() (remote.RootSerialized, error)  { return wire(m) }
func (m *Unassign) Serialize() (remote.RootSerialized, error)  { return wire(m) }
func (m *Finish) Serialize() (remote.RootSerialized, error)    { return wire(m) }

// dispatcher → agent.
func (m *StartAgent) Serialize() (remote.RootSerialized, error) { return wire(m) }
func (m *AttachConn) Serialize() (remote.RootSerialized, error) { return wire(m) }
func (m *AgentState) Serialize() (remote.RootSerialized, error) { return wire(m) }

// dispatcher → connection.
func (m *Kick) Serialize() (remote.RootSerialized, error)     { return wire(m) }
func (m *Queued) Serialize() (remote.RootSerialized, error)   { return wire(m) }
func (m *Dequeued) Serialize() (remote.RootSerialized, error) { return wire(m) }
func (m *Requeued) Serialize() (remote.RootSerialized, error) { return wire(m) }

// conversation → dispatcher.
func (m *ConvFinished) Serialize() (remote.RootSerialized, error)    { return wire(m) }
func (m *ConvFinishedAck) Serialize() (remote.RootSerialized, error) { return wire(m) }

// connection → conversation.
func (m *Post) Serialize() (remote.RootSerialized, error)     { return wire(m) }
func (m *Typing) Serialize() (remote.RootSerialized, error)   { return wire(m) }
func (m *Read) Serialize() (remote.RootSerialized, error)     { return wire(m) }
func (m *End) Serialize() (remote.RootSerialized, error)      { return wire(m) }
func (m *Sync) Serialize() (remote.RootSerialized, error)     { return wire(m) }
func (m *PostNote) Serialize() (remote.RootSerialized, error) { return wire(m) }

// conversation → connection and agent; agent → connection.
func (m *ConvOpened) Serialize() (remote.RootSerialized, error)   { return wire(m) }
func (m *ConvMessage) Serialize() (remote.RootSerialized, error)  { return wire(m) }
func (m *Ack) Serialize() (remote.RootSerialized, error)          { return wire(m) }
func (m *TypingNotice) Serialize() (remote.RootSerialized, error) { return wire(m) }
func (m *ReadNotice) Serialize() (remote.RootSerialized, error)   { return wire(m) }
func (m *NoteAdded) Serialize() (remote.RootSerialized, error)    { return wire(m) }
func (m *ConvClosed) Serialize() (remote.RootSerialized, error)   { return wire(m) }
func (m *AgentChanged) Serialize() (remote.RootSerialized, error) { return wire(m) }
func (m *AgentRejoin) Serialize() (remote.RootSerialized, error)  { return wire(m) }
func (m *ConvRejoin) Serialize() (remote.RootSerialized, error)   { return wire(m) }
func (m *Resync) Serialize() (remote.RootSerialized, error)       { return wire(m) }
func (m *Reconcile) Serialize() (remote.RootSerialized, error)    { return wire(m) }
