//go:build clusterwip

package clustertest

import "testing"

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
