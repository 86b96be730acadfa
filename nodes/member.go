package nodes

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
	"github.com/asynkron/protoactor-go/cluster/clusterproviders/automanaged"
	"github.com/asynkron/protoactor-go/cluster/identitylookup/disthash"
	"github.com/asynkron/protoactor-go/remote"
)

// Member is this node's place in the Proto.Actor cluster.
type Member struct {
	Cluster *cluster.Cluster
}

// Join starts system as a member serving kinds. It returns once the remote
// listener is up and the provider runs; membership converges after.
func Join(system *actor.ActorSystem, cfg Config, kinds []*cluster.Kind) (*Member, error) {
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	host, port, _ := cfg.hostPort()
	managePort, _ := cfg.managePort()
	peers, _ := cfg.peerManageAddrs()
	refresh := cfg.Refresh
	if refresh == 0 {
		refresh = 500 * time.Millisecond
	}
	name := cfg.Name
	if name == "" {
		name = DefaultName
	}
	provider := automanaged.NewWithConfig(refresh, managePort, peers...)
	ccfg := cluster.Configure(name, provider, disthash.New(), remote.Configure(host, port, remote.WithAdvertisedHost(cfg.Addr)),
		cluster.WithKinds(kinds...))
	c := cluster.New(system, ccfg)
	if err := startMember(c); err != nil {
		return nil, err
	}
	// The provider only logs a health port it cannot bind, and the node
	// would run unseen by its peers: check it answers as this node.
	if err := checkHealth(managePort, system.ID); err != nil {
		c.Shutdown(false)
		return nil, err
	}
	system.Logger().Info("joined cluster", slog.String("addr", system.Address()), slog.Int("manage_port", managePort))
	return &Member{Cluster: c}, nil
}

// startMember turns the library's panics (a port in use) into an error.
func startMember(c *cluster.Cluster) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cluster: %v", r)
		}
	}()
	c.StartMember()
	return nil
}

// Leave stops this member. Graceful tells the peers first and waits for the
// grains to move (the library waits about two seconds). It returns by
// wait at the latest: the library's remote can panic while it stops (a
// send on a reader's closed channel, remote/endpoint_manager.go) or block
// on a reader that is gone, and a node that is leaving must still finish
// its own stop (commit what its writer holds, close the store).
func (m *Member) Leave(graceful bool, wait time.Duration) error {
	done := make(chan error, 1)
	go func() {
		defer func() {
			if r := recover(); r != nil {
				done <- fmt.Errorf("cluster library failed while leaving: %v", r)
			}
		}()
		m.Cluster.Shutdown(graceful)
		done <- nil
	}()
	select {
	case err := <-done:
		return err
	case <-time.After(wait):
		return fmt.Errorf("cluster library still leaving after %v; going on", wait)
	}
}

// healthWait bounds checkHealth: the provider's listener starts on its own
// goroutine just before StartMember's one-second pause ends.
const healthWait = 5 * time.Second

// checkHealth asks automanaged's health port on this host until it answers
// with this node's id.
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
