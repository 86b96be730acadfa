// Package transport carries frames between WebSocket clients and connection
// actors, and serves the HTTP side of the server.
package transport

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"

	"kefu/actors"
)

// socket is one WebSocket connection. readLoop is its only reader; its
// writer is whoever holds the writer's role (running): Flush, writing a
// burst inline on the actor's goroutine without waiting (socket_flush.go),
// or writeSome, in a goroutine of its own while there is work that may
// wait. The connection actor reaches it through the non-blocking methods
// of actors.Socket.
type socket struct {
	ws     *websocket.Conn
	conn   *batchConn // ws's connection, to write several frames at once; nil in some tests
	limits Limits
	log    *slog.Logger

	// queue holds outbound frames until the writer takes them all at once.
	// It is nil while empty, so an idle socket holds no queue memory.
	// queueBytes and inFlight are the frameCost of the frames queued and of
	// those the writer took and has not written yet; together at most
	// limits.SendQueueBytes (and one frame). progress is when the writer
	// last wrote a frame, or when frames started waiting, if later: a
	// client is stalled if frames wait and progress is SlowAfter old.
	queueMu    sync.Mutex
	queue      [][]byte
	queueBytes int
	inFlight   int
	progress   time.Time

	closeReq  chan struct{} // closed once, by Close
	closeOnce sync.Once
	reason    actors.Disconnect // written once before closeReq is closed

	readOnce   sync.Once
	reading    atomic.Bool
	readerDone chan struct{} // closed when readLoop returns

	running     atomic.Bool // a writer goroutine holds the writer's role
	pingDue     atomic.Bool
	pingTimer   atomic.Pointer[time.Timer]
	lastRead    atomic.Int64                // when the reader last read a frame, pongs included (since monoStart)
	stopWatch   atomic.Pointer[func() bool] // stops the shutdown watch
	isReleased  atomic.Bool
	releaseOnce sync.Once
	released    func()

	// deliver hands inbound frames and the end of the stream to the actor.
	deliver func(msg any)
	// frames is the inbound frame budget (frame_limit.go); nil for none.
	frames *frameGuard
	// slow counts the clients dropped as too slow; nil for none.
	slow prometheus.Counter
}

var _ actors.Socket = (*socket)(nil)

func newSocket(ws *websocket.Conn, conn *batchConn, limits Limits, log *slog.Logger) *socket {
	return &socket{
		ws:         ws,
		conn:       conn,
		limits:     limits,
		log:        log,
		closeReq:   make(chan struct{}),
		readerDone: make(chan struct{}),
	}
}

// Send implements actors.Socket. It never blocks.
//
// A client is slow when what waits for it stops draining, not when a lot
// arrives at once: an agent's customers may all send together, and the
// agent reads it all in a moment. So the bound is in bytes, for memory,
// and slowness is time without progress. Both are checked here, which
// costs an idle socket no timer: a client that stops reading while
// nothing more is sent is left to the write deadline.
func (s *socket) Send(frame []byte) bool {
	if isClosed(s.closeReq) {
		return false
	}
	now := time.Now()
	slow := actors.Disconnect{}
	s.queueMu.Lock()
	waiting := s.queueBytes + s.inFlight
	switch {
	case isClosed(s.closeReq):
		// Closed since the check above; Close may have dropped the queue.
		s.queueMu.Unlock()
		return false
	case waiting == 0:
		s.progress = now // the wait starts with this frame
	case waiting >= s.limits.SendQueueBytes:
		slow = actors.DisconnectSlowBytes
	case now.Sub(s.progress) >= s.limits.SlowAfter:
		slow = actors.DisconnectSlowStalled
	}
	if slow == (actors.Disconnect{}) {
		s.queue = append(s.queue, frame)
		s.queueBytes += frameCost(frame)
		waiting += frameCost(frame)
	}
	s.queueMu.Unlock()
	if slow != (actors.Disconnect{}) {
		if s.closeWith(slow) && s.slow != nil {
			s.slow.Inc()
		}
		return false
	}
	if waiting >= kickBytes {
		s.kick() // a long burst streams out meanwhile
	}
	return true
}

// takeQueue hands the writer every queued frame.
func (s *socket) takeQueue() [][]byte {
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	q := s.queue
	s.queue = nil
	s.inFlight += s.queueBytes
	s.queueBytes = 0
	return q
}

// wrote records that the writer has written a frame of cost bytes at now.
func (s *socket) wrote(cost int, now time.Time) {
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	s.inFlight -= cost
	s.progress = now
}

// writeDone forgets what the writer took and did not write: it failed, or
// it stopped for a close that drops the queue.
func (s *socket) writeDone() {
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	s.inFlight = 0
}

// dropQueue frees the frames nobody will write.
func (s *socket) dropQueue() {
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	s.queue = nil
	s.queueBytes = 0
}

func (s *socket) queued() int {
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	return len(s.queue)
}

// waitingBytes is the frameCost of what is queued or being written.
func (s *socket) waitingBytes() int {
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	return s.queueBytes + s.inFlight
}

// Close implements actors.Socket. It never blocks; the writer does the work.
func (s *socket) Close(d actors.Disconnect) { s.closeWith(d) }

// closeWith closes the socket with d and says whether d was the first
// reason, the one that counts. A reason that drops the queue drops it
// here, at once, not when the writer gets to it.
func (s *socket) closeWith(d actors.Disconnect) (first bool) {
	s.closeOnce.Do(func() {
		s.reason = d
		first = true
		close(s.closeReq)
	})
	if first && dropsQueue(d) {
		s.dropQueue()
	}
	s.kick()
	return first
}

// dropsQueue says whether a socket closed with d drops what waits for it
// instead of flushing it: a slow client's queue is what it could not take,
// and a replaced socket's client has the same news on its new socket.
func dropsQueue(d actors.Disconnect) bool {
	return d == actors.DisconnectSlowStalled || d == actors.DisconnectSlowBytes || d == actors.DisconnectReplaced
}

// dropping: the socket is closing with a reason that drops the queue.
func (s *socket) dropping() bool {
	return isClosed(s.closeReq) && dropsQueue(s.reason)
}

// kick starts the writer goroutine unless a writer holds the role: one at
// a time, and none while idle (a parked goroutine per socket was most of
// what ten thousand idle sockets cost).
func (s *socket) kick() {
	if s.running.CompareAndSwap(false, true) {
		go s.writeSome()
	}
}

// writeSome is the writer goroutine, while there is work that may wait:
// queued frames, a due ping, a close, a peer gone. (gorilla allows close
// replies from the reader beside it.) Finding the socket closed or gone,
// it releases it and keeps the role for good: nothing is written after.
func (s *socket) writeSome() {
	for {
		if s.conn != nil && s.conn.pending() {
			// What Flush's write left: it goes first, before a close
			// frame or anything queued since.
			if err := s.conn.flush(time.Now().Add(s.limits.WriteWait)); err != nil {
				s.release()
				return
			}
		}
		switch {
		case isClosed(s.closeReq):
			s.finish()
			s.release()
			return
		case isClosed(s.readerDone):
			// The peer closed or vanished; gorilla has answered its close.
			s.release()
			return
		}
		if s.pingDue.Swap(false) {
			if err := s.ws.WriteControl(websocket.PingMessage, nil, time.Now().Add(s.limits.WriteWait)); err != nil {
				s.release()
				return
			}
			s.armPing()
			continue
		}
		if frames := s.takeQueue(); len(frames) > 0 {
			if err := s.writeFrames(frames); err != nil {
				s.release()
				return
			}
			continue
		}
		// Nothing to do: give the role up, then look once more, since work
		// queued just before the flag dropped saw it still set and left
		// it to us.
		s.running.Store(false)
		if !s.hasWork() || !s.running.CompareAndSwap(false, true) {
			return
		}
	}
}

func (s *socket) hasWork() bool {
	return s.queued() > 0 || s.pingDue.Load() || isClosed(s.closeReq) || isClosed(s.readerDone) ||
		(s.conn != nil && s.conn.pending())
}

// armPing schedules the next keep-alive ping.
func (s *socket) armPing() { s.armPingIn(s.limits.pingPeriod()) }

func (s *socket) armPingIn(d time.Duration) {
	t := time.AfterFunc(d, s.pingTick)
	s.pingTimer.Store(t)
	if s.isReleased.Load() {
		t.Stop() // released meanwhile: release may have missed this timer
	}
}

// pingTick pings the peer if nothing was read from it for a ping period;
// else it looks again when that will be. A ping asks for a sign of life,
// and any frame read is one: a socket that carries traffic (every S1 and
// S5 socket) needs no ping, its write, its pong or a writer goroutine.
func (s *socket) pingTick() {
	period := s.limits.pingPeriod()
	if since := time.Since(monoStart) - time.Duration(s.lastRead.Load()); s.reading.Load() && since < period {
		s.armPingIn(period - since)
		return
	}
	s.pingDue.Store(true)
	s.kick()
}

// monoStart is the origin of the sockets' read times, on the monotonic clock.
var monoStart = time.Now()

func isClosed(c <-chan struct{}) bool {
	select {
	case <-c:
		return true
	default:
		return false
	}
}

// finish flushes what the actor queued before it closed (unless the
// reason drops the queue: see dropsQueue), sends the close frame and waits
// briefly for the peer's reply, so the client sees our code and reason
// rather than a reset connection.
func (s *socket) finish() {
	if dropsQueue(s.reason) {
		s.dropQueue()
	} else if err := s.writeFrames(s.takeQueue()); err != nil {
		return
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
	case <-time.After(s.limits.CloseWait):
	}
}

// writeFrames writes frames in order, several in one system call when
// there are several, each within WriteWait of the one before: a long
// batch to a client that reads is not cut off. It stops, dropping the
// rest, if a close that drops the queue comes meanwhile.
func (s *socket) writeFrames(frames [][]byte) error {
	defer s.writeDone()
	batch := len(frames) > 1 && s.conn != nil
	if batch {
		s.conn.hold()
	}
	now := time.Now()
	var err error
	for _, f := range frames {
		if s.dropping() {
			break
		}
		_ = s.ws.SetWriteDeadline(now.Add(s.limits.WriteWait))
		if err = s.ws.WriteMessage(websocket.TextMessage, f); err != nil {
			break
		}
		now = time.Now()
		s.wrote(frameCost(f), now)
	}
	if batch {
		if ferr := s.conn.flush(now.Add(s.limits.WriteWait)); err == nil {
			err = ferr
		}
	}
	if err != nil && !errors.Is(err, websocket.ErrCloseSent) {
		s.log.Debug("write failed", "err", err)
	}
	return err
}

// start arms the socket's keep-alive and its shutdown watch; writers come
// and go with the work. released is called once the connection is gone.
// ctx ending is the server shutting down.
func (s *socket) start(ctx context.Context, released func()) {
	s.released = released
	s.armPing()
	// If the server is already stopping, the watch runs at once and may
	// release the socket before stopWatch is stored: hence the check after.
	stop := context.AfterFunc(ctx, func() { s.Close(actors.DisconnectShutdown) })
	s.stopWatch.Store(&stop)
	if s.isReleased.Load() {
		stop()
	}
}

// release frees the connection, once, and tells the actor if the reader
// never started to do so.
func (s *socket) release() {
	s.releaseOnce.Do(func() {
		s.isReleased.Store(true)
		s.ws.Close()
		if t := s.pingTimer.Load(); t != nil {
			t.Stop()
		}
		if stop := s.stopWatch.Load(); stop != nil {
			(*stop)()
		}
		// Claim the reader's once: if no reader ever ran, none will now,
		// and the end of the socket is ours to report.
		neverRead := false
		s.readOnce.Do(func() { neverRead = true })
		if neverRead {
			s.deliver(&actors.SocketClosed{})
		}
		s.released()
	})
}
