package nodes

import (
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/automanaged"
)

// defaultRefresh is how often automanaged polls its peers' health ports.
const defaultRefresh = 500 * time.Millisecond

// newAutomanaged is the provider without an external service: every node
// serves a health port and polls its peers'.
func newAutomanaged(cfg Config) (provider, error) {
	managePort, err := cfg.managePort()
	if err != nil {
		return provider{}, err
	}
	peers, err := cfg.peerManageAddrs()
	if err != nil {
		return provider{}, err
	}
	refresh := cfg.Refresh
	if refresh == 0 {
		refresh = defaultRefresh
	}
	return provider{
		ClusterProvider: automanaged.NewWithConfig(refresh, managePort, peers...),
		check:           func(system *actor.ActorSystem) error { return checkHealth(managePort, system.ID) },
	}, nil
}

// healthWait bounds checkHealth: the provider's listener starts on its own
// goroutine just before StartMember's one-second pause ends.
const healthWait = 5 * time.Second

// checkHealth asks automanaged's health port on this host until it answers
// with this node's id: the provider only logs a port it cannot bind.
func checkHealth(port int, id string) error {
	url := fmt.Sprintf("http://127.0.0.1:%d/_health", port)
	client := &http.Client{Timeout: time.Second}
	deadline := time.Now().Add(healthWait)
	var last error
	for time.Now().Before(deadline) {
		res, err := client.Get(url)
		if err == nil {
			var node struct {
				ID string `json:"id"`
			}
			err = json.NewDecoder(res.Body).Decode(&node)
			res.Body.Close()
			if err == nil && node.ID == id {
				return nil
			}
			if err == nil {
				err = fmt.Errorf("answered by another node (%q)", node.ID)
			}
		}
		last = err
		time.Sleep(50 * time.Millisecond) // a poll's pause, before the node serves
	}
	return fmt.Errorf("cluster health port %d: %v (is it in use? -cluster-manage-port)", port, last)
}
