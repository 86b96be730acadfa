package server

// This file holds what being one node of a cluster adds to a server
// (Config.Cluster, docs/cluster.md): the directory over the cluster, the
// grains' kinds, the lease, and their stop. A single node has none of it.

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/asynkron/protoactor-go/cluster"

	"kefu/actors"
	"kefu/nodes"
	"kefu/transport"
)

// clusterNode is a server's part in its cluster.
type clusterNode struct {
	cfg    nodes.Config
	dir    *nodes.Directory
	member *nodes.Member
	keeper *nodes.LeaseKeeper
	lost   chan error // the lease keeper's end: the node must stop
	stop   context.CancelFunc
}

// claimWait bounds how long an activation waits for its node to see a
// majority; claimPoll is how often it looks.
const (
	claimWait = 3 * time.Second
	claimPoll = 50 * time.Millisecond
)

// leaveWait bounds the library's graceful leave: about two seconds of
// its own waiting, and a remote that stops its endpoints.
const leaveWait = 5 * time.Second

// errCannotClaim refuses a claim while the node may not take ownership.
var errCannotClaim = errors.New("this node holds no lease or sees no majority: it may not take conversations")

// clustered reports whether the server is one node of a cluster.
func (s *Server) clustered() bool { return s.node != nil }

// newClusterNode starts the cluster side of a server whose Config asks for
// one: the directory the actors will see. It joins only in joinCluster,
// once the node's own actors run.
func (s *Server) newClusterNode(local *actors.LocalDirectory) *nodes.Directory {
	n := &clusterNode{cfg: s.cfg.Cluster, lost: make(chan error, 1)}
	dropped := s.metrics.ObserveCluster(func() int { return len(n.dir.Addresses()) }, func() bool { return n.keeper != nil && n.keeper.Ready() })
	n.dir = nodes.NewDirectory(local, s.system, n.cfg, dropped)
	s.node = n
	return n.dir
}

// claim takes ownership of key for this node, for the conversations'
// and dispatchers' fences (actors.Kinds.Claim). A blocking store call: it
// runs once per activation, as the activation's reads do.
func (s *Server) claim(key string) (int64, error) {
	k := s.node.keeper
	if k == nil {
		return 0, errCannotClaim
	}
	// A node that has just joined sees its majority within a second or
	// two: an activation then waits for it rather than stop and be asked
	// for again. Bounded, and only until the node first may claim.
	for deadline := time.Now().Add(claimWait); !k.MayClaim(); {
		if time.Now().After(deadline) {
			return 0, errCannotClaim
		}
		time.Sleep(claimPoll) // a poll under the deadline above
	}
	ctx, cancel := context.WithTimeout(context.Background(), startBudget)
	defer cancel()
	return s.store.Claim(ctx, key, k.Node())
}

// epoch reads key's current owner epoch (actors.Kinds.Epoch): a blocking
// store read, as a claim is, made by a conversation that answers a Sync
// after a quiet while.
func (s *Server) epoch(key string) (int64, error) {
	ctx, cancel := context.WithTimeout(context.Background(), startBudget)
	defer cancel()
	return s.store.Epoch(ctx, key)
}

// joinCluster takes the node's lease, then joins the cluster serving the
// grain kinds, and keeps the lease from then on: a lost lease stops Run.
func (s *Server) joinCluster(kinds *actors.Kinds, convs actors.RestoreSource, dispatcher actors.DispatcherConfig) error {
	n := s.node
	n.keeper = nodes.NewLeaseKeeper(s.store, s.system.ID, n.cfg.Addr, nodes.DefaultLeaseConfig(n.cfg.Majority()), n.dir, s.cfg.Log)
	convProps, err := kinds.Props(actors.KindConv)
	if err != nil {
		return err
	}
	agentProps, err := kinds.Props(actors.KindAgent)
	if err != nil {
		return err
	}
	grainKinds := []*cluster.Kind{
		n.dir.OwnedOnly(cluster.NewKind(string(actors.KindConv), convProps)),
		n.dir.OwnedOnly(cluster.NewKind(string(actors.KindAgent), agentProps)),
		n.dir.OwnedOnly(nodes.DispatcherKind(withClaim(dispatcher, s.claim, s.system.ID), convs, transport.CustomerTokenTTL)),
		// The monitor claims nothing: it decides nothing, and its history
		// is lost with its node (docs/cluster.md §6).
		n.dir.OwnedOnly(cluster.NewKind(string(actors.KindMonitor), actors.NewMonitorProps(s.monitorConfig(kinds.Dir)))),
	}
	m, err := nodes.Join(s.system, n.cfg, grainKinds)
	if err != nil {
		return err
	}
	n.member = m
	// The lease comes after the join: a peer evicts a leased node it does
	// not see as a member for long (nodes.LeaseKeeper), so a node is a
	// member first. Activations here wait for the lease (claimWait).
	ctx, cancel := context.WithTimeout(context.Background(), startBudget)
	defer cancel()
	if err := n.keeper.Acquire(ctx); err != nil {
		return fmt.Errorf("cannot take the node's lease: %w", err)
	}
	run, stop := context.WithCancel(context.Background())
	n.stop = stop
	go func() {
		if err := n.keeper.Run(run); err != nil {
			n.lost <- err
		}
	}()
	s.cfg.Log.Info("cluster node", "node", s.system.ID, "cluster_addr", n.cfg.Addr, "provider", n.cfg.Provider, "peers", n.cfg.Peers)
	return nil
}

// lostLease is the channel Run stops on when the lease is lost; nil (never
// ready) on a single node.
func (s *Server) lostLease() <-chan error {
	if s.node == nil {
		return nil
	}
	return s.node.lost
}

// leaveCluster gives the lease up and leaves, so that the grains this node
// held move to its peers at once rather than when its lease runs out.
// The library's graceful leave waits about two seconds for them to move,
// and stops the actor system.
func (s *Server) leaveCluster(ctx context.Context) error {
	n := s.node
	n.stop()
	err := n.keeper.Release(ctx)
	if lerr := n.member.Leave(true, leaveWait); lerr != nil {
		s.cfg.Log.Warn("leaving the cluster", "err", lerr)
	}
	return err
}

// clusterMember is what /readyz asks on a node of a cluster: whether it
// holds its lease and its members agree with the live leases. nil on a
// single node.
func (s *Server) clusterMember() func() bool {
	if s.node == nil {
		return nil
	}
	return s.node.keeper.Ready
}

// withClaim is cfg whose dispatcher claims its pool before it serves, so
// that a stale activation on another node is fenced out of the queue. node
// is this node's id, the claims' owner.
func withClaim(cfg actors.DispatcherConfig, claim func(string) (int64, error), node string) actors.DispatcherConfig {
	cfg.Claim, cfg.Node = claim, node
	return cfg
}
