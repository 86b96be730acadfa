package actors

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
	ErrCodeStoreDown        = "unavailable"  // the store did not answer a read; ask again
	ErrCodeUnknownTeam      = "unknown_team" // no such team, or archived
	ErrCodeTeamClosed       = "team_closed"  // the team is closed by its hours
	ErrCodeInboxFull        = "inbox_full"   // the team's inbox holds -inbox-max forms
	ErrCodeBadFile          = "bad_file"     // a file message whose reference is not the sender's upload to that conversation
	ErrCodeFileExpired      = "file_expired" // a file message whose upload is too old to send: upload it again
)
