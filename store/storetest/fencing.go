package storetest

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"kefu/store"
)

// Leases in these tests: long enough never to run out under a slow -race
// run, except expiringTTL's, which the test waits out.
const (
	longTTL     = time.Minute
	expiringTTL = 300 * time.Millisecond
	// expiryDeadline bounds the wait for a short lease to run out.
	expiryDeadline = 10 * time.Second
)

func testFencing(t *testing.T, open Opener) {
	t.Run("ClaimBumps", func(t *testing.T) { testClaimBumps(t, open(t)) })
	t.Run("OKFreshFence", func(t *testing.T) { testFreshFence(t, open(t)) })
	t.Run("OKUnfenced", func(t *testing.T) { testUnfenced(t, open(t)) })
	t.Run("ErrStaleFence", func(t *testing.T) { testStaleFence(t, open(t)) })
	t.Run("ErrNeverClaimed", func(t *testing.T) { testNeverClaimed(t, open(t)) })
	t.Run("ErrClaimWithoutLease", func(t *testing.T) { testClaimWithoutLease(t, open(t)) })
	t.Run("ErrFenceInvalid", func(t *testing.T) { testFenceInvalid(t, open(t)) })
	t.Run("LeaseView", func(t *testing.T) { testLeaseView(t, open(t)) })
	t.Run("LeaseExpires", func(t *testing.T) { testLeaseExpires(t, open(t)) })
	t.Run("ErrEvictedRenews", func(t *testing.T) { testEvicted(t, open(t)) })
	t.Run("ErrReleasedRenews", func(t *testing.T) { testReleased(t, open(t)) })
	t.Run("ClaimAfterCommit", func(t *testing.T) { testClaimAfterCommit(t, open(t)) })
	t.Run("ClaimRacesCommits", func(t *testing.T) { testClaimRacesCommits(t, open) })
	t.Run("OtherNodesFence", func(t *testing.T) { testOtherNodesFence(t, open(t)) })
	t.Run("Epoch", func(t *testing.T) { testEpoch(t, open(t)) })
}

// mustRenew renews node's lease for ttl or fails tb.
func mustRenew(tb testing.TB, st store.Fencing, node string, ttl time.Duration) store.LeaseView {
	tb.Helper()
	v, err := st.RenewLease(context.Background(), node, node+".addr:1", ttl)
	if err != nil {
		tb.Fatalf("RenewLease(%q): %v", node, err)
	}
	return v
}

// mustClaim claims key for node or fails tb.
func mustClaim(tb testing.TB, st store.Fencing, key, node string) int64 {
	tb.Helper()
	e, err := st.Claim(context.Background(), key, node)
	if err != nil {
		tb.Fatalf("Claim(%q, %q): %v", key, node, err)
	}
	return e
}

// fencedBatch is a batch creating conversation conv (if create) and
// storing its message seq, fenced by node at epoch.
func fencedBatch(conv string, create bool, seq uint64, node string, epoch int64) *store.Batch {
	b := &store.Batch{
		Messages:  []store.Message{newMsg(conv, seq)},
		Fences:    []store.Fence{{Key: conv, Epoch: epoch}},
		FenceNode: node,
	}
	if create {
		b.Conversations = []store.Conversation{newConv(conv, 1, at(0))}
	}
	return b
}

// checkFenced fails tb unless err is ErrFenced naming exactly keys.
func checkFenced(tb testing.TB, err error, keys ...string) {
	tb.Helper()
	var f *store.FencedError
	if !errors.Is(err, store.ErrFenced) || !errors.As(err, &f) {
		tb.Fatalf("err=%v, want ErrFenced with a *FencedError", err)
	}
	if !slices.Equal(f.Keys, keys) {
		tb.Fatalf("fenced keys=%q, want %q", f.Keys, keys)
	}
}

// checkEpochs fails tb unless conv's messages are seq 1.. with these
// epochs.
func checkEpochs(tb testing.TB, st store.Conversations, conv string, epochs ...int64) {
	tb.Helper()
	msgs := mustMessages(tb, st, conv, 0, 0)
	got := make([]int64, len(msgs))
	for i, m := range msgs {
		if m.Seq != uint64(i+1) {
			tb.Fatalf("%s: message %d has seq %d, want %d", conv, i, m.Seq, i+1)
		}
		got[i] = m.Epoch
	}
	if !slices.Equal(got, epochs) {
		tb.Fatalf("%s: epochs by seq=%v, want %v", conv, got, epochs)
	}
}

// testClaimBumps: each claim is one more than the last, whoever claims.
func testClaimBumps(t *testing.T, st store.Store) {
	mustRenew(t, st, "n1", longTTL)
	mustRenew(t, st, "n2", longTTL)
	for i, node := range []string{"n1", "n1", "n2", "n1"} {
		if got, want := mustClaim(t, st, "cv_a", node), int64(i+1); got != want {
			t.Fatalf("claim %d by %s: epoch=%d, want %d", i, node, got, want)
		}
	}
	if got, want := mustClaim(t, st, "dispatcher/native", "n2"), int64(1); got != want {
		t.Fatalf("first claim of another key: epoch=%d, want %d", got, want)
	}
}

// testFreshFence: a batch fenced by the current owner at its epoch is
// stored, its messages under that epoch.
func testFreshFence(t *testing.T, st store.Store) {
	mustRenew(t, st, "n1", longTTL)
	e := mustClaim(t, st, "c1", "n1")
	mustApply(t, st, fencedBatch("c1", true, 1, "n1", e))
	b := fencedBatch("c1", false, 2, "n1", e)
	b.Messages[0].Epoch = 99 // ignored: the fence says
	mustApply(t, st, b)
	checkEpochs(t, st, "c1", e, e)
	m, err := st.MessageByClientID(context.Background(), "c1", "cu_c1", "c2")
	if err != nil || m.Epoch != e {
		t.Fatalf("MessageByClientID: epoch=%d, %v, want %d", m.Epoch, err, e)
	}
}

// testUnfenced: without fences nothing is checked and messages have epoch 0.
func testUnfenced(t *testing.T, st store.Store) {
	mustApply(t, st, fullBatch())
	for _, m := range mustMessages(t, st, "c1", 0, 0) {
		if m.Epoch != 0 {
			t.Fatalf("unfenced message %d: epoch=%d, want 0", m.Seq, m.Epoch)
		}
	}
}

// testStaleFence: once another node claimed the key, the old owner's
// batch is refused whole, naming the stale key (not the fresh one it also
// carried), and nothing of it is stored.
func testStaleFence(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustRenew(t, st, "n1", longTTL)
	mustRenew(t, st, "n2", longTTL)
	old := mustClaim(t, st, "c1", "n1")
	fresh := mustClaim(t, st, "c2", "n1")
	mustClaim(t, st, "c1", "n2")

	b := fencedBatch("c1", true, 1, "n1", old)
	b.Append(fencedBatch("c2", true, 1, "n1", fresh))
	checkFenced(t, st.Apply(ctx, b), "c1")
	for _, conv := range []string{"c1", "c2"} {
		if _, err := st.Conversation(ctx, conv); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("Conversation(%q) after a fenced batch: err=%v, want ErrNotFound", conv, err)
		}
	}
	// The same epoch from the node that now owns it is no fence either:
	// an epoch belongs to its claimer.
	checkFenced(t, st.Apply(ctx, fencedBatch("c1", true, 1, "n2", old)), "c1")
}

// testNeverClaimed: a fence on a key nobody claimed is stale.
func testNeverClaimed(t *testing.T, st store.Store) {
	mustRenew(t, st, "n1", longTTL)
	checkFenced(t, st.Apply(context.Background(), fencedBatch("c1", true, 1, "n1", 1)), "c1")
}

// testClaimWithoutLease: a node without a live lease cannot claim, and the
// epoch stays.
func testClaimWithoutLease(t *testing.T, st store.Store) {
	mustRenew(t, st, "n1", longTTL)
	mustClaim(t, st, "c1", "n1")
	if _, err := st.Claim(context.Background(), "c1", "ghost"); !errors.Is(err, store.ErrNoLease) {
		t.Fatalf("Claim by a node without a lease: err=%v, want ErrNoLease", err)
	}
	if got, want := mustClaim(t, st, "c1", "n1"), int64(2); got != want {
		t.Fatalf("epoch after a refused claim=%d, want %d", got, want)
	}
}

// testFenceInvalid: a fence without a node, or without a key or epoch,
// is the input's fault.
func testFenceInvalid(t *testing.T, st store.Store) {
	ctx := context.Background()
	for name, b := range map[string]*store.Batch{
		"NoNode":  fencedBatch("c1", true, 1, "", 1),
		"NoKey":   {Conversations: []store.Conversation{newConv("c1", 1, at(0))}, Fences: []store.Fence{{Epoch: 1}}, FenceNode: "n1"},
		"NoEpoch": fencedBatch("c1", true, 1, "n1", 0),
	} {
		if err := st.Apply(ctx, b); !errors.Is(err, store.ErrInvalid) {
			t.Fatalf("%s: Apply err=%v, want ErrInvalid", name, err)
		}
	}
	if _, err := st.RenewLease(ctx, "", "a:1", longTTL); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("RenewLease(no node) err=%v, want ErrInvalid", err)
	}
	if _, err := st.RenewLease(ctx, "n1", "a:1", 0); !errors.Is(err, store.ErrInvalid) {
		t.Fatalf("RenewLease(ttl 0) err=%v, want ErrInvalid", err)
	}
}

// testLeaseView: a renewal returns every live lease by node, with the
// database's time and its own new expiry.
func testLeaseView(t *testing.T, st store.Store) {
	mustRenew(t, st, "n2", longTTL)
	mustRenew(t, st, "n1", longTTL)
	v := mustRenew(t, st, "n1", longTTL)
	var nodes []string
	for _, l := range v.Live {
		nodes = append(nodes, l.Node)
		if l.Address != l.Node+".addr:1" {
			t.Fatalf("lease of %s: address=%q", l.Node, l.Address)
		}
	}
	if want := []string{"n1", "n2"}; !slices.Equal(nodes, want) {
		t.Fatalf("live=%q, want %q", nodes, want)
	}
	if left := v.Expires.Sub(v.Now); left < longTTL-time.Second || left > longTTL {
		t.Fatalf("lease left=%v, want about %v", left, longTTL)
	}
}

// testLeaseExpires: a lease not renewed runs out by the database's clock:
// its node can no longer claim, write fenced, nor renew, and its peers no
// longer see it.
func testLeaseExpires(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustRenew(t, st, "n2", longTTL)
	mustRenew(t, st, "n1", expiringTTL)
	e := mustClaim(t, st, "c1", "n1")
	deadline := time.Now().Add(expiryDeadline)
	for {
		_, err := st.Claim(ctx, "c2", "n1")
		if errors.Is(err, store.ErrNoLease) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if time.Now().After(deadline) {
			t.Fatalf("lease of %v still live after %v", expiringTTL, expiryDeadline)
		}
		time.Sleep(expiringTTL / 10) // polling, bounded by the deadline
	}
	checkFenced(t, st.Apply(ctx, fencedBatch("c1", true, 1, "n1", e)), "c1")
	if _, err := st.RenewLease(ctx, "n1", "a:1", longTTL); !errors.Is(err, store.ErrNoLease) {
		t.Fatalf("RenewLease after expiry: err=%v, want ErrNoLease", err)
	}
	for _, l := range mustRenew(t, st, "n2", longTTL).Live {
		if l.Node == "n1" {
			t.Fatalf("expired lease still live: %+v", l)
		}
	}
}

// testEvicted: an evicted node can neither renew, claim nor write, even
// with the epoch it holds; a node evicted before it was ever seen cannot
// take a lease either.
func testEvicted(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustRenew(t, st, "n1", longTTL)
	e := mustClaim(t, st, "c1", "n1")
	for range 2 { // evicting twice is no error
		if err := st.Evict(ctx, "n1"); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := st.RenewLease(ctx, "n1", "a:1", longTTL); !errors.Is(err, store.ErrNoLease) {
		t.Fatalf("RenewLease after Evict: err=%v, want ErrNoLease", err)
	}
	if _, err := st.Claim(ctx, "c1", "n1"); !errors.Is(err, store.ErrNoLease) {
		t.Fatalf("Claim after Evict: err=%v, want ErrNoLease", err)
	}
	checkFenced(t, st.Apply(ctx, fencedBatch("c1", true, 1, "n1", e)), "c1")

	if err := st.Evict(ctx, "n9"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.RenewLease(ctx, "n9", "a:1", longTTL); !errors.Is(err, store.ErrNoLease) {
		t.Fatalf("RenewLease of a node evicted unseen: err=%v, want ErrNoLease", err)
	}
}

// testReleased: a released lease ends at once and cannot be renewed.
func testReleased(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustRenew(t, st, "n1", longTTL)
	if err := st.Release(ctx, "n1"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Claim(ctx, "c1", "n1"); !errors.Is(err, store.ErrNoLease) {
		t.Fatalf("Claim after Release: err=%v, want ErrNoLease", err)
	}
	if _, err := st.RenewLease(ctx, "n1", "a:1", longTTL); !errors.Is(err, store.ErrNoLease) {
		t.Fatalf("RenewLease after Release: err=%v, want ErrNoLease", err)
	}
	if err := st.Release(ctx, "unknown"); err != nil {
		t.Fatalf("Release(unknown)=%v, want nil", err)
	}
}

// testClaimAfterCommit: the two orders one after the other. A commit
// before the claim stays, under the old epoch; after the claim the old
// epoch is refused and the new one commits.
func testClaimAfterCommit(t *testing.T, st store.Store) {
	ctx := context.Background()
	mustRenew(t, st, "n1", longTTL)
	mustRenew(t, st, "n2", longTTL)
	e1 := mustClaim(t, st, "c1", "n1")
	mustApply(t, st, fencedBatch("c1", true, 1, "n1", e1))
	e2 := mustClaim(t, st, "c1", "n2")
	checkFenced(t, st.Apply(ctx, fencedBatch("c1", false, 2, "n1", e1)), "c1")
	mustApply(t, st, fencedBatch("c1", false, 2, "n2", e2))
	checkEpochs(t, st, "c1", e1, e2)
}

// testOtherNodesFence: a fence naming another node's claim (Fence.Node) is
// checked against that node, not the writer's: it holds while the claim
// is the key's latest, and is refused once the key is claimed again or
// when it names a node that never held it. Only the fences that are stale
// are named, even where one commit carries the key under two epochs.
func testOtherNodesFence(t *testing.T, st store.Store) {
	mustRenew(t, st, "n1", longTTL)
	mustRenew(t, st, "n2", longTTL)
	const dk = "dispatcher/native"
	old := store.Fence{Key: dk, Epoch: mustClaim(t, st, dk, "n1"), Node: "n1"}
	started := func(conv string, fences ...store.Fence) *store.Batch {
		b := fencedBatch(conv, true, 1, "n2", mustClaim(t, st, conv, "n2"))
		b.Fences = append(b.Fences, fences...)
		return b
	}
	mustApply(t, st, started("c1", old))
	checkEpochs(t, st, "c1", 1)

	wrongNode := old
	wrongNode.Node = "n3"
	checkFenced(t, st.Apply(context.Background(), started("c2", wrongNode)), dk)

	live := store.Fence{Key: dk, Epoch: mustClaim(t, st, dk, "n2")} // the writer's own
	err := st.Apply(context.Background(), started("c3", old))
	checkFenced(t, err, dk)
	both := started("c4", live, old)
	err = st.Apply(context.Background(), both)
	checkFenced(t, err, dk)
	var f *store.FencedError
	errors.As(err, &f)
	if !f.Stale([]store.Fence{old}) || f.Stale([]store.Fence{live}) || f.Stale(both.Fences[:1]) {
		t.Fatalf("stale fences=%+v: want the old dispatcher's only", f.Fences)
	}
	for _, conv := range []string{"c2", "c3", "c4"} {
		if _, err := st.Conversation(context.Background(), conv); !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("%s after a refused start: err=%v, want ErrNotFound", conv, err)
		}
	}
	mustApply(t, st, started("c5", live))
}

// testEpoch: a key's current epoch is its last claim's, whoever claimed;
// 0 for a key nobody claimed.
func testEpoch(t *testing.T, st store.Store) {
	ctx := context.Background()
	if e, err := st.Epoch(ctx, "cv_never"); err != nil || e != 0 {
		t.Fatalf("Epoch of an unclaimed key=%d, %v; want 0", e, err)
	}
	mustRenew(t, st, "n1", longTTL)
	mustRenew(t, st, "n2", longTTL)
	mustClaim(t, st, "cv_a", "n1")
	want := mustClaim(t, st, "cv_a", "n2")
	if e, err := st.Epoch(ctx, "cv_a"); err != nil || e != want {
		t.Fatalf("Epoch=%d, %v; want %d", e, err, want)
	}
}
