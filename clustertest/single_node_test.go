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
	d := newDriver(s.servers, s.agents, scenarioCustomers, uint64(time.Now().UnixNano()))
	ctx, cancel := context.WithTimeout(context.Background(), scenarioWait)
	defer cancel()
	started := time.Now()
	wait := d.start(ctx)

	if !poll(ctx, func() bool { return d.acked.Load() >= killAfter }) {
		t.Fatalf("never reached %d acks before the kill\n%s", killAfter, s.logs())
	}
	s.kill(0)
	killedAt := time.Now()
	s.restart(0)
	t.Logf("killed after %v with %d acks; restarted in %v", killedAt.Sub(started).Round(time.Millisecond), d.acked.Load(), time.Since(killedAt).Round(time.Millisecond))

	select {
	case <-time.After(time.Until(started.Add(loadFor))):
	case <-ctx.Done():
	}
	d.endLoad()
	errs := wait()
	s.stopAll()
	for _, err := range errs {
		t.Error(err)
	}
	t.Logf("%s, in %v", d.summary(), time.Since(started).Round(time.Millisecond))
	if t.Failed() {
		t.Logf("server logs:\n%s", s.logs())
		return
	}
	db := loadStored(t, ctx, s.db)
	report := Check(d.records(), db, DefaultLimits)
	for _, p := range report.Problems {
		t.Error(p)
	}
	queued := 0
	for _, e := range db.Routing {
		if e.Kind == kindQueued {
			queued++
		}
	}
	t.Logf("%d conversations resumed after a drop, p99 %v; %d stored messages, %d conversations, %d customers queued",
		report.Resumes, report.ResumeP99, len(db.Messages), len(db.Convs), queued)
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
