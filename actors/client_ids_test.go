package actors

import (
	"fmt"
	"testing"
)

// TestClientIDsForgetOnlyOldStored: per sender, ids beyond the newest
// rememberCIDs are forgotten once stored, never before; another sender's
// ids are not pushed out.
func TestClientIDsForgetOnlyOldStored(t *testing.T) {
	var ids clientIDs
	ids.put("agent", sentID{cid: "a-0", seq: 1}, 0) // never stored below
	const n = 5 * rememberCIDs
	for i := range n {
		seq := uint64(i + 2)
		ids.put("customer", sentID{cid: fmt.Sprint("c-", i), seq: seq}, seq-1) // taken, the ones before stored
		ids.put("customer", sentID{cid: fmt.Sprint("c-", i), seq: seq}, seq)
	}
	if _, ok := ids.find("agent", "a-0"); !ok {
		t.Fatal("the agent's id was pushed out by the customer's")
	}
	if got := len(ids.of("customer").ids); got > 2*rememberCIDs {
		t.Fatalf("%d customer ids kept, want at most %d", got, 2*rememberCIDs)
	}
	for i := n - rememberCIDs; i < n; i++ {
		if got, ok := ids.find("customer", fmt.Sprint("c-", i)); !ok || got.seq != uint64(i+2) {
			t.Fatalf("newest id c-%d: %+v, %v", i, got, ok)
		}
	}
	// Unstored ids are kept however many there are.
	for i := range n {
		ids.put("slow", sentID{cid: fmt.Sprint("s-", i), seq: uint64(1000 + i)}, 999)
	}
	if got := len(ids.of("slow").ids); got != n {
		t.Fatalf("%d unstored ids kept, want all %d", got, n)
	}
	ids.drop("slow", "s-3")
	if _, ok := ids.find("slow", "s-3"); ok {
		t.Fatal("dropped id still found")
	}
}

// TestCIDFilter: the filter never forgets an id it was given, and for a
// conversation of a few hundred messages rarely claims one it was not.
func TestCIDFilter(t *testing.T) {
	var ids clientIDs
	const n = 600
	for i := range n {
		ids.mark("cu_a", fmt.Sprint("c-", i))
	}
	for i := range n {
		if !ids.maybeSeen("cu_a", fmt.Sprint("c-", i)) {
			t.Fatalf("c-%d forgotten", i)
		}
	}
	claimed := 0
	for i := range 10_000 {
		if ids.maybeSeen("cu_a", fmt.Sprint("new-", i)) {
			claimed++
		}
	}
	if claimed > 300 { // about 1 % expected at 600
		t.Fatalf("%d of 10,000 new ids taken as seen", claimed)
	}
}
