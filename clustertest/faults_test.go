package clustertest

import (
	"context"
	"net"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/asynkron/protoactor-go/cluster"
	"github.com/jackc/pgx/v5"
)

// The fault scenarios of issue 16, each on three nodes under the scenario
// load, each followed by every check of checks.go. Those where a node comes
// back and the cluster rebalances, and the paused node, are in
// rebalance_test.go.

// pauseFor is how long TestPausedNodeFenced freezes a node: longer than a
// lease (3 s), so its lease runs out while it cannot renew.
const pauseFor = 4 * time.Second

// TestKillConvOwner: kill -9 the node that owns the most open
// conversations; they come back on the others, their clients resume.
func TestKillConvOwner(t *testing.T) {
	s := newCluster(t)
	runLoad(t, s, func() { s.kill(s.busiestNode(t)) })
}

// TestKillDispatcherNode: kill -9 the node of the native pool's
// dispatcher while customers queue; the queue comes back from the store
// on another node, in order.
func TestKillDispatcherNode(t *testing.T) {
	s := newCluster(t)
	runLoad(t, s, func() { s.kill(s.ownerNode(t, "dispatcher", "native")) })
}

// busiestNode is the index of the live node that owns the most open
// conversations now, by the cluster's own placement rule.
func (s *scenario) busiestNode(t *testing.T) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, s.db)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	rows, err := conn.Query(ctx, `SELECT id FROM conversations WHERE ended_at IS NULL`)
	if err != nil {
		t.Fatal(err)
	}
	ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		t.Fatal(err)
	}
	count := make([]int, len(s.nodes))
	for _, id := range ids {
		count[s.owner("conv", id)]++
	}
	best := 0
	for i := range count {
		if count[i] > count[best] {
			best = i
		}
	}
	t.Logf("open conversations per node: %v; killing node%d", count, best)
	return best
}

// ownerNode is the index of the node that owns grain (kind, id).
func (s *scenario) ownerNode(t *testing.T, kind, id string) int {
	i := s.owner(kind, id)
	t.Logf("%s/%s lives on node%d", kind, id, i)
	return i
}

// owner computes where the cluster places (kind, id) among the live nodes:
// Proto.Actor's rendezvous hash over the members' addresses, as its
// placement does.
func (s *scenario) owner(kind, id string) int {
	s.mu.Lock()
	var members cluster.Members
	index := map[string]int{}
	for i, n := range s.nodes {
		if !n.up {
			continue
		}
		host, port, _ := net.SplitHostPort(n.clusterAddr)
		p, _ := strconv.Atoi(port)
		members = append(members, &cluster.Member{Id: n.clusterAddr, Host: host, Port: int32(p), Kinds: []string{"conv", "agent", "dispatcher"}})
		index[n.clusterAddr] = i
	}
	s.mu.Unlock()
	rdv := cluster.NewRendezvous()
	rdv.UpdateMembers(members)
	return index[rdv.GetByClusterIdentity(cluster.NewClusterIdentity(id, kind))]
}

// waitMembers waits until every live node but skip reports n members.
func (s *scenario) waitMembers(t *testing.T, skip, n int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	want := "kefu_cluster_members " + strconv.Itoa(n)
	for i, node := range s.nodes {
		if i == skip || !node.up {
			continue
		}
		if !poll(ctx, func() bool { return strings.Contains(s.metrics(i), want) }) {
			t.Fatalf("node%d never saw %d members", i, n)
		}
	}
}

// waitReady waits until node i reports ready.
func (s *scenario) waitReady(t *testing.T, i int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if !poll(ctx, func() bool { return s.ready(i) }) {
		t.Fatalf("node%d never ready again", i)
	}
}
