package transport

import (
	"bytes"
	"fmt"
	"net"
	"testing"
	"time"
)

// readFrames reads n frames from ws into a channel, failing on the first
// error or after 10 s.
func readFrames(t *testing.T, ws interface {
	ReadMessage() (int, []byte, error)
	SetReadDeadline(time.Time) error
}, n int) <-chan [][]byte {
	t.Helper()
	got := make(chan [][]byte, 1)
	go func() {
		_ = ws.SetReadDeadline(time.Now().Add(10 * time.Second))
		var frames [][]byte
		for range n {
			_, data, err := ws.ReadMessage()
			if err != nil {
				break
			}
			frames = append(frames, data)
		}
		got <- frames
	}()
	return got
}

// TestSocketFlushInline: a small burst is written by Flush on the caller's
// goroutine, in one write, and nothing is left for a writer goroutine: the
// writer's role is free again when Flush returns.
func TestSocketFlushInline(t *testing.T) {
	s, ws := socketPair(t, DefaultLimits())
	got := readFrames(t, ws, 2)
	if !s.Send([]byte("echo")) || !s.Send([]byte("ack")) {
		t.Fatal("a frame was refused")
	}
	if s.queued() != 2 {
		t.Fatalf("%d frames queued before the flush, want 2: Send alone does not write a small burst", s.queued())
	}
	s.Flush()
	if s.running.Load() || s.queued() != 0 || s.conn.pending() {
		t.Fatalf("after Flush: writer running %v, %d frames queued, bytes held %v; want all written inline",
			s.running.Load(), s.queued(), s.conn.pending())
	}
	frames := <-got
	if len(frames) != 2 || string(frames[0]) != "echo" || string(frames[1]) != "ack" {
		t.Fatalf("client got %q, want echo then ack", frames)
	}
}

// TestSocketFlushRemainderInOrder: when the kernel takes only part of an
// inline write (a client that does not read for a while), the rest goes
// through the writer goroutine, ahead of everything queued since: the
// client, once it reads, gets every frame once, in order.
func TestSocketFlushRemainderInOrder(t *testing.T) {
	s, ws := socketPair(t, testLimits(64<<20, time.Hour))
	const bursts, perBurst = 60, 3
	frame := func(i int) []byte { return fmt.Appendf(nil, "%04d:%s", i, bytes.Repeat([]byte("x"), 4<<10)) }
	cut := false
	for b := range bursts {
		for i := range perBurst {
			if !s.Send(frame(b*perBurst + i)) {
				t.Fatalf("frame %d refused: closed with %+v", b*perBurst+i, s.reason)
			}
		}
		s.Flush()
		cut = cut || s.running.Load()
	}
	if !cut {
		// 740 KiB against the two ends' 64 KiB buffers: some flush must
		// have been cut short, its rest left to the writer goroutine.
		t.Fatal("every flush was written whole: the remainder's path was not tested")
	}
	frames := <-readFrames(t, ws, bursts*perBurst)
	if len(frames) != bursts*perBurst {
		t.Fatalf("client got %d frames, want %d", len(frames), bursts*perBurst)
	}
	for i, f := range frames {
		if !bytes.Equal(f, frame(i)) {
			t.Fatalf("frame %d is %.8q, want %.8q", i, f, frame(i))
		}
	}
}

// TestCountedConnWritesInline: a connection the server's listener counts
// (every one it accepts) still hands its descriptor to batchConn, so its
// bursts go inline; a connection without one (a pipe here, TLS in
// production) goes to the writer goroutine. Before, every counted
// connection went to the goroutine, and a window profile of S5 showed
// writeSome, not Flush, doing every write.
func TestCountedConnWritesInline(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	if b := newBatchConn(&countedConn{Conn: server}); b.raw == nil {
		t.Fatal("a counted TCP connection has no descriptor for inline writes")
	}
	p1, p2 := net.Pipe()
	defer p1.Close()
	defer p2.Close()
	if b := newBatchConn(&countedConn{Conn: p1}); b.raw != nil {
		t.Fatal("a pipe has a descriptor")
	}
}
