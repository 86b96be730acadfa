package transport

import (
	"bufio"
	"net"
	"net/http"
	"sync"
	"syscall"
	"time"
)

// batchConn lets a socket's writer put several frames into one write
// system call. gorilla writes every frame straight to the connection, and
// a chat message usually reaches its sender's socket as two frames at once
// (the echo and the ack): under load, write calls were a third of the
// server's CPU. Between hold and flush, writes gather in a pooled buffer;
// outside them they go straight through.
//
// gorilla serialises its own writes, and the only writes from elsewhere are
// its control replies (pong, close) from the reader, which land in the
// buffer behind the frames already there and go out with them.
type batchConn struct {
	net.Conn
	raw      syscall.RawConn // Conn's descriptor for tryWrite; nil when it has none (TLS, pipes)
	mu       sync.Mutex
	held     bool
	buf      *[]byte   // from batchBuffers while held
	deadline time.Time // the write deadline asked for while held, applied when the bytes go
}

// newBatchConn wraps c.
func newBatchConn(c net.Conn) *batchConn {
	b := &batchConn{Conn: c}
	if sc, ok := c.(syscall.Conn); ok {
		b.raw, _ = sc.SyscallConn()
	}
	return b
}

// batchBuffers are held only while a batch is written, not for the
// connection's life: ten thousand idle sockets hold none.
var batchBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 4<<10); return &b }}

// maxBatch is the size past which a batch is written out early, so one
// socket's burst does not grow a pooled buffer without bound.
const maxBatch = 64 << 10

func (c *batchConn) Write(p []byte) (int, error) {
	c.mu.Lock()
	if !c.held {
		c.mu.Unlock()
		return c.Conn.Write(p)
	}
	defer c.mu.Unlock()
	*c.buf = append(*c.buf, p...)
	if len(*c.buf) >= maxBatch {
		if err := c.writeHeld(); err != nil {
			return 0, err
		}
	}
	return len(p), nil
}

// SetWriteDeadline records the deadline while writes gather, for the
// write that sends them, instead of re-arming the descriptor's timer for
// every frame gorilla writes into the buffer.
func (c *batchConn) SetWriteDeadline(t time.Time) error {
	c.mu.Lock()
	if c.held {
		c.deadline = t
		c.mu.Unlock()
		return nil
	}
	c.mu.Unlock()
	return c.Conn.SetWriteDeadline(t)
}

// hold starts gathering writes.
func (c *batchConn) hold() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.held {
		c.held = true
		c.buf = batchBuffers.Get().(*[]byte)
	}
}

// flush writes what was gathered in one call, within deadline, and stops
// gathering.
func (c *batchConn) flush(deadline time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.held {
		return nil
	}
	c.deadline = deadline
	err := c.writeHeld()
	c.release()
	return err
}

// pending says whether gathered bytes wait for a flush: a tryWrite left
// them.
func (c *batchConn) pending() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.held
}

// release stops gathering and gives the buffer back; c.mu is held.
func (c *batchConn) release() {
	c.held = false
	if cap(*c.buf) <= maxBatch*2 { // an outsized buffer is left to the GC
		*c.buf = (*c.buf)[:0]
		batchBuffers.Put(c.buf)
	}
	c.buf = nil
}

// writeHeld writes the gathered bytes within the recorded deadline; c.mu
// is held.
func (c *batchConn) writeHeld() error {
	b := *c.buf
	*c.buf = b[:0]
	if len(b) == 0 {
		return nil
	}
	_ = c.Conn.SetWriteDeadline(c.deadline)
	_, err := c.Conn.Write(b)
	return err
}

// tryWrite writes what was gathered with one system call that does not
// wait (writeNow), and says whether all of it went; then gathering stops.
// Otherwise what is left stays held, in order, for flush: the caller hands
// it to the socket's writer goroutine, which may wait.
func (c *batchConn) tryWrite() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.held {
		return true
	}
	if b := *c.buf; len(b) > 0 {
		if c.raw == nil {
			return false
		}
		n := writeNow(c.raw, b)
		if n < len(b) {
			*c.buf = b[:copy(b, b[n:])]
			return false
		}
	}
	c.release()
	return true
}

// batchingWriter hands the upgrader a batchConn when it hijacks the
// request's connection.
type batchingWriter struct {
	http.ResponseWriter
	conn *batchConn
}

func (w *batchingWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	c, brw, err := http.NewResponseController(w.ResponseWriter).Hijack()
	if err != nil {
		return nil, nil, err
	}
	w.conn = newBatchConn(c)
	return w.conn, brw, nil
}

// Unwrap lets http.ResponseController reach the original writer.
func (w *batchingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
