package transport

import (
	"sync"

	"github.com/asynkron/protoactor-go/actor"

	"kefu/actors"
)

// fakeSocket stands in for socket in tests that drive a connection actor
// without a network: it records what the actor sends, and delivers what
// the client "sends" the way readLoop does, through the root context and
// only once the actor has called StartReading. Like socket, it refuses
// frames after Close and reports the end of the stream to the actor after
// a close. Its queue has no bound: the test reads everything. As on socket,
// a frame is written (seen by the test) only at the Flush after its Send,
// or at Close: a connection that forgot to flush leaves its client waiting
// here too.
type fakeSocket struct {
	root *actor.RootContext
	pid  *actor.PID // the connection actor, set before it starts

	mu      sync.Mutex
	queued  [][]byte // sent, not flushed yet
	frames  [][]byte
	closed  *actors.Disconnect // the first Close's reason
	changed chan struct{}      // holds a token after every Send or Close

	readOnce sync.Once
	reading  chan struct{} // closed by StartReading
}

var _ actors.Socket = (*fakeSocket)(nil)

func newFakeSocket(root *actor.RootContext) *fakeSocket {
	return &fakeSocket{root: root, changed: make(chan struct{}, 1), reading: make(chan struct{})}
}

// Send implements actors.Socket.
func (s *fakeSocket) Send(frame []byte) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed != nil {
		return false
	}
	s.queued = append(s.queued, frame)
	return true
}

// Flush implements actors.Socket: what was queued is written.
func (s *fakeSocket) Flush() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.writeQueued()
}

// writeQueued moves the queue to what the client got; s.mu is held.
func (s *fakeSocket) writeQueued() {
	if len(s.queued) > 0 {
		s.frames = append(s.frames, s.queued...)
		s.queued = nil
		s.notify()
	}
}

// Close implements actors.Socket. As on a real socket, the reader then sees
// the stream end and says so.
func (s *fakeSocket) Close(d actors.Disconnect) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed != nil {
		return
	}
	s.writeQueued()
	s.closed = &d
	s.notify()
	s.root.Send(s.pid, &actors.SocketClosed{})
}

// StartReading implements actors.Socket.
func (s *fakeSocket) StartReading() { s.readOnce.Do(func() { close(s.reading) }) }

// deliver hands the actor one inbound frame, as readLoop does.
func (s *fakeSocket) deliver(data []byte, binary bool) {
	s.root.Send(s.pid, &actors.InboundFrame{Data: data, Binary: binary})
}

// peerGone ends the stream from the client's side, as readLoop does when
// the peer closes or vanishes.
func (s *fakeSocket) peerGone() { s.root.Send(s.pid, &actors.SocketClosed{}) }

// state returns the frames sent so far and the close reason, if any.
func (s *fakeSocket) state() ([][]byte, *actors.Disconnect) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.frames[:len(s.frames):len(s.frames)], s.closed
}

func (s *fakeSocket) notify() {
	select {
	case s.changed <- struct{}{}:
	default:
	}
}
