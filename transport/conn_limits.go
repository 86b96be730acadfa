package transport

import (
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"kefu/limit"
)

// reservedFiles is how many of the process's open files the default
// MaxConns leaves to all but the guarded listeners' connections: the
// store (each SQLite connection opens the database and its log), the
// metrics and profiler listeners and their clients, the log.
const reservedFiles = 128

// refuseWait bounds writing the answer to a refused connection. A new
// connection's send buffer is empty, so the write never waits in practice.
const refuseWait = time.Second

// defaultMaxConns is MaxConns's default: the open-files limit less
// reservedFiles (at least half of it, for a tiny limit), or no limit when
// the limit cannot be read.
func defaultMaxConns() int {
	n := openFiles()
	if n <= 0 {
		return -1
	}
	return max(n-reservedFiles, n/2)
}

// LimitConns wraps a listener of the main or the compat port in
// AbuseLimits.HTTPConnsPerIP and MaxConns. Its http.Server must have the
// gateway's ConnState as its hook, which tells it when a connection has
// become a WebSocket.
func (g *Gateway) LimitConns(ln net.Listener) net.Listener {
	return &limitedListener{Listener: ln, gs: g.guards}
}

// ConnState is the http.Server hook LimitConns needs: a connection taken
// over by a WebSocket leaves its address's count of HTTP connections, as
// admitSocket counts it from then on. It stays in the count of all
// connections until it closes.
func (g *Gateway) ConnState(c net.Conn, state http.ConnState) {
	if cc, ok := c.(*countedConn); ok && state == http.StateHijacked {
		cc.gs.releaseConn(cc, false)
	}
}

type limitedListener struct {
	net.Listener
	gs *guards
}

// Accept returns the next connection within the limits. One over them is
// answered and closed here, so it never costs net/http a goroutine.
func (l *limitedListener) Accept() (net.Conn, error) {
	for {
		c, err := l.Listener.Accept()
		if err != nil {
			return nil, err
		}
		if cc := l.gs.admitConn(c); cc != nil {
			return cc, nil
		}
	}
}

// countedConn is a connection counted by admitConn; releaseConn uncounts
// it, once for each count.
type countedConn struct {
	net.Conn
	gs *guards
	ip netip.Addr // its TCP peer's key

	// Under gs.mu.
	inHTTP bool // counted in gs.conns[ip]
	closed bool // no longer counted in gs.total
}

func (c *countedConn) Close() error {
	c.gs.releaseConn(c, true)
	return c.Conn.Close()
}

// SyscallConn hands on the descriptor of the connection it counts, so a
// socket's writes can go inline (batchConn.tryWrite): without it every
// counted connection, which is every one a server accepts, fell back to
// the writer goroutine. A connection without a descriptor says so.
func (c *countedConn) SyscallConn() (syscall.RawConn, error) {
	if sc, ok := c.Conn.(syscall.Conn); ok {
		return sc.SyscallConn()
	}
	return nil, errNoDescriptor
}

var errNoDescriptor = errors.New("connection without a file descriptor")

// admitConn counts a new connection against its TCP peer's and everyone's
// limits, or answers and closes it when it is over one and returns nil.
func (gs *guards) admitConn(c net.Conn) *countedConn {
	ip := addrKey(peerAddr(c.RemoteAddr().String()))
	perIP, all := gs.limits.HTTPConnsPerIP, gs.limits.MaxConns
	if gs.limits.TrustProxy {
		perIP = 0 // the peer is the proxy, which all clients share
	}
	gs.mu.Lock()
	switch {
	case all > 0 && gs.total >= all:
		gs.mu.Unlock()
		gs.offences.Record(limit.Conns, "remote", ip, "open", all)
		refuseConn(c, "503 Service Unavailable", "server busy: too many connections open")
		return nil
	case perIP > 0 && gs.conns[ip] >= perIP:
		gs.mu.Unlock()
		gs.offences.Record(limit.HTTPConns, "remote", ip, "open", perIP)
		refuseConn(c, "429 Too Many Requests", fmt.Sprintf("too many HTTP connections open from your address (limit %d)", perIP))
		return nil
	}
	gs.total++
	gs.conns[ip]++
	gs.mu.Unlock()
	return &countedConn{Conn: c, gs: gs, ip: ip, inHTTP: true}
}

// releaseConn takes c out of its address's HTTP count, and when it is
// closing out of the count of all connections too.
func (gs *guards) releaseConn(c *countedConn, closing bool) {
	gs.mu.Lock()
	defer gs.mu.Unlock()
	if c.inHTTP {
		c.inHTTP = false
		if gs.conns[c.ip]--; gs.conns[c.ip] <= 0 {
			delete(gs.conns, c.ip)
		}
	}
	if closing && !c.closed {
		c.closed = true
		gs.total--
	}
}

// refuseConn answers a connection over a limit with an HTTP status and a
// plain-text reason, and closes it. Best effort: the answer is written
// before the request is read, and a client whose request arrives after
// the close may see the connection reset instead. The listeners speak
// plain HTTP (TLS ends at a proxy in front, if any).
func refuseConn(c net.Conn, status, reason string) {
	secs := retrySeconds(openRetry)
	body := fmt.Sprintf("%s; try again in %d s\n", reason, secs)
	_ = c.SetWriteDeadline(time.Now().Add(refuseWait))
	_, _ = fmt.Fprintf(c, "HTTP/1.1 %s\r\nContent-Type: text/plain; charset=utf-8\r\nRetry-After: %d\r\nConnection: close\r\nContent-Length: %d\r\n\r\n%s",
		status, secs, len(body), body)
	_ = c.Close()
}
