package loadtest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/gorilla/websocket"
)

// Per-socket limits. Thousands of sockets live in one process, so buffers
// are small: a chat frame is well under a kilobyte, and gorilla grows a
// read for a bigger frame on demand.
const (
	socketBuffer = 1024
	dialWait     = 15 * time.Second // dial and WebSocket handshake
	writeWait    = 10 * time.Second // one frame written
	// readIdle is how long a socket may stay silent: the native server
	// pings every 5 s, the compat one every 54 s.
	readIdle   = 90 * time.Second
	frameQueue = 8 // decoded frames waiting for the client's goroutine
)

// dialer opens every client socket.
var dialer = websocket.Dialer{
	HandshakeTimeout: dialWait,
	ReadBufferSize:   socketBuffer,
	WriteBufferSize:  socketBuffer,
}

// inbound is one frame from a link's reader, or the end of the link.
type inbound[F any] struct {
	f    *F
	lost error // the socket ended; f is nil
}

// link is one WebSocket of a simulated client. readLoop is its only reader;
// the client's own goroutine is its only writer (write and close), so no
// write ever races another.
type link[F any] struct {
	ws     *websocket.Conn
	frames chan inbound[F]
	quit   chan struct{} // closed by close: the reader stops handing frames over
	closed bool
}

// dial opens a socket and starts its reader, which decodes each frame with
// decode.
func dial[F any](ctx context.Context, url string, decode func([]byte, *F) error) (*link[F], error) {
	ctx, cancel := context.WithTimeout(ctx, dialWait)
	defer cancel()
	ws, res, err := dialer.DialContext(ctx, url, nil)
	if err != nil {
		if res != nil && res.StatusCode != http.StatusSwitchingProtocols {
			return nil, fmt.Errorf("dial %s: HTTP %d: %w%s", url, res.StatusCode, err, limitsHint(res.StatusCode))
		}
		return nil, fmt.Errorf("dial %s: %w", url, err)
	}
	l := &link[F]{ws: ws, frames: make(chan inbound[F], frameQueue), quit: make(chan struct{})}
	go l.readLoop(decode)
	return l, nil
}

// readLoop runs in its own goroutine until the socket ends: it decodes each
// frame and hands it to the client, then reports the end once.
func (l *link[F]) readLoop(decode func([]byte, *F) error) {
	for {
		_ = l.ws.SetReadDeadline(time.Now().Add(readIdle))
		_, data, err := l.ws.ReadMessage()
		var in inbound[F]
		if err == nil {
			in.f = new(F)
			if derr := decode(data, in.f); derr != nil {
				err = fmt.Errorf("undecodable frame %.80q: %w", data, derr)
				in.f = nil
			}
		}
		in.lost = err
		select {
		case l.frames <- in:
		case <-l.quit:
			return
		}
		if err != nil {
			return
		}
	}
}

// write sends one text frame. Only the client's goroutine calls it.
func (l *link[F]) write(frame []byte) error {
	_ = l.ws.SetWriteDeadline(time.Now().Add(writeWait))
	if err := l.ws.WriteMessage(websocket.TextMessage, frame); err != nil {
		return fmt.Errorf("write: %w", err)
	}
	return nil
}

// drop closes the socket abruptly, with no close frame, as when a phone
// loses its network; the server sees the connection reset.
func (l *link[F]) drop() {
	if l.closed {
		return
	}
	l.closed = true
	close(l.quit)
	l.ws.Close()
}

// bye closes the socket politely: a close frame, then the connection.
func (l *link[F]) bye() {
	if l.closed {
		return
	}
	msg := websocket.FormatCloseMessage(websocket.CloseNormalClosure, "load test over")
	_ = l.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(time.Second))
	l.drop()
}

// lostKind names how a socket ended, for the error counts: "closed:4008",
// "closed:1006", "read_timeout", ...
func lostKind(err error) string {
	var ce *websocket.CloseError
	var ne interface{ Timeout() bool }
	switch {
	case errors.As(err, &ce):
		return fmt.Sprintf("closed:%d", ce.Code)
	case errors.As(err, &ne) && ne.Timeout():
		return "read_timeout"
	}
	return "closed:reset"
}
