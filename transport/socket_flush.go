package transport

import (
	"time"

	"github.com/gorilla/websocket"
)

// kickBytes is how much may wait for Flush before Send starts the writer
// goroutine itself.
const kickBytes = 16 << 10

// inlineBytes bounds what Flush writes on the caller's goroutine: past it,
// the copy into one buffer is left to the writer goroutine.
const inlineBytes = 32 << 10

// Flush implements actors.Socket: it writes what Send queued. The frames
// go on the caller's goroutine, gathered in one buffer, with one system
// call that does not wait, when nobody holds the writer's role and the
// socket can do that (a TCP connection); whatever the kernel does not take
// at once, and anything else (a ping due, a close, a big queue, a
// connection without a descriptor), goes to the writer goroutine as
// before. Each burst used to start a goroutine and wake a processor for
// it; writing inline bought S5 a tenth more round trips (benchmarks.md,
// "Writes inline"): the write system call itself is most of the cost.
func (s *socket) Flush() {
	if s.queued() == 0 || !s.running.CompareAndSwap(false, true) {
		return // nothing to write, or the writer has it
	}
	if !s.writeInline() {
		go s.writeSome()
		return
	}
	// Give the role up, then look once more, as writeSome does.
	s.running.Store(false)
	if s.hasWork() {
		s.kick()
	}
}

// writeInline writes the queue as Flush says, holding the writer's role,
// and says whether it is all written; false leaves the rest (a remainder
// held in conn, the queue, a ping, a close) to writeSome.
func (s *socket) writeInline() bool {
	if s.conn == nil || s.conn.raw == nil || s.pingDue.Load() || isClosed(s.closeReq) || s.waitingBytes() > inlineBytes {
		return false
	}
	frames := s.takeQueue()
	defer s.writeDone()
	s.conn.hold()
	now := time.Now()
	for _, f := range frames {
		// Into conn's buffer: no system call, nothing that waits. The
		// deadline is recorded for writeSome, should it finish the batch.
		_ = s.ws.SetWriteDeadline(now.Add(s.limits.WriteWait))
		if err := s.ws.WriteMessage(websocket.TextMessage, f); err != nil {
			s.log.Debug("write failed", "err", err)
			return false // writeSome meets it again and releases the socket
		}
	}
	if !s.conn.tryWrite() {
		return false
	}
	for _, f := range frames {
		s.wrote(frameCost(f), now)
	}
	return true
}
