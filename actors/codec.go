package actors

// Codec turns one wire protocol's frames into actor messages and back. The
// agent, conversation and dispatcher actors speak only in the messages of
// this package; each connection encodes them for its own protocol, so the
// compat and native protocols share every actor.
type Codec interface {
	// Decode parses one inbound text frame into a command (such as
	// *CmdPost or *CmdEnd) or returns a *FrameError whose message is safe
	// to show the client.
	Decode(frame []byte) (any, error)
	// Encode renders an outbound message (such as *ConvMessage, *Ack,
	// *Queued or *FrameError) as a frame, or returns nil if this protocol
	// has nothing to say about it.
	Encode(msg any) []byte
}
