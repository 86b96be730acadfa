package transport

// The "type" of every frame of the native protocol (docs/protocol.md),
// written once. Several names travel both ways: "msg", "typing", "read",
// "history", "agents", "ping" and "pong" are a client's frame and the
// server's answer or relay of the same thing.

// Frames a client sends, decoded in native_codec.go and native_commands.go.
const (
	frameHello    = "hello"
	frameMsg      = "msg"
	frameTyping   = "typing"
	frameRead     = "read"
	frameEnd      = "end"
	frameRequest  = "request"
	frameCancel   = "cancel"
	frameStatus   = "status"
	frameCapacity = "capacity"
	frameTransfer = "transfer"
	frameAgents   = "agents"
	frameRate     = "rate"
	frameHistory  = "history"
	framePing     = "ping"
	framePong     = "pong"
	frameLeave    = "leave" // the offline form (native_inbox.go)
	frameInbox    = "inbox" // also the server's answer
	frameTake     = "take"
	frameNote     = "note" // a private note (native_notes.go); also the server's
)

// Frames only the server sends, encoded in native_encode.go and the
// native_out*.go files (it also sends msg, typing, read, history, agents,
// ping and pong above).
const (
	frameWelcome  = "welcome"
	frameQueued   = "queued"
	frameDequeued = "dequeued"
	frameConv     = "conv"
	frameAck      = "ack"
	frameAgent    = "agent"
	frameRequeued = "requeued"
	frameEnded    = "ended"
	frameState    = "state"
	frameError    = "error"
	frameRated    = "rated"
	frameLeft     = "left"
	frameInboxed  = "inboxed"
	frameUnboxed  = "unboxed"
)

// transferToQueue is what a transfer's "to" says to send the conversation
// back to the queue rather than to a named agent.
const transferToQueue = "queue"
