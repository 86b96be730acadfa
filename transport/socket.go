// Package transport carries frames between WebSocket clients and connection
// actors, and serves the HTTP side of the server.
package transport

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"

	"kefu/actors"
)

// Limits bound what one socket may cost the server.
type Limits struct {
	// MaxFrameBytes is the largest inbound frame; a bigger one closes the
	// socket with 1009 (message too big).
	MaxFrameBytes int64
	// SendQueue is how many outbound frames may wait for a slow client.
	// When it is full the client is disconnected with DisconnectSlow.
	SendQueue int
	// WriteWait bounds one write; a client that accepts nothing for this
	// long is gone.
	WriteWait time.Duration
	// PongWait is how long the server waits for any frame, pongs included,
	// before it calls the peer dead.
	PongWait time.Duration
	// CloseGrace is how long, after sending a close frame, the server waits
	// for the peer's close reply before dropping the TCP connection.
	CloseGrace time.Duration
}

// DefaultLimits are the limits used unless configured otherwise.
var DefaultLimits = Limits{
	MaxFrameBytes: 64 << 10, // a chat text is at most a few KiB; leave room for JSON escaping
	SendQueue:     64,       // a burst of a busy chat; every slot costs memory on every socket
	WriteWait:     10 * time.Second,
	PongWait:      60 * time.Second,
	CloseGrace:    time.Second,
}

// pingPeriod must be shorter than PongWait so a live peer's pong always
// lands before the read deadline.
func (l Limits) pingPeriod() time.Duration { return l.PongWait * 9 / 10 }

// socket is one WebSocket connection. readLoop is its only reader and
// writeLoop its only writer; the connection actor reaches it through the
// non-blocking methods of actors.Socket.
type socket struct {
	ws     *websocket.Conn
	limits Limits
	log    *slog.Logger

	send      chan []byte   // bounded outbound queue, drained only by writeLoop
	closeReq  chan struct{} // closed once, by Close
	closeOnce sync.Once
	reason    actors.Disconnect // written once before closeReq is closed

	readOnce   sync.Once
	reading    atomic.Bool
	readerDone chan struct{} // closed when readLoop returns

	// deliver hands inbound frames and the end of the stream to the actor.
	deliver func(msg any)
}

var _ actors.Socket = (*socket)(nil)

func newSocket(ws *websocket.Conn, limits Limits, log *slog.Logger) *socket {
	return &socket{
		ws:         ws,
		limits:     limits,
		log:        log,
		send:       make(chan []byte, limits.SendQueue),
		closeReq:   make(chan struct{}),
		readerDone: make(chan struct{}),
	}
}

// Send implements actors.Socket. It never blocks.
func (s *socket) Send(frame []byte) bool {
	select {
	case <-s.closeReq:
		return false
	default:
	}
	select {
	case s.send <- frame:
		return true
	default:
		s.Close(actors.DisconnectSlow)
		return false
	}
}

// Close implements actors.Socket. It never blocks; writeLoop does the work.
func (s *socket) Close(d actors.Disconnect) {
	s.closeOnce.Do(func() {
		s.reason = d
		close(s.closeReq)
	})
}

// StartReading implements actors.Socket.
func (s *socket) StartReading() {
	s.readOnce.Do(func() {
		s.reading.Store(true)
		go s.readLoop()
	})
}

// readLoop is the only reader of the socket. It runs in its own goroutine
// from StartReading until the peer goes, and reports that end exactly once.
func (s *socket) readLoop() {
	defer close(s.readerDone)
	_ = s.ws.SetReadDeadline(time.Now().Add(s.limits.PongWait))
	s.ws.SetPongHandler(func(string) error {
		return s.ws.SetReadDeadline(time.Now().Add(s.limits.PongWait))
	})
	for {
		kind, data, err := s.readFrame()
		if errors.Is(err, errFrameTooBig) {
			// gorilla's own limit would close with 1009 and no reason;
			// ours tells the client what the limit is.
			s.Close(actors.Disconnect{Code: websocket.CloseMessageTooBig, Reason: fmt.Sprintf("frame too large: limit %d bytes", s.limits.MaxFrameBytes)})
			s.discardUntilClosed()
			s.deliver(&actors.SocketClosed{Err: err})
			return
		}
		if err != nil {
			s.deliver(&actors.SocketClosed{Err: err})
			return
		}
		// Any frame proves the peer alive, not only pongs.
		_ = s.ws.SetReadDeadline(time.Now().Add(s.limits.PongWait))
		s.deliver(&actors.InboundFrame{Data: data, Binary: kind == websocket.BinaryMessage})
	}
}

var errFrameTooBig = errors.New("frame over the size limit")

// readFrame reads one whole frame, refusing to buffer more than
// MaxFrameBytes of it.
func (s *socket) readFrame() (kind int, data []byte, err error) {
	kind, r, err := s.ws.NextReader()
	if err != nil {
		return 0, nil, err
	}
	data, err = io.ReadAll(io.LimitReader(r, s.limits.MaxFrameBytes+1))
	if err != nil {
		return 0, nil, err
	}
	if int64(len(data)) > s.limits.MaxFrameBytes {
		return 0, nil, errFrameTooBig
	}
	return kind, data, nil
}

// discardUntilClosed reads and drops what the peer still sends, for at most
// CloseGrace, so our close frame is read before the connection is dropped:
// closing with unread input makes the kernel send a reset, and the client
// would see an abnormal closure instead of our reason.
func (s *socket) discardUntilClosed() {
	_ = s.ws.SetReadDeadline(time.Now().Add(s.limits.CloseGrace))
	for {
		_, r, err := s.ws.NextReader()
		if err != nil {
			return
		}
		if _, err := io.Copy(io.Discard, r); err != nil {
			return
		}
	}
}

// writeLoop is the only writer of the socket (gorilla allows close replies
// and pings from WriteControl beside it). It runs in its own goroutine for
// the socket's whole life and is the one place the connection is released.
// shutdown ending means the server is stopping.
func (s *socket) writeLoop(shutdown <-chan struct{}) {
	ticker := time.NewTicker(s.limits.pingPeriod())
	defer ticker.Stop()
	defer s.ws.Close()
	for {
		select {
		case frame := <-s.send:
			if err := s.write(websocket.TextMessage, frame); err != nil {
				return
			}
		case <-ticker.C:
			if err := s.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.limits.WriteWait)); err != nil {
				return
			}
		case <-s.readerDone:
			// The peer closed or vanished; gorilla has answered its close.
			return
		case <-shutdown:
			s.Close(actors.DisconnectShutdown)
			shutdown = nil // handled; wait for closeReq
		case <-s.closeReq:
			s.finish()
			return
		}
	}
}

// finish flushes what the actor queued before it closed (a slow client gets
// nothing more: its queue is what it could not take), sends the close frame
// and waits briefly for the peer's reply, so the client sees our code and
// reason rather than a reset connection.
func (s *socket) finish() {
	if s.reason != actors.DisconnectSlow {
		for n := len(s.send); n > 0; n-- {
			if err := s.write(websocket.TextMessage, <-s.send); err != nil {
				return
			}
		}
	}
	msg := websocket.FormatCloseMessage(s.reason.Code, s.reason.Reason)
	if err := s.ws.WriteControl(websocket.CloseMessage, msg, time.Now().Add(s.limits.WriteWait)); err != nil {
		return
	}
	if !s.reading.Load() {
		return // nobody would notice the reply
	}
	select {
	case <-s.readerDone:
	case <-time.After(s.limits.CloseGrace):
	}
}

func (s *socket) write(kind int, data []byte) error {
	_ = s.ws.SetWriteDeadline(time.Now().Add(s.limits.WriteWait))
	err := s.ws.WriteMessage(kind, data)
	if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
		s.log.Debug("write failed", "err", err)
	}
	return err
}

// run starts the socket's writer, waits until the socket is released and
// then tells the actor, if the reader never started to do so. ctx ending is
// the server shutting down.
func (s *socket) run(ctx context.Context) {
	s.writeLoop(ctx.Done())
	// Claim the reader's once: if no reader ever ran, none will now, and
	// the end of the socket is ours to report.
	neverRead := false
	s.readOnce.Do(func() { neverRead = true })
	if neverRead {
		s.deliver(&actors.SocketClosed{})
	}
}
