package clustertest

import (
	"strings"
	"testing"
	"time"
)

// The scenarios of issue 16 where a node comes back and Proto.Actor's
// placement moves grains to it (a rebalance), and the paused node. They
// were behind a build tag until the probes and repairs of docs/cluster.md
// §1 made them pass (2026-12-03: 10, 9 and 10 runs of 10, then the last
// FIFO break mended).

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
