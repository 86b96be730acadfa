package actors

// Disconnect is why the server closes a connection: a WebSocket close code
// and a short reason that the client can show. Every server-side close uses
// one of the named values below, so logs, tests and clients agree on them.
type Disconnect struct {
	Code   int
	Reason string // at most 123 bytes: it must fit a close frame
}

// Close codes 4000-4999 are for applications (RFC 6455 §7.4.2); the 40xx
// numbers echo the HTTP status a REST API would use for the same refusal.
var (
	DisconnectNormal      = Disconnect{Code: 1000, Reason: "bye"}
	DisconnectShutdown    = Disconnect{Code: 1001, Reason: "server shutting down"}
	DisconnectInternal    = Disconnect{Code: 1011, Reason: "internal error"}
	DisconnectRateLimited = Disconnect{Code: 1008, Reason: "too many frames: rate limit exceeded"}
	DisconnectBadRequest  = Disconnect{Code: 4000, Reason: "bad request"}
	DisconnectAgentLeft   = Disconnect{Code: 4001, Reason: "agent left"}
	DisconnectNoHello     = Disconnect{Code: 4002, Reason: "expected a hello frame first"}
	// The 4003s share one code on purpose: the client's answer to each is
	// the same (sign in again, or start as a new customer); the reason
	// tells the person why.
	DisconnectUnauthorized   = Disconnect{Code: 4003, Reason: "unauthorized: invalid or expired token"}
	DisconnectTokenExpired   = Disconnect{Code: 4003, Reason: "unauthorized: token expired"}
	DisconnectTokenRevoked   = Disconnect{Code: 4003, Reason: "unauthorized: token revoked"}
	DisconnectAccountRemoved = Disconnect{Code: 4003, Reason: "unauthorized: account removed"}
	DisconnectNoAgent        = Disconnect{Code: 4004, Reason: "no free agent: ask /getroom first"}
	DisconnectSlowStalled    = Disconnect{Code: 4008, Reason: "too slow: outbound queue not draining"}
	DisconnectSlowBytes      = Disconnect{Code: 4008, Reason: "too slow: outbound queue over its byte limit"}
	DisconnectNameTaken      = Disconnect{Code: 4009, Reason: "name already online"}
	// DisconnectConvEnded closes a compat customer whose conversation
	// ended for a reason other than its agent leaving (DisconnectAgentLeft),
	// as when the conversation's actor failed. The reason still says
	// "room": the tutorial's pages know this code and text, though its
	// room is now an agent actor plus a conversation actor (doc.go).
	DisconnectConvEnded = Disconnect{Code: 4010, Reason: "room closed"}
	DisconnectReplaced  = Disconnect{Code: 4011, Reason: "connected elsewhere"}
)

// WithReason returns d with a more specific reason, for refusals whose cause
// the client needs spelled out (which parameter was wrong).
func (d Disconnect) WithReason(reason string) Disconnect {
	d.Reason = reason
	return d
}
