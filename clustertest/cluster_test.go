package clustertest

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"kefu/internal/freeport"
)

// Three nodes of a cluster (docs/cluster.md): the scenarios of issue 16.

// clusterSize is how many nodes a scenario runs: the least with a majority
// that survives losing one.
const clusterSize = 3

// newCluster starts clusterSize nodes, each with -cluster-addr and every
// node's address as -cluster-peers, and waits until each reports ready
// (its lease, a membership that agrees with the leases).
func newCluster(t *testing.T) *scenario {
	t.Helper()
	skipShort(t)
	return newClusterAt(t, onLoopback(t), freeport.Pairs(t, clusterSize))
}

// newClusterAt is newCluster with the nodes where at says, node i's
// cluster listener on addrs[i].
func newClusterAt(t *testing.T, at placement, addrs []string) *scenario {
	t.Helper()
	peers := strings.Join(addrs, ",")
	s := newScenarioAt(t, at, clusterSize, scenarioAgents, scenarioCapacity, func(i int) []string {
		return []string{"-cluster-addr", addrs[i], "-cluster-peers", peers}
	})
	for i, n := range s.nodes {
		n.clusterAddr = addrs[i]
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	for i := range s.nodes {
		if !poll(ctx, func() bool { return s.ready(i) }) {
			t.Fatalf("node%d never ready\n%s", i, s.logs())
		}
	}
	return s
}

// ready reports whether node i's /readyz answers 200.
func (s *scenario) ready(i int) bool {
	res, err := http.Get("http://" + s.nodes[i].current().MetricsAddr + "/readyz")
	if err != nil {
		return false
	}
	res.Body.Close()
	return res.StatusCode == http.StatusOK
}

// afterFault is how long the load goes on once a fault is over, so that
// the clients resume and chat on the cluster that is left.
const afterFault = 5 * time.Second

// metrics is node i's /metrics page, "" when it does not answer.
func (s *scenario) metrics(i int) string {
	res, err := http.Get("http://" + s.nodes[i].current().MetricsAddr + "/metrics")
	if err != nil {
		return ""
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return string(b)
}

// runLoad drives the scenario's clients for loadFor, doing fault once
// killAfter messages are acknowledged and loading on for afterFault after
// it, then drains and runs every check.
// It returns the checks' report and what was stored, nil when the run
// already failed.
func runLoad(t *testing.T, s *scenario, fault func()) (*Report, *Stored) {
	t.Helper()
	d := newDriver(s.servers, s.agents, scenarioCustomers, uint64(time.Now().UnixNano()))
	ctx, cancel := context.WithTimeout(context.Background(), scenarioWait)
	defer cancel()
	started := time.Now()
	wait := d.start(ctx)
	if fault != nil {
		if !poll(ctx, func() bool { return d.acked.Load() >= killAfter }) {
			t.Fatalf("never reached %d acks before the fault\n%s", killAfter, s.logs())
		}
		at := time.Since(started)
		fault()
		t.Logf("fault at %v with %d acks, over after %v", at.Round(time.Millisecond), d.acked.Load(), (time.Since(started) - at).Round(time.Millisecond))
	}
	end := started.Add(loadFor)
	if fault != nil {
		end = later(end, time.Now().Add(afterFault))
	}
	select {
	case <-time.After(time.Until(end)):
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
		describeStalled(t, s.db, errs, d.records())
		t.Logf("server logs:\n%s", s.logs())
		return nil, nil
	}
	db := loadStored(t, ctx, s.db)
	lim := DefaultLimits
	lim.Outages = s.outages()
	report := Check(d.records(), db, lim)
	for _, p := range report.Problems {
		t.Error(p)
	}
	t.Logf("%d conversations resumed after a drop, p99 %v; %d stored messages, %d conversations",
		report.Resumes, report.ResumeP99, len(db.Messages), len(db.Convs))
	if len(report.Problems) > 0 {
		describeStalled(t, s.db, report.Problems, d.records())
		t.Logf("server logs:\n%s", s.logs())
	}
	return &report, db
}

// TestClusterSteady: three nodes, clients spread over them, no fault:
// every check holds when conversations, agents and the dispatcher live on
// other nodes than the sockets. Under the load, every node's supervisor
// view shows the same cluster-wide figures (supervision_test.go): the
// check stands where a fault would, so the load goes on afterFault once
// it has held.
func TestClusterSteady(t *testing.T) {
	s := newCluster(t)
	boss := s.addSupervisor(t)
	runLoad(t, s, func() { s.checkSupervision(t, boss) })
}
