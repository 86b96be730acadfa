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

// Member is this node's place in the cluster: the Proto.Actor cluster and
// the stable grain addresses it resolves.
type Member struct {
	Cluster *cluster.Cluster
	grains  *grains
	members *membership
}

// Members lists the addresses of the live members, as this node sees them.
func (m *Member) Members() []string { return m.members.Addresses() }

// Join starts system as a member serving kinds. It returns once the remote
// listener is up and the provider runs; membership converges after.
func Join(system *actor.ActorSystem, cfg Config, kinds []*cluster.Kind, onDrop func(why string)) (*Member, error) {
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
	members := watchMembership(system)
	if err := startMember(c); err != nil {
		return nil, err
	}
	grainCfg := cfg.Grains
	if grainCfg.QueueLimit == 0 {
		grainCfg = DefaultGrainConfig()
	}
	resolver := &activator{system: system, members: members, timeout: grainCfg.AskFor}
	g := &grains{system: system, resolver: resolver, cfg: grainCfg, log: system.Logger(), onDrop: onDrop, members: members}
	system.Logger().Info("joined cluster", slog.String("addr", system.Address()), slog.Int("manage_port", managePort))
	return &Member{Cluster: c, grains: g, members: members}, nil
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

// Grain returns the stable local address of grain (kind, id).
func (m *Member) Grain(kind, id string) *actor.PID { return m.grains.process(kind, id).self }

// Leave stops this member. Graceful tells the peers first and waits for the
// grains to move (the library waits about two seconds).
func (m *Member) Leave(graceful bool) { m.Cluster.Shutdown(graceful) }
