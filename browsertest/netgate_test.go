package browsertest

import (
	"errors"
	"io"
	"net"
	"sync"
	"testing"
)

// netGate is a TCP proxy in front of the server that a test can shut like
// a network that stops carrying packets: while it is shut, bytes in either
// direction are held and nothing is closed, so neither end learns anything
// until its own timers say the other side went silent. Opened again, it
// delivers what it held and carries on. A page loaded through it has the
// gate's address as its origin, which the server's same-host rule accepts.
type netGate struct {
	t      *testing.T
	ln     net.Listener
	target string
	wg     sync.WaitGroup
	done   chan struct{} // closed when the test ends

	mu    sync.Mutex
	open  chan struct{} // closed while traffic flows
	conns map[net.Conn]struct{}
}

// gateChunk is how much one direction reads before it checks the gate.
const gateChunk = 32 << 10

func startNetGate(t *testing.T, target string) *netGate {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	g := &netGate{t: t, ln: ln, target: target, done: make(chan struct{}), open: make(chan struct{}), conns: map[net.Conn]struct{}{}}
	close(g.open)
	g.wg.Add(1)
	go g.accept()
	t.Cleanup(func() {
		close(g.done)
		ln.Close()
		g.mu.Lock()
		for c := range g.conns {
			c.Close()
		}
		g.mu.Unlock()
		g.wg.Wait()
	})
	return g
}

// Addr is where pages should connect instead of the server.
func (g *netGate) Addr() string { return g.ln.Addr().String() }

// shut stops all traffic, on open connections and new ones alike.
func (g *netGate) shut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
		g.open = make(chan struct{})
	default: // already shut
	}
}

// reopen lets traffic flow again.
func (g *netGate) reopen() {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.open:
	default:
		close(g.open)
	}
}

// cut drops every open connection at once, as a network that resets
// them would; new ones are carried as before.
func (g *netGate) cut() {
	g.mu.Lock()
	defer g.mu.Unlock()
	for c := range g.conns {
		c.Close()
		delete(g.conns, c)
	}
}

// accept runs in its own goroutine until the listener closes.
func (g *netGate) accept() {
	defer g.wg.Done()
	for {
		in, err := g.ln.Accept()
		if err != nil {
			return
		}
		out, err := net.Dial("tcp", g.target)
		if err != nil {
			in.Close()
			continue
		}
		if !g.track(in, out) {
			return
		}
		g.wg.Add(2)
		go g.pipe(out, in)
		go g.pipe(in, out)
	}
}

// track notes the pair for cleanup, or closes it if the test has ended.
func (g *netGate) track(conns ...net.Conn) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	select {
	case <-g.done:
		for _, c := range conns {
			c.Close()
		}
		return false
	default:
	}
	for _, c := range conns {
		g.conns[c] = struct{}{}
	}
	return true
}

// pipe copies src to dst through the gate, in its own goroutine, and
// closes both when either ends.
func (g *netGate) pipe(dst, src net.Conn) {
	defer g.wg.Done()
	defer dst.Close()
	defer src.Close()
	buf := make([]byte, gateChunk)
	for {
		n, err := src.Read(buf)
		if n > 0 {
			g.mu.Lock()
			open := g.open
			g.mu.Unlock()
			select {
			case <-open:
			case <-g.done:
				return
			}
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) && !errors.Is(err, net.ErrClosed) {
				g.t.Logf("net gate: %v", err)
			}
			return
		}
	}
}
