package transport

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/gorilla/websocket"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"kefu/actors"
)

// smallBuffer is the kernel buffer each end of a test socket gets, so a
// client that does not read blocks the writer after a few KiB.
const smallBuffer = 64 << 10

// socketPair returns a socket on the server end of a real loopback
// WebSocket, started but not reading, and the client's end.
func socketPair(t *testing.T, limits Limits) (*socket, *websocket.Conn) {
	t.Helper()
	socks := make(chan *socket, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		bw := &batchingWriter{ResponseWriter: w}
		ws, err := (&websocket.Upgrader{}).Upgrade(bw, r, nil)
		if err != nil {
			return
		}
		_ = bw.conn.Conn.(*net.TCPConn).SetWriteBuffer(smallBuffer)
		s := newSocket(ws, bw.conn, limits, slog.New(slog.DiscardHandler))
		s.deliver = func(any) {}
		s.slow = prometheus.NewCounter(prometheus.CounterOpts{Name: "slow"})
		socks <- s
	}))
	t.Cleanup(srv.Close)
	dialer := websocket.Dialer{NetDialContext: func(ctx context.Context, network, addr string) (net.Conn, error) {
		c, err := (&net.Dialer{}).DialContext(ctx, network, addr)
		if err == nil {
			err = c.(*net.TCPConn).SetReadBuffer(smallBuffer)
		}
		return c, err
	}}
	ws, _, err := dialer.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatalf("dial: %v", err)
	}
	s := <-socks
	released := make(chan struct{})
	s.start(context.Background(), func() { close(released) })
	t.Cleanup(func() {
		s.Close(actors.DisconnectNormal)
		ws.Close() // a writer stuck on the full connection fails
		select {
		case <-released:
		case <-time.After(5 * time.Second):
			t.Error("socket never released")
		}
	})
	return s, ws
}

// testLimits are the defaults with bounds that tests cross on purpose.
func testLimits(queueBytes int, slowAfter time.Duration) Limits {
	l := DefaultLimits()
	l.SendQueueBytes, l.SlowAfter = queueBytes, slowAfter
	return l
}

// blockWriter sends a frame far larger than the connection's buffers to a
// client that does not read, and waits until the writer has taken it: the
// writer is then stuck in its write.
func blockWriter(t *testing.T, s *socket) {
	t.Helper()
	if !s.Send(bytes.Repeat([]byte("x"), 1<<20)) {
		t.Fatal("the first frame was refused")
	}
	poll(t, "the writer to take the first frame", func() bool { return s.queued() == 0 })
}

// poll calls ok every few milliseconds until it holds, for at most 5 s.
func poll(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.After(5 * time.Second)
	tick := time.NewTicker(5 * time.Millisecond)
	defer tick.Stop()
	for !ok() {
		select {
		case <-deadline:
			t.Fatalf("waited 5 s for %s", what)
		case <-tick.C:
		}
	}
}

// slowCount reads the socket's count of clients dropped as too slow.
func slowCount(t *testing.T, s *socket) float64 {
	t.Helper()
	var m dto.Metric
	if err := s.slow.Write(&m); err != nil {
		t.Fatal(err)
	}
	return m.GetCounter().GetValue()
}

func TestSocketSlow(t *testing.T) {
	t.Run("OKBurstWhileReading", func(t *testing.T) {
		// An agent's fifty customers each sending their frame burst: far
		// more frames at once than the connection holds, to a client that
		// reads all the while.
		const burst = 2000
		s, ws := socketPair(t, DefaultLimits())
		got := make(chan error, 1)
		go func() {
			_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
			for i := range burst {
				_, data, err := ws.ReadMessage()
				if err == nil && !bytes.HasPrefix(data, fmt.Appendf(nil, "%d:", i)) {
					err = fmt.Errorf("frame %d is %.20q", i, data)
				}
				if err != nil {
					got <- fmt.Errorf("after %d of %d frames: %w", i, burst, err)
					return
				}
			}
			got <- nil
		}()
		line := strings.Repeat("where is my order? ", 50) // about 1 KB
		for i := range burst {
			if !s.Send(fmt.Appendf(nil, "%d: %s", i, line)) {
				t.Fatalf("frame %d of %d refused: closed with %+v", i, burst, s.reason)
			}
		}
		s.Flush()
		if err := <-got; err != nil {
			t.Fatal(err)
		}
	})
	t.Run("ErrOverBytes", func(t *testing.T) {
		s, _ := socketPair(t, testLimits(256<<10, time.Hour))
		frame := bytes.Repeat([]byte("x"), 8<<10)
		sent := 0
		for s.Send(frame) {
			if sent++; sent == 10_000 {
				t.Fatal("80 MB queued for a client that reads nothing, and it is still open")
			}
		}
		if got, want := s.reason, actors.DisconnectSlowBytes; got != want {
			t.Fatalf("closed with %+v, want %+v", got, want)
		}
		if got := s.queued(); got != 0 {
			t.Fatalf("%d frames still queued after the slow close, want them dropped at once", got)
		}
		if got, want := slowCount(t, s), 1.0; got != want {
			t.Fatalf("slow clients counted=%v, want %v", got, want)
		}
	})
	t.Run("ErrNotDraining", func(t *testing.T) {
		const slowAfter = 200 * time.Millisecond
		s, _ := socketPair(t, testLimits(1<<30, slowAfter))
		start := time.Now()
		blockWriter(t, s)
		// Small frames, far under the byte bound, until one is refused.
		poll(t, "a client that reads nothing to be closed", func() bool { return !s.Send([]byte("news")) })
		if got, want := s.reason, actors.DisconnectSlowStalled; got != want {
			t.Fatalf("closed with %+v, want %+v", got, want)
		}
		if took := time.Since(start); took < slowAfter {
			t.Fatalf("closed after %v, before SlowAfter %v", took, slowAfter)
		}
		if got, want := slowCount(t, s), 1.0; got != want {
			t.Fatalf("slow clients counted=%v, want %v", got, want)
		}
	})
}

// TestSocketReplacedDropsQueue: a socket replaced by a takeover frees what
// is queued for it at once and writes none of it; its client, once it
// reads, gets the frame being written, then the close.
func TestSocketReplacedDropsQueue(t *testing.T) {
	s, ws := socketPair(t, testLimits(1<<30, time.Hour))
	blockWriter(t, s)
	for i := range 100 {
		if !s.Send([]byte("backlog")) {
			t.Fatalf("backlog frame %d refused", i)
		}
	}
	s.Close(actors.DisconnectReplaced)
	if got := s.queued(); got != 0 {
		t.Fatalf("%d frames queued after the takeover, want them dropped at once", got)
	}

	_ = ws.SetReadDeadline(time.Now().Add(5 * time.Second))
	frames := 0
	for {
		_, data, err := ws.ReadMessage()
		var ce *websocket.CloseError
		if errors.As(err, &ce) {
			if got, want := (actors.Disconnect{Code: ce.Code, Reason: ce.Text}), actors.DisconnectReplaced; got != want {
				t.Fatalf("closed with %+v, want %+v", got, want)
			}
			break
		}
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if frames++; bytes.Equal(data, []byte("backlog")) {
			t.Fatalf("frame %d was the backlog's, written after the takeover", frames)
		}
	}
	if got, want := frames, 1; got != want {
		t.Fatalf("client got %d frames before the close, want %d: the one being written", got, want)
	}
}

// TestSocketPingsOnlyWhenQuiet: a peer that keeps sending frames is never
// pinged (any frame shows it alive); once it goes quiet, a ping comes
// within a ping period, and it stays connected by answering it.
func TestSocketPingsOnlyWhenQuiet(t *testing.T) {
	l := DefaultLimits()
	l.PongWait = time.Second // a ping after 0.9 s without a frame read
	s, ws := socketPair(t, l)
	s.StartReading()
	pings := make(chan struct{}, 16)
	ws.SetPingHandler(func(data string) error {
		pings <- struct{}{}
		return ws.WriteControl(websocket.PongMessage, []byte(data), time.Now().Add(time.Second))
	})
	go func() { // the client's reader: control frames are handled there
		for {
			if _, _, err := ws.ReadMessage(); err != nil {
				return
			}
		}
	}()
	busy := time.After(3 * l.pingPeriod())
	tick := time.NewTicker(l.pingPeriod() / 10)
	defer tick.Stop()
traffic:
	for {
		select {
		case <-busy:
			break traffic
		case <-pings:
			t.Fatal("pinged while sending a frame every tenth of a ping period")
		case <-tick.C:
			if err := ws.WriteMessage(websocket.TextMessage, []byte(`{"type":"typing"}`)); err != nil {
				t.Fatal(err)
			}
		}
	}
	select {
	case <-pings:
	case <-time.After(5 * l.pingPeriod()):
		t.Fatal("no ping once the client went quiet")
	}
	select {
	case <-s.readerDone:
		t.Fatal("dropped while answering pings")
	default:
	}
}
