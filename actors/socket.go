package actors

// Socket is what a connection actor may do with its WebSocket. The transport
// implements it with one reader and at most one writer at a time per
// socket; none of these methods blocks, so an actor never waits on the
// network inside Receive.
type Socket interface {
	// Send queues one encoded frame. It returns false when the frame was not
	// queued: the socket is closing, or its client is too slow (its queue
	// stopped draining, or holds too many bytes), in which case the socket
	// is being closed with DisconnectSlowStalled or DisconnectSlowBytes.
	Send(frame []byte) bool
	// Flush starts writing what Send queued. The connection calls it when
	// its mailbox is drained, so that the frames of a burst (an echo and
	// its ack; a tab's lines from several conversations) go out in one
	// write. A Send may start writing before, when much is queued.
	Flush()
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
