package limit

import (
	"testing"
	"time"
)

// fakeClock is a time the test moves by hand.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time { return c.t }

func newTestKeyed(r Rate, max int) (*Keyed[string], *fakeClock) {
	clock := &fakeClock{t: time.Unix(1_800_000_000, 0)}
	k := NewKeyed[string](r, max)
	k.now = clock.now
	return k, clock
}

func TestKeyedAllow(t *testing.T) {
	t.Run("OK", func(t *testing.T) {
		k, _ := newTestKeyed(Rate{Limit: 1, Burst: 2}, 10)
		for i := range 2 {
			if ok, _ := k.Allow("a"); !ok {
				t.Fatalf("Allow #%d refused within the burst", i+1)
			}
		}
		if ok, _ := k.Allow("b"); !ok {
			t.Fatal("another key refused: buckets are not per key")
		}
	})
	t.Run("ErrEmpty", func(t *testing.T) {
		k, clock := newTestKeyed(Rate{Limit: 1, Burst: 2}, 10)
		k.Allow("a")
		k.Allow("a")
		ok, retry := k.Allow("a")
		if ok {
			t.Fatal("Allow past the burst: ok, want refused")
		}
		if got, want := retry, time.Second; got != want {
			t.Fatalf("retry=%v, want %v", got, want)
		}
		clock.t = clock.t.Add(retry)
		if ok, _ := k.Allow("a"); !ok {
			t.Fatal("refused after waiting the retry")
		}
	})
	t.Run("OKUnlimited", func(t *testing.T) {
		k, _ := newTestKeyed(Unlimited(), 1)
		for range 100 {
			if ok, _ := k.Allow("a"); !ok {
				t.Fatal("Unlimited refused")
			}
		}
		if got, want := k.Len(), 0; got != want {
			t.Fatalf("Len=%d, want %d: an unlimited bucket needs no memory", got, want)
		}
	})
	t.Run("OKForget", func(t *testing.T) {
		k, _ := newTestKeyed(Rate{Limit: 1, Burst: 1}, 10)
		k.Allow("a")
		k.Forget("a")
		if ok, _ := k.Allow("a"); !ok {
			t.Fatal("refused after Forget")
		}
	})
}

func TestKeyedBounded(t *testing.T) {
	t.Run("OKSizeCap", func(t *testing.T) {
		k, _ := newTestKeyed(Rate{Limit: 1, Burst: 1}, 3)
		for _, key := range []string{"a", "b", "c", "a", "d"} {
			k.Allow(key)
		}
		if got, want := k.Len(), 3; got != want {
			t.Fatalf("Len=%d, want the cap %d", got, want)
		}
		// b was used longest ago, so it went: its bucket is full again.
		if ok, _ := k.Allow("b"); !ok {
			t.Fatal("b refused: want it evicted (least recently used)")
		}
		if ok, _ := k.Allow("a"); ok {
			t.Fatal("a allowed: want it kept (used recently), its bucket empty")
		}
	})
	t.Run("OKIdleDropped", func(t *testing.T) {
		k, clock := newTestKeyed(Rate{Limit: 1, Burst: 1}, 100)
		k.Allow("a")
		k.Allow("b")
		clock.t = clock.t.Add(time.Second) // both buckets full again: idle
		k.Allow("c")
		if got, want := k.Len(), 1; got != want {
			t.Fatalf("Len=%d, want %d: idle keys dropped on insertion", got, want)
		}
	})
	t.Run("OKBusyKept", func(t *testing.T) {
		k, clock := newTestKeyed(Rate{Limit: 1, Burst: 1}, 100)
		k.Allow("a")
		clock.t = clock.t.Add(500 * time.Millisecond) // half refilled: not idle
		k.Allow("b")
		if got, want := k.Len(), 2; got != want {
			t.Fatalf("Len=%d, want %d: a key still limited is kept", got, want)
		}
	})
}
