package nodes

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync/atomic"
	"time"

	"kefu/store"
)

// ErrLeaseLost ends a node: its lease ran out, was evicted, or it lost
// sight of a majority. Its writes are refused from then on (fencing), so
// it stops rather than serve clients it can no longer acknowledge.
var ErrLeaseLost = errors.New("lease lost")

// LeaseConfig says how a node holds its lease.
type LeaseConfig struct {
	Every    time.Duration // renew this often
	TTL      time.Duration // a lease not renewed for this long is dead
	Majority int           // members a node must see: half its -cluster-peers, plus one
}

// DefaultLeaseConfig: renewed every second, dead after three. A node paused
// for longer than TTL finds its lease gone when it wakes and exits.
func DefaultLeaseConfig(majority int) LeaseConfig {
	return LeaseConfig{Every: time.Second, TTL: 3 * time.Second, Majority: majority}
}

// LeaseKeeper renews this node's lease in the shared store and watches
// the majority. It is a goroutine, not an actor: it blocks on the store by
// design, and what it decides (exit) is the process's, not an actor's.
type LeaseKeeper struct {
	store   store.Fencing
	node    string // the actor system's id: new at every start
	addr    string // -cluster-addr
	cfg     LeaseConfig
	members interface{ Addresses() []string }
	log     *slog.Logger

	ready    atomic.Bool
	mayClaim atomic.Bool  // lease live and a majority seen, at the last renewal
	live     atomic.Int64 // live leases at the last renewal
}

// NewLeaseKeeper returns a keeper for node at addr.
func NewLeaseKeeper(st store.Fencing, node, addr string, cfg LeaseConfig, members interface{ Addresses() []string }, log *slog.Logger) *LeaseKeeper {
	return &LeaseKeeper{store: st, node: node, addr: addr, cfg: cfg, members: members, log: log}
}

// Node is the id the lease is held under, which claims name.
func (k *LeaseKeeper) Node() string { return k.node }

// Ready reports whether the lease is live, this node sees a majority in
// the store and in the cluster, and every member holds a lease: only then
// does it report ready.
func (k *LeaseKeeper) Ready() bool { return k.ready.Load() }

// MayClaim reports whether this node may take ownership of conversations
// and dispatchers now: its lease is live and it sees a majority. A node on
// the minority side of a partition claims nothing, so it cannot fence the
// majority's owners out. The members are counted now, not at the last
// renewal: a node cut off learns it when its peers leave its topology,
// and may not claim in the second before its next renewal.
func (k *LeaseKeeper) MayClaim() bool {
	return k.mayClaim.Load() && len(k.members.Addresses()) >= k.cfg.Majority
}

// LiveLeases is how many live leases the last renewal saw.
func (k *LeaseKeeper) LiveLeases() int { return int(k.live.Load()) }

// Acquire takes the lease for the first time; the node starts serving
// only once it holds one.
func (k *LeaseKeeper) Acquire(ctx context.Context) error {
	_, err := k.renew(ctx)
	return err
}

// Run renews until ctx ends (nil) or the lease is lost (ErrLeaseLost,
// wrapped with why). It never exits a node that has not yet seen its
// majority: a first node waits for its peers, unready.
func (k *LeaseKeeper) Run(ctx context.Context) error {
	lastOK := time.Now()
	absent := map[string]time.Time{} // leased nodes out of the membership, since when
	var lostMajority time.Time       // zero while the majority is seen
	hadMajority := false
	tick := time.NewTicker(k.cfg.Every)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
		// Checked before asking the store: a node that was paused longer
		// than TTL holds no lease, whatever the store would say later.
		if since := time.Since(lastOK); since > k.cfg.TTL {
			k.stopServing()
			return fmt.Errorf("%w: not renewed for %v (ttl %v)", ErrLeaseLost, since.Round(time.Millisecond), k.cfg.TTL)
		}
		asked := time.Now()
		view, err := k.renew(ctx)
		if errors.Is(err, store.ErrNoLease) {
			k.stopServing()
			return fmt.Errorf("%w: the store ended it (expired or evicted)", ErrLeaseLost)
		}
		if err != nil {
			k.stopServing()
			k.log.Warn("lease not renewed", slog.Any("err", err))
			continue // the check above ends it once TTL has passed
		}
		lastOK = asked // the renewal counts from when it was asked, not answered
		majority := k.majority(view)
		switch {
		case majority:
			hadMajority, lostMajority = true, time.Time{}
		case hadMajority && lostMajority.IsZero():
			lostMajority = time.Now()
		case hadMajority && time.Since(lostMajority) > k.cfg.TTL:
			k.stopServing()
			return fmt.Errorf("%w: sees %d live leases and %d members, under the majority of %d for %v",
				ErrLeaseLost, len(view.Live), len(k.members.Addresses()), k.cfg.Majority, k.cfg.TTL)
		}
		k.mayClaim.Store(majority)
		k.ready.Store(majority && k.agree(view))
		k.evictGone(ctx, view, absent)
	}
}

// evictAfter is how many TTLs a leased node may be missing from the
// membership before it is evicted: a node takes its lease only once it has
// joined, and its peers see it within a provider refresh, so two TTLs
// leave room for a slow start.
const evictAfter = 2

// evictGone evicts the nodes that hold a live lease but have been out of
// this node's membership for longer than TTL: a node that was unreachable
// (paused, cut off) long enough for its peers to drop it can come back
// still holding its lease, see its peers, and serve beside them; evicted,
// its next renewal fails and it exits. absent remembers since when each
// leased address has been missing; a node that is back is forgotten.
func (k *LeaseKeeper) evictGone(ctx context.Context, view store.LeaseView, absent map[string]time.Time) {
	members := map[string]bool{}
	for _, a := range k.members.Addresses() {
		members[a] = true
	}
	leased := map[string]bool{}
	for _, l := range view.Live {
		leased[l.Node] = true
		if l.Node == k.node || members[l.Address] {
			delete(absent, l.Node)
			continue
		}
		since, seen := absent[l.Node]
		if !seen {
			absent[l.Node] = time.Now()
			continue
		}
		if time.Since(since) <= evictAfter*k.cfg.TTL {
			continue
		}
		ectx, cancel := context.WithTimeout(ctx, k.cfg.TTL)
		err := k.store.Evict(ectx, l.Node)
		cancel()
		if err != nil {
			k.log.Warn("cannot evict a node gone from the cluster", slog.String("node", l.Node), slog.Any("err", err))
			continue
		}
		k.log.Warn("evicted a node gone from the cluster but holding its lease", slog.String("node", l.Node), slog.String("addr", l.Address))
		delete(absent, l.Node)
	}
	for n := range absent {
		if !leased[n] {
			delete(absent, n) // its lease ended on its own
		}
	}
}

func (k *LeaseKeeper) stopServing() {
	k.ready.Store(false)
	k.mayClaim.Store(false)
}

// Release gives the lease up at a graceful stop, so peers stop counting
// this node at once.
func (k *LeaseKeeper) Release(ctx context.Context) error {
	k.stopServing()
	return k.store.Release(ctx, k.node)
}

func (k *LeaseKeeper) renew(ctx context.Context) (store.LeaseView, error) {
	ctx, cancel := context.WithTimeout(ctx, k.cfg.TTL)
	defer cancel()
	view, err := k.store.RenewLease(ctx, k.node, k.addr, k.cfg.TTL)
	if err == nil {
		k.live.Store(int64(len(view.Live)))
	}
	return view, err
}

func (k *LeaseKeeper) majority(view store.LeaseView) bool {
	return len(view.Live) >= k.cfg.Majority && len(k.members.Addresses()) >= k.cfg.Majority
}

// agree reports whether every member of the cluster holds a live lease:
// while one does not, it is joining (not yet leased) or was evicted and
// still listed. A lease whose node has left the membership is not a
// disagreement: it runs out, or is evicted (evictGone), and a peer's
// death must not make the survivors unready.
func (k *LeaseKeeper) agree(view store.LeaseView) bool {
	leased := map[string]bool{}
	for _, l := range view.Live {
		leased[l.Address] = true
	}
	for _, m := range k.members.Addresses() {
		if !leased[m] {
			return false
		}
	}
	return true
}
