package nodes

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/cluster"
)

// listMembers sets m's view to the members given as address → id.
func listMembers(t *testing.T, m *membership, members map[string]string) {
	t.Helper()
	v := &topologyView{live: map[string]string{}, rdv: cluster.NewRendezvous()}
	var list cluster.Members
	for addr, id := range members {
		host, port, _ := strings.Cut(addr, ":")
		p, err := strconv.Atoi(port)
		if err != nil {
			t.Fatal(err)
		}
		v.live[addr] = id
		list = append(list, &cluster.Member{Id: id, Host: host, Port: int32(p), Kinds: []string{"conv"}})
	}
	v.rdv.UpdateMembers(list)
	m.view.Store(v)
}

// TestStaleTopology: a member seen to go away holds the lookups of its
// grains while that same member is listed, and no longer once it is
// dropped or a new member (a restarted node) holds its address: a
// resolution waits only for a view that is about to change.
func TestStaleTopology(t *testing.T) {
	const addr = "127.0.0.1:2"
	m := &membership{}
	list := func(id string) {
		members := map[string]string{}
		if id != "" {
			members[addr] = id
		}
		listMembers(t, m, members)
	}
	n := &grains{members: m, cfg: DefaultGrainConfig()}
	stale := func() bool { return n.ownerGone("conv", "cv_1") } // addr owns every grain when listed

	list("")
	n.nodeGone(addr, "old")
	if stale() {
		t.Fatal("stale for a member that was not listed")
	}
	list("new")
	n.nodeGone(addr, "old")
	if stale() {
		t.Fatal("stale after the old member's late end, a restarted node at its address")
	}
	list("old")
	n.nodeGone(addr, "old")
	if !stale() {
		t.Fatal("not stale while the member seen gone is listed")
	}
	list("new")
	if stale() {
		t.Fatal("stale though a restarted node holds the address")
	}
	list("old")
	n.nodeGone(addr, "old")
	list("")
	if stale() {
		t.Fatal("stale after the member was dropped")
	}
	// A live member's activation ended by the library's late close of
	// the connection of the process before it: believed for StaleFor only.
	list("new")
	n.gone.Store(addr, goneMember{id: "new", at: time.Now().Add(-n.cfg.StaleFor - time.Millisecond)})
	if stale() {
		t.Fatal("stale for longer than StaleFor")
	}
}

// TestOwnerGoneOnlyItsGrains: while a dead member is still listed, only
// the grains it owns wait for the topology; the live member's resolve at
// once (rendezvous hashing will not move them).
func TestOwnerGoneOnlyItsGrains(t *testing.T) {
	const live, dead = "127.0.0.1:1", "127.0.0.1:2"
	m := &membership{}
	listMembers(t, m, map[string]string{live: "a", dead: "b"})
	n := &grains{members: m, cfg: DefaultGrainConfig()}
	n.nodeGone(dead, "b")
	var onLive, onDead int
	for i := range 200 {
		id := fmt.Sprintf("cv_%d", i)
		switch owner := m.owner("conv", id); {
		case owner == live && n.ownerGone("conv", id):
			t.Fatalf("%s, owned by the live member, waits", id)
		case owner == live:
			onLive++
		case !n.ownerGone("conv", id):
			t.Fatalf("%s, owned by the member seen gone, does not wait", id)
		default:
			onDead++
		}
	}
	if onLive == 0 || onDead == 0 {
		t.Fatalf("%d grains on the live member, %d on the dead one: want both", onLive, onDead)
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
