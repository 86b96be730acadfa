package nodes

import (
	"fmt"
	"log/slog"
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
	ccfg := cluster.Configure(name, provider, disthash.New(), remote.Configure(host, port),
		cluster.WithKinds(kinds...))
	c := cluster.New(system, ccfg)
	if err := startMember(c); err != nil {
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
// grains to move (the library waits about two seconds).
func (m *Member) Leave(graceful bool) { m.Cluster.Shutdown(graceful) }
