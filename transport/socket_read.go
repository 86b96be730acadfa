package transport

import (
	"errors"
	"fmt"
	"io"
	"time"

	"github.com/gorilla/websocket"

	"kefu/actors"
)

// The socket's read side: one reader goroutine from StartReading until the
// peer goes.

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
	defer s.kick() // the writer releases the socket
	defer close(s.readerDone)
	s.readAt(time.Now())
	s.ws.SetPongHandler(func(string) error { return s.readAt(time.Now()) })
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
		_ = s.readAt(time.Now())
		if refused, hangUp := s.overRate(data); hangUp {
			s.discardUntilClosed()
			s.deliver(&actors.SocketClosed{Err: errTooManyFrames})
			return
		} else if refused {
			continue
		}
		s.deliver(&actors.InboundFrame{Data: data, Binary: kind == websocket.BinaryMessage})
	}
}

// readAt notes that the peer was heard from at now: its read deadline
// moves, and no keep-alive ping is due for a while (pingTick).
func (s *socket) readAt(now time.Time) error {
	s.lastRead.Store(int64(now.Sub(monoStart))) // monotonic: a clock step must not postpone a ping
	return s.ws.SetReadDeadline(now.Add(s.limits.PongWait))
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
// CloseWait, so our close frame is read before the connection is dropped:
// closing with unread input makes the kernel send a reset, and the client
// would see an abnormal closure instead of our reason.
func (s *socket) discardUntilClosed() {
	_ = s.ws.SetReadDeadline(time.Now().Add(s.limits.CloseWait))
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
