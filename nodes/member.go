package nodes

import (
	"fmt"
	"log/slog"
	"time"

	"github.com/asynkron/protoactor-go/actor"
	"github.com/asynkron/protoactor-go/cluster"
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
	if cfg.Name == "" {
		cfg.Name = DefaultName
	}
	provider, err := newProvider(cfg)
	if err != nil {
		return nil, err
	}
	ccfg := cluster.Configure(cfg.Name, provider, disthash.New(), remote.Configure(host, port, remote.WithAdvertisedHost(cfg.Addr)),
		cluster.WithKinds(kinds...))
	c := cluster.New(system, ccfg)
	if err := startMember(c); err != nil {
		return nil, err
	}
	if err := provider.check(system); err != nil {
		c.Shutdown(false)
		return nil, err
	}
	system.Logger().Info("joined cluster", slog.String("addr", system.Address()), slog.String("provider", cfg.Provider))
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
