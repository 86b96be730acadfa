package transport

import (
	"fmt"
	"hash/maphash"
	"log/slog"
	"math"
	"net/http"
	"net/netip"
	"strconv"
	"sync"
	"time"

	"kefu/limit"
	"kefu/store"
)

// guards is the gateway's state for its abuse limits, built once from
// Config.Abuse. Every per-address and per-name bucket is kept in a
// limit.Keyed, bounded by TrackedKeys with idle keys dropped first; open
// and conns hold only the addresses that have sockets or connections open
// now, so those bound them.
type guards struct {
	limits   AbuseLimits
	offences *limit.Offences

	upgrades  *limit.Keyed[netip.Addr]
	api       *limit.Keyed[netip.Addr]
	loginIP   *limit.Keyed[netip.Addr]
	loginName *limit.Keyed[uint64] // by a hash of the name: an attacker's long names cost no memory
	nameSeed  maphash.Seed

	mu    sync.Mutex
	open  map[netip.Addr]int // sockets open per address
	conns map[netip.Addr]int // connections not (yet) WebSockets, per TCP peer
	total int                // connections open on the guarded listeners
}

func newGuards(l AbuseLimits, log *slog.Logger) *guards {
	return &guards{
		limits:    l,
		offences:  limit.NewOffences(log, limit.Rate{Limit: limit.DefaultLogRate, Burst: limit.DefaultLogBurst}),
		upgrades:  limit.NewKeyed[netip.Addr](l.Upgrades, l.TrackedKeys),
		api:       limit.NewKeyed[netip.Addr](l.API, l.TrackedKeys),
		loginIP:   limit.NewKeyed[netip.Addr](l.LoginIP, l.TrackedKeys),
		loginName: limit.NewKeyed[uint64](l.LoginName, l.TrackedKeys),
		nameSeed:  maphash.MakeSeed(),
		open:      map[netip.Addr]int{},
		conns:     map[netip.Addr]int{},
	}
}

// withLimitDefaults fills the zero limits of cfg: the abuse limits and the
// capacity cap.
func (cfg Config) withLimitDefaults() Config {
	cfg.Abuse = cfg.Abuse.WithDefaults()
	if cfg.MaxCapacity <= 0 || cfg.MaxCapacity > store.MaxCapacity {
		cfg.MaxCapacity = store.MaxCapacity
	}
	return cfg
}

// Offences counts the limits clients have crossed since the server
// started, by kind, for a /metrics endpoint to read.
func (g *Gateway) Offences() *limit.Counters { return &g.guards.offences.Counters }

// nameKey is the per-name bucket of an account name, under the store's
// own comparison, so "Alice" and "ALICE" share one.
func (gs *guards) nameKey(name string) uint64 {
	return maphash.String(gs.nameSeed, store.NameKey(name))
}

// retrySeconds is a Retry-After value: whole seconds, at least one.
func retrySeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

// tooManyText refuses a request with 429, a Retry-After and a plain-text
// reason: for WebSocket upgrades, whose clients read no JSON.
func tooManyText(w http.ResponseWriter, retry time.Duration, what string) {
	secs := retrySeconds(retry)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	http.Error(w, fmt.Sprintf("%s; try again in %d s", what, secs), http.StatusTooManyRequests)
}

// tooManyJSON refuses an API request with 429, a Retry-After and the
// API's error shape.
func tooManyJSON(w http.ResponseWriter, retry time.Duration, what string) {
	secs := retrySeconds(retry)
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	writeError(w, http.StatusTooManyRequests, "rate_limited", fmt.Sprintf("%s; try again in %d s", what, secs))
}
