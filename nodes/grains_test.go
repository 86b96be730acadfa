package nodes

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"kefu/internal/poll"
)

// waitMembers polls until every child sees n members.
func waitMembers(t *testing.T, members []*child, n int) {
	t.Helper()
	want := "members " + string(rune('0'+n))
	for _, c := range members {
		poll.Until(t, 20*time.Second, fmt.Sprintf("member %s seeing %d members", c.addr, n), func() bool { return c.do(t, "members") == want })
	}
}

// A grain addressed through each member's stable PID is one activation.
func TestGrainResolvesOnce(t *testing.T) {
	members := startCluster(t, 3)
	waitMembers(t, members, 3)
	owner := ""
	for i, c := range members {
		node, seen := c.ask(t, "g1")
		if i == 0 {
			owner = node
		}
		if node != owner || seen != i+1 {
			t.Fatalf("member %d reached %s (seen %d), want %s (seen %d)", i, node, seen, owner, i+1)
		}
	}
}

// When the grain's node dies (kill -9), a watcher of the stable PID hears
// Terminated for that same PID, and the next message reaches a fresh
// activation on a surviving member.
func TestGrainMovedResolves(t *testing.T) {
	members := startCluster(t, 3)
	waitMembers(t, members, 3)
	owner, _ := members[0].ask(t, "g2")
	var dying *child
	var survivors []*child
	for _, c := range members {
		if c.addr == owner {
			dying = c
		} else {
			survivors = append(survivors, c)
		}
	}
	from := survivors[0]
	if _, seen := from.ask(t, "g2"); seen != 2 {
		t.Fatalf("second ask saw %d", seen)
	}
	if got := from.do(t, "watch g2"); got != "watching" {
		t.Fatal(got)
	}
	start := time.Now()
	dying.kill()
	if got := from.next(t, 20*time.Second); got != "terminated true" {
		t.Fatalf("watcher: %q, want Terminated for the stable PID", got)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		node, seen := from.ask(t, "g2")
		if node != owner {
			if seen != 1 {
				t.Fatalf("the new activation has seen %d messages, want a fresh one", seen)
			}
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("grain never moved")
		}
	}
	t.Logf("re-homed in %v", time.Since(start))
}

// A grain that stops itself is activated afresh by the next message, from
// every member: the placement actor forgets it and no member keeps its
// stale address.
func TestGrainStoppedResolves(t *testing.T) {
	members := startCluster(t, 3)
	waitMembers(t, members, 3)
	for _, c := range members {
		c.ask(t, "g3")
	}
	if got := members[0].do(t, stopWord+" g3"); !strings.HasPrefix(got, "answer ") {
		t.Fatalf("stop: %s", got)
	}
	for i, c := range members {
		deadline := time.Now().Add(10 * time.Second)
		for {
			line := c.do(t, "ask g3")
			if strings.HasPrefix(line, "answer ") {
				break // a fresh activation, or the old one's successor
			}
			if time.Now().After(deadline) {
				t.Fatalf("member %d never reached g3 again: %s", i, line)
			}
		}
	}
}

// A grain that stops as it starts is activated again by each message (and
// stops again): no member keeps sending to the first, stopped activation.
func TestGrainStillbornResolvesAgain(t *testing.T) {
	members := startCluster(t, 3)
	waitMembers(t, members, 3)
	// Before: the stable process deadlocked on the dead letter's
	// synchronous Terminated, and the member stopped answering.
	for i, c := range members {
		if line := c.do(t, "activations "+stillborn+"1"); !strings.HasPrefix(line, "distinct") {
			t.Fatalf("member %d: %s", i, line)
		}
	}
	for _, c := range members {
		c.ask(t, "g4") // still serving
	}
}
