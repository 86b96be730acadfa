package nodes

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync"
	"testing"
	"time"

	"kefu/internal/poll"
	"kefu/store"
)

// fakeLeases is a store.Fencing whose answers the test sets.
type fakeLeases struct {
	mu      sync.Mutex
	err     error         // RenewLease's answer
	live    []store.Lease // its view
	block   chan struct{} // when set, RenewLease waits on it
	renewed int
	evicted []string
}

func (f *fakeLeases) RenewLease(ctx context.Context, node, addr string, ttl time.Duration) (store.LeaseView, error) {
	f.mu.Lock()
	block := f.block
	f.mu.Unlock()
	if block != nil {
		select {
		case <-block:
		case <-ctx.Done():
			return store.LeaseView{}, ctx.Err()
		}
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.renewed++
	return store.LeaseView{Live: f.live}, f.err
}
func (f *fakeLeases) Evict(_ context.Context, node string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.evicted = append(f.evicted, node)
	return nil
}
func (f *fakeLeases) Release(context.Context, string) error                { return nil }
func (f *fakeLeases) Claim(context.Context, string, string) (int64, error) { return 0, nil }
func (f *fakeLeases) Epoch(context.Context, string) (int64, error)         { return 0, nil }

func (f *fakeLeases) set(fn func(f *fakeLeases)) { f.mu.Lock(); fn(f); f.mu.Unlock() }

type fakeMembers struct {
	mu    sync.Mutex
	addrs []string
}

func (m *fakeMembers) Addresses() []string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return append([]string(nil), m.addrs...)
}

func (m *fakeMembers) set(addrs ...string) { m.mu.Lock(); m.addrs = addrs; m.mu.Unlock() }

func leasesOf(addrs ...string) []store.Lease {
	out := make([]store.Lease, len(addrs))
	for i, a := range addrs {
		out[i] = store.Lease{Node: "n" + a, Address: a}
	}
	return out
}

func startKeeper(t *testing.T, st *fakeLeases, members *fakeMembers) (*LeaseKeeper, chan error) {
	cfg := LeaseConfig{Every: 10 * time.Millisecond, TTL: 150 * time.Millisecond, Majority: 2}
	k := NewLeaseKeeper(st, "n1", "a1", cfg, members, slog.New(slog.NewTextHandler(io.Discard, nil)))
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- k.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })
	return k, done
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	poll.Until(t, 5*time.Second, what, cond)
}

func waitLost(t *testing.T, done chan error) error {
	t.Helper()
	select {
	case err := <-done:
		if !errors.Is(err, ErrLeaseLost) {
			t.Fatalf("Run returned %v, want ErrLeaseLost", err)
		}
		done <- err // for the cleanup
		return err
	case <-time.After(5 * time.Second):
		t.Fatal("the keeper kept running")
		return nil
	}
}

func TestLeaseReadyWhenAgreed(t *testing.T) {
	st := &fakeLeases{live: leasesOf("a1", "a2")}
	members := &fakeMembers{}
	members.set("a1")
	k, _ := startKeeper(t, st, members)
	// One member seen: no majority, not ready, but no exit either.
	waitFor(t, "renewals", func() bool { st.mu.Lock(); defer st.mu.Unlock(); return st.renewed > 3 })
	if k.Ready() {
		t.Fatal("ready without a majority of members")
	}
	members.set("a1", "a2")
	waitFor(t, "ready", k.Ready)
	// A member the store has no lease for: they disagree, not ready.
	members.set("a1", "a2", "a3")
	waitFor(t, "unready while membership and leases differ", func() bool { return !k.Ready() })
}

func TestLeaseEvictedExits(t *testing.T) {
	st := &fakeLeases{live: leasesOf("a1", "a2")}
	members := &fakeMembers{}
	members.set("a1", "a2")
	k, done := startKeeper(t, st, members)
	waitFor(t, "ready", k.Ready)
	st.set(func(f *fakeLeases) { f.err = store.ErrNoLease })
	waitLost(t, done)
	if k.Ready() {
		t.Fatal("ready after the lease was lost")
	}
}

// A renewal that hangs past the TTL (a paused node, a stuck database)
// ends the node: its lease is gone whatever the store says later.
func TestLeaseStuckRenewalExits(t *testing.T) {
	st := &fakeLeases{live: leasesOf("a1", "a2")}
	members := &fakeMembers{}
	members.set("a1", "a2")
	k, done := startKeeper(t, st, members)
	waitFor(t, "ready", k.Ready)
	block := make(chan struct{})
	st.set(func(f *fakeLeases) { f.block = block })
	err := waitLost(t, done)
	close(block)
	t.Log(err)
}

func TestLeaseLostMajorityExits(t *testing.T) {
	st := &fakeLeases{live: leasesOf("a1", "a2")}
	members := &fakeMembers{}
	members.set("a1", "a2")
	k, done := startKeeper(t, st, members)
	waitFor(t, "ready", k.Ready)
	members.set("a1")
	waitLost(t, done)
}

// A node that left the membership but still holds its lease (it was cut
// off, and may come back) leaves its peers ready, and is evicted once it
// has been gone for a TTL.
func TestLeaseEvictsGoneNode(t *testing.T) {
	st := &fakeLeases{live: leasesOf("a1", "a2", "a3")}
	members := &fakeMembers{}
	members.set("a1", "a2", "a3")
	k, _ := startKeeper(t, st, members)
	waitFor(t, "ready", k.Ready)
	members.set("a1", "a2")
	waitFor(t, "a3 evicted", func() bool {
		st.mu.Lock()
		defer st.mu.Unlock()
		return len(st.evicted) > 0
	})
	st.mu.Lock()
	evicted := st.evicted
	st.mu.Unlock()
	if evicted[0] != "na3" {
		t.Fatalf("evicted %v, want na3", evicted)
	}
	if !k.Ready() {
		t.Fatal("unready while a gone node's lease lingers")
	}
}
