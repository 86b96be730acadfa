package actors

// Socket is what a connection actor may do with its WebSocket. The transport
// implements it with one reader and one writer goroutine per socket; none of
// these methods blocks, so an actor never waits on the network inside
// Receive.
type Socket interface {
	// Send queues one encoded frame. It returns false when the frame was not
	// queued: the socket is closing, or its client is too slow (its queue
	// stopped draining, or holds too many bytes), in which case the socket
	// is being closed with DisconnectSlowStalled or DisconnectSlowBytes.
	Send(frame []byte) bool
	// Close flushes what is queued, sends a close frame with d and releases
	// the socket. Only the first call counts. A slow client's queue, and
	// that of a socket closed with DisconnectReplaced, is dropped instead:
	// nobody is there to read it.
	Close(d Disconnect)
	// StartReading begins delivering inbound frames. The connection actor
	// calls it once it has been admitted, so nothing a client sends is read
	// before the server knows who it is.
	StartReading()
}

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

// FrameError is a refusal of one inbound frame. The connection stays open;
// the client gets the error in its protocol's error form.
type FrameError struct {
	Code    string // stable, machine-readable: "bad_frame", "empty_text", ...
	Message string // safe to show a user
	Ref     string // the client message id it concerns, if any
}

func (e *FrameError) Error() string { return e.Code + ": " + e.Message }

// Frame error codes, stable for clients to switch on.
const (
	ErrCodeBadFrame     = "bad_frame"     // not JSON, or not the expected shape
	ErrCodeBinary       = "binary_frame"  // binary frames are not part of any protocol here
	ErrCodeEmptyText    = "empty_text"    // a message with no visible text
	ErrCodeTooLong      = "text_too_long" // over the text limit
	ErrCodeBadText      = "bad_text"      // not UTF-8
	ErrCodeUnknownType  = "unknown_type"  // a type this protocol version lacks
	ErrCodeMissingField = "missing_field" // a required field is absent
	ErrCodeBadValue     = "bad_value"     // a field's value is out of range
	ErrCodeForbidden    = "forbidden"     // not allowed for this caller
	ErrCodeUnknownConv  = "unknown_conversation"
	ErrCodeUnavailable  = "agent_unavailable" // transfer target away, offline or full
	ErrCodeState        = "wrong_state"       // e.g. leaving a queue one is not in
	ErrCodeNotHello     = "hello_required"    // anything before hello
	ErrCodeUnauthorized = "unauthorized"      // a bad, expired or revoked token; the socket closes
	ErrCodeNotStored    = "not_stored"        // the store failed; nothing was kept, send it again
	ErrCodeEnded        = "conversation_ended"
	ErrCodeRateLimited  = "rate_limited" // over the socket's frame rate (the frame was dropped), or a customer's conversation starts
	// ErrCodeTooManyCustomers refuses a request past the customers one
	// address may have waiting or chatting.
	ErrCodeTooManyCustomers = "too_many_customers"
	ErrCodeStoreDown        = "unavailable" // the store did not answer a read; ask again
)
