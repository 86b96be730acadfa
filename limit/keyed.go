package limit

import (
	"container/list"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Keyed keeps one token bucket per key (a client address, an account name):
// keys an attacker can invent at will, so memory is bounded two ways.
//
//   - An LRU with a size cap: at most max keys are kept, and a new key
//     beyond that evicts the one used longest ago. Evicting a key whose
//     bucket is not yet full forgives it, so the cap sits far above what
//     honest traffic fills; it only bounds a flood of invented keys.
//   - Idle keys go first: before adding a key, the least recently used
//     ones are dropped while their buckets have refilled. A full bucket
//     behaves exactly like no bucket, so forgetting it changes nothing, and
//     the map shrinks back as traffic goes on, without a sweeping goroutine.
//
// It is safe for concurrent use.
type Keyed[K comparable] struct {
	rate Rate
	max  int
	now  func() time.Time // time.Now; tests move it

	mu   sync.Mutex
	keys map[K]*list.Element // of *bucket
	lru  list.List           // front: used most recently
}

type bucket[K comparable] struct {
	key K
	lim *rate.Limiter
}

// idleChecks bounds the idle keys one insertion looks at, so an insertion
// costs O(1) whatever the map holds.
const idleChecks = 2

// NewKeyed returns buckets of r, at most max of them.
func NewKeyed[K comparable](r Rate, max int) *Keyed[K] {
	return &Keyed[K]{rate: r, max: max, now: time.Now, keys: map[K]*list.Element{}}
}

// Allow takes a token from key's bucket. When the bucket is empty it takes
// nothing and says how long until a token is there.
func (k *Keyed[K]) Allow(key K) (ok bool, retry time.Duration) {
	if k == nil || k.rate.Off() {
		return true, 0
	}
	now := k.now()
	k.mu.Lock()
	defer k.mu.Unlock()
	lim := k.bucket(key, now)
	r := lim.ReserveN(now, 1)
	if !r.OK() { // a burst of 0: never
		return false, time.Hour
	}
	if d := r.DelayFrom(now); d > 0 {
		r.CancelAt(now)
		return false, d
	}
	return true, 0
}

// Forget drops key's bucket: the next Allow finds it full. For a key that
// has shown itself honest, such as an account name right after a login
// with the right password.
func (k *Keyed[K]) Forget(key K) {
	if k == nil {
		return
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if e, ok := k.keys[key]; ok {
		k.drop(e)
	}
}

// bucket returns key's bucket, marked as used now. k.mu must be held.
func (k *Keyed[K]) bucket(key K, now time.Time) *rate.Limiter {
	if e, ok := k.keys[key]; ok {
		k.lru.MoveToFront(e)
		return e.Value.(*bucket[K]).lim
	}
	for range idleChecks {
		e := k.lru.Back()
		if e == nil || !k.idle(e.Value.(*bucket[K]).lim, now) {
			break
		}
		k.drop(e)
	}
	if k.lru.Len() >= k.max {
		k.drop(k.lru.Back())
	}
	b := &bucket[K]{key: key, lim: k.rate.NewLimiter()}
	k.keys[key] = k.lru.PushFront(b)
	return b.lim
}

func (k *Keyed[K]) idle(lim *rate.Limiter, now time.Time) bool {
	return lim.TokensAt(now) >= float64(k.rate.Burst)
}

func (k *Keyed[K]) drop(e *list.Element) {
	delete(k.keys, e.Value.(*bucket[K]).key)
	k.lru.Remove(e)
}

// Len is the number of keys kept.
func (k *Keyed[K]) Len() int {
	k.mu.Lock()
	defer k.mu.Unlock()
	return k.lru.Len()
}
