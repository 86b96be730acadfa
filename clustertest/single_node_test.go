package clustertest

import (
	"context"
	"testing"
	"time"
)

// Scenario shape (docs/cluster-plan.md §6): 10 agents of capacity 2 and 30
// customers, so a third of the customers queue at any time and the queue
// keeps moving as conversations end.
const (
	scenarioAgents    = 10
	scenarioCapacity  = 2
	scenarioCustomers = 30
	loadFor           = 15 * time.Second
	// killAfter acknowledged messages the node dies: mid-load, with
	// conversations open and customers queued.
	killAfter = 120
	// scenarioWait bounds a whole run, the drain included: only a hang
	// reaches it.
	scenarioWait = 2 * time.Minute
)

// TestSingleNodeKill9: one node under load is killed with SIGKILL and
// restarted on the same database; every client reconnects and resumes,
// the load drains, and every check holds (checks.go). It is the harness's
// proof on one process: the three-node scenarios add nodes and faults.
func TestSingleNodeKill9(t *testing.T) {
	s := newScenario(t, 1, scenarioAgents, scenarioCapacity, nil)
	report, db := runLoad(t, s, func() {
		s.kill(0)
		killedAt := time.Now()
		s.restart(0)
		t.Logf("restarted in %v", time.Since(killedAt).Round(time.Millisecond))
	})
	if report == nil {
		return
	}
	queued := 0
	for _, e := range db.Routing {
		if e.Kind == kindQueued {
			queued++
		}
	}
	t.Logf("%d customers queued", queued)
	if report.Resumes == 0 || queued == 0 {
		t.Error("no conversation resumed after the kill, or no customer queued: the checks had nothing to hold")
	}
}

// poll checks cond every pollEvery until it holds or ctx ends.
func poll(ctx context.Context, cond func() bool) bool {
	tick := time.NewTicker(pollEvery)
	defer tick.Stop()
	for !cond() {
		select {
		case <-ctx.Done():
			return false
		case <-tick.C:
		}
	}
	return true
}

const pollEvery = 10 * time.Millisecond
