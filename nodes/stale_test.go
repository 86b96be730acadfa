package nodes

import (
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/cluster"
)

// TestStaleTopology: a member seen to go away makes the view stale while
// that same member is listed, and no longer once it is dropped or a new
// member (a restarted node) holds its address: resolutions wait only for
// a view that is about to change.
func TestStaleTopology(t *testing.T) {
	const addr = "127.0.0.1:2"
	m := &membership{}
	list := func(id string) {
		live := map[string]string{}
		if id != "" {
			live[addr] = id
		}
		m.view.Store(&topologyView{live: live, rdv: cluster.NewRendezvous()})
	}
	n := &grains{members: m, cfg: DefaultGrainConfig()}

	list("")
	n.nodeGone(addr, "old")
	if n.staleTopology() {
		t.Fatal("stale for a member that was not listed")
	}
	list("new")
	n.nodeGone(addr, "old")
	if n.staleTopology() {
		t.Fatal("stale after the old member's late end, a restarted node at its address")
	}
	list("old")
	n.nodeGone(addr, "old")
	if !n.staleTopology() {
		t.Fatal("not stale while the member seen gone is listed")
	}
	list("new")
	if n.staleTopology() {
		t.Fatal("stale though a restarted node holds the address")
	}
	list("old")
	n.nodeGone(addr, "old")
	list("")
	if n.staleTopology() {
		t.Fatal("stale after the member was dropped")
	}
	// A live member's activation ended by the library's late close of
	// the connection of the process before it: believed for StaleFor only.
	list("new")
	n.gone.Store(addr, goneMember{id: "new", at: time.Now().Add(-n.cfg.StaleFor - time.Millisecond)})
	if n.staleTopology() {
		t.Fatal("stale for longer than StaleFor")
	}
}

// fixedMembers lists the same addresses always.
type fixedMembers []string

func (f fixedMembers) Addresses() []string { return f }

// TestMayClaimCountsMembersNow: a node whose last renewal saw a majority
// may not claim once its peers have left its topology, before its next
// renewal: the second in which a cut-off node claimed on the far side of a
// partition.
func TestMayClaimCountsMembersNow(t *testing.T) {
	members := fixedMembers{"a", "b"}
	k := NewLeaseKeeper(nil, "n", "a", DefaultLeaseConfig(2), &members, nil)
	k.mayClaim.Store(true)
	if !k.MayClaim() {
		t.Fatal("may not claim with its lease and two members of three")
	}
	members = fixedMembers{"a"}
	if k.MayClaim() {
		t.Fatal("may claim alone, its peers gone from its topology")
	}
}
