package transport

import (
	"bufio"
	"net"
	"net/http"
	"sync"
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
	mu   sync.Mutex
	held bool
	buf  *[]byte // from batchBuffers while held
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
	_ = c.Conn.SetWriteDeadline(deadline)
	err := c.writeHeld()
	c.held = false
	if cap(*c.buf) <= maxBatch*2 { // an outsized buffer is left to the GC
		*c.buf = (*c.buf)[:0]
		batchBuffers.Put(c.buf)
	}
	c.buf = nil
	return err
}

// writeHeld writes the gathered bytes; c.mu is held.
func (c *batchConn) writeHeld() error {
	b := *c.buf
	*c.buf = b[:0]
	if len(b) == 0 {
		return nil
	}
	_, err := c.Conn.Write(b)
	return err
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
	w.conn = &batchConn{Conn: c}
	return w.conn, brw, nil
}

// Unwrap lets http.ResponseController reach the original writer.
func (w *batchingWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }
