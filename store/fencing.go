package store

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"
)

// Fencing is who may write, when several kefu nodes share one database
// (docs/cluster-plan.md §4). Membership can be wrong for seconds, so it is
// the store that decides: each node holds a lease it renews, and each
// identity (a conversation "cv_…", a pool's "dispatcher/native") has an
// owner epoch that its new owner bumps by claiming it. A write carries
// the epochs its writer claimed (Batch.Fences) and Apply refuses it,
// whole, once any of them is stale (ErrFenced).
//
// Times are the database's own, never a node's clock: PostgreSQL's
// clock_timestamp() on the server. SQLite has no server, so there the
// store's own clock stands in for it (one process's, consistently for
// every call): fencing on SQLite keeps the same rules, for the tests and
// a single node, not for several processes on one file.
//
// A single node never claims and sends no fences: nothing is checked and
// nothing costs.
type Fencing interface {
	// RenewLease makes node's lease live until ttl from now, by the
	// database's clock, and returns the live members. It renews only a
	// row that is still live and was never evicted, or inserts the row of
	// a node it has never seen (a node id is new at every start). It
	// returns ErrNoLease for a node whose lease expired, was evicted or
	// released: that node must stop. addr is the node's cluster address,
	// kept for its peers.
	RenewLease(ctx context.Context, node, addr string, ttl time.Duration) (LeaseView, error)

	// Evict ends node's lease for good: it can never renew again, and its
	// fenced writes are refused from now on. Evicting a node the store has
	// never seen records it as evicted, so it cannot appear later either.
	// Evicting twice is no error.
	Evict(ctx context.Context, node string) error

	// Release ends node's lease now, at a graceful stop: its peers stop
	// counting it at once, and it cannot renew. Releasing an unknown node
	// is no error.
	Release(ctx context.Context, node string) error

	// Claim makes node the owner of key and returns the new epoch, one
	// more than the last claim's (the first claim is 1). In one statement,
	// so it happens only while node's own lease is live: else it returns
	// ErrNoLease and changes nothing. A claim and a commit fenced on the
	// same key wait for each other: the commit lands before the claim
	// returns, or is refused.
	Claim(ctx context.Context, key, node string) (epoch int64, err error)

	// Epoch returns key's current epoch, 0 if nobody ever claimed it: an
	// owner that only reads (a conversation answering a Sync from memory)
	// checks it is still the owner, since no write would tell it.
	Epoch(ctx context.Context, key string) (int64, error)
}

// Lease is one node's live lease.
type Lease struct {
	Node      string
	Address   string
	ExpiresAt time.Time // by the database's clock, UTC
}

// LeaseView is what RenewLease saw.
type LeaseView struct {
	// Now is the database's time as it renewed; Expires, the new end of
	// the renewed lease. The difference is what is left of the lease, in
	// the only clock that judges it.
	Now, Expires time.Time
	// Live is every live, unevicted lease, the renewed one included, by
	// Node.
	Live []Lease
}

// Fence is an epoch a write depends on: Apply stores the batch only while
// Key's owner is still Node (the batch's FenceNode when empty) at Epoch,
// and the batch's FenceNode's lease is live.
//
// A fence naming another node is a write that depends on another writer's
// claim: a conversation's first write carries the fence of the dispatcher
// that started it, so that a dispatcher that has lost its queue to another
// node (a paused one, woken) cannot open a conversation the new owner never
// hears of. A claim and a commit fenced on its key exclude each other, so
// the conversation is either stored before the new owner claims the queue
// (and read back by it) or refused.
type Fence struct {
	Key   string // "cv_…" for a conversation, "dispatcher/<pool>" for a dispatcher
	Epoch int64  // what Claim returned
	Node  string `json:",omitempty"` // the claim's node; "": the batch's FenceNode
}

// owner is the node that must hold f's key for a write by node to stand.
func (f Fence) owner(node string) string {
	if f.Node != "" {
		return f.Node
	}
	return node
}

// ErrNoLease: the node's lease is not live (expired, evicted, released, or
// never taken), so it may neither renew nor claim.
var ErrNoLease = errors.New("no live lease")

// ErrFenced: a write was refused, whole, because an epoch it carried is no
// longer its key's (another node claimed it) or its node's lease is not
// live. Apply's error wraps a *FencedError naming the keys; errors.Is(err,
// ErrFenced) holds for it. Unlike ErrInvalid it is not about the input:
// the writer is a zombie and must stop writing.
var ErrFenced = errors.New("fenced: a newer owner holds the key")

// FencedError names the fences that were stale, and their keys. When the
// node's own lease is not live, every fence of the batch is named.
type FencedError struct {
	Keys []string // sorted, each once
	// Fences are the stale fences themselves: a group commit can carry
	// one key under two epochs (a stale dispatcher's fence, in the first
	// write of a conversation it started, beside the live dispatcher's
	// own), and only the writes carrying the stale one are refused.
	Fences []Fence
}

func (e *FencedError) Error() string {
	return fmt.Sprintf("%v: %s", ErrFenced, strings.Join(e.Keys, ", "))
}

// Unwrap makes errors.Is(err, ErrFenced) hold.
func (e *FencedError) Unwrap() error { return ErrFenced }

// Stale reports whether any of fences is named by e: the write that
// carried them is refused.
func (e *FencedError) Stale(fences []Fence) bool {
	for _, f := range fences {
		if slices.Contains(e.Fences, f) {
			return true
		}
	}
	return false
}

// NewFencedError names fences, stale, and their keys.
func NewFencedError(fences []Fence) *FencedError {
	keys := make([]string, len(fences))
	for i, f := range fences {
		keys[i] = f.Key
	}
	slices.Sort(keys)
	return &FencedError{Keys: slices.Compact(keys), Fences: fences}
}

// validFences checks a batch's fences as Apply must before writing.
func validFences(b *Batch) error {
	if len(b.Fences) == 0 {
		return nil
	}
	if b.FenceNode == "" {
		return fmt.Errorf("%w: %d fences and no fence node", ErrInvalid, len(b.Fences))
	}
	for i, f := range b.Fences {
		if f.Key == "" || f.Epoch < 1 {
			return fmt.Errorf("%w: fence %d (%q at %d) has no key or an epoch below 1", ErrInvalid, i, f.Key, f.Epoch)
		}
	}
	return nil
}

// validLease checks RenewLease's arguments.
func validLease(node string, ttl time.Duration) error {
	switch {
	case node == "":
		return fmt.Errorf("%w: no node id", ErrInvalid)
	case ttl < time.Millisecond:
		return fmt.Errorf("%w: lease ttl %v is under a millisecond", ErrInvalid, ttl)
	}
	return nil
}

// ValidLease checks RenewLease's arguments, for store/postgres.
func ValidLease(node string, ttl time.Duration) error { return validLease(node, ttl) }

// fenceEpochs returns the epoch each fenced key carries, for the messages
// of its conversation (Message.Epoch); nil without fences.
func fenceEpochs(fences []Fence) map[string]int64 {
	if len(fences) == 0 {
		return nil
	}
	m := make(map[string]int64, len(fences))
	for _, f := range fences {
		m[f.Key] = f.Epoch
	}
	return m
}

// FenceEpochs is fenceEpochs, for store/postgres.
func FenceEpochs(fences []Fence) map[string]int64 { return fenceEpochs(fences) }
