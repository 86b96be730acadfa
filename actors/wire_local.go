package actors

// nodeLocal is every exported message type that never crosses nodes, and
// why: each is sent only between actors that are on one node by
// construction. They have no Serialize, so the remote would drop them;
// TestWireClassified makes every new message type choose between this list
// and crossing (wire.go).
var nodeLocal = []any{
	// A socket's own pumps → its connection, on the node that holds the
	// socket (SocketClosed carries an error).
	new(InboundFrame), new(SocketClosed),
	// Only ever encoded for the client, by the connection that has it.
	new(Welcome), new(History), new(Rated), new(Heartbeat), new(Pong),
	// The store writer is one per node; a grain writes through its own
	// node's (StoreWrite carries a *actor.PID, StoreFailed an error).
	new(StoreWrite), new(Stored), new(StoreFailed),
	// The sessions actor is one per node and hears only its node's
	// connections; sign-outs reach other nodes through the store.
	new(SessionOpened), new(SessionClosed), new(KickSessions),
	// Sent once by the node that starts the dispatcher, to it.
	new(Restore),
	// Made by this node on arrival, in place of what it could not decode.
	new(Undecodable),
	// A client's decoded commands, handled inside its connection's Receive.
	new(CmdHello), new(CmdSay), new(CmdPost), new(CmdTyping), new(CmdRead), new(CmdEnd),
	new(CmdRequest), new(CmdCancel), new(CmdStatus), new(CmdCapacity), new(CmdTransfer),
	new(CmdLeave), new(CmdInbox), new(CmdTake), new(CmdNote), new(CmdFile),
	new(CmdAgents), new(CmdRate), new(CmdHistory), new(CmdPing), new(CmdPong),
}
