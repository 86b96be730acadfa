package clustertest

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"testing"
	"time"

	"golang.org/x/crypto/bcrypt"

	"kefu/auth"
	"kefu/store"
	"kefu/store/choose"
)

// The supervisor view on a cluster: one monitor grain, fed by every
// node's reporter and by the dispatchers, so each node answers
// GET /api/supervisor/stats with the cluster's figures (docs/cluster.md
// §6).

// supervisorName is the supervisor added for the view's check.
const supervisorName = "Boss"

// supervisionWait bounds the wait for every node to show the cluster's
// figures: a few samples (2 s each) after the load began.
const supervisionWait = 20 * time.Second

// clusterStats is what the check reads of GET /api/supervisor/stats.
type clusterStats struct {
	SampledAt *time.Time `json:"sampledAt"`
	Nodes     int        `json:"nodes"`
	Now       struct {
		MessagesPerSecond float64 `json:"messagesPerSecond"`
		TimeToAssignment  *struct {
			Count int64 `json:"count"`
		} `json:"timeToAssignment"`
	} `json:"now"`
}

// cluster reports whether st shows the whole cluster under load: every
// node's messages, and assignments out of the queue.
func (st clusterStats) cluster(nodes int) bool {
	return st.SampledAt != nil && st.Nodes == nodes && st.Now.MessagesPerSecond > 0 &&
		st.Now.TimeToAssignment != nil && st.Now.TimeToAssignment.Count > 0
}

// addSupervisor creates a supervisor account in the scenario's store and
// logs it in on node 0: its token is good on every node.
func (s *scenario) addSupervisor(t *testing.T) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	st, err := choose.Open(ctx, s.db, t.TempDir())
	if err != nil {
		t.Fatalf("open the scenario's store: %v", err)
	}
	defer st.Close()
	hash, err := auth.Hasher{Cost: bcrypt.MinCost}.Hash(agentPassword)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateAgent(ctx, supervisorName, hash, store.RoleSupervisor, 1); err != nil {
		t.Fatalf("create %s: %v", supervisorName, err)
	}
	token, err := login(ctx, s.nodes[0].current().Addr, supervisorName, agentPassword)
	if err != nil {
		t.Fatal(err)
	}
	return token
}

// supervision asks the server at addr for the supervisor's statistics.
func supervision(ctx context.Context, addr, token string) (clusterStats, error) {
	var out clusterStats
	ctx, cancel := context.WithTimeout(ctx, dialWait)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, "http://"+addr+"/api/supervisor/stats", nil)
	if err != nil {
		return out, err
	}
	req.Header.Set("Authorization", "Bearer "+token)
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return out, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return out, fmt.Errorf("status %s", res.Status)
	}
	return out, json.NewDecoder(res.Body).Decode(&out)
}

// checkSupervision waits until every node's supervisor view shows the
// cluster's figures, the same on each: one monitor's sample (the same
// sampledAt) covering every node's messages and the dispatcher's
// assignments. A node's own monitor, as before the monitor was a grain,
// saw only its own messages, and times to assignment only where the
// dispatcher lives.
func (s *scenario) checkSupervision(t *testing.T, token string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), supervisionWait)
	defer cancel()
	var last []clusterStats
	same := func() bool {
		last = last[:0]
		for i, n := range s.nodes {
			st, err := supervision(ctx, n.current().Addr, token)
			if err != nil {
				t.Logf("node%d's supervisor view: %v", i, err)
			}
			last = append(last, st)
		}
		for _, st := range last {
			if !st.cluster(len(s.nodes)) || !st.SampledAt.Equal(*last[0].SampledAt) {
				return false
			}
		}
		return true
	}
	if !poll(ctx, same) {
		for i, st := range last {
			tta := int64(0)
			if st.Now.TimeToAssignment != nil {
				tta = st.Now.TimeToAssignment.Count
			}
			t.Errorf("node%d's supervisor view: sampled %v, %d nodes, %.1f messages/s, %d assignments timed; want the cluster's, the same on each node",
				i, st.SampledAt, st.Nodes, st.Now.MessagesPerSecond, tta)
		}
		return
	}
	t.Logf("every node's supervisor view: %d nodes, %.1f messages/s, %d assignments timed",
		last[0].Nodes, last[0].Now.MessagesPerSecond, last[0].Now.TimeToAssignment.Count)
}
