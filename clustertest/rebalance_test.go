//go:build clusterwip

package clustertest

import (
	"strings"
	"testing"
	"time"
)

// The two scenarios of issue 16 where a node comes back and Proto.Actor's
// placement moves grains to it (a rebalance). They pass about two runs in
// three (2026-12-02, after the fixes listed in docs/cluster.md §1): in
// the others a client still stalls, or a customer is passed over, after
// two or three moves in a few seconds. Run them with
// `make test-cluster-wip`; they join `make test` when they pass
// reliably. docs/cluster.md, "Known limits".

// TestRestartKilledNode: kill -9 a node, and start it again once the
// others have taken over; conversations move back to it (a rebalance).
func TestRestartKilledNode(t *testing.T) {
	s := newCluster(t)
	runLoad(t, s, func() {
		i := s.busiestNode(t)
		s.kill(i)
		s.waitMembers(t, i, clusterSize-1)
		s.restart(i)
		s.waitReady(t, i)
	})
}

// TestRollingRestart: stop each node in turn (SIGTERM) and start it again,
// under load, as a deploy does.
func TestRollingRestart(t *testing.T) {
	s := newCluster(t)
	runLoad(t, s, func() {
		for i := range s.nodes {
			s.down(i)
			s.nodes[i].current().Stop(t)
			s.restart(i)
			s.waitReady(t, i)
		}
	})
}

// TestPausedNodeFenced passed five runs of five, then failed in a clean-clone
// CI run at f070dd9: it is here until it passes reliably.
// TestPausedNodeFenced: freeze a node (SIGSTOP) past its lease, then wake
// it: it must find its lease gone and exit by itself, and nothing it tried
// to write meanwhile may have been acknowledged (the epoch check).
func TestPausedNodeFenced(t *testing.T) {
	s := newCluster(t)
	runLoad(t, s, func() {
		i := s.busiestNode(t)
		s.pause(i)
		<-time.After(pauseFor) // the fault itself: a node frozen this long
		s.resume(i)
		p := s.nodes[i].current()
		select {
		case <-p.Exited():
		case <-time.After(20 * time.Second):
			t.Fatalf("node%d still running after its lease ran out", i)
		}
		if !strings.Contains(p.Log.String(), "lease lost") {
			t.Errorf("node%d exited without saying its lease was lost:\\n%s", i, p.Log)
		}
	})
}
