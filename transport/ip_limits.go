package transport

import (
	"fmt"
	"net/http"
	"time"

	"kefu/limit"
)

// openRetry is the Retry-After of an upgrade or a connection refused for
// the sockets or connections open: a guess, as sockets close when people
// close their tabs, and idle connections within IdleTimeout.
const openRetry = 10 * time.Second

// admitSocket is accept's check of a WebSocket upgrade against its
// address's limits, before the upgrade: a socket's goroutines and buffers
// are what a flood of upgrades would cost. Over a limit it answers 429 and
// returns false; otherwise leave must be called once the socket is gone.
func (g *Gateway) admitSocket(w http.ResponseWriter, r *http.Request) (leave func(), ok bool) {
	gs := g.guards
	ip := clientKey(r, gs.limits.TrustProxy)
	gs.mu.Lock()
	if max := gs.limits.SocketsPerIP; max > 0 && gs.open[ip] >= max {
		gs.mu.Unlock()
		gs.offences.Record(limit.SocketsPerIP, "remote", ip, "open", max)
		tooManyText(w, openRetry, fmt.Sprintf("too many connections open from your address (limit %d)", max))
		return nil, false
	}
	if ok, retry := gs.upgrades.Allow(ip); !ok {
		gs.mu.Unlock()
		gs.offences.Record(limit.UpgradeRate, "remote", ip)
		tooManyText(w, retry, "too many new connections from your address")
		return nil, false
	}
	gs.open[ip]++
	gs.mu.Unlock()
	return func() {
		gs.mu.Lock()
		defer gs.mu.Unlock()
		if gs.open[ip]--; gs.open[ip] <= 0 {
			delete(gs.open, ip)
		}
	}, true
}
